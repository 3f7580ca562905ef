"""The admin side of PostgresStore: finding, suspending and deleting users, a user's own data,
moderation, invite links and the audit log. Same contract as SqliteStore (see AdminStore in
store/base.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from papertide.errors import ConflictError
from papertide.models import AuditEntry, Comment, Invite, User
from papertide.store.postgres.accounts import _USER, FOLDED, _user
from papertide.store.postgres.community import _COMMENT, _comment
from papertide.store.postgres.connection import PgBase

_INVITE = (
    "i.id, u.username, i.created_at, i.expires_at, i.max_uses, i.uses, i.revoked_at"
    " FROM invites i LEFT JOIN users u ON u.id = i.created_by"
)
_AUDIT = "id, at, actor, action, target, detail FROM audit_log"


class PgAdmin(PgBase):
    """What curators and each user's own account pages need."""

    def find_users(self, query: str, limit: int) -> list[User]:
        rows = self._rows(
            f"SELECT {_USER} FROM users u WHERE strpos(lower(u.username), {FOLDED}) > 0"
            f" OR strpos(lower(coalesce(u.email, '')), {FOLDED}) > 0"
            " ORDER BY lower(u.username) LIMIT %s",
            query.strip(),
            query.strip(),
            limit,
        )
        return [_user(row) for row in rows]

    def set_suspended(self, user_id: int, suspended: bool) -> None:
        with self._transaction() as conn:
            if suspended:
                conn.execute("DELETE FROM sessions WHERE user_id = %s", (user_id,))
                conn.execute(
                    "UPDATE users SET suspended_at = %s WHERE id = %s AND suspended_at IS NULL",
                    (self._now(), user_id),
                )
            else:
                conn.execute("UPDATE users SET suspended_at = NULL WHERE id = %s", (user_id,))

    def delete_sessions(self, user_id: int) -> int:
        with self._transaction() as conn:
            return conn.execute("DELETE FROM sessions WHERE user_id = %s", (user_id,)).rowcount

    def set_email(self, user_id: int, email: str) -> None:
        with self._transaction() as conn:
            taken = conn.execute(
                f"SELECT 1 FROM users WHERE lower(email) = {FOLDED} AND id != %s",
                (email, user_id),
            ).fetchone()
            if taken:
                raise ConflictError("email already registered")
            conn.execute("UPDATE users SET email = %s WHERE id = %s", (email, user_id))

    def delete_user(self, user_id: int) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE subscriptions SET unsubscribed_at = %s"
                " WHERE user_id = %s AND unsubscribed_at IS NULL",
                (self._now(), user_id),
            )
            conn.execute("DELETE FROM users WHERE id = %s", (user_id,))

    def votes_of(self, user_id: int) -> list[tuple[str, datetime]]:
        rows = self._rows(
            "SELECT paper_id, created_at FROM votes WHERE user_id = %s"
            ' ORDER BY created_at, paper_id COLLATE "C"',
            user_id,
        )
        return [(str(paper_id), at) for paper_id, at in rows]

    def comments_of(self, user_id: int) -> list[Comment]:
        rows = self._rows(
            f"SELECT {_COMMENT} FROM comments c JOIN users u ON u.id = c.user_id"
            " WHERE c.user_id = %s AND c.deleted_at IS NULL ORDER BY c.id",
            user_id,
        )
        return [_comment(row) for row in rows]

    def recent_comments(self, limit: int, deleted: bool = False) -> list[Comment]:
        state = "IS NOT NULL" if deleted else "IS NULL"
        rows = self._rows(
            f"SELECT {_COMMENT} FROM comments c JOIN users u ON u.id = c.user_id"
            f" WHERE c.deleted_at {state} ORDER BY c.id DESC LIMIT %s",
            limit,
        )
        return [_comment(row) for row in rows]

    def restore_comment(self, comment_id: int) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE comments SET deleted_at = NULL WHERE id = %s AND deleted_at IS NOT NULL",
                (comment_id,),
            )
            return cursor.rowcount > 0

    def create_invite(
        self, token_hash: str, created_by: int | None, expires_at: datetime, max_uses: int
    ) -> Invite:
        with self._transaction() as conn:
            made = conn.execute(
                "INSERT INTO invites (token_hash, created_by, created_at, expires_at, max_uses)"
                " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (token_hash, created_by, self._now(), expires_at, max_uses),
            ).fetchone()
            assert made is not None
            row = conn.execute(f"SELECT {_INVITE} WHERE i.id = %s", (made[0],)).fetchone()
        assert row is not None
        return _invite(row)

    def invites(self, limit: int) -> list[Invite]:
        return [
            _invite(row)
            for row in self._rows(f"SELECT {_INVITE} ORDER BY i.id DESC LIMIT %s", limit)
        ]

    def invite_for(self, token_hash: str) -> Invite | None:
        rows = self._rows(f"SELECT {_INVITE} WHERE i.token_hash = %s", token_hash)
        return _invite(rows[0]) if rows else None

    def redeem_invite(self, token_hash: str) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE invites SET uses = uses + 1 WHERE token_hash = %s AND uses < max_uses"
                " AND revoked_at IS NULL AND expires_at > %s",
                (token_hash, self._now()),
            )
            return cursor.rowcount > 0

    def revoke_invite(self, invite_id: int) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE invites SET revoked_at = %s WHERE id = %s AND revoked_at IS NULL",
                (self._now(), invite_id),
            )
            return cursor.rowcount > 0

    def add_audit(self, actor: str, action: str, target: str, detail: str = "") -> AuditEntry:
        with self._transaction() as conn:
            row = conn.execute(
                "INSERT INTO audit_log (at, actor, action, target, detail)"
                " VALUES (%s, %s, %s, %s, %s) RETURNING " + _AUDIT.removesuffix(" FROM audit_log"),
                (self._now(), actor, action, target, detail),
            ).fetchone()
        assert row is not None
        return _audit(row)

    def audit_log(self, limit: int, action: str | None = None) -> list[AuditEntry]:
        if action:
            rows = self._rows(
                f"SELECT {_AUDIT} WHERE action = %s ORDER BY id DESC LIMIT %s", action, limit
            )
        else:
            rows = self._rows(f"SELECT {_AUDIT} ORDER BY id DESC LIMIT %s", limit)
        return [_audit(row) for row in rows]

    def _rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with self._transaction() as conn:
            return conn.execute(sql, params).fetchall()


def _invite(row: tuple[Any, ...]) -> Invite:
    made_by = None if row[1] is None else str(row[1])
    return Invite(int(row[0]), made_by, row[2], row[3], int(row[4]), int(row[5]), row[6])


def _audit(row: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(int(row[0]), row[1], str(row[2]), str(row[3]), str(row[4]), str(row[5]))
