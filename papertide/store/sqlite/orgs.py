"""The organisations side of SqliteStore: organisation pages and curators' changes to a
paper's organisation. Same contract as PostgresStore (see OrgStore in store/base.py)."""

from __future__ import annotations

from papertide.models import Organization, OrgCount, Paper, PaperOrg
from papertide.store.sqlite import write
from papertide.store.sqlite.connection import SqliteBase
from papertide.store.sqlite.rows import papers_in_order

_COUNTED = (
    "SELECT o.id, o.slug, o.name, count(po.paper_id) FROM organizations o"
    " JOIN paper_orgs po ON po.org_id = o.id"
)


class SqliteOrgs(SqliteBase):
    """Organisations with their papers."""

    def org_by_slug(self, slug: str) -> OrgCount | None:
        row = self._conn.execute(
            "SELECT o.id, o.slug, o.name, (SELECT count(*) FROM paper_orgs po"
            " WHERE po.org_id = o.id) FROM organizations o WHERE o.slug = ?",
            (slug,),
        ).fetchone()
        return None if row is None else OrgCount(Organization(row[0], row[1], row[2]), row[3])

    def organizations(self, limit: int, offset: int = 0) -> list[OrgCount]:
        rows = self._conn.execute(
            _COUNTED + " GROUP BY o.id ORDER BY count(po.paper_id) DESC, o.name, o.slug"
            " LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [OrgCount(Organization(row[0], row[1], row[2]), row[3]) for row in rows]

    def papers_of_org(self, slug: str, limit: int, offset: int = 0) -> list[Paper]:
        rows = self._conn.execute(
            "SELECT p.id FROM papers p JOIN paper_orgs po ON po.paper_id = p.id"
            " JOIN organizations o ON o.id = po.org_id WHERE o.slug = ?"
            " ORDER BY p.published DESC, p.pk DESC LIMIT ? OFFSET ?",
            (slug, limit, offset),
        )
        return papers_in_order(self._conn, [str(row[0]) for row in rows])

    def paper_orgs(self, paper_id: str) -> list[PaperOrg]:
        rows = self._conn.execute(
            "SELECT o.id, o.slug, o.name, po.set_by FROM paper_orgs po"
            " JOIN organizations o ON o.id = po.org_id WHERE po.paper_id = ? ORDER BY o.slug",
            (paper_id,),
        )
        return [PaperOrg(Organization(row[0], row[1], row[2]), row[3]) for row in rows]

    def replace_paper_org(self, paper_id: str, slug: str, name: str, set_by: str) -> Organization:
        with self._transaction() as conn:
            conn.execute(
                "DELETE FROM paper_orgs WHERE paper_id = ? AND org_id NOT IN"
                " (SELECT id FROM organizations WHERE slug = ?)",
                (paper_id, slug),
            )
            return write.link_org(conn, paper_id, slug, name, set_by)

    def unlink_paper_org(self, paper_id: str, slug: str) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM paper_orgs WHERE paper_id = ? AND org_id IN"
                " (SELECT id FROM organizations WHERE slug = ?)",
                (paper_id, slug),
            )
            return cursor.rowcount > 0
