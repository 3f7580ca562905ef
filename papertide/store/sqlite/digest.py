"""The digest side of SqliteStore: subscriptions, the send log, papers sent and ratings. Same
contract as PostgresStore's (DigestStore in store/digest_base.py). A shard's send lock is a file
lock beside the database: the kernel drops it with the process, however the process ends.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from papertide.errors import PaperNotFoundError
from papertide.store.digest_base import (
    DigestSend,
    Rating,
    Shard,
    Subscription,
    rating_key,
    rating_owners,
)
from papertide.store.sqlite.connection import SqliteBase, stamp, when

_SUBSCRIPTION = (
    "id, email, user_id, cadence, content, created_at, confirmed_at, unsubscribed_at,"
    " paused_at, bounces, last_error, epoch"
)
_SEND = (
    "subscription_id, period, status, message_id, paper_ids, items, attempts, claimed_at,"
    " finished_at, retry, error"
)


class SqliteDigests(SqliteBase):
    """Subscriptions and digests; each write is one transaction."""

    def add_subscription(
        self, email: str, cadence: str, content: str, user_id: int | None = None
    ) -> Subscription:
        with self._transaction() as conn:
            found = self.subscription_for_email(email)
            if found is None:
                conn.execute(
                    "INSERT INTO subscriptions (email, user_id, cadence, content, created_at)"
                    " VALUES (?,?,?,?,?)",
                    (email, user_id, cadence, content, stamp(self.clock.now())),
                )
            elif found.unsubscribed_at or found.paused_at:
                conn.execute(
                    "UPDATE subscriptions SET cadence=?, content=?, epoch=epoch+1,"
                    " confirmed_at=NULL, unsubscribed_at=NULL, paused_at=NULL, bounces=0,"
                    " last_error=NULL WHERE id=?",
                    (cadence, content, found.id),
                )
            else:
                return found
            added = self.subscription_for_email(email)
        assert added is not None  # written in this transaction
        return added

    def subscription(self, subscription_id: int) -> Subscription | None:
        return self._one(f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE id=?", subscription_id)

    def subscription_for_email(self, email: str) -> Subscription | None:
        return self._one(
            f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE email=? COLLATE NOCASE", email
        )

    def subscriptions_of_user(self, user_id: int) -> list[Subscription]:
        rows = self._conn.execute(
            f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE user_id=? ORDER BY id", (user_id,)
        )
        return [_subscription(row) for row in rows]

    def confirm_subscription(self, subscription_id: int) -> Subscription | None:
        return self._update(
            "UPDATE subscriptions SET confirmed_at=? WHERE id=? AND confirmed_at IS NULL"
            " AND unsubscribed_at IS NULL AND paused_at IS NULL",
            (stamp(self.clock.now()), subscription_id),
            subscription_id,
        )

    def link_subscription(self, subscription_id: int, user_id: int) -> Subscription | None:
        return self._update(
            "UPDATE subscriptions SET user_id=? WHERE id=?",
            (user_id, subscription_id),
            subscription_id,
        )

    def set_subscription_preferences(
        self, subscription_id: int, cadence: str, content: str
    ) -> Subscription | None:
        return self._update(
            "UPDATE subscriptions SET cadence=?, content=? WHERE id=?",
            (cadence, content, subscription_id),
            subscription_id,
        )

    def end_subscription(self, subscription_id: int) -> Subscription | None:
        return self._update(
            "UPDATE subscriptions SET unsubscribed_at=? WHERE id=? AND unsubscribed_at IS NULL",
            (stamp(self.clock.now()), subscription_id),
            subscription_id,
        )

    def due_subscriptions(
        self, cadence: str, period: str, shard: Shard, after_id: int, limit: int
    ) -> list[Subscription]:
        index, count = shard
        rows = self._conn.execute(
            f"SELECT {_SUBSCRIPTION} FROM subscriptions s WHERE s.id > ? AND s.cadence = ?"
            " AND s.confirmed_at IS NOT NULL AND s.unsubscribed_at IS NULL"
            " AND s.paused_at IS NULL AND s.id % ? = ? AND NOT EXISTS (SELECT 1"
            " FROM digest_sends d WHERE d.subscription_id = s.id AND d.period = ?)"
            " ORDER BY s.id LIMIT ?",
            (after_id, cadence, count, index, period, limit),
        )
        return [_subscription(row) for row in rows]

    def claim_send(
        self,
        subscription_id: int,
        period: str,
        message_id: str,
        paper_ids: Sequence[str],
        items: str,
    ) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO digest_sends (subscription_id, period, status, message_id,"
                " paper_ids, items, claimed_at) VALUES (?,?,'claimed',?,?,?,?)"
                " ON CONFLICT (subscription_id, period) DO NOTHING",
                (subscription_id, period, message_id, json.dumps(list(paper_ids)), items,
                 stamp(self.clock.now())),
            )  # fmt: skip
            return cursor.rowcount == 1

    def open_sends(self, shard: Shard, since: datetime, max_attempts: int) -> list[DigestSend]:
        index, count = shard
        rows = self._conn.execute(
            f"SELECT {_SEND} FROM digest_sends WHERE claimed_at >= ? AND subscription_id % ? = ?"
            " AND (status = 'claimed' OR (status = 'failed' AND retry = 1 AND attempts < ?))"
            " ORDER BY claimed_at, id",
            (stamp(since), count, index, max_attempts),
        )
        return [_send(row) for row in rows]

    def reclaim_send(self, subscription_id: int, period: str) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE digest_sends SET status='claimed', retry=0, attempts=attempts+1"
                " WHERE subscription_id=? AND period=? AND (status='claimed' OR retry=1)",
                (subscription_id, period),
            )
            return cursor.rowcount == 1

    def mark_sent(self, subscription_id: int, period: str) -> None:
        with self._transaction() as conn:
            row = conn.execute(
                "UPDATE digest_sends SET status='sent', retry=0, finished_at=?, error=NULL"
                " WHERE subscription_id=? AND period=? RETURNING paper_ids",
                (stamp(self.clock.now()), subscription_id, period),
            ).fetchone()
            if row is None:
                return
            conn.executemany(
                "INSERT OR IGNORE INTO sent_papers VALUES (?,?,?)",
                [(subscription_id, paper_id, period) for paper_id in json.loads(row[0])],
            )
            conn.execute(
                "UPDATE subscriptions SET bounces=0, last_error=NULL WHERE id=?",
                (subscription_id,),
            )

    def mark_failed(
        self,
        subscription_id: int,
        period: str,
        error: str,
        retry: bool,
        bounce: bool = False,
        pause_after: int = 3,
    ) -> Subscription | None:
        now = stamp(self.clock.now())
        with self._transaction() as conn:
            conn.execute(
                "UPDATE digest_sends SET status='failed', retry=?, finished_at=?, error=?"
                " WHERE subscription_id=? AND period=?",
                (int(retry), now, error[:1000], subscription_id, period),
            )
            if bounce:  # the subscription pauses when it reaches `pause_after` bounces
                conn.execute(
                    "UPDATE subscriptions SET bounces=bounces+1, last_error=?, paused_at=CASE"
                    " WHEN bounces+1 >= ? THEN coalesce(paused_at, ?) ELSE paused_at END"
                    " WHERE id=?",
                    (error[:1000], pause_after, now, subscription_id),
                )
            return self.subscription(subscription_id)

    def sends_of(self, subscription_id: int) -> list[DigestSend]:
        rows = self._conn.execute(
            f"SELECT {_SEND} FROM digest_sends WHERE subscription_id=? ORDER BY period DESC",
            (subscription_id,),
        )
        return [_send(row) for row in rows]

    def sent_paper_ids(
        self, subscription_ids: Sequence[int], paper_ids: Sequence[str]
    ) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {sid: set() for sid in subscription_ids}
        if not subscription_ids or not paper_ids:
            return found
        rows = self._conn.execute(
            "SELECT subscription_id, paper_id FROM sent_papers"
            " WHERE subscription_id IN (SELECT value FROM json_each(?))"
            " AND paper_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(subscription_ids)), json.dumps(list(paper_ids))),
        )
        for sid, paper_id in rows:
            found[int(sid)].add(str(paper_id))
        return found

    def digest_lock(self, shard: Shard) -> AbstractContextManager[bool]:
        return self.run_lock(f"digest-{shard[0]}of{shard[1]}")

    def set_rating(
        self,
        paper_id: str,
        value: int,
        source: str,
        user_id: int | None = None,
        subscription_id: int | None = None,
    ) -> None:
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM papers WHERE id=?", (paper_id,)).fetchone() is None:
                raise PaperNotFoundError(f"no paper {paper_id}")
            conn.execute(
                "INSERT INTO ratings (user_id, subscription_id, paper_id, value, source, at)"
                f" VALUES (?,?,?,?,?,?) ON CONFLICT {rating_key(user_id)} DO UPDATE"
                " SET value=excluded.value, source=excluded.source, at=excluded.at,"
                " subscription_id=coalesce(excluded.subscription_id, subscription_id)",
                (user_id, subscription_id, paper_id, value, source, stamp(self.clock.now())),
            )

    def clear_ratings(self, user_id: int, paper_id: str | None = None) -> int:
        with self._transaction() as conn:
            return conn.execute(
                "DELETE FROM ratings WHERE user_id = ? AND paper_id = coalesce(?, paper_id)",
                (user_id, paper_id),
            ).rowcount

    def ratings_of(
        self,
        user_id: int | None = None,
        subscription_id: int | None = None,
        limit: int | None = None,
    ) -> list[Rating]:
        where, key = "user_id = ?", user_id
        if user_id is None:
            where, key = "user_id IS NULL AND subscription_id = ?", subscription_id
        rows = self._conn.execute(
            f"SELECT paper_id, value, source, at FROM ratings WHERE {where}"
            " ORDER BY at DESC, id DESC LIMIT ?",
            (key, -1 if limit is None else limit),
        )
        return [_rating(row) for row in rows]

    def ratings_for(self, subscriptions: Sequence[Subscription]) -> dict[int, list[Rating]]:
        """Two queries for any number of subscriptions: by user, and by subscription."""
        found: dict[int, list[Rating]] = {s.id: [] for s in subscriptions}
        by_user, anonymous = rating_owners(subscriptions)
        rows = self._conn.execute(
            "SELECT user_id, paper_id, value, source, at FROM ratings"
            " WHERE user_id IN (SELECT value FROM json_each(?)) ORDER BY at DESC, id DESC",
            (json.dumps(list(by_user)),),
        )
        for row in rows:
            for sid in by_user[int(row[0])]:
                found[sid].append(_rating(row[1:]))
        rows = self._conn.execute(
            "SELECT subscription_id, paper_id, value, source, at FROM ratings"
            " WHERE user_id IS NULL AND subscription_id IN (SELECT value FROM json_each(?))"
            " ORDER BY at DESC, id DESC",
            (json.dumps(anonymous),),
        )
        for row in rows:
            found[int(row[0])].append(_rating(row[1:]))
        return found

    def _update(
        self, sql: str, params: tuple[object, ...], subscription_id: int
    ) -> Subscription | None:
        with self._transaction() as conn:
            conn.execute(sql, params)
            return self.subscription(subscription_id)

    def _one(self, sql: str, key: object) -> Subscription | None:
        row = self._conn.execute(sql, (key,)).fetchone()
        return None if row is None else _subscription(row)


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(
        int(row[0]), str(row[1]), None if row[2] is None else int(row[2]), str(row[3]),
        str(row[4]), when(row[5]), _maybe_when(row[6]), _maybe_when(row[7]),
        _maybe_when(row[8]), int(row[9]), None if row[10] is None else str(row[10]),
        int(row[11]),
    )  # fmt: skip


def _send(row: sqlite3.Row) -> DigestSend:
    return DigestSend(
        int(row[0]), str(row[1]), str(row[2]), str(row[3]), tuple(json.loads(row[4])),
        str(row[5]), int(row[6]), when(row[7]), _maybe_when(row[8]), bool(row[9]),
        None if row[10] is None else str(row[10]),
    )  # fmt: skip


def _rating(row: Sequence[Any]) -> Rating:
    """The rating in (paper_id, value, source, at) columns."""
    return Rating(str(row[0]), int(row[1]), str(row[2]), when(row[3]))


def _maybe_when(value: object) -> datetime | None:
    return None if value is None else when(value)
