"""What every part of PostgresStore shares: the connection pool, transactions, error
translation and migrations. Each `with self._transaction()` block is one transaction on one
pooled connection, so several threads can use one store at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from papertide.clock import Clock
from papertide.errors import StoreError
from papertide.store.pg_migrations import load_migrations

Connection = psycopg.Connection[tuple[Any, ...]]

POOL_MAX_SIZE = 10  # connections per process; PostgreSQL allows 100 by default
CONNECT_TIMEOUT_S = 10
# after a pool timeout, how long one more connection may take to tell why: a server whose
# network hangs must not hold the caller (a web request) much beyond POOL_TIMEOUT_S
REASON_TIMEOUT_S = 2
# how long a call waits for a connection: a lost server fails calls after this (the web tier
# answers 503), and is used again as soon as it is back
POOL_TIMEOUT_S = 5.0
# pg_advisory_xact_lock keys: paper writes are serialised like SQLite's single writer, so two
# processes ingesting the same paper cannot both insert it; migrations run one at a time.
WRITE_LOCK = 0x7061_7065_7274_6964  # "papertid"
MIGRATE_LOCK = WRITE_LOCK + 1
USERS_LOCK = WRITE_LOCK + 2  # sign-ups, one at a time (the first user becomes admin)


class PgBase:
    """The pool and transaction plumbing; PostgresStore's parts inherit it."""

    def __init__(
        self,
        url: str,
        clock: Clock,
        pool_size: int = POOL_MAX_SIZE,
        wait_s: float = POOL_TIMEOUT_S,
    ) -> None:
        self.url = url
        self.clock = clock
        self._pool = _open_pool(url, pool_size, wait_s)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _transaction(self, lock: int | None = None) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back when it raises.

        A lost server (restart, network) becomes a StoreError; with `lock`, the transaction
        first takes that advisory lock (held until it ends).
        """
        try:
            with self._pool.connection() as conn:
                if lock is not None:
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
                yield conn
        except PoolTimeout as error:  # before its base class, OperationalError
            raise StoreError(f"PostgreSQL is unavailable: {_why(self.url, error)}") from error
        except psycopg.OperationalError as error:
            raise StoreError(f"PostgreSQL is unavailable: {_one_line(error)}") from error

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
            for migration in load_migrations():
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
        kwargs={"connect_timeout": CONNECT_TIMEOUT_S},
    )
    pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
    return pool


def _configure(conn: Connection) -> None:
    """Times come back in UTC, so a stored paper reads back exactly as it was written."""
    conn.execute("SET TIME ZONE 'UTC'")
    conn.commit()
