"""The paper side of SqliteStore: ingest batches, papers, listings, quarantine, checkpoints,
stats and what derived indexes read. Same contract as PostgresStore (see store/base.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime

from papertide.models import (
    IngestCounts,
    Listing,
    Paper,
    QuarantineEntry,
    Record,
    Rejected,
    StoreStats,
)
from papertide.store.base import StoreWatermark
from papertide.store.sqlite import write
from papertide.store.sqlite.connection import WRITE_BATCH_CACHE_KIB, SqliteBase, chunks, marks
from papertide.store.sqlite.rows import (
    PAPER_COLUMNS,
    load_papers,
    papers_from_rows,
    row_to_listing,
)

# Indexes of m001 that only reads use, none of them named by an INDEXED BY (a query runs,
# slower, without one): a load into an empty store builds them once at its end, by one sort
# each, instead of inserting every row into them all over the file (the 74,728-paper file:
# about 1.5 s less writer CPU, the authors' name index above all, for 0.7 s at the end)
LOAD_INDEXES = {
    "paper_authors_name": "paper_authors(name COLLATE NOCASE)",
    "paper_categories_category": "paper_categories(category)",
    "papers_primary_category": "papers(primary_category)",
}


class SqlitePapers(SqliteBase):
    """Papers and everything ingest writes with them."""

    writes_wait_on_server = False  # see Store

    def migrate(self) -> list[str]:
        """The migrations, then LOAD_INDEXES that a killed load left out."""
        applied = super().migrate()
        self._build_load_indexes()
        return applied

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Into an empty store, LOAD_INDEXES are dropped first and built at the end (also
        when the load fails or stops; when it is killed, by the next migrate)."""
        with self._transaction() as conn:
            empty = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM papers)").fetchone()[0]
            if empty:
                for name in LOAD_INDEXES:
                    conn.execute(f"DROP INDEX IF EXISTS {name}")
        try:
            yield
        finally:
            if empty:
                self._build_load_indexes()

    def _build_load_indexes(self) -> None:
        """LOAD_INDEXES that are missing, created (read first: most opens find them all)."""
        indexes = self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        if not {row[0] for row in indexes}.issuperset(LOAD_INDEXES):
            with self._transaction() as conn:
                for name, columns in LOAD_INDEXES.items():
                    conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {columns}")

    def write_batch(
        self,
        records: Sequence[Record],
        rejected: Sequence[Rejected],
        checkpoint: tuple[str, str | None] | None = None,
        fingerprints: Sequence[int] = (),
    ) -> IngestCounts:
        with self._transaction(WRITE_BATCH_CACHE_KIB) as conn:
            now = self._now()
            write.save_fingerprints(conn, fingerprints)
            counts = write.upsert_papers(conn, records, now)
            counts += write.upsert_listings(conn, [r.listing for r in records if r.listing])
            counts += write.quarantine(conn, rejected, now)
            write.save_extras(conn, records)
            if checkpoint is not None:
                write.save_checkpoint(conn, *checkpoint, now)
        return counts

    def known_fingerprints(self, fingerprints: Sequence[int]) -> set[int]:
        found: set[int] = set()
        for chunk in chunks(list(fingerprints)):
            sql = f"SELECT fingerprint FROM seen_lines WHERE fingerprint IN ({marks(chunk)})"
            found.update(row[0] for row in self._conn.execute(sql, chunk))
        return found

    def get_checkpoint(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM checkpoints WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def get_paper(self, paper_id: str) -> Paper | None:
        return load_papers(self._conn, [paper_id]).get(paper_id)

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        return load_papers(self._conn, paper_ids)

    def lexical_watermark(self) -> StoreWatermark:
        row = self._conn.execute("SELECT count(*), max(modified_at) FROM papers").fetchone()
        return StoreWatermark(int(row[0]), None if row[1] is None else str(row[1]))

    def iter_papers_modified_since(
        self, since: str | None, batch_size: int = 1000
    ) -> Iterator[Paper]:
        """`>=` rather than `>`: rows written in the same instant as the last sync are read
        again, which a derived index must treat as idempotent re-adds."""
        last_pk = 0
        while True:
            rows = self._conn.execute(
                f"SELECT pk, {PAPER_COLUMNS} FROM papers WHERE pk > ?"
                " AND (? IS NULL OR modified_at >= ?) ORDER BY pk LIMIT ?",
                (last_pk, since, since, batch_size),
            ).fetchall()
            if not rows:
                return
            yield from papers_from_rows(self._conn, rows).values()
            last_pk = int(rows[-1]["pk"])

    def iter_papers(self, batch_size: int = 1000) -> Iterator[Paper]:
        last = ""
        while True:
            rows = self._conn.execute(
                f"SELECT {PAPER_COLUMNS} FROM papers WHERE id > ? ORDER BY id LIMIT ?",
                (last, batch_size),
            ).fetchall()
            if not rows:
                return
            yield from papers_from_rows(self._conn, rows).values()
            last = rows[-1]["id"]

    def listings_for(self, day: date) -> list[tuple[Listing, Paper]]:
        rows = self._conn.execute(
            "SELECT * FROM listings WHERE day=? ORDER BY position, paper_id", (day.isoformat(),)
        ).fetchall()
        papers = load_papers(self._conn, [row["paper_id"] for row in rows])
        return [(row_to_listing(row), papers[row["paper_id"]]) for row in rows]

    def listings_of(self, paper_id: str) -> list[Listing]:
        rows = self._conn.execute(
            "SELECT * FROM listings WHERE paper_id=? ORDER BY day DESC", (paper_id,)
        )
        return [row_to_listing(row) for row in rows]

    def latest_listing_day(self, on_or_before: date | None = None) -> date | None:
        limit = (on_or_before or date.max).isoformat()
        row = self._conn.execute("SELECT max(day) FROM listings WHERE day<=?", (limit,)).fetchone()
        return date.fromisoformat(row[0]) if row[0] else None

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
        """Most recent first; `source` matches as a prefix (LIKE: ASCII letters in any case)."""
        rows = self._conn.execute(
            "SELECT id, source, reason, raw, created_at FROM quarantine"
            " WHERE ? IS NULL OR source LIKE ? || '%' ORDER BY id DESC LIMIT ?",
            (source, source, limit),
        ).fetchall()
        return [QuarantineEntry(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4])) for r in rows]

    def ids_for(self, pks: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in chunks(list(pks)):
            rows = self._conn.execute(
                f"SELECT pk, id FROM papers WHERE pk IN ({marks(chunk)})", chunk
            )
            found.update((int(pk), str(pid)) for pk, pid in rows)
        return found
