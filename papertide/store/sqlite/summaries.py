"""SqliteStore's summaries side: papers' TL;DRs and keywords, one row per paper and source."""

from __future__ import annotations

import json
from collections.abc import Sequence

from papertide.models import PaperSummary
from papertide.store.base import SummaryTask
from papertide.store.sqlite.connection import SqliteBase


class SqliteSummaries(SqliteBase):
    def put_summaries(self, summaries: Sequence[PaperSummary]) -> None:
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO paper_summaries (paper_id, source, tldr, keywords, content_hash)"
                " VALUES (?,?,?,?,?) ON CONFLICT (paper_id, source) DO UPDATE SET"
                " tldr=excluded.tldr, keywords=excluded.keywords,"
                " content_hash=excluded.content_hash",
                [
                    (s.paper_id, s.source, s.tldr, json.dumps(list(s.keywords)), s.content_hash)
                    for s in summaries
                ],
            )

    def summaries_for(self, paper_ids: Sequence[str]) -> list[PaperSummary]:
        if not paper_ids:
            return []
        marks = ",".join("?" * len(paper_ids))
        rows = self._conn.execute(
            "SELECT paper_id, source, tldr, keywords, content_hash FROM paper_summaries"
            f" WHERE paper_id IN ({marks}) ORDER BY paper_id, source",
            tuple(paper_ids),
        )
        return [
            PaperSummary(pid, source, tldr, tuple(json.loads(keywords)), content_hash)
            for pid, source, tldr, keywords, content_hash in rows
        ]

    def summary_hashes(self, source: str) -> dict[str, str]:
        rows = self._conn.execute(
            "SELECT paper_id, content_hash FROM paper_summaries WHERE source=?", (source,)
        )
        return {str(pid): str(content_hash) for pid, content_hash in rows}

    def summary_tasks(self, source: str, after_pk: int = 0, limit: int = 1000) -> list[SummaryTask]:
        rows = self._conn.execute(
            "SELECT p.pk, p.id, p.title, p.abstract, p.content_hash FROM papers p"
            " LEFT JOIN paper_summaries s ON s.source = ? AND s.paper_id = p.id"
            " WHERE p.pk > ? AND (s.paper_id IS NULL OR s.content_hash != p.content_hash)"
            " ORDER BY p.pk LIMIT ?",
            (source, after_pk, limit),
        )
        return [SummaryTask(*row) for row in rows]
