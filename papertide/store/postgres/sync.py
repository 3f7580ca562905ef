"""PostgresStore's sync side: the run log of `papertide sync` and the papers it enriches."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from psycopg.types.json import Jsonb

from papertide.store.postgres.connection import PgBase
from papertide.store.sync_base import INTERRUPTED, RUNNING, SourceLog, SyncRun


class PgSync(PgBase):
    def start_sync_run(self, started_at: datetime) -> int:
        with self._transaction() as conn:
            row = conn.execute(
                "INSERT INTO sync_runs (started_at, status) VALUES (%s, %s) RETURNING id",
                (started_at, RUNNING),
            ).fetchone()
            assert row is not None
            return int(row[0])

    def finish_sync_run(
        self,
        run_id: int,
        finished_at: datetime,
        status: str,
        sources: Mapping[str, SourceLog],
        error: str | None,
    ) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE sync_runs SET finished_at = %s, status = %s, sources = %s, error = %s"
                " WHERE id = %s",
                (finished_at, status, Jsonb(dict(sources)), error, run_id),
            )

    def end_unfinished_sync_runs(self, at: datetime, reason: str) -> int:
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE sync_runs SET finished_at = %s, status = %s, error = %s WHERE status = %s",
                (at, INTERRUPTED, reason, RUNNING),
            )
            return cursor.rowcount

    def sync_runs(self, limit: int = 20) -> list[SyncRun]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, started_at, finished_at, status, sources, error FROM sync_runs"
                " ORDER BY id DESC LIMIT %s",
                (limit,),
            ).fetchall()
        return [SyncRun(int(row[0]), row[1], row[2], row[3], row[4], row[5]) for row in rows]

    def ids_without_categories(self, limit: int) -> list[str]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id FROM papers WHERE NOT EXISTS"
                " (SELECT 1 FROM paper_categories c WHERE c.paper_id = papers.id)"
                " ORDER BY pk LIMIT %s",
                (limit,),
            ).fetchall()
        return [str(row[0]) for row in rows]
