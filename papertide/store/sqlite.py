"""SqliteStore: the embedded default engine (one file, WAL, FTS5).

Each thread gets its own connection (web endpoints run in a thread pool), so transactions of
different requests never interleave; writes are explicit BEGIN IMMEDIATE transactions that
commit whole or not at all, so an interrupted ingest leaves only complete batches behind.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from papertide.clock import Clock
from papertide.errors import StoreError
from papertide.models import (
    ApiTokenInfo,
    Collection,
    Comment,
    Follow,
    IngestCounts,
    Listing,
    Paper,
    PaperSignals,
    QuarantineEntry,
    Record,
    Rejected,
    StoreStats,
    User,
    VoteState,
)
from papertide.store import fts, sqlite_vectors
from papertide.store import sqlite_community as community
from papertide.store.base import EmbeddingRow, EmbedTask
from papertide.store.codec import iso, paper_from_json, paper_to_json
from papertide.store.merge import combine_batch, content_hash, plan_upsert
from papertide.store.migrations import load_migrations
from papertide.store.sqlite_digest import SqliteDigests
from papertide.store.sqlite_transfer import SqliteTransfer

_PAPER_COLUMNS = (
    "id, version, title, abstract, authors, categories, primary_category, comment, journal_ref,"
    " doi, license, published, updated, links, content_hash"
)
_CHUNK = 500
T = TypeVar("T")


class SqliteStore(SqliteDigests, SqliteTransfer):
    """A papertide store in one SQLite file (or ":memory:")."""

    def __init__(self, path: str | Path, clock: Clock) -> None:
        self.path = str(path)
        self.clock = clock
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[tuple[threading.Thread, sqlite3.Connection]] = []
        # ":memory:" is one database per connection: every thread shares it, writes serialised
        self._shared = _connect(self.path) if self.path == ":memory:" else None
        self._shared_writes = threading.Lock()
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
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        with self._shared_writes if self._shared is not None else nullcontext():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def migrate(self) -> list[str]:
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in self._conn.execute("SELECT name FROM schema_migrations")}
        applied = []
        for migration in load_migrations():
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

    def write_batch(
        self,
        records: Sequence[Record],
        rejected: Sequence[Rejected],
        checkpoint: tuple[str, str | None] | None = None,
        fingerprints: Sequence[int] = (),
    ) -> IngestCounts:
        with self._transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO seen_lines VALUES (?)", [(f,) for f in fingerprints]
            )
            counts = self._upsert_papers(conn, [r.paper for r in records])
            counts += self._upsert_listings(conn, [r.listing for r in records if r.listing])
            counts += self._quarantine(conn, rejected)
            if checkpoint is not None:
                self._save_checkpoint(conn, *checkpoint)
        return counts

    def _upsert_papers(self, conn: sqlite3.Connection, papers: Sequence[Paper]) -> IngestCounts:
        incoming = combine_batch(papers)
        fresh = {pid: content_hash(p) for pid, p in incoming.items()}
        hashes = self._stored_hashes(conn, list(incoming))
        stored = self._load_papers(conn, [pid for pid in hashes if hashes[pid] != fresh[pid]])
        plan = plan_upsert(incoming, fresh, hashes, stored)
        now = self._now()
        last_pk = conn.execute("SELECT coalesce(max(pk), 0) FROM papers").fetchone()[0]
        conn.executemany(
            f"INSERT INTO papers ({_PAPER_COLUMNS}, created_at, modified_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(*_paper_row(p, h), now, now) for p, h in plan.inserts],
        )
        conn.execute(
            "INSERT INTO papers_fts(rowid, title, authors, abstract)"
            " SELECT pk, title, authors, abstract FROM papers WHERE pk > ?",
            (last_pk,),
        )
        conn.executemany(
            "UPDATE papers SET version=?, title=?, abstract=?, authors=?, categories=?,"
            " primary_category=?, comment=?, journal_ref=?, doi=?, license=?, published=?,"
            " updated=?, links=?, content_hash=?, modified_at=? WHERE id=?",
            [(*_paper_row(p, h)[1:], now, p.id) for p, h in plan.updates],
        )
        changed = [p for p, _ in (*plan.inserts, *plan.updates)]
        self._write_children(conn, changed, replace=bool(plan.updates))
        return IngestCounts(
            new=len(plan.inserts), updated=len(plan.updates), unchanged=plan.unchanged
        )

    def _write_children(self, conn: sqlite3.Connection, papers: list[Paper], replace: bool) -> None:
        """Authors, categories and versions rows of papers just inserted or changed."""
        if replace:
            ids = [(p.id,) for p in papers]
            conn.executemany("DELETE FROM paper_authors WHERE paper_id=?", ids)
            conn.executemany("DELETE FROM paper_categories WHERE paper_id=?", ids)
        conn.executemany(
            "INSERT INTO paper_authors VALUES (?,?,?)",
            [(p.id, i, name) for p in papers for i, name in enumerate(p.authors)],
        )
        conn.executemany(
            "INSERT INTO paper_categories VALUES (?,?)",
            [(p.id, c) for p in papers for c in p.categories],
        )
        conn.executemany(
            "INSERT INTO paper_versions VALUES (?,?,?,?) ON CONFLICT DO UPDATE SET"
            " submitted_at=excluded.submitted_at, size=excluded.size",
            [(p.id, v.number, iso(v.submitted_at), v.size) for p in papers for v in p.versions],
        )

    def known_fingerprints(self, fingerprints: Sequence[int]) -> set[int]:
        found: set[int] = set()
        for chunk in _chunks(list(fingerprints)):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT fingerprint FROM seen_lines WHERE fingerprint IN ({marks})"
            found.update(row[0] for row in self._conn.execute(sql, chunk))
        return found

    def _stored_hashes(self, conn: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(f"SELECT id, content_hash FROM papers WHERE id IN ({marks})", chunk)
            found.update(rows.fetchall())
        return found

    def _load_papers(self, conn: sqlite3.Connection, ids: list[str]) -> dict[str, Paper]:
        found: dict[str, Paper] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT {_PAPER_COLUMNS} FROM papers WHERE id IN ({marks})"
            for row in conn.execute(sql, chunk):
                paper = self._row_to_paper(conn, row)
                found[paper.id] = paper
        return found

    def _row_to_paper(self, conn: sqlite3.Connection, row: sqlite3.Row) -> Paper:
        versions = conn.execute(
            "SELECT version, submitted_at, size FROM paper_versions WHERE paper_id=?"
            " ORDER BY version",
            (row["id"],),
        ).fetchall()
        return paper_from_json(
            {
                **dict(row),
                "authors": json.loads(row["authors"]),
                "categories": json.loads(row["categories"]),
                "links": [{"kind": k, "url": u} for k, u in json.loads(row["links"])],
                "versions": [
                    {"version": v[0], "submitted_at": v[1], "size": v[2]} for v in versions
                ],
            }
        )

    def _upsert_listings(
        self, conn: sqlite3.Connection, listings: Sequence[Listing]
    ) -> IngestCounts:
        latest = {(lst.day.isoformat(), lst.paper_id): _listing_row(lst) for lst in listings}
        existing: dict[tuple[str, str], tuple[Any, ...]] = {}
        for key in latest:
            row = conn.execute(
                "SELECT day, paper_id, position, submitted_by, submitted_at, upvotes,"
                " num_comments, github_stars FROM listings WHERE day=? AND paper_id=?",
                key,
            ).fetchone()
            if row is not None:
                existing[key] = tuple(row)
        changed = [row for key, row in latest.items() if existing.get(key) != row]
        conn.executemany(
            "INSERT INTO listings VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (day, paper_id) DO UPDATE"
            " SET position=excluded.position,"
            " submitted_by=coalesce(excluded.submitted_by, submitted_by),"
            " submitted_at=coalesce(excluded.submitted_at, submitted_at),"
            " upvotes=excluded.upvotes, num_comments=excluded.num_comments,"
            " github_stars=coalesce(excluded.github_stars, github_stars)",
            changed,
        )
        new = sum(1 for row in changed if (row[0], row[1]) not in existing)
        return IngestCounts(listings_new=new, listings_updated=len(changed) - new)

    def _quarantine(self, conn: sqlite3.Connection, rejected: Sequence[Rejected]) -> IngestCounts:
        now = self._now()
        conn.executemany(
            "INSERT OR IGNORE INTO quarantine (source, reason, raw, raw_hash, created_at)"
            " VALUES (?,?,?,?,?)",
            [
                (r.source, r.reason, r.raw, hashlib.sha256(r.raw.encode()).hexdigest(), now)
                for r in rejected
            ],
        )
        return IngestCounts(quarantined=len(rejected))

    def _save_checkpoint(self, conn: sqlite3.Connection, key: str, value: str | None) -> None:
        if value is None:
            conn.execute("DELETE FROM checkpoints WHERE key=?", (key,))
        else:
            conn.execute(
                "INSERT INTO checkpoints VALUES (?,?,?) ON CONFLICT (key) DO UPDATE"
                " SET value=excluded.value, saved_at=excluded.saved_at",
                (key, value, self._now()),
            )

    def get_checkpoint(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM checkpoints WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def get_paper(self, paper_id: str) -> Paper | None:
        return self._load_papers(self._conn, [paper_id]).get(paper_id)

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        return self._load_papers(self._conn, list(paper_ids))

    def lexical_watermark(self) -> fts.StoreWatermark:
        return fts.store_watermark(self._conn)

    def iter_papers_modified_since(
        self, since: str | None, batch_size: int = 1000
    ) -> Iterator[Paper]:
        for ids in fts.iter_modified_ids(self._conn, since, batch_size):
            papers = self._load_papers(self._conn, ids)
            yield from (papers[paper_id] for paper_id in ids if paper_id in papers)

    def listings_for(self, day: date) -> list[tuple[Listing, Paper]]:
        rows = self._conn.execute(
            "SELECT * FROM listings WHERE day=? ORDER BY position, paper_id", (day.isoformat(),)
        ).fetchall()
        papers = self._load_papers(self._conn, [row["paper_id"] for row in rows])
        return [(_row_to_listing(row), papers[row["paper_id"]]) for row in rows]

    def listings_of(self, paper_id: str) -> list[Listing]:
        rows = self._conn.execute(
            "SELECT * FROM listings WHERE paper_id=? ORDER BY day DESC", (paper_id,)
        )
        return [_row_to_listing(row) for row in rows]

    def latest_listing_day(self, on_or_before: date | None = None) -> date | None:
        limit = (on_or_before or date.max).isoformat()
        row = self._conn.execute("SELECT max(day) FROM listings WHERE day<=?", (limit,)).fetchone()
        return date.fromisoformat(row[0]) if row[0] else None

    def iter_papers(self, batch_size: int = 1000) -> Iterator[Paper]:
        last = ""
        while True:
            rows = self._conn.execute(
                f"SELECT {_PAPER_COLUMNS} FROM papers WHERE id > ? ORDER BY id LIMIT ?",
                (last, batch_size),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield self._row_to_paper(self._conn, row)
            last = rows[-1]["id"]

    def embed_tasks(self, model: str, after_pk: int = 0, limit: int = 1000) -> list[EmbedTask]:
        return sqlite_vectors.tasks(self._conn, model, after_pk, limit)

    def count_embed_tasks(self, model: str) -> int:
        return sqlite_vectors.count_tasks(self._conn, model)

    def save_embeddings(self, model: str, rows: Sequence[EmbeddingRow]) -> None:
        with self._transaction() as conn:
            sqlite_vectors.save(conn, model, rows)

    def iter_vectors(
        self, model: str, batch_size: int = 10_000
    ) -> Iterator[list[tuple[int, bytes]]]:
        return sqlite_vectors.iter_vectors(self._conn, model, batch_size)

    def vector_seq(self, model: str) -> int:
        return sqlite_vectors.last_seq(self._conn, model)

    def iter_changed_vectors(
        self, model: str, after_seq: int, batch_size: int = 10_000
    ) -> Iterator[list[tuple[int, bytes]]]:
        return sqlite_vectors.iter_changed_vectors(self._conn, model, after_seq, batch_size)

    def vector_of(self, model: str, paper_id: str) -> bytes | None:
        return sqlite_vectors.vector_of(self._conn, model, paper_id)

    def embedding_models(self) -> list[tuple[str, int]]:
        return sqlite_vectors.models(self._conn)

    def ids_for(self, pks: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in _chunks(list(pks)):
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(f"SELECT pk, id FROM papers WHERE pk IN ({marks})", chunk)
            found.update((int(pk), str(pid)) for pk, pid in rows)
        return found

    def stats(self) -> StoreStats:
        one = self._scalar
        days = self._conn.execute("SELECT count(DISTINCT day), min(day), max(day) FROM listings")
        n_days, first, last = days.fetchone()
        top = self._conn.execute(
            "SELECT primary_category, count(*) FROM papers WHERE primary_category IS NOT NULL"
            " GROUP BY primary_category ORDER BY count(*) DESC, primary_category LIMIT 10"
        ).fetchall()
        return StoreStats(
            papers=one("SELECT count(*) FROM papers"),
            versions=one("SELECT count(*) FROM paper_versions"),
            authors=one("SELECT count(DISTINCT name) FROM paper_authors"),
            listings=one("SELECT count(*) FROM listings"),
            listing_days=n_days,
            first_day=date.fromisoformat(first) if first else None,
            last_day=date.fromisoformat(last) if last else None,
            quarantined=one("SELECT count(*) FROM quarantine"),
            categories=tuple((str(c), int(n)) for c, n in top),
        )

    def list_quarantine(self, limit: int = 50, source: str | None = None) -> list[QuarantineEntry]:
        rows = self._conn.execute(
            "SELECT id, source, reason, raw, created_at FROM quarantine"
            " WHERE ? IS NULL OR source LIKE ? || '%' ORDER BY id DESC LIMIT ?",
            (source, source, limit),
        ).fetchall()
        return [QuarantineEntry(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4])) for r in rows]

    # --- accounts and community (SQL in sqlite_community.py) ---

    def create_user(self, username: str, email: str | None, password_hash: str) -> User:
        with self._transaction() as conn:
            return community.create_user(conn, username, email, password_hash, self.clock.now())

    def user_by_id(self, user_id: int) -> User | None:
        return community.user_by_id(self._conn, user_id)

    def user_login(self, name_or_email: str) -> tuple[User, str] | None:
        return community.user_login(self._conn, name_or_email)

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        with self._transaction() as conn:
            community.set_password_hash(conn, user_id, password_hash)

    def set_admin(self, user_id: int, is_admin: bool) -> None:
        with self._transaction() as conn:
            community.set_admin(conn, user_id, is_admin)

    def save_session(self, token_hash: str, user_id: int, expires_at: datetime) -> None:
        with self._transaction() as conn:
            community.save_session(conn, token_hash, user_id, expires_at, self.clock.now())

    def session_user(self, token_hash: str) -> User | None:
        return community.session_user(self._conn, token_hash, self.clock.now())

    def delete_session(self, token_hash: str) -> None:
        with self._transaction() as conn:
            community.delete_session(conn, token_hash)

    def save_api_token(self, token_hash: str, user_id: int, name: str) -> None:
        with self._transaction() as conn:
            community.save_api_token(conn, token_hash, user_id, name, self.clock.now())

    def api_token_user(self, token_hash: str) -> User | None:
        now = self.clock.now()
        found = community.api_token_user(self._conn, token_hash, now)
        if found is None:
            return None
        user, due = found
        if due:  # a write only when last_used_at is stale, so most API calls only read
            with self._transaction() as conn:
                community.touch_api_token(conn, token_hash, now)
        return user

    def api_tokens_of(self, user_id: int) -> list[ApiTokenInfo]:
        return community.api_tokens_of(self._conn, user_id)

    def revoke_api_token(self, user_id: int, token_id: str) -> bool:
        with self._transaction() as conn:
            return community.revoke_api_token(conn, user_id, token_id)

    def set_vote(self, user_id: int, paper_id: str, up: bool) -> VoteState:
        with self._transaction() as conn:
            return community.set_vote(conn, user_id, paper_id, up, self.clock.now())

    def upvotes(self, paper_ids: Sequence[str]) -> dict[str, int]:
        return community.upvotes(self._conn, paper_ids)

    def voted(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        return community.voted(self._conn, user_id, paper_ids)

    def add_comment(self, user_id: int, paper_id: str, body: str) -> Comment:
        with self._transaction() as conn:
            return community.add_comment(conn, user_id, paper_id, body, self.clock.now())

    def comment_by_id(self, comment_id: int) -> Comment | None:
        return community.comment_by_id(self._conn, comment_id)

    def comments_for(self, paper_id: str) -> list[Comment]:
        return community.comments_for(self._conn, paper_id)

    def delete_comment(self, comment_id: int) -> None:
        with self._transaction() as conn:
            community.delete_comment(conn, comment_id, self.clock.now())

    def comment_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        return community.comment_counts(self._conn, paper_ids)

    def collections_of(self, user_id: int) -> list[Collection]:
        return community.collections_of(self._conn, user_id)

    def add_to_collection(self, user_id: int, name: str, paper_id: str) -> Collection:
        with self._transaction() as conn:
            now = self.clock.now()
            return community.add_to_collection(conn, user_id, name, paper_id, now)

    def remove_from_collection(self, user_id: int, collection_id: int, paper_id: str) -> None:
        with self._transaction() as conn:
            community.remove_from_collection(conn, user_id, collection_id, paper_id)

    def collection_papers(self, user_id: int, collection_id: int) -> list[Paper]:
        return self._papers_in_order(
            community.collection_paper_ids(self._conn, user_id, collection_id)
        )

    def bookmarked(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        return community.bookmarked(self._conn, user_id, paper_ids)

    def set_follow(self, user_id: int, follow: Follow, on: bool) -> None:
        with self._transaction() as conn:
            community.set_follow(conn, user_id, follow, on, self.clock.now())

    def follows_of(self, user_id: int) -> list[Follow]:
        return community.follows_of(self._conn, user_id)

    def add_listing(self, listing: Listing) -> bool:
        with self._transaction() as conn:
            return community.add_listing(conn, _listing_row(listing))

    def remove_listing(self, day: date, paper_id: str) -> bool:
        with self._transaction() as conn:
            return community.remove_listing(conn, day, paper_id)

    def listings_between(self, since: date, until: date) -> list[tuple[Listing, Paper]]:
        rows = community.listings_between(self._conn, since, until)
        papers = self._load_papers(self._conn, list({row["paper_id"] for row in rows}))
        return [(_row_to_listing(row), papers[row["paper_id"]]) for row in rows]

    def listing_days(self, since: date, until: date) -> list[tuple[date, int]]:
        return community.listing_days(self._conn, since, until)

    def trending_signals(self, since: date, until: date) -> list[PaperSignals]:
        return community.trending_signals(self._conn, since, until)

    def papers_by_author(self, name: str, limit: int, offset: int = 0) -> list[Paper]:
        return self._papers_in_order(community.paper_ids_by_author(self._conn, name, limit, offset))

    def papers_in_category(self, category: str, limit: int, offset: int = 0) -> list[Paper]:
        return self._papers_in_order(
            community.paper_ids_in_category(self._conn, category, limit, offset)
        )

    def record_write(self, actor: str, action: str, limit: int, window_s: int) -> int | None:
        with self._transaction() as conn:
            now = self.clock.now()
            return community.record_write(conn, actor, action, limit, window_s, now)

    def _papers_in_order(self, ids: list[str]) -> list[Paper]:
        papers = self._load_papers(self._conn, ids)
        return [papers[paper_id] for paper_id in ids if paper_id in papers]

    def _scalar(self, sql: str) -> int:
        return int(self._conn.execute(sql).fetchone()[0])

    def _now(self) -> str:
        return self.clock.now().isoformat()


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
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as error:
        raise StoreError(f"cannot open {path} as a papertide database: {error}") from None
    return conn


def _paper_row(paper: Paper, hashed: str) -> tuple[Any, ...]:
    data = paper_to_json(paper)
    return (
        paper.id,
        paper.version,
        paper.title,
        paper.abstract,
        json.dumps(data["authors"], ensure_ascii=False),
        json.dumps(data["categories"], ensure_ascii=False),
        paper.primary_category,
        paper.comment,
        paper.journal_ref,
        paper.doi,
        paper.license,
        data["published"],
        data["updated"],
        json.dumps([[link.kind, link.url] for link in paper.links], ensure_ascii=False),
        hashed,
    )


def _listing_row(listing: Listing) -> tuple[Any, ...]:
    return (
        listing.day.isoformat(),
        listing.paper_id,
        listing.position,
        listing.submitted_by,
        iso(listing.submitted_at),
        listing.upvotes,
        listing.num_comments,
        listing.github_stars,
    )


def _row_to_listing(row: sqlite3.Row) -> Listing:
    return Listing(
        day=date.fromisoformat(row["day"]),
        paper_id=row["paper_id"],
        position=row["position"],
        submitted_by=row["submitted_by"],
        submitted_at=datetime.fromisoformat(row["submitted_at"]) if row["submitted_at"] else None,
        upvotes=row["upvotes"],
        num_comments=row["num_comments"],
        github_stars=row["github_stars"],
    )


def _chunks(items: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


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
