"""The paper-extras side of PostgresStore: summaries and keywords by source. Same contract as
SqliteStore (see SummaryStore in store/base.py)."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg.types.json import Jsonb

from papertide.models import Organization, PaperSummary
from papertide.store.postgres.connection import PgBase


class PgExtras(PgBase):
    """Summaries and keywords of papers, one per (paper, source); organisations; media."""

    def put_summaries(self, summaries: Sequence[PaperSummary]) -> None:
        with self._transaction() as conn, conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO paper_summaries (paper_id, source, tldr, keywords, content_hash)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (paper_id, source) DO UPDATE SET"
                " tldr = excluded.tldr, keywords = excluded.keywords,"
                " content_hash = excluded.content_hash",
                [
                    (s.paper_id, s.source, s.tldr, Jsonb(list(s.keywords)), s.content_hash)
                    for s in summaries
                ],
            )

    def summaries_for(self, paper_ids: Sequence[str]) -> dict[str, list[PaperSummary]]:
        found: dict[str, list[PaperSummary]] = {}
        if not paper_ids:
            return found
        with self._read() as conn:
            rows = conn.execute(
                "SELECT paper_id, source, tldr, keywords, content_hash FROM paper_summaries"
                " WHERE paper_id = ANY(%s) ORDER BY paper_id, source",
                (list(paper_ids),),
            ).fetchall()
        for paper_id, source, tldr, keywords, content_hash in rows:
            summary = PaperSummary(paper_id, source, tldr, tuple(keywords), content_hash)
            found.setdefault(paper_id, []).append(summary)
        return found

    def summary_hashes(self, source: str) -> dict[str, str]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT paper_id, content_hash FROM paper_summaries WHERE source = %s",
                (source,),
            ).fetchall()
        return {str(paper_id): str(content_hash) for paper_id, content_hash in rows}

    def set_paper_org(self, paper_id: str, slug: str, name: str, set_by: str) -> Organization:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO organizations (slug, name) VALUES (%s, %s)"
                " ON CONFLICT (slug) DO NOTHING",
                (slug, name),
            )
            row = conn.execute(
                "SELECT id, name FROM organizations WHERE slug = %s", (slug,)
            ).fetchone()
            assert row is not None  # inserted or present in this transaction
            conn.execute(
                "INSERT INTO paper_orgs (paper_id, org_id, set_by) VALUES (%s, %s, %s)"
                " ON CONFLICT (paper_id, org_id) DO UPDATE SET set_by = excluded.set_by",
                (paper_id, row[0], set_by),
            )
        return Organization(int(row[0]), slug, str(row[1]))

    def orgs_for(self, paper_ids: Sequence[str]) -> dict[str, list[Organization]]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT po.paper_id, o.id, o.slug, o.name FROM paper_orgs po"
                " JOIN organizations o ON o.id = po.org_id"
                " WHERE po.paper_id = ANY(%s) ORDER BY po.paper_id, o.slug",
                (list(paper_ids),),
            ).fetchall()
        found: dict[str, list[Organization]] = {}
        for paper_id, org_id, slug, name in rows:
            found.setdefault(paper_id, []).append(Organization(int(org_id), slug, name))
        return found

    def put_media(self, paper_id: str, urls: Sequence[str]) -> None:
        with self._transaction() as conn, conn.cursor() as cursor:
            cursor.execute("DELETE FROM paper_media WHERE paper_id = %s", (paper_id,))
            cursor.executemany(
                "INSERT INTO paper_media (paper_id, position, url) VALUES (%s, %s, %s)",
                [(paper_id, position, url) for position, url in enumerate(urls)],
            )

    def media_for(self, paper_ids: Sequence[str]) -> dict[str, list[str]]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT paper_id, url FROM paper_media"
                " WHERE paper_id = ANY(%s) ORDER BY paper_id, position",
                (list(paper_ids),),
            ).fetchall()
        found: dict[str, list[str]] = {}
        for paper_id, url in rows:
            found.setdefault(paper_id, []).append(url)
        return found
