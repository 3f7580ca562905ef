"""The accounts side of PostgresStore: users, sessions and API tokens. Same contract as
SqliteStore (see CommunityStore in store/base.py).

Names compare as SQLite's NOCASE: the columns are COLLATE "C" and lower() of a "C" text folds
ASCII letters only. Sign-ups queue on an advisory lock, as SQLite's single writer would.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from papertide.errors import ConflictError
from papertide.models import ApiTokenInfo, User
from papertide.store.community_base import API_TOKEN_ID_CHARS, API_TOKEN_USE_RESOLUTION_S
from papertide.store.postgres.connection import USERS_LOCK, PgBase

_USER = "u.id, u.username, u.email, u.is_admin, u.created_at, u.suspended_at"
# a parameter folded as the "C" columns are: ASCII letters only, like SQLite's NOCASE
FOLDED = 'lower(%s::text COLLATE "C")'


class PgAccounts(PgBase):
    """Who may sign in, and with what."""

    def create_user(self, username: str, email: str | None, password_hash: str) -> User:
        """Sign-ups queue on a lock, so two first users cannot both become admin and a taken
        name is always a ConflictError, never a unique-index error."""
        with self._transaction(USERS_LOCK) as conn:
            taken = "SELECT 1 FROM users WHERE lower({0}) = " + FOLDED
            if conn.execute(taken.format("username"), (username,)).fetchone():
                raise ConflictError("username taken")
            if email is not None and conn.execute(taken.format("email"), (email,)).fetchone():
                raise ConflictError("email already registered")
            row = conn.execute(
                "INSERT INTO users (username, email, password_hash, is_admin, created_at)"
                " VALUES (%s, %s, %s, NOT EXISTS (SELECT 1 FROM users), %s)"
                " RETURNING id, username, email, is_admin, created_at, suspended_at",
                (username, email, password_hash, self._now()),
            ).fetchone()
        assert row is not None
        return _user(row)

    def user_by_id(self, user_id: int) -> User | None:
        return self._one_user(f"SELECT {_USER} FROM users u WHERE u.id = %s", user_id)

    def user_login(self, name_or_email: str) -> tuple[User, str] | None:
        with self._transaction() as conn:
            row = conn.execute(
                f"SELECT {_USER}, u.password_hash FROM users u WHERE lower(u.username) = {FOLDED}"
                f" OR lower(u.email) = {FOLDED} ORDER BY u.id LIMIT 1",
                (name_or_email, name_or_email),
            ).fetchone()
        return None if row is None else (_user(row), str(row[6]))

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._write("UPDATE users SET password_hash = %s WHERE id = %s", password_hash, user_id)

    def set_admin(self, user_id: int, is_admin: bool) -> None:
        self._write("UPDATE users SET is_admin = %s WHERE id = %s", is_admin, user_id)

    def save_session(self, token_hash: str, user_id: int, expires_at: datetime) -> None:
        """Store a session and drop every expired one (so the table stays small)."""
        now = self._now()
        with self._transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at <= %s", (now,))
            conn.execute(
                "INSERT INTO sessions VALUES (%s, %s, %s, %s) ON CONFLICT (token_hash) DO UPDATE"
                " SET user_id = excluded.user_id, created_at = excluded.created_at,"
                " expires_at = excluded.expires_at",
                (token_hash, user_id, now, expires_at),
            )

    def session_user(self, token_hash: str) -> User | None:
        return self._one_user(
            f"SELECT {_USER} FROM sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.token_hash = %s AND s.expires_at > %s AND u.suspended_at IS NULL",
            token_hash,
            self._now(),
        )

    def delete_session(self, token_hash: str) -> None:
        self._write("DELETE FROM sessions WHERE token_hash = %s", token_hash)

    def save_api_token(self, token_hash: str, user_id: int, name: str) -> None:
        self._write(
            "INSERT INTO api_tokens VALUES (%s, %s, %s, %s)", token_hash, user_id, name, self._now()
        )

    def api_token_user(self, token_hash: str) -> User | None:
        """The token's user; records the use when last_used_at is older than
        API_TOKEN_USE_RESOLUTION_S, so most calls only read."""
        now = self._now()
        with self._transaction() as conn:
            row = conn.execute(
                f"SELECT {_USER}, t.last_used_at FROM api_tokens t"
                " JOIN users u ON u.id = t.user_id WHERE t.token_hash = %s"
                " AND u.suspended_at IS NULL",
                (token_hash,),
            ).fetchone()
            if row is None:
                return None
            if row[6] is None or row[6] <= now - timedelta(seconds=API_TOKEN_USE_RESOLUTION_S):
                conn.execute(
                    "UPDATE api_tokens SET last_used_at = %s WHERE token_hash = %s"
                    " AND (last_used_at IS NULL OR last_used_at < %s)",
                    (now, token_hash, now),
                )
        return _user(row)

    def api_tokens_of(self, user_id: int) -> list[ApiTokenInfo]:
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT substr(token_hash, 1, %s), name, created_at, last_used_at"
                ' FROM api_tokens WHERE user_id = %s ORDER BY created_at, token_hash COLLATE "C"',
                (API_TOKEN_ID_CHARS, user_id),
            ).fetchall()
        return [ApiTokenInfo(str(tid), str(name), made, used) for tid, name, made, used in rows]

    def revoke_api_token(self, user_id: int, token_id: str) -> bool:
        """Delete the user's token whose hash starts with `token_id` (exactly
        API_TOKEN_ID_CHARS characters, so a shorter prefix matches nothing)."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM api_tokens WHERE user_id = %s AND substr(token_hash, 1, %s) = %s",
                (user_id, API_TOKEN_ID_CHARS, token_id),
            )
            return cursor.rowcount > 0

    def feed_key(self, user_id: int) -> int:
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT version FROM feed_keys WHERE user_id = %s", (user_id,)
            ).fetchone()
        return 0 if row is None else int(row[0])

    def rotate_feed_key(self, user_id: int) -> int:
        with self._transaction() as conn:
            row = conn.execute(
                "INSERT INTO feed_keys (user_id, version) VALUES (%s, 1) ON CONFLICT (user_id)"
                " DO UPDATE SET version = feed_keys.version + 1 RETURNING version",
                (user_id,),
            ).fetchone()
        assert row is not None
        return int(row[0])

    def _one_user(self, sql: str, *params: object) -> User | None:
        with self._transaction() as conn:
            row = conn.execute(sql, params).fetchone()
        return None if row is None else _user(row)


def _user(row: tuple[Any, ...]) -> User:
    return User(int(row[0]), str(row[1]), row[2], bool(row[3]), row[4], row[5])
