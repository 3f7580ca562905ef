"""What every part of SqliteStore shares: per-thread connections, transactions, migrations, and
how times are stored.

Each thread gets its own connection (web endpoints run in a thread pool), so transactions of
different requests never interleave; writes are explicit BEGIN IMMEDIATE transactions that
commit whole or not at all, so an interrupted ingest leaves only complete batches behind.
The reads every list page repeats are kept until a commit, here or in any process, may have
changed the data (SqliteBase._kept).
"""

from __future__ import annotations

import fcntl
import sqlite3
import threading
from collections.abc import Callable, Hashable, Iterator, Sized
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from papertide.clock import Clock
from papertide.errors import StoreError
from papertide.store.base import read_migrations

MIGRATIONS = "papertide.store.sqlite.migrations"
CHUNK = 500  # ids per `IN (?, ...)` list, well under SQLite's parameter limit
WAL_CHECKPOINT_PAGES = 10_000  # of 4 KiB
# An ingest batch inserts into indexes all over the file (authors' names above all); in
# SQLite's default 2 MB page cache those pages are read and spilled again and again. Batches
# run with this much (given back after, so connections serving pages keep the default):
# the 74,728-paper ingest spends about 2 s less CPU on this project's test machine.
WRITE_BATCH_CACHE_KIB = 16_384
# Reads kept by _kept, per store (the daily page makes seven), each of at most so many rows or
# papers (a month's listings are read again): about 6 MB at most, as a listed paper's row,
# summaries, organisations and upvotes take about 3.5 KB in four reads.
READS_KEPT = 64
READ_KEPT_MAX_ITEMS = 100
T = TypeVar("T")
S = TypeVar("S", bound=Sized)


class SqliteBase:
    """The connection and transaction plumbing; SqliteStore's parts inherit it."""

    def __init__(self, path: str | Path, clock: Clock) -> None:
        self.path = str(path)
        self.clock = clock
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[tuple[threading.Thread, sqlite3.Connection]] = []
        # ":memory:" is one database per connection: every thread shares it, writes serialised
        self._shared = _connect(self.path) if self.path == ":memory:" else None
        self._shared_writes = threading.Lock()
        self._generation = 0  # see _data_generation
        self._kept_reads: dict[Hashable, tuple[int, Any]] = {}
        self._kept_lock = threading.Lock()
        if self._shared is None:
            self._thread_conn()  # open now, so a bad path fails here rather than at first use

    @property
    def _conn(self) -> sqlite3.Connection:
        """This thread's connection (each thread gets its own, opened on first use)."""
        if self._shared is not None:
            return self._shared
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        return conn if conn is not None else self._thread_conn()

    def _thread_conn(self) -> sqlite3.Connection:
        """Open this thread's connection; close those of threads that have ended."""
        conn = _connect(self.path)
        with self._lock:
            for thread, old in self._opened:
                if not thread.is_alive():
                    old.close()
            self._opened = [(t, c) for t, c in self._opened if t.is_alive()]
            self._opened.append((threading.current_thread(), conn))
        self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close every connection this store opened, in any thread."""
        with self._lock:
            for _, conn in self._opened:
                conn.close()
            self._opened = []
        if self._shared is not None:
            self._shared.close()

    @contextmanager
    def run_lock(self, name: str) -> Iterator[bool]:
        """An exclusive flock on <db>.<name>.lock: the kernel releases it when the holder's
        process ends, however it ends (SIGKILL included). In-memory stores need none."""
        if self.path == ":memory:":
            yield True
            return
        with open(f"{self.path}.{name}.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def _transaction(self, cache_kib: int | None = None) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: writers queue); with `cache_kib`, this
        connection's page cache is that large until it ends, then back to what it was."""
        conn = self._conn
        with self._shared_writes if self._shared is not None else nullcontext():
            usual = conn.execute("PRAGMA cache_size").fetchone()[0] if cache_kib else None
            if cache_kib:
                conn.execute(f"PRAGMA cache_size=-{cache_kib}")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                self._changed()  # DDL and a truncating DELETE leave total_changes as it was
                if usual is not None:
                    conn.execute(f"PRAGMA cache_size={usual}")

    def _kept(self, key: Hashable, read: Callable[[], S]) -> S:
        """`read()`, or what it gave for `key` before when no commit, of this process or any
        other, may have changed the data since: each list page reads the same rows, counts
        and summaries again. The value is shared, so a caller returns a copy of a list or
        dict it holds. Not inside a write transaction: what it wrote may yet be rolled back."""
        conn = self._conn
        if conn.in_transaction:
            return read()
        generation = self._data_generation(conn)
        kept = self._kept_reads.get(key)
        if kept is not None and kept[0] == generation:
            return kept[1]  # type: ignore[no-any-return]
        value = read()
        if len(value) > READ_KEPT_MAX_ITEMS:
            return value
        with self._kept_lock:
            if len(self._kept_reads) >= READS_KEPT:
                self._kept_reads.clear()
            self._kept_reads[key] = (generation, value)
        return value

    def _data_generation(self, conn: sqlite3.Connection) -> int:
        """A number that grows whenever the data may have changed since this thread last
        asked: another connection committed (PRAGMA data_version, which any process's commit
        moves: https://sqlite.org/pragma.html#pragma_data_version) or this one changed rows
        (total_changes, which data_version leaves out). Read before a kept value is read and
        compared after: the same number means no commit in between, whichever thread asks."""
        seen = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
        if seen != getattr(self._local, "seen", None):
            self._local.seen = seen
            self._changed()
        return self._generation

    def _changed(self) -> None:
        """The data may have changed: no value kept so far is served again."""
        with self._kept_lock:
            self._generation += 1
            self._kept_reads.clear()

    def migrate(self) -> list[str]:
        """Apply pending migrations, each in its own transaction; the names applied."""
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in self._conn.execute("SELECT name FROM schema_migrations")}
        applied = []
        for migration in read_migrations(MIGRATIONS):
            if migration.name in done:
                continue
            with self._transaction() as conn:
                for statement in _split_sql(migration.sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?)",
                    (migration.name, self._now()),
                )
            applied.append(migration.name)
        return applied

    def _scalar(self, sql: str, *params: object) -> int:
        return int(self._conn.execute(sql, params).fetchone()[0])

    def _now(self) -> str:
        return self.clock.now().isoformat()


def stamp(moment: datetime) -> str:
    """The stored form of a user-side time: UTC, ISO 8601, always with microseconds (naive =
    UTC), so text order is time order."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


def when(text: object) -> datetime:
    """A stored time read back (naive text = UTC)."""
    moment = datetime.fromisoformat(str(text))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def chunks(items: list[T]) -> Iterator[list[T]]:
    """`items` CHUNK at a time."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def marks(chunk: list[T]) -> str:
    """One `?` per item, comma-separated, for an `IN (...)` list."""
    return ",".join("?" * len(chunk))


def _connect(path: str) -> sqlite3.Connection:
    if path != ":memory:":
        parent = Path(path).parent
        if not parent.is_dir():
            raise StoreError(f"cannot create the database: no directory {parent}")
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        # checkpoint the WAL every 40 MB rather than 4 MB: fewer fsyncs while ingest writes
        # (the 74,728-paper ingest: about 1 s less on this project's test machine)
        conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as error:
        raise StoreError(f"cannot open {path} as a papertide database: {error}") from None
    return conn


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script; trigger bodies (BEGIN ... END;) stay whole."""
    statements, current = [], []
    for line in script.strip().splitlines():
        current.append(line)
        text = "\n".join(current)
        if sqlite3.complete_statement(text):
            statements.append(text)
            current = []
    return statements
