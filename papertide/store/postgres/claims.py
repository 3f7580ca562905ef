"""The claimed-authorship side of PostgresStore: author claims, the domain rules that approve
them at once, and confirmed emails. Same contract as SqliteStore (see ClaimStore in
store/base.py). A transaction-level advisory lock per author slot serialises the check and the
write of a claim; the partial unique index on approved slots backs it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from papertide.errors import ConflictError
from papertide.models import AuthorClaim, ClaimRule
from papertide.store.postgres.connection import Connection, PgBase

_CLAIM = (
    "c.id, c.user_id, u.username, c.paper_id, c.author_name, c.state, c.created_at,"
    " c.decided_at, c.decided_by, CASE WHEN e.email IS NULL THEN NULL ELSE u.email END"
    " FROM author_claims c JOIN users u ON u.id = c.user_id"
    " LEFT JOIN email_confirmations e ON e.user_id = c.user_id"
    " AND lower(e.email) = lower(u.email)"
)
_SLOT_TAKEN = (
    "SELECT 1 FROM author_claims WHERE paper_id = %s AND author_name = %s"
    " AND state = 'approved' AND user_id != %s"
)
_AUTHOR_COMMENTED = (
    "SELECT DISTINCT c.paper_id FROM author_claims c JOIN comments m"
    " ON m.paper_id = c.paper_id AND m.user_id = c.user_id AND m.deleted_at IS NULL"
    " WHERE c.state = 'approved' AND c.paper_id = ANY(%s)"
)
_RULE = "SELECT domain, created_by, created_at FROM claim_rules"


class PgClaims(PgBase):
    """Who claims to be which author of which paper, and who decided."""

    def add_claim(
        self, user_id: int, paper_id: str, author_name: str, approved_by: str | None
    ) -> AuthorClaim:
        now = self._now()
        with self._transaction() as conn:
            _lock_slot(conn, paper_id, author_name)
            if conn.execute(_SLOT_TAKEN, (paper_id, author_name, user_id)).fetchone():
                raise ConflictError("another account holds this author; ask a curator")
            state, decided_at = ("approved", now) if approved_by else ("pending", None)
            row = conn.execute(
                "INSERT INTO author_claims (user_id, paper_id, author_name, state, created_at,"
                " decided_at, decided_by) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (user_id, paper_id) DO NOTHING RETURNING id",
                (user_id, paper_id, author_name, state, now, decided_at, approved_by),
            ).fetchone()
            if row is None:
                raise ConflictError("you have a claim on this paper already")
            return _claim(_one(conn, int(row[0])))

    def claim_by_id(self, claim_id: int) -> AuthorClaim | None:
        with self._transaction() as conn:
            row = conn.execute(f"SELECT {_CLAIM} WHERE c.id = %s", (claim_id,)).fetchone()
        return None if row is None else _claim(row)

    def decide_claim(self, claim_id: int, state: str, decided_by: str) -> AuthorClaim | None:
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT user_id, paper_id, author_name FROM author_claims WHERE id = %s",
                (claim_id,),
            ).fetchone()
            if row is None:
                return None
            user_id, paper_id, author_name = row
            _lock_slot(conn, paper_id, author_name)
            if (
                state == "approved"
                and conn.execute(_SLOT_TAKEN, (paper_id, author_name, user_id)).fetchone()
            ):
                raise ConflictError("another account holds this author; reject theirs first")
            conn.execute(
                "UPDATE author_claims SET state = %s, decided_at = %s, decided_by = %s"
                " WHERE id = %s",
                _decision(state, self._now(), decided_by, claim_id),
            )
            return _claim(_one(conn, claim_id))

    def withdraw_claim(self, claim_id: int, user_id: int) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM author_claims WHERE id = %s AND user_id = %s AND state != 'rejected'",
                (claim_id, user_id),
            )
            return cursor.rowcount > 0

    def claims_in_state(self, state: str, limit: int) -> list[AuthorClaim]:
        return self._claims(
            f"SELECT {_CLAIM} WHERE c.state = %s ORDER BY c.id DESC LIMIT %s", state, limit
        )

    def claims_of(self, user_id: int) -> list[AuthorClaim]:
        return self._claims(f"SELECT {_CLAIM} WHERE c.user_id = %s ORDER BY c.id DESC", user_id)

    def approved_claims(self, paper_ids: Sequence[str]) -> dict[str, list[AuthorClaim]]:
        found: dict[str, list[AuthorClaim]] = {}
        if not paper_ids:
            return found
        claims = self._claims(
            f"SELECT {_CLAIM} WHERE c.state = 'approved' AND c.paper_id = ANY(%s)"
            " ORDER BY c.paper_id, c.id",
            list(paper_ids),
        )
        for claim in claims:
            found.setdefault(claim.paper_id, []).append(claim)
        return found

    def author_commented(self, paper_ids: Sequence[str]) -> set[str]:
        if not paper_ids:
            return set()
        with self._transaction() as conn:
            rows = conn.execute(_AUTHOR_COMMENTED, (list(paper_ids),)).fetchall()
        return {str(row[0]) for row in rows}

    def claims_by_author(self, author_name: str, limit: int) -> list[AuthorClaim]:
        return self._claims(
            f"SELECT {_CLAIM} WHERE c.author_name = %s AND c.state = 'approved'"
            " ORDER BY c.id DESC LIMIT %s",
            author_name,
            limit,
        )

    def confirm_email(self, user_id: int, email: str) -> None:
        self._write(
            "INSERT INTO email_confirmations (user_id, email, confirmed_at) VALUES (%s, %s, %s)"
            " ON CONFLICT (user_id) DO UPDATE SET email = excluded.email,"
            " confirmed_at = excluded.confirmed_at",
            user_id,
            email,
            self._now(),
        )

    def confirmed_email(self, user_id: int) -> str | None:
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT u.email FROM users u JOIN email_confirmations e ON e.user_id = u.id"
                " AND lower(e.email) = lower(u.email) WHERE u.id = %s",
                (user_id,),
            ).fetchone()
        return None if row is None else str(row[0])

    def add_claim_rule(self, domain: str, created_by: str) -> ClaimRule:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO claim_rules (domain, created_by, created_at) VALUES (%s, %s, %s)"
                " ON CONFLICT (domain) DO NOTHING",
                (domain, created_by, self._now()),
            )
            row = conn.execute(f"{_RULE} WHERE domain = %s", (domain,)).fetchone()
        assert row is not None  # inserted or present in this transaction
        return ClaimRule(str(row[0]), str(row[1]), row[2])

    def remove_claim_rule(self, domain: str) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute("DELETE FROM claim_rules WHERE domain = %s", (domain,))
            return cursor.rowcount > 0

    def claim_rules(self) -> list[ClaimRule]:
        with self._transaction() as conn:
            rows = conn.execute(f"{_RULE} ORDER BY domain").fetchall()
        return [ClaimRule(str(row[0]), str(row[1]), row[2]) for row in rows]

    def _claims(self, sql: str, *params: object) -> list[AuthorClaim]:
        with self._transaction() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [_claim(row) for row in rows]


def _lock_slot(conn: Connection, paper_id: str, author_name: str) -> None:
    """Hold the author slot until the transaction ends (two claims of it queue)."""
    conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{paper_id}\n{author_name}",)
    )


def _one(conn: Connection, claim_id: int) -> tuple[Any, ...]:
    row = conn.execute(f"SELECT {_CLAIM} WHERE c.id = %s", (claim_id,)).fetchone()
    assert row is not None  # read in the transaction that wrote it
    return tuple(row)


def _claim(row: tuple[Any, ...]) -> AuthorClaim:
    return AuthorClaim(
        id=int(row[0]),
        user_id=int(row[1]),
        username=str(row[2]),
        paper_id=str(row[3]),
        author_name=str(row[4]),
        state=str(row[5]),
        created_at=row[6],
        decided_at=row[7],
        decided_by=row[8],
        confirmed_email=row[9],
    )


def _decision(state: str, at: datetime, by: str, claim_id: int) -> tuple[object, ...]:
    """The UPDATE's parameters: a claim back to pending has no decision."""
    return (state, at, by, claim_id) if state != "pending" else (state, None, None, claim_id)
