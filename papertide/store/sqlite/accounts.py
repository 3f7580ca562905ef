"""The accounts side of SqliteStore: users, sessions and API tokens. Same contract as
PostgresStore (see CommunityStore in store/base.py). Names compare with SQLite's NOCASE (ASCII
letters in any case); sign-ups are serialised by SQLite's one writer.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from papertide.errors import ConflictError
from papertide.models import ApiTokenInfo, User
from papertide.store.community_base import API_TOKEN_ID_CHARS, API_TOKEN_USE_RESOLUTION_S
from papertide.store.sqlite.connection import SqliteBase, stamp, when

_USER = "u.id, u.username, u.email, u.is_admin, u.created_at, u.suspended_at"


class SqliteAccounts(SqliteBase):
    """Who may sign in, and with what."""

    def create_user(self, username: str, email: str | None, password_hash: str) -> User:
        now = stamp(self.clock.now())
        with self._transaction() as conn:
            taken = "SELECT 1 FROM users WHERE {} = ? COLLATE NOCASE"
            if conn.execute(taken.format("username"), (username,)).fetchone():
                raise ConflictError("username taken")
            if email is not None and conn.execute(taken.format("email"), (email,)).fetchone():
                raise ConflictError("email already registered")
            is_admin = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM users)").fetchone()[0]
            cursor = conn.execute(
                "INSERT INTO users (username, email, password_hash, is_admin, created_at)"
                " VALUES (?,?,?,?,?)",
                (username, email, password_hash, is_admin, now),
            )
        return User(int(cursor.lastrowid or 0), username, email, bool(is_admin), when(now))

    def user_by_id(self, user_id: int) -> User | None:
        return self._one_user(f"SELECT {_USER} FROM users u WHERE u.id = ?", user_id)

    def user_login(self, name_or_email: str) -> tuple[User, str] | None:
        row = self._conn.execute(
            f"SELECT {_USER}, u.password_hash FROM users u"
            " WHERE u.username = ? COLLATE NOCASE OR u.email = ? COLLATE NOCASE",
            (name_or_email, name_or_email),
        ).fetchone()
        return None if row is None else (_user(row), str(row[6]))

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id)
            )

    def set_admin(self, user_id: int, is_admin: bool) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE users SET is_admin = ? WHERE id = ?", (int(is_admin), user_id))

    def save_session(self, token_hash: str, user_id: int, expires_at: datetime) -> None:
        """Store a session and drop every expired one (so the table stays small)."""
        now = stamp(self.clock.now())
        with self._transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
            conn.execute(
                "INSERT OR REPLACE INTO sessions VALUES (?,?,?,?)",
                (token_hash, user_id, now, stamp(expires_at)),
            )

    def session_user(self, token_hash: str) -> User | None:
        return self._one_user(
            f"SELECT {_USER} FROM sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.token_hash = ? AND s.expires_at > ? AND u.suspended_at IS NULL",
            token_hash,
            stamp(self.clock.now()),
        )

    def delete_session(self, token_hash: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def save_api_token(self, token_hash: str, user_id: int, name: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES (?,?,?,?)",
                (token_hash, user_id, name, stamp(self.clock.now())),
            )

    def api_token_user(self, token_hash: str) -> User | None:
        """The token's user; records the use when last_used_at is older than
        API_TOKEN_USE_RESOLUTION_S, so most calls only read (no write transaction)."""
        now = self.clock.now()
        row = self._conn.execute(
            f"SELECT {_USER}, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id"
            " WHERE t.token_hash = ? AND u.suspended_at IS NULL",
            (token_hash,),
        ).fetchone()
        if row is None:
            return None
        due = stamp(now - timedelta(seconds=API_TOKEN_USE_RESOLUTION_S))
        if row[6] is None or str(row[6]) <= due:
            with self._transaction() as conn:  # last_used_at only moves forward
                conn.execute(
                    "UPDATE api_tokens SET last_used_at = ?"
                    " WHERE token_hash = ? AND (last_used_at IS NULL OR last_used_at < ?)",
                    (stamp(now), token_hash, stamp(now)),
                )
        return _user(row)

    def api_tokens_of(self, user_id: int) -> list[ApiTokenInfo]:
        rows = self._conn.execute(
            "SELECT substr(token_hash, 1, ?), name, created_at, last_used_at FROM api_tokens"
            " WHERE user_id = ? ORDER BY created_at, token_hash",
            (API_TOKEN_ID_CHARS, user_id),
        )
        return [
            ApiTokenInfo(str(tid), str(name), when(created), when(used) if used else None)
            for tid, name, created, used in rows
        ]

    def revoke_api_token(self, user_id: int, token_id: str) -> bool:
        """Delete the user's token whose hash starts with `token_id` (exactly
        API_TOKEN_ID_CHARS characters, so a shorter prefix matches nothing)."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM api_tokens WHERE user_id = ? AND substr(token_hash, 1, ?) = ?",
                (user_id, API_TOKEN_ID_CHARS, token_id),
            )
            return cursor.rowcount > 0

    def feed_key(self, user_id: int) -> int:
        row = self._conn.execute(
            "SELECT version FROM feed_keys WHERE user_id = ?", (user_id,)
        ).fetchone()
        return 0 if row is None else int(row[0])

    def rotate_feed_key(self, user_id: int) -> int:
        with self._transaction() as conn:
            row = conn.execute(
                "INSERT INTO feed_keys (user_id, version) VALUES (?, 1) ON CONFLICT (user_id)"
                " DO UPDATE SET version = feed_keys.version + 1 RETURNING version",
                (user_id,),
            ).fetchone()
        return int(row[0])

    def _one_user(self, sql: str, *params: object) -> User | None:
        row = self._conn.execute(sql, params).fetchone()
        return None if row is None else _user(row)


def _user(row: sqlite3.Row) -> User:
    suspended = when(row[5]) if row[5] else None
    return User(int(row[0]), str(row[1]), row[2], bool(row[3]), when(row[4]), suspended)
