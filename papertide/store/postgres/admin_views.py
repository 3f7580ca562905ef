"""What the curators' admin pages read on PostgreSQL: the quarantine by page and by reason, the
papers this site's members submitted, and digest delivery. Same contract as SqliteStore (see
AdminViewStore in store/base.py)."""

from __future__ import annotations

from papertide.models import Listing, Paper, QuarantineEntry
from papertide.store.digest_base import SUBSCRIPTION_STATE, SUBSCRIPTION_STATES, DigestSend
from papertide.store.postgres.connection import PgBase
from papertide.store.postgres.digest import _SEND, _send
from papertide.store.postgres.rows import LISTING_COLUMNS, load_papers, row_to_listing


class PgAdminViews(PgBase):
    """Reads only, on the primary: curators act on what they see."""

    def quarantine_page(
        self, limit: int, offset: int = 0, reason: str | None = None, excerpt: int = 2000
    ) -> list[QuarantineEntry]:
        # the page's ids first (from the reason index when a reason is given), then their
        # records: the rows skipped by OFFSET are never read whole
        where = "WHERE reason = %(r)s" if reason is not None else ""
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT id, source, reason, left(raw, %(x)s), created_at FROM quarantine"
                f" WHERE id IN (SELECT id FROM quarantine {where} ORDER BY id DESC"
                " LIMIT %(n)s OFFSET %(o)s) ORDER BY id DESC",
                {"x": excerpt, "r": reason, "n": limit, "o": offset},
            ).fetchall()
        return [QuarantineEntry(*row) for row in rows]

    def quarantine_reasons(self, limit: int) -> list[tuple[str, int]]:
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT reason, count(*) AS n FROM quarantine GROUP BY reason"
                ' ORDER BY n DESC, reason COLLATE "C" LIMIT %s',
                (limit,),
            ).fetchall()
        return [(str(reason), int(count)) for reason, count in rows]

    def recent_submissions(self, limit: int) -> list[tuple[Listing, Paper]]:
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {LISTING_COLUMNS} FROM listings l WHERE l.submitted_at IS NOT NULL"
                " AND EXISTS (SELECT 1 FROM users u WHERE u.username = l.submitted_by)"
                " ORDER BY l.submitted_at DESC, l.paper_id LIMIT %s",
                (limit,),
            ).fetchall()
            papers = load_papers(conn, list({row[1] for row in rows}))
        return [(row_to_listing(row), papers[row[1]]) for row in rows]

    def subscription_counts(self) -> dict[str, int]:
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {SUBSCRIPTION_STATE} AS state, count(*) FROM subscriptions GROUP BY 1"
            ).fetchall()
        found = {str(state): int(count) for state, count in rows}
        return {state: found.get(state, 0) for state in SUBSCRIPTION_STATES}

    def recent_sends(self, limit: int, failed: bool = False) -> list[DigestSend]:
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {_SEND} FROM digest_sends WHERE NOT %s OR status = 'failed'"
                " ORDER BY claimed_at DESC, id DESC LIMIT %s",
                (failed, limit),
            ).fetchall()
        return [_send(row) for row in rows]
