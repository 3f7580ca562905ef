"""The discussions side of PostgresStore: replies, edits, reports and reply notifications.
Same contract as SqliteStore (see DiscussionStore in store/base.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from papertide.models import Comment, CommentReport, Notification
from papertide.store.postgres.community import _COMMENT, _comment
from papertide.store.postgres.connection import Connection, PgBase

_COMMENTS = "comments c JOIN users u ON u.id = c.user_id"
_OF = " JOIN comments c ON c.id = {}.comment_id JOIN users u ON u.id = c.user_id"
_LIVE = "SELECT {} FROM " + _COMMENTS + " WHERE c.id = %s AND c.deleted_at IS NULL"
_NOTE_COLUMNS = 8  # the notification's own columns follow the comment's


class PgDiscussions(PgBase):
    """What replying, editing, reporting and reading one's notifications need."""

    def add_reply(self, user_id: int, parent_id: int, body: str) -> Comment | None:
        with self._transaction() as conn:
            parent = conn.execute(
                _LIVE.format(_COMMENT) + " FOR SHARE OF c", (parent_id,)
            ).fetchone()
            if parent is None:
                return None
            replied = _comment(parent)
            top = replied.parent_id or replied.id
            now = self._now()
            row = conn.execute(
                "INSERT INTO comments (paper_id, user_id, body, created_at, parent_id)"
                " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (replied.paper_id, user_id, body, now, top),
            ).fetchone()
            assert row is not None
            reply_id = int(row[0])
            told = {replied.user_id, _author(conn, top)} - {user_id}
            for someone in sorted(told):
                conn.execute(
                    "INSERT INTO notifications (user_id, comment_id, created_at)"
                    " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                    (someone, reply_id, now),
                )
            return _comment(_one(conn, _LIVE.format(_COMMENT), reply_id))

    def edit_comment(
        self, comment_id: int, user_id: int, body: str, since: datetime
    ) -> Comment | None:
        with self._transaction() as conn:
            changed = conn.execute(
                "UPDATE comments SET body = %s, edited_at = %s WHERE id = %s AND user_id = %s"
                " AND deleted_at IS NULL AND created_at >= %s",
                (body, self._now(), comment_id, user_id, since),
            ).rowcount
            if not changed:
                return None
            return _comment(_one(conn, _LIVE.format(_COMMENT), comment_id))

    def report_comment(self, comment_id: int, user_id: int, reason: str) -> bool:
        with self._transaction() as conn:
            return bool(
                conn.execute(
                    "INSERT INTO comment_reports (comment_id, user_id, reason, created_at)"
                    " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (comment_id, user_id, reason, self._now()),
                ).rowcount
            )

    def comment_reports(self, limit: int) -> list[CommentReport]:
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {_COMMENT}, r.username, cr.reason, cr.created_at"
                f" FROM comment_reports cr {_OF.format('cr')}"
                " JOIN users r ON r.id = cr.user_id WHERE c.deleted_at IS NULL"
                " ORDER BY cr.created_at DESC, c.id DESC LIMIT %s",
                (limit,),
            ).fetchall()
        return [CommentReport(_comment(row), str(row[8]), str(row[9]), row[10]) for row in rows]

    def notifications(self, user_id: int, limit: int) -> list[Notification]:
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {_COMMENT}, n.id, n.created_at, n.read_at FROM notifications n"
                f" {_OF.format('n')}"
                " WHERE n.user_id = %s AND c.deleted_at IS NULL ORDER BY n.id DESC LIMIT %s",
                (user_id, limit),
            ).fetchall()
        return [_notification(row) for row in rows]

    def unread_notifications(self, user_id: int) -> int:
        with self._transaction() as conn:
            row = _one(
                conn,
                f"SELECT count(*) FROM notifications n {_OF.format('n')}"
                " WHERE n.user_id = %s AND n.read_at IS NULL AND c.deleted_at IS NULL",
                user_id,
            )
        return int(row[0])

    def mark_notifications_read(self, user_id: int) -> int:
        with self._transaction() as conn:
            return conn.execute(
                "UPDATE notifications SET read_at = %s WHERE user_id = %s AND read_at IS NULL",
                (self._now(), user_id),
            ).rowcount


def _one(conn: Connection, sql: str, *params: object) -> tuple[Any, ...]:
    row = conn.execute(sql, params).fetchone()
    assert row is not None  # read in the transaction that wrote it, or an aggregate
    return tuple(row)


def _author(conn: Connection, comment_id: int) -> int:
    return int(_one(conn, "SELECT user_id FROM comments WHERE id = %s", comment_id)[0])


def _notification(row: tuple[Any, ...]) -> Notification:
    at = _NOTE_COLUMNS
    return Notification(int(row[at]), _comment(row), row[at + 1], row[at + 2])
