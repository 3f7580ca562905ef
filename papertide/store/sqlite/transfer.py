"""Raw rows in and out of SqliteStore, table by table (the RowStore side of `papertide
migrate`): SQLite's text, JSON and integer forms to and from the plain values of
store/tables.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from papertide.store.sqlite.connection import SqliteBase, stamp
from papertide.store.sqlite.write import save_checkpoint
from papertide.store.tables import Row, Table, table_named


class SqliteTransfer(SqliteBase):
    """export_rows, import_rows and count_rows of SqliteStore."""

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
            cursor = conn.executemany(
                f"INSERT OR IGNORE INTO {spec.name} ({', '.join(spec.names)}) VALUES ({marks})",
                values,
            )
            if checkpoint is not None:
                save_checkpoint(conn, *checkpoint, self._now())
            return max(cursor.rowcount, 0)

    def count_rows(self, table: str) -> int:
        spec = table_named(table)
        return self._scalar(f"SELECT count(*) FROM {spec.name}")


def _sorted(table: Table, name: str) -> str:
    """A key column as sorted: text bytewise (some columns are NOCASE), as PostgreSQL's "C"."""
    return f"{name} COLLATE BINARY" if table.kind(name) == "text" else name


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
