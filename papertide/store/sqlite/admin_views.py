"""What the curators' admin pages read on SQLite: the quarantine by page and by reason, the
papers this site's members submitted, and digest delivery. Same contract as PostgresStore (see
AdminViewStore in store/base.py)."""

from __future__ import annotations

from datetime import datetime

from papertide.models import Listing, Paper, QuarantineEntry
from papertide.store.digest_base import SUBSCRIPTION_STATE, SUBSCRIPTION_STATES, DigestSend
from papertide.store.sqlite.connection import SqliteBase
from papertide.store.sqlite.digest import _SEND, _send
from papertide.store.sqlite.rows import load_papers, row_to_listing


class SqliteAdminViews(SqliteBase):
    """Reads only."""

    def quarantine_page(
        self, limit: int, offset: int = 0, reason: str | None = None, excerpt: int = 2000
    ) -> list[QuarantineEntry]:
        # the page's ids first (from the reason index when a reason is given), then their
        # records: the rows skipped by OFFSET are never read whole
        where, key = ("WHERE reason = ?", (reason,)) if reason is not None else ("", ())
        rows = self._conn.execute(
            "SELECT id, source, reason, substr(raw, 1, ?), created_at FROM quarantine"
            f" WHERE id IN (SELECT id FROM quarantine {where} ORDER BY id DESC LIMIT ? OFFSET ?)"
            " ORDER BY id DESC",
            (excerpt, *key, limit, offset),
        ).fetchall()
        return [QuarantineEntry(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4])) for r in rows]

    def quarantine_reasons(self, limit: int) -> list[tuple[str, int]]:
        rows = self._conn.execute(
            "SELECT reason, count(*) AS n FROM quarantine GROUP BY reason"
            " ORDER BY n DESC, reason LIMIT ?",
            (limit,),
        )
        return [(str(reason), int(count)) for reason, count in rows]

    def recent_submissions(self, limit: int) -> list[tuple[Listing, Paper]]:
        rows = self._conn.execute(
            "SELECT l.* FROM listings l WHERE l.submitted_at IS NOT NULL AND EXISTS"
            " (SELECT 1 FROM users u WHERE u.username = l.submitted_by)"
            " ORDER BY l.submitted_at DESC, l.paper_id LIMIT ?",
            (limit,),
        ).fetchall()
        papers = load_papers(self._conn, list({row["paper_id"] for row in rows}))
        return [(row_to_listing(row), papers[row["paper_id"]]) for row in rows]

    def subscription_counts(self) -> dict[str, int]:
        rows = self._conn.execute(
            f"SELECT {SUBSCRIPTION_STATE} AS state, count(*) FROM subscriptions GROUP BY state"
        )
        found = {str(state): int(count) for state, count in rows}
        return {state: found.get(state, 0) for state in SUBSCRIPTION_STATES}

    def recent_sends(self, limit: int, failed: bool = False) -> list[DigestSend]:
        rows = self._conn.execute(
            f"SELECT {_SEND} FROM digest_sends WHERE NOT ? OR status = 'failed'"
            " ORDER BY claimed_at DESC, id DESC LIMIT ?",
            (failed, limit),
        )
        return [_send(row) for row in rows]
