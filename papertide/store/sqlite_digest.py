"""SQL for the digest tables of SqliteStore: subscriptions, the send log, papers sent, ratings,
and the per-shard send lock (a file lock beside the database). SqliteDigests mixes the
DigestStore methods into SqliteStore; the functions below it run inside its transactions.
"""

from __future__ import annotations

import fcntl
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from papertide.clock import Clock
from papertide.errors import PaperNotFoundError
from papertide.store.digest_base import DigestSend, Rating, Shard, Subscription
from papertide.store.sqlite_community import stamp

_SUBSCRIPTION = (
    "id, email, user_id, cadence, content, created_at, confirmed_at, unsubscribed_at,"
    " paused_at, bounces, last_error"
)
_SEND = (
    "subscription_id, period, status, message_id, paper_ids, items, attempts, claimed_at,"
    " finished_at, retry, error"
)


class SqliteDigests:
    """The DigestStore methods of SqliteStore: each write is one transaction."""

    if TYPE_CHECKING:
        path: str
        clock: Clock

        @property
        def _conn(self) -> sqlite3.Connection: ...

        def _transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def add_subscription(
        self, email: str, cadence: str, content: str, user_id: int | None = None
    ) -> Subscription:
        with self._transaction() as conn:
            return add_subscription(conn, email, cadence, content, user_id, self.clock.now())

    def subscription(self, subscription_id: int) -> Subscription | None:
        return subscription(self._conn, subscription_id)

    def subscription_for_email(self, email: str) -> Subscription | None:
        return subscription_for_email(self._conn, email)

    def subscriptions_of_user(self, user_id: int) -> list[Subscription]:
        return subscriptions_of_user(self._conn, user_id)

    def confirm_subscription(self, subscription_id: int) -> Subscription | None:
        with self._transaction() as conn:
            return confirm_subscription(conn, subscription_id, self.clock.now())

    def set_subscription_preferences(
        self, subscription_id: int, cadence: str, content: str
    ) -> Subscription | None:
        with self._transaction() as conn:
            return set_preferences(conn, subscription_id, cadence, content)

    def end_subscription(self, subscription_id: int) -> Subscription | None:
        with self._transaction() as conn:
            return end_subscription(conn, subscription_id, self.clock.now())

    def due_subscriptions(
        self, cadence: str, period: str, shard: Shard, after_id: int, limit: int
    ) -> list[Subscription]:
        return due_subscriptions(self._conn, cadence, period, shard, after_id, limit)

    def claim_send(
        self,
        subscription_id: int,
        period: str,
        message_id: str,
        paper_ids: Sequence[str],
        items: str,
    ) -> bool:
        with self._transaction() as conn:
            claim = (subscription_id, period, message_id, json.dumps(list(paper_ids)), items)
            return claim_send(conn, claim, self.clock.now())

    def open_sends(self, shard: Shard, since: datetime, max_attempts: int) -> list[DigestSend]:
        return open_sends(self._conn, shard, since, max_attempts)

    def reclaim_send(self, subscription_id: int, period: str) -> bool:
        with self._transaction() as conn:
            return reclaim_send(conn, subscription_id, period)

    def mark_sent(self, subscription_id: int, period: str) -> None:
        with self._transaction() as conn:
            mark_sent(conn, subscription_id, period, self.clock.now())

    def mark_failed(
        self,
        subscription_id: int,
        period: str,
        error: str,
        retry: bool,
        bounce: bool = False,
        pause_after: int = 3,
    ) -> Subscription | None:
        with self._transaction() as conn:
            now = self.clock.now()
            mark_failed(conn, subscription_id, period, error, retry, now)
            if bounce:
                count_bounce(conn, subscription_id, error, pause_after, now)
            return subscription(conn, subscription_id)

    def sends_of(self, subscription_id: int) -> list[DigestSend]:
        return sends_of(self._conn, subscription_id)

    def sent_paper_ids(
        self, subscription_ids: Sequence[int], paper_ids: Sequence[str]
    ) -> dict[int, set[str]]:
        return sent_paper_ids(self._conn, subscription_ids, paper_ids)

    def digest_lock(self, shard: Shard) -> AbstractContextManager[bool]:
        return shard_lock(self.path, shard)

    def set_rating(
        self,
        paper_id: str,
        value: int,
        source: str,
        user_id: int | None = None,
        subscription_id: int | None = None,
    ) -> None:
        with self._transaction() as conn:
            now = self.clock.now()
            set_rating(conn, paper_id, value, source, user_id, subscription_id, now)

    def ratings_of(
        self, user_id: int | None = None, subscription_id: int | None = None
    ) -> list[Rating]:
        return ratings_of(self._conn, user_id, subscription_id)

    def clear_ratings(self, user_id: int, paper_id: str | None = None) -> int:
        with self._transaction() as conn:
            return conn.execute(
                "DELETE FROM ratings WHERE user_id = ? AND paper_id = coalesce(?, paper_id)",
                (user_id, paper_id),
            ).rowcount

    def ratings_for(self, subscriptions: Sequence[Subscription]) -> dict[int, list[Rating]]:
        return ratings_for(self._conn, subscriptions)


# --- subscriptions ---


def add_subscription(
    conn: sqlite3.Connection,
    email: str,
    cadence: str,
    content: str,
    user_id: int | None,
    now: datetime,
) -> Subscription:
    found = subscription_for_email(conn, email)
    if found is None:
        conn.execute(
            "INSERT INTO subscriptions (email, user_id, cadence, content, created_at)"
            " VALUES (?,?,?,?,?)",
            (email, user_id, cadence, content, stamp(now)),
        )
    elif found.unsubscribed_at or found.paused_at:
        conn.execute(
            "UPDATE subscriptions SET cadence=?, content=?, user_id=coalesce(?, user_id),"
            " confirmed_at=NULL, unsubscribed_at=NULL, paused_at=NULL, bounces=0,"
            " last_error=NULL WHERE id=?",
            (cadence, content, user_id, found.id),
        )
    else:
        return found
    return _required(subscription_for_email(conn, email))


def subscription(conn: sqlite3.Connection, subscription_id: int) -> Subscription | None:
    row = conn.execute(
        f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE id=?", (subscription_id,)
    ).fetchone()
    return None if row is None else _subscription(row)


def subscription_for_email(conn: sqlite3.Connection, email: str) -> Subscription | None:
    row = conn.execute(
        f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE email=? COLLATE NOCASE", (email,)
    ).fetchone()
    return None if row is None else _subscription(row)


def subscriptions_of_user(conn: sqlite3.Connection, user_id: int) -> list[Subscription]:
    rows = conn.execute(
        f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE user_id=? ORDER BY id", (user_id,)
    )
    return [_subscription(row) for row in rows]


def confirm_subscription(
    conn: sqlite3.Connection, subscription_id: int, now: datetime
) -> Subscription | None:
    conn.execute(
        "UPDATE subscriptions SET confirmed_at=? WHERE id=? AND confirmed_at IS NULL"
        " AND unsubscribed_at IS NULL AND paused_at IS NULL",
        (stamp(now), subscription_id),
    )
    return subscription(conn, subscription_id)


def set_preferences(
    conn: sqlite3.Connection, subscription_id: int, cadence: str, content: str
) -> Subscription | None:
    conn.execute(
        "UPDATE subscriptions SET cadence=?, content=? WHERE id=?",
        (cadence, content, subscription_id),
    )
    return subscription(conn, subscription_id)


def end_subscription(
    conn: sqlite3.Connection, subscription_id: int, now: datetime
) -> Subscription | None:
    conn.execute(
        "UPDATE subscriptions SET unsubscribed_at=? WHERE id=? AND unsubscribed_at IS NULL",
        (stamp(now), subscription_id),
    )
    return subscription(conn, subscription_id)


def due_subscriptions(
    conn: sqlite3.Connection, cadence: str, period: str, shard: Shard, after_id: int, limit: int
) -> list[Subscription]:
    index, count = shard
    rows = conn.execute(
        f"SELECT {_SUBSCRIPTION} FROM subscriptions s WHERE s.id > ? AND s.cadence = ?"
        " AND s.confirmed_at IS NOT NULL AND s.unsubscribed_at IS NULL AND s.paused_at IS NULL"
        " AND s.id % ? = ? AND NOT EXISTS (SELECT 1 FROM digest_sends d"
        " WHERE d.subscription_id = s.id AND d.period = ?) ORDER BY s.id LIMIT ?",
        (after_id, cadence, count, index, period, limit),
    )
    return [_subscription(row) for row in rows]


# --- the send log ---


def claim_send(
    conn: sqlite3.Connection, claim: tuple[int, str, str, str, str], now: datetime
) -> bool:
    """Insert (subscription_id, period, message_id, paper_ids JSON, items) as claimed."""
    cursor = conn.execute(
        "INSERT INTO digest_sends (subscription_id, period, status, message_id, paper_ids,"
        " items, claimed_at) VALUES (?,?,'claimed',?,?,?,?)"
        " ON CONFLICT (subscription_id, period) DO NOTHING",
        (*claim, stamp(now)),
    )
    return cursor.rowcount == 1


def open_sends(
    conn: sqlite3.Connection, shard: Shard, since: datetime, max_attempts: int
) -> list[DigestSend]:
    index, count = shard
    rows = conn.execute(
        f"SELECT {_SEND} FROM digest_sends WHERE claimed_at >= ? AND subscription_id % ? = ?"
        " AND (status = 'claimed' OR (status = 'failed' AND retry = 1 AND attempts < ?))"
        " ORDER BY claimed_at, id",
        (stamp(since), count, index, max_attempts),
    )
    return [_send(row) for row in rows]


def reclaim_send(conn: sqlite3.Connection, subscription_id: int, period: str) -> bool:
    cursor = conn.execute(
        "UPDATE digest_sends SET status='claimed', retry=0, attempts=attempts+1"
        " WHERE subscription_id=? AND period=? AND (status='claimed' OR retry=1)",
        (subscription_id, period),
    )
    return cursor.rowcount == 1


def mark_sent(conn: sqlite3.Connection, subscription_id: int, period: str, now: datetime) -> None:
    row = conn.execute(
        "UPDATE digest_sends SET status='sent', retry=0, finished_at=?, error=NULL"
        " WHERE subscription_id=? AND period=? RETURNING paper_ids",
        (stamp(now), subscription_id, period),
    ).fetchone()
    if row is None:
        return
    conn.executemany(
        "INSERT OR IGNORE INTO sent_papers VALUES (?,?,?)",
        [(subscription_id, paper_id, period) for paper_id in json.loads(row[0])],
    )
    conn.execute(
        "UPDATE subscriptions SET bounces=0, last_error=NULL WHERE id=?", (subscription_id,)
    )


def mark_failed(
    conn: sqlite3.Connection,
    subscription_id: int,
    period: str,
    error: str,
    retry: bool,
    now: datetime,
) -> None:
    conn.execute(
        "UPDATE digest_sends SET status='failed', retry=?, finished_at=?, error=?"
        " WHERE subscription_id=? AND period=?",
        (int(retry), stamp(now), error[:1000], subscription_id, period),
    )


def count_bounce(
    conn: sqlite3.Connection, subscription_id: int, error: str, pause_after: int, now: datetime
) -> None:
    """One more bounce; the subscription pauses when it reaches `pause_after`."""
    conn.execute(
        "UPDATE subscriptions SET bounces=bounces+1, last_error=?,"
        " paused_at=CASE WHEN bounces+1 >= ? THEN coalesce(paused_at, ?) ELSE paused_at END"
        " WHERE id=?",
        (error[:1000], pause_after, stamp(now), subscription_id),
    )


def sends_of(conn: sqlite3.Connection, subscription_id: int) -> list[DigestSend]:
    rows = conn.execute(
        f"SELECT {_SEND} FROM digest_sends WHERE subscription_id=? ORDER BY period DESC",
        (subscription_id,),
    )
    return [_send(row) for row in rows]


def sent_paper_ids(
    conn: sqlite3.Connection, subscription_ids: Sequence[int], paper_ids: Sequence[str]
) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {sid: set() for sid in subscription_ids}
    if not subscription_ids or not paper_ids:
        return found
    rows = conn.execute(
        "SELECT subscription_id, paper_id FROM sent_papers"
        " WHERE subscription_id IN (SELECT value FROM json_each(?))"
        " AND paper_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(subscription_ids)), json.dumps(list(paper_ids))),
    )
    for sid, paper_id in rows:
        found[int(sid)].add(str(paper_id))
    return found


@contextmanager
def shard_lock(db_path: str, shard: Shard) -> Iterator[bool]:
    """An exclusive flock on <db>.digest-<i>of<n>.lock: the kernel releases it when the
    holder's process ends, however it ends (SIGKILL included). In-memory stores need none."""
    if db_path == ":memory:":
        yield True
        return
    with open(f"{db_path}.digest-{shard[0]}of{shard[1]}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- ratings ---


def set_rating(
    conn: sqlite3.Connection,
    paper_id: str,
    value: int,
    source: str,
    user_id: int | None,
    subscription_id: int | None,
    now: datetime,
) -> None:
    if conn.execute("SELECT 1 FROM papers WHERE id=?", (paper_id,)).fetchone() is None:
        raise PaperNotFoundError(f"no paper {paper_id}")
    target = "(user_id, paper_id) WHERE user_id IS NOT NULL"
    if user_id is None:
        target = "(subscription_id, paper_id) WHERE user_id IS NULL"
    conn.execute(
        "INSERT INTO ratings (user_id, subscription_id, paper_id, value, source, at)"
        f" VALUES (?,?,?,?,?,?) ON CONFLICT {target} DO UPDATE SET value=excluded.value,"
        " source=excluded.source, at=excluded.at,"
        " subscription_id=coalesce(excluded.subscription_id, subscription_id)",
        (user_id, subscription_id, paper_id, value, source, stamp(now)),
    )


def ratings_of(
    conn: sqlite3.Connection, user_id: int | None, subscription_id: int | None
) -> list[Rating]:
    where, key = "user_id = ?", user_id
    if user_id is None:
        where, key = "user_id IS NULL AND subscription_id = ?", subscription_id
    rows = conn.execute(
        f"SELECT paper_id, value, source, at FROM ratings WHERE {where} ORDER BY at DESC, id DESC",
        (key,),
    )
    return [_rating(row) for row in rows]


def ratings_for(
    conn: sqlite3.Connection, subscriptions: Sequence[Subscription]
) -> dict[int, list[Rating]]:
    """Two queries for any number of subscriptions: by user, and by subscription."""
    found: dict[int, list[Rating]] = {s.id: [] for s in subscriptions}
    by_user: dict[int, list[int]] = {}
    for sub in subscriptions:
        if sub.user_id is not None:
            by_user.setdefault(sub.user_id, []).append(sub.id)
    rows = conn.execute(
        "SELECT user_id, paper_id, value, source, at FROM ratings"
        " WHERE user_id IN (SELECT value FROM json_each(?)) ORDER BY at DESC, id DESC",
        (json.dumps(list(by_user)),),
    )
    for row in rows:
        for sid in by_user[int(row[0])]:
            found[sid].append(_rating(row, 1))
    anonymous = [s.id for s in subscriptions if s.user_id is None]
    rows = conn.execute(
        "SELECT subscription_id, paper_id, value, source, at FROM ratings WHERE user_id IS NULL"
        " AND subscription_id IN (SELECT value FROM json_each(?)) ORDER BY at DESC, id DESC",
        (json.dumps(anonymous),),
    )
    for row in rows:
        found[int(row[0])].append(_rating(row, 1))
    return found


# --- rows to values ---


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(
        id=int(row[0]),
        email=str(row[1]),
        user_id=None if row[2] is None else int(row[2]),
        cadence=str(row[3]),
        content=str(row[4]),
        created_at=_when(row[5]),
        confirmed_at=_maybe_when(row[6]),
        unsubscribed_at=_maybe_when(row[7]),
        paused_at=_maybe_when(row[8]),
        bounces=int(row[9]),
        last_error=None if row[10] is None else str(row[10]),
    )


def _send(row: sqlite3.Row) -> DigestSend:
    return DigestSend(
        subscription_id=int(row[0]),
        period=str(row[1]),
        status=str(row[2]),
        message_id=str(row[3]),
        paper_ids=tuple(json.loads(row[4])),
        items=str(row[5]),
        attempts=int(row[6]),
        claimed_at=_when(row[7]),
        finished_at=_maybe_when(row[8]),
        retry=bool(row[9]),
        error=None if row[10] is None else str(row[10]),
    )


def _rating(row: sqlite3.Row, at: int = 0) -> Rating:
    """The rating in columns at..at+3 (paper_id, value, source, at)."""
    return Rating(str(row[at]), int(row[at + 1]), str(row[at + 2]), _when(row[at + 3]))


def _when(value: object) -> datetime:
    return datetime.fromisoformat(str(value))


def _maybe_when(value: object) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _required(found: Subscription | None) -> Subscription:
    if found is None:  # pragma: no cover - the row was written in this transaction
        raise RuntimeError("subscription vanished inside its transaction")
    return found
