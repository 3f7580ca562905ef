"""PostgresStore's summaries side: papers' TL;DRs and keywords, one row per paper and source."""

from __future__ import annotations

from collections.abc import Sequence

from papertide.models import PaperSummary
from papertide.store.base import SummaryTask
from papertide.store.postgres.connection import PgBase


class PgSummaries(PgBase):
    def put_summaries(self, summaries: Sequence[PaperSummary]) -> None:
        with self._transaction() as conn, conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO paper_summaries (paper_id, source, tldr, keywords, content_hash)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (paper_id, source) DO UPDATE SET"
                " tldr = excluded.tldr, keywords = excluded.keywords,"
                " content_hash = excluded.content_hash",
                [
                    (s.paper_id, s.source, s.tldr, list(s.keywords), s.content_hash)
                    for s in summaries
                ],
            )

    def summaries_for(self, paper_ids: Sequence[str]) -> list[PaperSummary]:
        if not paper_ids:
            return []
        with self._read() as conn:
            rows = conn.execute(
                "SELECT paper_id, source, tldr, keywords, content_hash FROM paper_summaries"
                " WHERE paper_id = ANY(%s) ORDER BY paper_id, source",
                (list(paper_ids),),
            ).fetchall()
        return [PaperSummary(row[0], row[1], row[2], tuple(row[3]), row[4]) for row in rows]

    def summary_hashes(self, source: str) -> dict[str, str]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT paper_id, content_hash FROM paper_summaries WHERE source = %s", (source,)
            ).fetchall()
        return {str(row[0]): str(row[1]) for row in rows}

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
