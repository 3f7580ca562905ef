"""PostgresStore's summary tasks: the papers whose summary from a source is missing or stale."""

from __future__ import annotations

from papertide.store.postgres.connection import PgBase
from papertide.store.summary_base import SummaryTask


class PgSummaryTasks(PgBase):
    def summary_tasks(self, source: str, after_pk: int = 0, limit: int = 1000) -> list[SummaryTask]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT p.pk, p.id, p.title, p.abstract, p.content_hash FROM papers p"
                " LEFT JOIN paper_summaries s ON s.source = %s AND s.paper_id = p.id"
                " WHERE p.pk > %s AND (s.paper_id IS NULL OR s.content_hash != p.content_hash)"
                " ORDER BY p.pk LIMIT %s",
                (source, after_pk, limit),
            ).fetchall()
        return [SummaryTask(*row) for row in rows]
