"""The admin side of SqliteStore: finding, suspending and deleting users, a user's own data,
moderation, invite links and the audit log. Same contract as PostgresStore (see AdminStore in
store/base.py).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from papertide.errors import ConflictError
from papertide.models import AuditEntry, Comment, Invite, User
from papertide.store.sqlite.accounts import _USER, _user
from papertide.store.sqlite.community import _COMMENT, _comment
from papertide.store.sqlite.connection import SqliteBase, stamp, when

_INVITE = (
    "i.id, u.username, i.created_at, i.expires_at, i.max_uses, i.uses, i.revoked_at"
    " FROM invites i LEFT JOIN users u ON u.id = i.created_by"
)
_AUDIT = "id, at, actor, action, target, detail FROM audit_log"


class SqliteAdmin(SqliteBase):
    """What curators and each user's own account pages need."""

    def find_users(self, query: str, limit: int) -> list[User]:
        rows = self._conn.execute(
            f"SELECT {_USER} FROM users u WHERE instr(lower(u.username), lower(?)) > 0"
            " OR instr(lower(coalesce(u.email, '')), lower(?)) > 0"
            " ORDER BY u.username COLLATE NOCASE LIMIT ?",
            (query.strip(), query.strip(), limit),
        )
        return [_user(row) for row in rows]

    def set_suspended(self, user_id: int, suspended: bool) -> None:
        with self._transaction() as conn:
            if suspended:
                conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
                conn.execute(
                    "UPDATE users SET suspended_at = ? WHERE id = ? AND suspended_at IS NULL",
                    (stamp(self.clock.now()), user_id),
                )
            else:
                conn.execute("UPDATE users SET suspended_at = NULL WHERE id = ?", (user_id,))

    def delete_sessions(self, user_id: int) -> int:
        with self._transaction() as conn:
            return conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,)).rowcount

    def set_email(self, user_id: int, email: str) -> None:
        with self._transaction() as conn:
            taken = conn.execute(
                "SELECT 1 FROM users WHERE email = ? COLLATE NOCASE AND id != ?", (email, user_id)
            ).fetchone()
            if taken:
                raise ConflictError("email already registered")
            conn.execute("UPDATE users SET email = ? WHERE id = ?", (email, user_id))

    def delete_user(self, user_id: int) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE subscriptions SET unsubscribed_at = ?"
                " WHERE user_id = ? AND unsubscribed_at IS NULL",
                (stamp(self.clock.now()), user_id),
            )
            conn.execute("DELETE FROM users WHERE id = ?", (user_id,))

    def votes_of(self, user_id: int) -> list[tuple[str, datetime]]:
        rows = self._conn.execute(
            "SELECT paper_id, created_at FROM votes WHERE user_id = ?"
            " ORDER BY created_at, paper_id",
            (user_id,),
        )
        return [(str(paper_id), when(at)) for paper_id, at in rows]

    def comments_of(self, user_id: int) -> list[Comment]:
        rows = self._conn.execute(
            f"SELECT {_COMMENT} FROM comments c JOIN users u ON u.id = c.user_id"
            " WHERE c.user_id = ? AND c.deleted_at IS NULL ORDER BY c.id",
            (user_id,),
        )
        return [_comment(row) for row in rows]

    def recent_comments(self, limit: int, deleted: bool = False) -> list[Comment]:
        state = "IS NOT NULL" if deleted else "IS NULL"
        rows = self._conn.execute(
            f"SELECT {_COMMENT} FROM comments c JOIN users u ON u.id = c.user_id"
            f" WHERE c.deleted_at {state} ORDER BY c.id DESC LIMIT ?",
            (limit,),
        )
        return [_comment(row) for row in rows]

    def restore_comment(self, comment_id: int) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE comments SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL",
                (comment_id,),
            )
            return cursor.rowcount > 0

    def create_invite(
        self, token_hash: str, created_by: int | None, expires_at: datetime, max_uses: int
    ) -> Invite:
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO invites (token_hash, created_by, created_at, expires_at, max_uses)"
                " VALUES (?,?,?,?,?)",
                (token_hash, created_by, stamp(self.clock.now()), stamp(expires_at), max_uses),
            )
            row = conn.execute(f"SELECT {_INVITE} WHERE i.id = ?", (cursor.lastrowid,)).fetchone()
        return _invite(row)

    def invites(self, limit: int) -> list[Invite]:
        rows = self._conn.execute(f"SELECT {_INVITE} ORDER BY i.id DESC LIMIT ?", (limit,))
        return [_invite(row) for row in rows]

    def invite_for(self, token_hash: str) -> Invite | None:
        row = self._conn.execute(
            f"SELECT {_INVITE} WHERE i.token_hash = ?", (token_hash,)
        ).fetchone()
        return None if row is None else _invite(row)

    def redeem_invite(self, token_hash: str) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE invites SET uses = uses + 1 WHERE token_hash = ? AND uses < max_uses"
                " AND revoked_at IS NULL AND expires_at > ?",
                (token_hash, stamp(self.clock.now())),
            )
            return cursor.rowcount > 0

    def revoke_invite(self, invite_id: int) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (stamp(self.clock.now()), invite_id),
            )
            return cursor.rowcount > 0

    def add_audit(self, actor: str, action: str, target: str, detail: str = "") -> AuditEntry:
        now = stamp(self.clock.now())
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?,?,?,?,?)",
                (now, actor, action, target, detail),
            )
        return AuditEntry(int(cursor.lastrowid or 0), when(now), actor, action, target, detail)

    def audit_log(self, limit: int, action: str | None = None) -> list[AuditEntry]:
        where, params = ("WHERE action = ?", (action, limit)) if action else ("", (limit,))
        rows = self._conn.execute(f"SELECT {_AUDIT} {where} ORDER BY id DESC LIMIT ?", params)
        return [_audit(row) for row in rows]


def _invite(row: sqlite3.Row) -> Invite:
    revoked = when(row[6]) if row[6] else None
    made_by = None if row[1] is None else str(row[1])
    return Invite(
        int(row[0]), made_by, when(row[2]), when(row[3]), int(row[4]), int(row[5]), revoked
    )


def _audit(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(int(row[0]), when(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]))
