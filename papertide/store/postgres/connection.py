"""What every part of PostgresStore shares: the connection pools (the primary's, and an optional
read replica's), transactions, error translation and migrations. Each `with self._transaction()`
block is one transaction on one pooled connection, so several threads can use one store at once.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from papertide.clock import Clock
from papertide.errors import StoreError
from papertide.store.base import read_migrations

Connection = psycopg.Connection[tuple[Any, ...]]

MIGRATIONS = "papertide.store.postgres.migrations"

POOL_MAX_SIZE = 10  # connections per process; PostgreSQL allows 100 by default
CONNECT_TIMEOUT_S = 10
# after a pool timeout, how long one more connection may take to tell why: a server whose
# network hangs must not hold the caller (a web request) much beyond POOL_TIMEOUT_S
REASON_TIMEOUT_S = 2
# how long a call waits for a connection: a lost server fails calls after this (the web tier
# answers 503), and is used again as soon as it is back
POOL_TIMEOUT_S = 5.0
# after a call found no connection, further calls fail at once this long (the web tier answers
# 503 at once instead of queueing behind 5 s waits); then one call at a time waits on the pool
# again, while the others still fail at once, until one gets a connection
OUTAGE_RETRY_S = 1.0
# pg_advisory_xact_lock keys: paper writes are serialised like SQLite's single writer, so two
# processes ingesting the same paper cannot both insert it; migrations run one at a time.
WRITE_LOCK = 0x7061_7065_7274_6964  # "papertid"
MIGRATE_LOCK = WRITE_LOCK + 1
USERS_LOCK = WRITE_LOCK + 2  # sign-ups, one at a time (the first user becomes admin)
# how long a read waits for a replica connection before it reads on the primary instead
REPLICA_WAIT_S = 1.0
# after the replica failed, reads go to the primary this long before it is tried again
REPLICA_RETRY_S = 30.0

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


RUN_LOCK_SPACE = 0x6469_6765  # first key of pg_try_advisory_lock(int, int) for run_lock


class PgBase:
    """The pool and transaction plumbing; PostgresStore's parts inherit it.

    With `replica_url` (a streaming read replica of `url`), some reads run on the replica, by
    one rule that keeps every user seeing their own writes: only paper data that ingest and
    `papertide index` write, never anything a web user writes, is read there. Replica reads
    (`_read`, `_lookup`): get_paper(s), ids_for and vector_of (point lookups: a key the replica
    lacks yet, such as a paper just submitted, is read again on the primary), the papers
    shown by listings_for and listings_between, papers_by_author, papers_in_category, stats
    and iter_papers. Everything else reads the primary: listings themselves (users submit and
    curators unlist them), votes, comments, users, sessions, API tokens, collections, follows,
    subscriptions, rate limits, digests, trending signals (votes and comments), and what the
    writers read back to go on (checkpoints, seen lines, quarantine, the lexical watermark and
    changed papers, embed tasks, vector sequences and vectors for the index builder).

    Replica reads lag the primary by its replay delay. A replica that cannot be reached
    (down, refusing, every connection busy for REPLICA_WAIT_S) is logged as a warning and
    skipped for REPLICA_RETRY_S: reads use the primary meanwhile. Writes never use it.

    A primary that gave no connection within `wait_s` is an outage (see Outage): calls fail at
    once for `retry_s`, then one at a time waits on the pool again.
    """

    def __init__(
        self,
        url: str,
        clock: Clock,
        pool_size: int = POOL_MAX_SIZE,
        wait_s: float = POOL_TIMEOUT_S,
        replica_url: str | None = None,
        retry_s: float = OUTAGE_RETRY_S,
    ) -> None:
        self.url = url
        self.replica_url = replica_url or None
        self.clock = clock
        self._pool = _open_pool(url, pool_size, wait_s)
        self._replica = (
            _open_replica_pool(replica_url, pool_size, min(wait_s, REPLICA_WAIT_S))
            if replica_url
            else None
        )
        self._replica_down_until = float("-inf")  # clock.monotonic() time
        self._outage = Outage(retry_s)

    def close(self) -> None:
        self._pool.close()
        if self._replica is not None:
            self._replica.close()

    @contextmanager
    def run_lock(self, name: str) -> Iterator[bool]:
        """A session advisory lock keyed by the name's CRC-32: PostgreSQL releases it when the
        holder's connection ends, however its process ends (SIGKILL included)."""
        key = zlib.crc32(name.encode()) - 2**31  # pg_try_advisory_lock(int, int) is signed
        with self._transaction() as conn:
            held = conn.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", (RUN_LOCK_SPACE, key)
            ).fetchone()
            conn.commit()  # the lock belongs to the session: no transaction stays open
            try:
                yield bool(held and held[0])
            finally:
                if held and held[0]:
                    conn.execute("SELECT pg_advisory_unlock(%s, %s)", (RUN_LOCK_SPACE, key))

    @contextmanager
    def _transaction(self, lock: int | None = None) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back when it raises.

        A lost server (restart, network) becomes a StoreError; with `lock`, the transaction
        first takes that advisory lock (held until it ends).
        """
        try:
            # the outage turns a PoolTimeout, not its base class OperationalError, into the error
            with self._outage.waiting(self.url), self._pool.connection() as conn:
                self._outage.over()
                if lock is not None:
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
                yield conn
        except psycopg.OperationalError as error:
            raise StoreError(f"PostgreSQL is unavailable: {_one_line(error)}") from error

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """One read-only transaction on the replica, or on the primary when there is no
        replica or it cannot be reached (see the class docstring for which reads may use it).

        A replica lost in the middle of the block is a StoreError, as a lost primary is, and
        the next reads use the primary.
        """
        replica = self._replica_connection()
        if replica is None:
            with self._transaction() as conn:
                conn.read_only = True  # reset when the pool takes it back (_writable)
                yield conn
            return
        assert self._replica is not None
        try:
            with replica:
                yield replica
        except psycopg.OperationalError as error:
            self._replica_failed(_one_line(error))
            raise StoreError(f"PostgreSQL replica is unavailable: {_one_line(error)}") from error
        finally:
            self._replica.putconn(replica)

    def _lookup(
        self, find: Callable[[Connection, list[K]], dict[K, V]], keys: Sequence[K]
    ) -> dict[K, V]:
        """`find` the rows of `keys` in a `_read`, then any key it did not find on the
        primary: a replica may not have replayed a row yet (a paper submitted a moment ago)."""
        wanted = list(keys)
        with self._read() as conn:
            found = find(conn, wanted)
        missing = [key for key in wanted if key not in found]
        if missing and self._replica is not None:
            with self._transaction() as conn:
                found.update(find(conn, missing))
        return found

    def _replica_connection(self) -> Connection | None:
        """A working replica connection, None when there is no replica or it is skipped."""
        if self._replica is None or self.clock.monotonic() < self._replica_down_until:
            return None
        try:
            return self._replica.getconn()
        except PoolTimeout as error:  # before its base class, OperationalError
            self._replica_failed(_why(self.replica_url or "", error))
        except psycopg.OperationalError as error:
            self._replica_failed(_one_line(error))
        return None

    def _replica_failed(self, why: str) -> None:
        self._replica_down_until = self.clock.monotonic() + REPLICA_RETRY_S
        logging.getLogger("papertide.store").warning(
            "read replica unavailable, reading from the primary for %.0f s: %s",
            REPLICA_RETRY_S,
            why,
        )

    def _now(self) -> datetime:
        return self.clock.now()

    def _write(self, sql: str, *params: object) -> None:
        """One statement in its own transaction."""
        with self._transaction() as conn:
            conn.execute(sql, params)

    def migrate(self) -> list[str]:
        """Apply pending migrations in one transaction (all or none); the names applied."""
        with self._transaction(MIGRATE_LOCK) as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations"
                " (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
            )
            done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
            applied = []
            for migration in read_migrations(MIGRATIONS):
                if migration.name in done:
                    continue
                try:
                    conn.execute(migration.sql.encode())
                except _SETUP_ERRORS as error:
                    raise StoreError(
                        f"migration {migration.name} failed: {_explain(error)}"
                    ) from None
                conn.execute(
                    "INSERT INTO schema_migrations VALUES (%s, %s)", (migration.name, self._now())
                )
                applied.append(migration.name)
        return applied


class Outage:
    """What a store knows of its primary being unreachable. After a call waited the pool's
    timeout for nothing, calls fail at once with the same reason for `retry_s`; then one
    call at a time waits on the pool again (the others still fail at once) until one gets a
    connection, which ends the outage. So a web worker's pages queued behind a page slot
    (web/page_slots.py) answer 503 at once instead of each waiting the pool's timeout.
    In real time, as the pool waits (a store's clock may be a test's fixed one)."""

    def __init__(self, retry_s: float = OUTAGE_RETRY_S) -> None:
        self.retry_s = retry_s
        self._lock = threading.Lock()
        self._reason: str | None = None  # set while the primary is known to be unreachable
        self._retry_at = float("-inf")  # time.monotonic() time
        self._trying = False  # a call is waiting on the pool during the outage

    @contextmanager
    def waiting(self, url: str) -> Iterator[None]:
        """Around a wait for a connection to `url`: StoreError at once during an outage unless
        it is this call's turn to try the pool; a PoolTimeout (an outage begins, or goes on)
        becomes a StoreError with the server's reason."""
        with self._lock:
            trying = self._reason is not None
            if trying and (self._trying or time.monotonic() < self._retry_at):
                raise StoreError(f"PostgreSQL is unavailable: {self._reason}")
            if trying:
                self._trying = True
        try:
            yield
        except PoolTimeout as error:
            why = _why(url, error)
            with self._lock:
                self._reason = why
                self._retry_at = time.monotonic() + self.retry_s
            raise StoreError(f"PostgreSQL is unavailable: {why}") from error
        finally:
            if trying:
                with self._lock:
                    self._trying = False

    def over(self) -> None:
        """A call got a connection."""
        if self._reason is not None:
            with self._lock:
                self._reason = None


_SETUP_ERRORS = (psycopg.errors.FeatureNotSupported, psycopg.errors.InsufficientPrivilege)


def _explain(error: psycopg.Error) -> str:
    text = _one_line(error)  # one line: the server's HINT joins its message
    if "vector" in text:
        text += " (papertide needs pgvector >= 0.7; a superuser runs CREATE EXTENSION vector)"
    return text


def _one_line(error: Exception) -> str:
    """psycopg's message on one line (a cut connection's spans three, tab-indented)."""
    return " ".join(str(error).split())


def _why(url: str, timeout: PoolTimeout) -> str:
    """The server's own reason when no pooled connection came (refused, auth...)."""
    try:
        psycopg.connect(url, connect_timeout=REASON_TIMEOUT_S).close()
    except psycopg.Error as error:
        return _one_line(error)
    return str(timeout)  # reachable again, but every connection stayed busy


def _open_pool(url: str, size: int, wait_s: float) -> ConnectionPool[Connection]:
    """A pool whose connections speak UTC; fails fast, with the server's reason, when the
    database cannot be reached."""
    try:
        psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S).close()
    except psycopg.Error as error:
        raise StoreError(f"cannot connect to PostgreSQL: {_one_line(error)}") from None
    pool: ConnectionPool[Connection] = ConnectionPool(
        url,
        min_size=1,
        max_size=size,
        timeout=wait_s,
        # give up reconnecting as the waiting caller does: the next call then tries at once
        # instead of waiting out a long backoff after the server is back
        reconnect_timeout=wait_s,
        open=False,
        configure=_configure,
        check=ConnectionPool.check_connection,
        reset=_writable,
        kwargs={"connect_timeout": CONNECT_TIMEOUT_S},
    )
    pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
    return pool


def _open_replica_pool(url: str, size: int, wait_s: float) -> ConnectionPool[Connection]:
    """A pool of read-only connections to a replica; opened without waiting, so a worker
    starts while its replica is down (reads then use the primary, see PgBase)."""
    pool: ConnectionPool[Connection] = ConnectionPool(
        url,
        min_size=1,
        max_size=size,
        timeout=wait_s,
        reconnect_timeout=wait_s,
        open=False,
        configure=_configure_read_only,
        check=ConnectionPool.check_connection,
        kwargs={"connect_timeout": CONNECT_TIMEOUT_S},
    )
    pool.open(wait=False)
    return pool


def _configure(conn: Connection) -> None:
    """Times come back in UTC, so a stored paper reads back exactly as it was written."""
    conn.execute("SET TIME ZONE 'UTC'")
    conn.commit()


def _configure_read_only(conn: Connection) -> None:
    """A replica connection: UTC, and every transaction read-only (a replica URL that names
    a primary by mistake must still never be written)."""
    _configure(conn)
    conn.read_only = True


def _writable(conn: Connection) -> None:
    """A primary connection back in the pool: writable again after a `_read`."""
    conn.read_only = None
