"""The discussions side of SqliteStore: replies, edits, reports and reply notifications. Same
contract as PostgresStore (see DiscussionStore in store/base.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from papertide.models import Comment, CommentReport, Notification
from papertide.store.sqlite.community import _COMMENT, _comment
from papertide.store.sqlite.connection import SqliteBase, stamp, when

_COMMENTS = "comments c JOIN users u ON u.id = c.user_id"
_OF = " JOIN comments c ON c.id = {}.comment_id JOIN users u ON u.id = c.user_id"
_LIVE = "SELECT {} FROM " + _COMMENTS + " WHERE c.id = ? AND c.deleted_at IS NULL"
_NOTE_COLUMNS = 8  # the notification's own columns follow the comment's


class SqliteDiscussions(SqliteBase):
    """What replying, editing, reporting and reading one's notifications need."""

    def add_reply(self, user_id: int, parent_id: int, body: str) -> Comment | None:
        with self._transaction() as conn:
            parent = conn.execute(_LIVE.format(_COMMENT), (parent_id,)).fetchone()
            if parent is None:
                return None
            replied = _comment(parent)
            top = replied.parent_id or replied.id
            now = stamp(self.clock.now())
            cursor = conn.execute(
                "INSERT INTO comments (paper_id, user_id, body, created_at, parent_id)"
                " VALUES (?,?,?,?,?)",
                (replied.paper_id, user_id, body, now, top),
            )
            reply_id = int(cursor.lastrowid or 0)
            told = {replied.user_id, _author(conn, top)} - {user_id}
            conn.executemany(
                "INSERT OR IGNORE INTO notifications (user_id, comment_id, created_at)"
                " VALUES (?,?,?)",
                [(someone, reply_id, now) for someone in sorted(told)],
            )
            return _comment(conn.execute(_LIVE.format(_COMMENT), (reply_id,)).fetchone())

    def edit_comment(
        self, comment_id: int, user_id: int, body: str, since: datetime
    ) -> Comment | None:
        with self._transaction() as conn:
            changed = conn.execute(
                "UPDATE comments SET body = ?, edited_at = ? WHERE id = ? AND user_id = ?"
                " AND deleted_at IS NULL AND created_at >= ?",
                (body, stamp(self.clock.now()), comment_id, user_id, stamp(since)),
            ).rowcount
            if not changed:
                return None
            return _comment(conn.execute(_LIVE.format(_COMMENT), (comment_id,)).fetchone())

    def report_comment(self, comment_id: int, user_id: int, reason: str) -> bool:
        with self._transaction() as conn:
            return bool(
                conn.execute(
                    "INSERT OR IGNORE INTO comment_reports (comment_id, user_id, reason,"
                    " created_at) VALUES (?,?,?,?)",
                    (comment_id, user_id, reason, stamp(self.clock.now())),
                ).rowcount
            )

    def comment_reports(self, limit: int) -> list[CommentReport]:
        rows = self._conn.execute(
            f"SELECT {_COMMENT}, r.username, cr.reason, cr.created_at FROM comment_reports cr"
            f" {_OF.format('cr')} JOIN users r ON r.id = cr.user_id"
            " WHERE c.deleted_at IS NULL ORDER BY cr.created_at DESC, c.id DESC LIMIT ?",
            (limit,),
        )
        return [
            CommentReport(_comment(row), str(row[8]), str(row[9]), when(row[10])) for row in rows
        ]

    def notifications(self, user_id: int, limit: int) -> list[Notification]:
        rows = self._conn.execute(
            f"SELECT {_COMMENT}, n.id, n.created_at, n.read_at FROM notifications n"
            f" {_OF.format('n')}"
            " WHERE n.user_id = ? AND c.deleted_at IS NULL ORDER BY n.id DESC LIMIT ?",
            (user_id, limit),
        )
        return [_notification(row) for row in rows]

    def unread_notifications(self, user_id: int) -> int:
        row = self._conn.execute(
            f"SELECT count(*) FROM notifications n {_OF.format('n')}"
            " WHERE n.user_id = ? AND n.read_at IS NULL AND c.deleted_at IS NULL",
            (user_id,),
        ).fetchone()
        return int(row[0])

    def mark_notifications_read(self, user_id: int) -> int:
        with self._transaction() as conn:
            return conn.execute(
                "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
                (stamp(self.clock.now()), user_id),
            ).rowcount


def _author(conn: sqlite3.Connection, comment_id: int) -> int:
    return int(
        conn.execute("SELECT user_id FROM comments WHERE id = ?", (comment_id,)).fetchone()[0]
    )


def _notification(row: sqlite3.Row) -> Notification:
    at = _NOTE_COLUMNS
    read = row[at + 2]
    return Notification(
        int(row[at]), _comment(row), when(row[at + 1]), None if read is None else when(read)
    )
