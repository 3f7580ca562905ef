"""The digest side of PostgresStore: subscriptions, the send log, papers sent and ratings. Same
contract as SqliteStore's (DigestStore in store/digest_base.py). A shard's send lock is a
session advisory lock on a connection held for the run: the server drops it with the session,
however the sending process ends.
"""

from __future__ import annotations

import json
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
from papertide.store.postgres.connection import Connection, PgBase

_SUBSCRIPTION = (
    "id, email, user_id, cadence, content, created_at, confirmed_at, unsubscribed_at,"
    " paused_at, bounces, last_error, epoch"
)
_SEND = (
    "subscription_id, period, status, message_id, paper_ids, items, attempts, claimed_at,"
    " finished_at, retry, error"
)
_BY_EMAIL = 'lower(email) = lower(%s::text COLLATE "C")'


class PgDigests(PgBase):
    """Subscriptions and digests."""

    def add_subscription(
        self, email: str, cadence: str, content: str, user_id: int | None = None
    ) -> Subscription:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO subscriptions (email, user_id, cadence, content, created_at)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (lower(email)) DO UPDATE"
                " SET cadence = excluded.cadence, content = excluded.content,"
                " epoch = subscriptions.epoch + 1,"
                " confirmed_at = NULL, unsubscribed_at = NULL, paused_at = NULL, bounces = 0,"
                " last_error = NULL WHERE subscriptions.unsubscribed_at IS NOT NULL"
                " OR subscriptions.paused_at IS NOT NULL",
                (email, user_id, cadence, content, self._now()),
            )
            found = _one(
                conn, f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE {_BY_EMAIL}", email
            )
        assert found is not None
        return found

    def subscription(self, subscription_id: int) -> Subscription | None:
        with self._transaction() as conn:
            return _one(
                conn, f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE id = %s", subscription_id
            )

    def subscription_for_email(self, email: str) -> Subscription | None:
        with self._transaction() as conn:
            return _one(conn, f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE {_BY_EMAIL}", email)

    def subscriptions_of_user(self, user_id: int) -> list[Subscription]:
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE user_id = %s ORDER BY id",
                (user_id,),
            ).fetchall()
        return [_subscription(row) for row in rows]

    def confirm_subscription(self, subscription_id: int) -> Subscription | None:
        return self._update(
            "UPDATE subscriptions SET confirmed_at = %s WHERE id = %s AND confirmed_at IS NULL"
            " AND unsubscribed_at IS NULL AND paused_at IS NULL",
            (self._now(), subscription_id),
            subscription_id,
        )

    def link_subscription(self, subscription_id: int, user_id: int) -> Subscription | None:
        return self._update(
            "UPDATE subscriptions SET user_id = %s WHERE id = %s",
            (user_id, subscription_id),
            subscription_id,
        )

    def set_subscription_preferences(
        self, subscription_id: int, cadence: str, content: str
    ) -> Subscription | None:
        return self._update(
            "UPDATE subscriptions SET cadence = %s, content = %s WHERE id = %s",
            (cadence, content, subscription_id),
            subscription_id,
        )

    def end_subscription(self, subscription_id: int) -> Subscription | None:
        return self._update(
            "UPDATE subscriptions SET unsubscribed_at = %s WHERE id = %s"
            " AND unsubscribed_at IS NULL",
            (self._now(), subscription_id),
            subscription_id,
        )

    def due_subscriptions(
        self, cadence: str, period: str, shard: Shard, after_id: int, limit: int
    ) -> list[Subscription]:
        index, count = shard
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {_SUBSCRIPTION} FROM subscriptions s WHERE s.id > %s AND s.cadence = %s"
                " AND s.confirmed_at IS NOT NULL AND s.unsubscribed_at IS NULL"
                " AND s.paused_at IS NULL AND s.id %% %s = %s AND NOT EXISTS (SELECT 1"
                " FROM digest_sends d WHERE d.subscription_id = s.id AND d.period = %s)"
                " ORDER BY s.id LIMIT %s",
                (after_id, cadence, count, index, period, limit),
            ).fetchall()
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
                " paper_ids, items, claimed_at) VALUES (%s, %s, 'claimed', %s, %s, %s, %s)"
                " ON CONFLICT (subscription_id, period) DO NOTHING",
                (subscription_id, period, message_id, json.dumps(list(paper_ids)), items,
                 self._now()),
            )  # fmt: skip
            return cursor.rowcount == 1

    def open_sends(self, shard: Shard, since: datetime, max_attempts: int) -> list[DigestSend]:
        index, count = shard
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {_SEND} FROM digest_sends WHERE claimed_at >= %s"
                " AND subscription_id %% %s = %s AND (status = 'claimed'"
                " OR (status = 'failed' AND retry AND attempts < %s)) ORDER BY claimed_at, id",
                (since, count, index, max_attempts),
            ).fetchall()
        return [_send(row) for row in rows]

    def reclaim_send(self, subscription_id: int, period: str) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE digest_sends SET status = 'claimed', retry = false,"
                " attempts = attempts + 1 WHERE subscription_id = %s AND period = %s"
                " AND (status = 'claimed' OR retry)",
                (subscription_id, period),
            )
            return cursor.rowcount == 1

    def mark_sent(self, subscription_id: int, period: str) -> None:
        with self._transaction() as conn:
            row = conn.execute(
                "UPDATE digest_sends SET status = 'sent', retry = false, finished_at = %s,"
                " error = NULL WHERE subscription_id = %s AND period = %s RETURNING paper_ids",
                (self._now(), subscription_id, period),
            ).fetchone()
            if row is None:
                return
            conn.execute(
                "INSERT INTO sent_papers SELECT %s, paper_id, %s"
                " FROM unnest(%s::text[]) AS paper_id ON CONFLICT DO NOTHING",
                (subscription_id, period, json.loads(row[0])),
            )
            conn.execute(
                "UPDATE subscriptions SET bounces = 0, last_error = NULL WHERE id = %s",
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
        now = self._now()
        with self._transaction() as conn:
            conn.execute(
                "UPDATE digest_sends SET status = 'failed', retry = %s, finished_at = %s,"
                " error = %s WHERE subscription_id = %s AND period = %s",
                (retry, now, error[:1000], subscription_id, period),
            )
            if bounce:
                conn.execute(
                    "UPDATE subscriptions SET bounces = bounces + 1, last_error = %s,"
                    " paused_at = CASE WHEN bounces + 1 >= %s THEN coalesce(paused_at, %s)"
                    " ELSE paused_at END WHERE id = %s",
                    (error[:1000], pause_after, now, subscription_id),
                )
            return _one(
                conn, f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE id = %s", subscription_id
            )

    def sends_of(self, subscription_id: int) -> list[DigestSend]:
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {_SEND} FROM digest_sends WHERE subscription_id = %s ORDER BY period DESC",
                (subscription_id,),
            ).fetchall()
        return [_send(row) for row in rows]

    def sent_paper_ids(
        self, subscription_ids: Sequence[int], paper_ids: Sequence[str]
    ) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {sid: set() for sid in subscription_ids}
        if not subscription_ids or not paper_ids:
            return found
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT subscription_id, paper_id FROM sent_papers"
                " WHERE subscription_id = ANY(%s::bigint[]) AND paper_id = ANY(%s::text[])",
                (list(subscription_ids), list(paper_ids)),
            ).fetchall()
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
            if conn.execute("SELECT 1 FROM papers WHERE id = %s", (paper_id,)).fetchone() is None:
                raise PaperNotFoundError(f"no paper {paper_id}")
            conn.execute(
                "INSERT INTO ratings (user_id, subscription_id, paper_id, value, source, at)"
                f" VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT {rating_key(user_id)} DO UPDATE"
                " SET value = excluded.value, source = excluded.source, at = excluded.at,"
                " subscription_id = coalesce(excluded.subscription_id, ratings.subscription_id)",
                (user_id, subscription_id, paper_id, value, source, self._now()),
            )

    def clear_ratings(self, user_id: int, paper_id: str | None = None) -> int:
        with self._transaction() as conn:
            return conn.execute(
                "DELETE FROM ratings"
                " WHERE user_id = %s AND paper_id = coalesce(%s::text, paper_id)",
                (user_id, paper_id),
            ).rowcount

    def ratings_of(
        self,
        user_id: int | None = None,
        subscription_id: int | None = None,
        limit: int | None = None,
    ) -> list[Rating]:
        where, key = "user_id = %s", user_id
        if user_id is None:
            where, key = "user_id IS NULL AND subscription_id = %s", subscription_id
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT paper_id, value, source, at FROM ratings WHERE {where}"
                " ORDER BY at DESC, id DESC LIMIT %s",
                (key, limit),
            ).fetchall()
        return [_rating(row) for row in rows]

    def ratings_for(self, subscriptions: Sequence[Subscription]) -> dict[int, list[Rating]]:
        found: dict[int, list[Rating]] = {s.id: [] for s in subscriptions}
        by_user, anonymous = rating_owners(subscriptions)
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT user_id, subscription_id, paper_id, value, source, at FROM ratings"
                " WHERE user_id = ANY(%s::bigint[]) OR (user_id IS NULL"
                " AND subscription_id = ANY(%s::bigint[])) ORDER BY at DESC, id DESC",
                (list(by_user), anonymous),
            ).fetchall()
        for row in rows:
            owners = by_user[int(row[0])] if row[0] is not None else [int(row[1])]
            for sid in owners:
                found[sid].append(_rating(row[2:]))
        return found

    def _update(
        self, sql: str, params: tuple[Any, ...], subscription_id: int
    ) -> Subscription | None:
        with self._transaction() as conn:
            conn.execute(sql, params)
            return _one(
                conn, f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE id = %s", subscription_id
            )


def _one(conn: Connection, sql: str, key: object) -> Subscription | None:
    row = conn.execute(sql, (key,)).fetchone()
    return None if row is None else _subscription(row)


def _subscription(row: tuple[Any, ...]) -> Subscription:
    return Subscription(
        int(row[0]), str(row[1]), None if row[2] is None else int(row[2]), str(row[3]),
        str(row[4]), row[5], row[6], row[7], row[8], int(row[9]), row[10], int(row[11]),
    )  # fmt: skip


def _send(row: tuple[Any, ...]) -> DigestSend:
    return DigestSend(
        int(row[0]), str(row[1]), str(row[2]), str(row[3]), tuple(json.loads(row[4])),
        str(row[5]), int(row[6]), row[7], row[8], bool(row[9]), row[10],
    )  # fmt: skip


def _rating(row: Sequence[Any]) -> Rating:
    return Rating(str(row[0]), int(row[1]), str(row[2]), row[3])
