"""Raw rows in and out of PostgresStore, table by table (the RowStore side of `papertide
migrate`): PostgreSQL's arrays, jsonb, halfvec and timestamptz to and from the plain values of
store/tables.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from psycopg.types.json import Jsonb

from papertide.store.postgres.connection import WRITE_LOCK, PgBase
from papertide.store.postgres.vectors import HalfVector, HalfVectorDumper, from_halfvec_send
from papertide.store.postgres.write import save_checkpoint, storable
from papertide.store.tables import Column, Row, Table, table_named

# how each kind is read and how its parameter is written
_SELECT = {"vector": "halfvec_send({})"}
_PARAMETER = {"vector": "%b::halfvec", "strings": "%s::text[]", "json": "%s::jsonb"}


class PgTransfer(PgBase):
    """export_rows, import_rows and count_rows of PostgresStore."""

    def export_rows(self, table: str, after: Row | None, limit: int) -> list[Row]:
        spec = table_named(table)
        order = ", ".join(_sorted(spec, name) for name in spec.key)
        columns = ", ".join(_SELECT.get(c.kind, "{}").format(c.name) for c in spec.columns)
        where = "" if after is None else f"WHERE ({order}) > ({', '.join(['%s'] * len(after))})"
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {columns} FROM {spec.name} {where} ORDER BY {order} LIMIT %s",
                (*(after or ()), limit),
            ).fetchall()
        return [_from_row(spec.columns, row) for row in rows]

    def import_rows(
        self,
        table: str,
        rows: Sequence[Row],
        checkpoint: tuple[str, str | None] | None = None,
    ) -> int:
        """One transaction, queued behind ingest batches on the write lock; identity
        sequences move past the imported ids, so later inserts never reuse one."""
        spec = table_named(table)
        marks = ", ".join(_PARAMETER.get(c.kind, "%s") for c in spec.columns)
        with self._transaction(WRITE_LOCK) as conn:
            # executemany pipelines the rows; COPY through a scratch table measured no faster
            # (vectors would need their text form)
            cursor = conn.cursor()
            cursor.adapters.register_dumper(HalfVector, HalfVectorDumper)
            cursor.executemany(
                f"INSERT INTO {spec.name} ({', '.join(spec.names)}) VALUES ({marks})"
                " ON CONFLICT DO NOTHING",
                [_to_row(spec.columns, row) for row in rows],
            )
            inserted = max(cursor.rowcount, 0)
            if spec.serial and inserted:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), max({spec.serial}))"
                    f" FROM {spec.name}",
                    (spec.name, spec.serial),
                )
            if checkpoint is not None:
                save_checkpoint(conn, *checkpoint, self._now())
        return inserted

    def count_rows(self, table: str) -> int:
        spec = table_named(table)
        with self._transaction() as conn:
            row = conn.execute(f"SELECT count(*) FROM {spec.name}").fetchone()
        assert row is not None
        return int(row[0])


def _sorted(table: Table, name: str) -> str:
    """A key column as sorted: text bytewise, as SQLite's BINARY, whatever the locale."""
    return f'{name} COLLATE "C"' if table.kind(name) == "text" else name


def _from_row(columns: tuple[Column, ...], row: tuple[Any, ...]) -> Row:
    return tuple(_plain(column.kind, value) for column, value in zip(columns, row, strict=True))


def _plain(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind in ("time", "stamp"):
        return value.astimezone(UTC)
    if kind == "vector":
        return from_halfvec_send(value)
    if kind == "strings":
        return list(value)
    return value


def _to_row(columns: tuple[Column, ...], row: Row) -> tuple[Any, ...]:
    return tuple(_stored(column.kind, value) for column, value in zip(columns, row, strict=True))


def _stored(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "vector":
        return HalfVector(value)
    if kind == "json":
        return Jsonb(value)
    if kind == "text":
        return storable(value)  # PostgreSQL text cannot hold NUL
    return value
