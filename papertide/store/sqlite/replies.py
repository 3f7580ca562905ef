"""The reply-email side of SqliteStore: the per-account option and the outbox of reply emails.
Same contract as PostgresStore (see ReplyEmailStore in store/base.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from papertide.store.digest_base import Shard
from papertide.store.replies_base import ReplyBatch, ReplyRecipient, reply_batches
from papertide.store.sqlite.community import _COMMENT
from papertide.store.sqlite.connection import SqliteBase, stamp
from papertide.store.sqlite.discussions import _notification

# accounts that get reply emails now: opted in, not suspended, their current email confirmed
_RECIPIENTS = (
    "SELECT r.id, r.username, r.email, o.created_at AS since FROM users r"
    " JOIN reply_email_optins o ON o.user_id = r.id"
    " JOIN email_confirmations e ON e.user_id = r.id AND e.email = r.email COLLATE NOCASE"
    " WHERE r.suspended_at IS NULL"
)
_ACTIVE = f"SELECT id FROM ({_RECIPIENTS}) ok"
_REPLY = (
    f"SELECT {_COMMENT}, n.id, n.created_at, n.read_at, {{}} FROM notifications n"
    " JOIN comments c ON c.id = n.comment_id JOIN users u ON u.id = c.user_id"
)
_AFTER_NOTE = 11  # columns of the comment (8) and of the notification (3)


class SqliteReplyEmails(SqliteBase):
    """Who wants reply emails, and which replies were emailed."""

    def set_reply_emails(self, user_id: int, on: bool) -> None:
        with self._transaction() as conn:
            if on:
                conn.execute(
                    "INSERT OR IGNORE INTO reply_email_optins (user_id, created_at) VALUES (?,?)",
                    (user_id, stamp(self.clock.now())),
                )
            else:
                conn.execute("DELETE FROM reply_email_optins WHERE user_id = ?", (user_id,))

    def reply_emails_on(self, user_id: int) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM reply_email_optins WHERE user_id = ?", (user_id,)
        ).fetchone()
        return row is not None

    def due_reply_emails(
        self, shard: Shard, since: datetime, quiet_since: datetime
    ) -> list[ReplyBatch]:
        index, count = shard
        rows = self._conn.execute(
            _REPLY.format("r.id, r.username, r.email")
            + f" JOIN ({_RECIPIENTS}) r ON r.id = n.user_id"
            " WHERE n.read_at IS NULL AND c.deleted_at IS NULL AND c.user_id <> n.user_id"
            " AND n.created_at >= r.since AND n.created_at >= ? AND n.user_id % ? = ?"
            " AND NOT EXISTS (SELECT 1 FROM reply_emails x WHERE x.notification_id = n.id)"
            " AND NOT EXISTS (SELECT 1 FROM reply_emails x WHERE x.user_id = n.user_id"
            " AND x.claimed_at > ?) ORDER BY n.user_id, n.id",
            (stamp(since), count, index, stamp(quiet_since)),
        )
        return reply_batches(
            (row[_AFTER_NOTE], _recipient(row), _notification(row), None, True) for row in rows
        )

    def claim_reply_email(
        self, user_id: int, notification_ids: Sequence[int], message_id: str
    ) -> bool:
        ids = json.dumps(list(notification_ids))
        with self._transaction() as conn:
            taken = conn.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM reply_email_optins WHERE user_id = ?)"
                " OR EXISTS (SELECT 1 FROM reply_emails"
                " WHERE notification_id IN (SELECT value FROM json_each(?)))",
                (user_id, ids),
            ).fetchone()[0]
            if taken:
                return False
            now = stamp(self.clock.now())
            conn.executemany(
                "INSERT INTO reply_emails (notification_id, user_id, message_id, status,"
                " claimed_at) VALUES (?,?,?,'claimed',?)",
                [(note, user_id, message_id, now) for note in notification_ids],
            )
            return True

    def open_reply_emails(
        self, shard: Shard, since: datetime, max_attempts: int
    ) -> list[ReplyBatch]:
        index, count = shard
        rows = self._conn.execute(
            _REPLY.format(f"x.message_id, r.id, r.username, r.email, r.id IN ({_ACTIVE})")
            + " JOIN reply_emails x ON x.notification_id = n.id JOIN users r ON r.id = x.user_id"
            " WHERE x.status = 'claimed' AND x.claimed_at >= ? AND x.attempts < ?"
            " AND x.user_id % ? = ? AND c.deleted_at IS NULL ORDER BY x.message_id, n.id",
            (stamp(since), max_attempts, count, index),
        )
        return reply_batches(
            (
                row[_AFTER_NOTE],
                _recipient(row, 1),
                _notification(row),
                str(row[_AFTER_NOTE]),
                bool(row[_AFTER_NOTE + 4]),
            )
            for row in rows
        )

    def reclaim_reply_email(self, message_id: str, max_attempts: int) -> bool:
        with self._transaction() as conn:
            return bool(
                conn.execute(
                    "UPDATE reply_emails SET attempts = attempts + 1, claimed_at = ?"
                    " WHERE message_id = ? AND status = 'claimed' AND attempts < ?",
                    (stamp(self.clock.now()), message_id, max_attempts),
                ).rowcount
            )

    def finish_reply_email(self, message_id: str, outcome: str, detail: str = "") -> None:
        with self._transaction() as conn:
            if outcome == "deferred":
                conn.execute(
                    "UPDATE reply_emails SET error = ? WHERE message_id = ? AND status = 'claimed'",
                    (detail, message_id),
                )
                return
            conn.execute(
                "UPDATE reply_emails SET status = ?, finished_at = ?, error = ?"
                " WHERE message_id = ? AND status = 'claimed'",
                (outcome, stamp(self.clock.now()), detail or None, message_id),
            )


def _recipient(row: sqlite3.Row, skip: int = 0) -> ReplyRecipient:
    at = _AFTER_NOTE + skip
    return ReplyRecipient(int(row[at]), str(row[at + 1]), str(row[at + 2] or ""))
