"""Raw rows in and out of SqliteStore, table by table (the RowStore side of `papertide
migrate`): SQLite's text, JSON and integer forms to and from the plain values of
store/tables.py. SqliteTransfer mixes the methods into SqliteStore.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from papertide.store.sqlite_community import stamp
from papertide.store.tables import Row, Table, table_named


class SqliteTransfer:
    """export_rows, import_rows and count_rows of SqliteStore."""

    if TYPE_CHECKING:

        @property
        def _conn(self) -> sqlite3.Connection: ...

        def _transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

        def _save_checkpoint(
            self, conn: sqlite3.Connection, key: str, value: str | None
        ) -> None: ...

    def export_rows(self, table: str, after: Row | None, limit: int) -> list[Row]:
        spec = table_named(table)
        order = ", ".join(_sorted(spec, name) for name in spec.key)
        where, params = "", [limit]
        if after is not None:
            where = f"WHERE ({order}) > ({', '.join('?' * len(after))})"
            params = [*(to_sqlite(spec.kind(k), v) for k, v in zip(spec.key, after, strict=True))]
            params.append(limit)
        rows = self._conn.execute(
            f"SELECT {', '.join(spec.names)} FROM {spec.name} {where} ORDER BY {order} LIMIT ?",
            params,
        ).fetchall()
        kinds = [column.kind for column in spec.columns]
        return [tuple(from_sqlite(k, v) for k, v in zip(kinds, row, strict=True)) for row in rows]

    def import_rows(
        self,
        table: str,
        rows: Sequence[Row],
        checkpoint: tuple[str, str | None] | None = None,
    ) -> int:
        spec = table_named(table)
        kinds = [column.kind for column in spec.columns]
        values = [tuple(to_sqlite(k, v) for k, v in zip(kinds, row, strict=True)) for row in rows]
        marks = ", ".join("?" * len(spec.columns))
        with self._transaction() as conn:
            fresh = _new_pks(conn, [row[0] for row in values]) if spec.name == "papers" else []
            cursor = conn.executemany(
                f"INSERT OR IGNORE INTO {spec.name} ({', '.join(spec.names)}) VALUES ({marks})",
                values,
            )
            if fresh:  # papers_fts has no insert trigger: SqliteStore indexes new rows itself
                conn.executemany(
                    "INSERT INTO papers_fts(rowid, title, authors, abstract)"
                    " SELECT pk, title, authors, abstract FROM papers WHERE pk = ?",
                    [(pk,) for pk in fresh],
                )
            if checkpoint is not None:
                self._save_checkpoint(conn, *checkpoint)
            return max(cursor.rowcount, 0)

    def count_rows(self, table: str) -> int:
        spec = table_named(table)
        return int(self._conn.execute(f"SELECT count(*) FROM {spec.name}").fetchone()[0])


def _sorted(table: Table, name: str) -> str:
    """A key column as sorted: text bytewise (some columns are NOCASE), as PostgreSQL's "C"."""
    return f"{name} COLLATE BINARY" if table.kind(name) == "text" else name


def _new_pks(conn: sqlite3.Connection, pks: list[int]) -> list[int]:
    """Which of these paper pks are not stored yet."""
    found: set[int] = set()
    for start in range(0, len(pks), 500):
        chunk = pks[start : start + 500]
        rows = conn.execute(
            f"SELECT pk FROM papers WHERE pk IN ({', '.join('?' * len(chunk))})", chunk
        )
        found.update(row[0] for row in rows)
    return [pk for pk in pks if pk not in found]


def from_sqlite(kind: str, value: Any) -> Any:
    """A stored SQLite value as the plain value of its kind (see store/tables.py)."""
    if value is None:
        return None
    if kind in ("time", "stamp"):
        moment = datetime.fromisoformat(value)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if kind == "day":
        return date.fromisoformat(value)
    if kind in ("strings", "json"):
        return json.loads(value)
    if kind == "bool":
        return bool(value)
    if kind == "vector":
        return bytes(value)
    return value


def to_sqlite(kind: str, value: Any) -> Any:
    """A plain value in the form SqliteStore itself writes for a column of this kind."""
    if value is None:
        return None
    if kind == "time":
        return value.astimezone(UTC).isoformat()
    if kind == "stamp":
        return stamp(value)
    if kind == "day":
        return value.isoformat()
    if kind in ("strings", "json"):
        return json.dumps(value, ensure_ascii=False)
    if kind == "bool":
        return int(value)
    return value
