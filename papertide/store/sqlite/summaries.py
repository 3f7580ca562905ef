"""SqliteStore's summary tasks: the papers whose summary from a source is missing or stale."""

from __future__ import annotations

from papertide.store.sqlite.connection import SqliteBase
from papertide.store.summary_base import SummaryTask


class SqliteSummaryTasks(SqliteBase):
    def summary_tasks(self, source: str, after_pk: int = 0, limit: int = 1000) -> list[SummaryTask]:
        rows = self._conn.execute(
            "SELECT p.pk, p.id, p.title, p.abstract, p.content_hash FROM papers p"
            " LEFT JOIN paper_summaries s ON s.source = ? AND s.paper_id = p.id"
            " WHERE p.pk > ? AND (s.paper_id IS NULL OR s.content_hash != p.content_hash)"
            " ORDER BY p.pk LIMIT ?",
            (source, after_pk, limit),
        )
        return [SummaryTask(*row) for row in rows]
