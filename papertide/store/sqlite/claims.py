"""The claimed-authorship side of SqliteStore: author claims, the domain rules that approve
them at once, and confirmed emails. Same contract as PostgresStore (see ClaimStore in
store/base.py). SQLite's one writer serialises the check and the write of a claim; the partial
unique index on approved slots backs it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from papertide.errors import ConflictError
from papertide.models import AuthorClaim, ClaimRule
from papertide.store.sqlite.connection import SqliteBase, stamp, when

_CLAIM = (
    "c.id, c.user_id, u.username, c.paper_id, c.author_name, c.state, c.created_at,"
    " c.decided_at, c.decided_by, CASE WHEN e.email IS NULL THEN NULL ELSE u.email END"
    " FROM author_claims c JOIN users u ON u.id = c.user_id"
    " LEFT JOIN email_confirmations e ON e.user_id = c.user_id"
    " AND e.email = u.email COLLATE NOCASE"
)
_AUTHOR_COMMENTED = (
    "SELECT DISTINCT c.paper_id FROM author_claims c JOIN comments m"
    " ON m.paper_id = c.paper_id AND m.user_id = c.user_id AND m.deleted_at IS NULL"
    " WHERE c.state = 'approved' AND c.paper_id"
)
_SLOT_TAKEN = (
    "SELECT 1 FROM author_claims WHERE paper_id = ? AND author_name = ? AND state = 'approved'"
    " AND user_id != ?"
)


class SqliteClaims(SqliteBase):
    """Who claims to be which author of which paper, and who decided."""

    def add_claim(
        self, user_id: int, paper_id: str, author_name: str, approved_by: str | None
    ) -> AuthorClaim:
        now = stamp(self.clock.now())
        with self._transaction() as conn:
            if conn.execute(
                "SELECT 1 FROM author_claims WHERE user_id = ? AND paper_id = ?",
                (user_id, paper_id),
            ).fetchone():
                raise ConflictError("you have a claim on this paper already")
            if conn.execute(_SLOT_TAKEN, (paper_id, author_name, user_id)).fetchone():
                raise ConflictError("another account holds this author; ask a curator")
            state, decided_at = ("approved", now) if approved_by else ("pending", None)
            cursor = conn.execute(
                "INSERT INTO author_claims (user_id, paper_id, author_name, state, created_at,"
                " decided_at, decided_by) VALUES (?,?,?,?,?,?,?)",
                (user_id, paper_id, author_name, state, now, decided_at, approved_by),
            )
            return _claim(_one(conn, int(cursor.lastrowid or 0)))

    def claim_by_id(self, claim_id: int) -> AuthorClaim | None:
        row = self._conn.execute(f"SELECT {_CLAIM} WHERE c.id = ?", (claim_id,)).fetchone()
        return None if row is None else _claim(row)

    def decide_claim(self, claim_id: int, state: str, decided_by: str) -> AuthorClaim | None:
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT user_id, paper_id, author_name FROM author_claims WHERE id = ?",
                (claim_id,),
            ).fetchone()
            if row is None:
                return None
            user_id, paper_id, author_name = row
            if (
                state == "approved"
                and conn.execute(_SLOT_TAKEN, (paper_id, author_name, user_id)).fetchone()
            ):
                raise ConflictError("another account holds this author; reject theirs first")
            conn.execute(
                "UPDATE author_claims SET state = ?, decided_at = ?, decided_by = ? WHERE id = ?",
                _decision(state, stamp(self.clock.now()), decided_by, claim_id),
            )
            return _claim(_one(conn, claim_id))

    def withdraw_claim(self, claim_id: int, user_id: int) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM author_claims WHERE id = ? AND user_id = ? AND state != 'rejected'",
                (claim_id, user_id),
            )
            return cursor.rowcount > 0

    def claims_in_state(self, state: str, limit: int) -> list[AuthorClaim]:
        rows = self._conn.execute(
            f"SELECT {_CLAIM} WHERE c.state = ? ORDER BY c.id DESC LIMIT ?", (state, limit)
        )
        return [_claim(row) for row in rows]

    def claims_of(self, user_id: int) -> list[AuthorClaim]:
        rows = self._conn.execute(
            f"SELECT {_CLAIM} WHERE c.user_id = ? ORDER BY c.id DESC", (user_id,)
        )
        return [_claim(row) for row in rows]

    def approved_claims(self, paper_ids: Sequence[str]) -> dict[str, list[AuthorClaim]]:
        found: dict[str, list[AuthorClaim]] = {}
        if not paper_ids:
            return found
        rows = self._conn.execute(
            f"SELECT {_CLAIM} WHERE c.state = 'approved'"
            " AND c.paper_id IN (SELECT value FROM json_each(?)) ORDER BY c.paper_id, c.id",
            (json.dumps(list(paper_ids)),),
        )
        for row in rows:
            claim = _claim(row)
            found.setdefault(claim.paper_id, []).append(claim)
        return found

    def author_commented(self, paper_ids: Sequence[str]) -> set[str]:
        if not paper_ids:
            return set()
        rows = self._conn.execute(
            _AUTHOR_COMMENTED + " IN (SELECT value FROM json_each(?))",
            (json.dumps(list(paper_ids)),),
        )
        return {row[0] for row in rows}

    def claims_by_author(self, author_name: str, limit: int) -> list[AuthorClaim]:
        rows = self._conn.execute(
            f"SELECT {_CLAIM} WHERE c.author_name = ? AND c.state = 'approved'"
            " ORDER BY c.id DESC LIMIT ?",
            (author_name, limit),
        )
        return [_claim(row) for row in rows]

    def confirm_email(self, user_id: int, email: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO email_confirmations (user_id, email, confirmed_at) VALUES (?,?,?)"
                " ON CONFLICT (user_id) DO UPDATE SET email = excluded.email,"
                " confirmed_at = excluded.confirmed_at",
                (user_id, email, stamp(self.clock.now())),
            )

    def confirmed_email(self, user_id: int) -> str | None:
        row = self._conn.execute(
            "SELECT u.email FROM users u JOIN email_confirmations e ON e.user_id = u.id"
            " AND e.email = u.email COLLATE NOCASE WHERE u.id = ?",
            (user_id,),
        ).fetchone()
        return None if row is None else str(row[0])

    def add_claim_rule(self, domain: str, created_by: str) -> ClaimRule:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO claim_rules (domain, created_by, created_at) VALUES (?,?,?)"
                " ON CONFLICT (domain) DO NOTHING",
                (domain, created_by, stamp(self.clock.now())),
            )
            row = conn.execute(
                "SELECT domain, created_by, created_at FROM claim_rules WHERE domain = ?",
                (domain,),
            ).fetchone()
        return _rule(row)

    def remove_claim_rule(self, domain: str) -> bool:
        with self._transaction() as conn:
            return conn.execute("DELETE FROM claim_rules WHERE domain = ?", (domain,)).rowcount > 0

    def claim_rules(self) -> list[ClaimRule]:
        rows = self._conn.execute(
            "SELECT domain, created_by, created_at FROM claim_rules ORDER BY domain"
        )
        return [_rule(row) for row in rows]


def _one(conn: sqlite3.Connection, claim_id: int) -> sqlite3.Row:
    row: sqlite3.Row = conn.execute(f"SELECT {_CLAIM} WHERE c.id = ?", (claim_id,)).fetchone()
    return row


def _claim(row: sqlite3.Row) -> AuthorClaim:
    decided = row[7]
    return AuthorClaim(
        id=int(row[0]),
        user_id=int(row[1]),
        username=str(row[2]),
        paper_id=str(row[3]),
        author_name=str(row[4]),
        state=str(row[5]),
        created_at=when(row[6]),
        decided_at=None if decided is None else when(decided),
        decided_by=None if row[8] is None else str(row[8]),
        confirmed_email=None if row[9] is None else str(row[9]),
    )


def _rule(row: sqlite3.Row) -> ClaimRule:
    return ClaimRule(str(row[0]), str(row[1]), when(row[2]))


def _decision(state: str, at: str, by: str, claim_id: int) -> tuple[object, ...]:
    """The UPDATE's parameters: a claim back to pending has no decision."""
    return (state, at, by, claim_id) if state != "pending" else (state, None, None, claim_id)
