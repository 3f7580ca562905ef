"""The paper-extras side of SqliteStore: summaries and keywords by source. Same contract as
PostgresStore (see SummaryStore in store/base.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from papertide.models import Organization, PaperSummary
from papertide.store.sqlite import write
from papertide.store.sqlite.connection import SqliteBase


class SqliteExtras(SqliteBase):
    """Summaries and keywords of papers, one per (paper, source); organisations; media."""

    def put_summaries(self, summaries: Sequence[PaperSummary]) -> None:
        with self._transaction() as conn:
            write.put_summaries(conn, summaries)

    def summaries_for(self, paper_ids: Sequence[str]) -> dict[str, list[PaperSummary]]:
        kept = self._kept(("summaries_for", *paper_ids), lambda: self._summaries(paper_ids))
        return {paper_id: list(summaries) for paper_id, summaries in kept.items()}

    def _summaries(self, paper_ids: Sequence[str]) -> dict[str, list[PaperSummary]]:
        found: dict[str, list[PaperSummary]] = {}
        if not paper_ids:
            return found
        rows = self._conn.execute(
            "SELECT paper_id, source, tldr, keywords, content_hash FROM paper_summaries"
            " WHERE paper_id IN (SELECT value FROM json_each(?)) ORDER BY paper_id, source",
            (json.dumps(list(paper_ids)),),
        ).fetchall()
        # every row's keywords (a JSON array) decoded in one call: a call costs more than the text
        keywords = json.loads("[" + ",".join(row[3] for row in rows) + "]")
        for (paper_id, source, tldr, _, content_hash), words in zip(rows, keywords, strict=True):
            summary = PaperSummary(paper_id, source, tldr, tuple(words), content_hash)
            found.setdefault(paper_id, []).append(summary)
        return found

    def summary_hashes(self, source: str) -> dict[str, str]:
        rows = self._conn.execute(
            "SELECT paper_id, content_hash FROM paper_summaries WHERE source = ?", (source,)
        )
        return {str(paper_id): str(content_hash) for paper_id, content_hash in rows}

    def set_paper_org(self, paper_id: str, slug: str, name: str, set_by: str) -> Organization:
        with self._transaction() as conn:
            return write.link_org(conn, paper_id, slug, name, set_by)

    def orgs_for(self, paper_ids: Sequence[str]) -> dict[str, list[Organization]]:
        kept = self._kept(("orgs_for", *paper_ids), lambda: self._orgs(paper_ids))
        return {paper_id: list(orgs) for paper_id, orgs in kept.items()}

    def _orgs(self, paper_ids: Sequence[str]) -> dict[str, list[Organization]]:
        rows = self._conn.execute(
            "SELECT po.paper_id, o.id, o.slug, o.name FROM paper_orgs po"
            " JOIN organizations o ON o.id = po.org_id"
            " WHERE po.paper_id IN (SELECT value FROM json_each(?)) ORDER BY po.paper_id, o.slug",
            (json.dumps(list(paper_ids)),),
        )
        found: dict[str, list[Organization]] = {}
        for paper_id, org_id, slug, name in rows:
            found.setdefault(paper_id, []).append(Organization(int(org_id), slug, name))
        return found

    def put_media(self, paper_id: str, urls: Sequence[str]) -> None:
        with self._transaction() as conn:
            write.put_media(conn, paper_id, urls)

    def media_for(self, paper_ids: Sequence[str]) -> dict[str, list[str]]:
        rows = self._conn.execute(
            "SELECT paper_id, url FROM paper_media"
            " WHERE paper_id IN (SELECT value FROM json_each(?)) ORDER BY paper_id, position",
            (json.dumps(list(paper_ids)),),
        )
        found: dict[str, list[str]] = {}
        for paper_id, url in rows:
            found.setdefault(paper_id, []).append(url)
        return found
