"""The paper-extras side of SqliteStore: summaries and keywords by source. Same contract as
PostgresStore (see SummaryStore in store/base.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from papertide.models import Organization, PaperSummary
from papertide.store.sqlite.connection import SqliteBase


class SqliteExtras(SqliteBase):
    """Summaries and keywords of papers, one per (paper, source); organisations; media."""

    def put_summaries(self, summaries: Sequence[PaperSummary]) -> None:
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO paper_summaries (paper_id, source, tldr, keywords, content_hash)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (paper_id, source) DO UPDATE SET"
                " tldr = excluded.tldr, keywords = excluded.keywords,"
                " content_hash = excluded.content_hash",
                [
                    (s.paper_id, s.source, s.tldr, json.dumps(list(s.keywords)), s.content_hash)
                    for s in summaries
                ],
            )

    def summaries_for(self, paper_ids: Sequence[str]) -> dict[str, list[PaperSummary]]:
        found: dict[str, list[PaperSummary]] = {}
        if not paper_ids:
            return found
        rows = self._conn.execute(
            "SELECT paper_id, source, tldr, keywords, content_hash FROM paper_summaries"
            " WHERE paper_id IN (SELECT value FROM json_each(?)) ORDER BY paper_id, source",
            (json.dumps(list(paper_ids)),),
        )
        for paper_id, source, tldr, keywords, content_hash in rows:
            summary = PaperSummary(
                paper_id, source, tldr, tuple(json.loads(keywords)), content_hash
            )
            found.setdefault(paper_id, []).append(summary)
        return found

    def summary_hashes(self, source: str) -> dict[str, str]:
        rows = self._conn.execute(
            "SELECT paper_id, content_hash FROM paper_summaries WHERE source = ?", (source,)
        )
        return {str(paper_id): str(content_hash) for paper_id, content_hash in rows}

    def set_paper_org(self, paper_id: str, slug: str, name: str, set_by: str) -> Organization:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO organizations (slug, name) VALUES (?, ?)"
                " ON CONFLICT (slug) DO NOTHING",
                (slug, name),
            )
            org_id, org_name = conn.execute(
                "SELECT id, name FROM organizations WHERE slug = ?", (slug,)
            ).fetchone()
            conn.execute(
                "INSERT INTO paper_orgs (paper_id, org_id, set_by) VALUES (?, ?, ?)"
                " ON CONFLICT (paper_id, org_id) DO UPDATE SET set_by = excluded.set_by",
                (paper_id, org_id, set_by),
            )
        return Organization(int(org_id), slug, str(org_name))

    def orgs_for(self, paper_ids: Sequence[str]) -> dict[str, list[Organization]]:
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
            conn.execute("DELETE FROM paper_media WHERE paper_id = ?", (paper_id,))
            conn.executemany(
                "INSERT INTO paper_media (paper_id, position, url) VALUES (?, ?, ?)",
                [(paper_id, position, url) for position, url in enumerate(urls)],
            )

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
