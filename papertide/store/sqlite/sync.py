"""SqliteStore's sync side: the run log of `papertide sync` and the papers it enriches."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from papertide.store.sqlite.connection import SqliteBase, stamp, when
from papertide.store.sync_base import INTERRUPTED, RUNNING, SourceLog, SyncRun


class SqliteSync(SqliteBase):
    def start_sync_run(self, started_at: datetime) -> int:
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO sync_runs (started_at, status) VALUES (?, ?)",
                (stamp(started_at), RUNNING),
            )
            return int(cursor.lastrowid or 0)

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
                "UPDATE sync_runs SET finished_at=?, status=?, sources=?, error=? WHERE id=?",
                (stamp(finished_at), status, json.dumps(sources), error, run_id),
            )

    def end_unfinished_sync_runs(self, at: datetime, reason: str) -> int:
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE sync_runs SET finished_at=?, status=?, error=? WHERE status=?",
                (stamp(at), INTERRUPTED, reason, RUNNING),
            )
            return cursor.rowcount

    def sync_runs(self, limit: int = 20) -> list[SyncRun]:
        rows = self._conn.execute(
            "SELECT id, started_at, finished_at, status, sources, error FROM sync_runs"
            " ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            SyncRun(
                run_id,
                when(started),
                when(finished) if finished else None,
                status,
                json.loads(sources),
                error,
            )
            for run_id, started, finished, status, sources, error in rows
        ]

    def ids_without_categories(self, limit: int) -> list[str]:
        rows = self._conn.execute(
            "SELECT id FROM papers WHERE NOT EXISTS"
            " (SELECT 1 FROM paper_categories c WHERE c.paper_id = papers.id)"
            " ORDER BY pk LIMIT ?",
            (limit,),
        ).fetchall()
        return [row[0] for row in rows]
