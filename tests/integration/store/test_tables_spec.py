"""store/tables.py names every table and column each engine's migrations create, so that
`papertide migrate` can never leave a table or a column behind when a migration adds one."""

from __future__ import annotations

import sqlite3

import psycopg

from papertide.store.sqlite import SqliteStore
from papertide.store.tables import TABLES

# derived from other tables, or the migrations' own bookkeeping: never copied
NOT_COPIED = {"schema_migrations"}


def schema_of(store) -> dict[str, set[str]]:
    """Table -> column names, read from the engine's catalog."""
    if isinstance(store, SqliteStore):
        conn = sqlite3.connect(store.path)
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        found = {t: {row[1] for row in conn.execute(f"PRAGMA table_info({t})")} for t in tables}
        conn.close()
        return found
    with psycopg.connect(store.url) as pg:
        rows = pg.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public'"
        ).fetchall()
    schema: dict[str, set[str]] = {}
    for table, column in rows:
        schema.setdefault(table, set()).add(column)
    return schema


def test_tables_spec_covers_every_table_and_column_of_the_schema(store):
    schema = {t: c for t, c in schema_of(store).items() if t not in NOT_COPIED}
    assert {table.name: set(table.names) for table in TABLES} == schema
