"""The paper side of PostgresStore: ingest batches, papers, listings, quarantine, checkpoints,
stats and what derived indexes read. Same contract as SqliteStore (see store/base.py).
Which reads may use a read replica: see PgBase."""

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
from papertide.store.postgres import write
from papertide.store.postgres.connection import MIGRATE_LOCK, WRITE_LOCK, Connection, PgBase
from papertide.store.postgres.rows import (
    LISTING_COLUMNS,
    PAPER_COLUMNS,
    bigint_array,
    load_papers,
    papers_from_rows,
    row_to_listing,
)

# Indexes of m001 that only reads use: a load into an empty store builds them once at its end
# instead of inserting every row into them as it goes (as SqliteStore does). Not papers'
# primary-category index: its build reads the whole table (0.18 s for 74,728 papers), more than
# its upkeep during the load costs
LOAD_INDEXES = {
    "paper_authors_name": "paper_authors (lower(name))",
    "paper_categories_category": "paper_categories (category)",
}
# m001's keys of the rows written from a paper's own columns: a trigger checks each foreign key
# row by row and each primary key takes its rows one by one, all over its index (the 74,728-paper
# file's 561,724 author and category rows: the server's largest cost), so a load into an empty
# store adds them at its end, where one join checks every row of a foreign key and one sort
# builds a primary key (nothing looks a paper's rows up by these keys during the load but an
# update of a paper met twice, which then reads its table through)
TO_PAPER = "FOREIGN KEY (paper_id) REFERENCES papers (id)"
LOAD_KEYS = {
    "paper_authors_pkey": ("paper_authors", "PRIMARY KEY (paper_id, position)"),
    "paper_categories_pkey": ("paper_categories", "PRIMARY KEY (paper_id, category)"),
    "paper_versions_pkey": ("paper_versions", "PRIMARY KEY (paper_id, version)"),
    "paper_authors_paper_id_fkey": ("paper_authors", TO_PAPER),
    "paper_categories_paper_id_fkey": ("paper_categories", TO_PAPER),
    "paper_versions_paper_id_fkey": ("paper_versions", TO_PAPER),
}


class PgPapers(PgBase):
    """Papers and everything ingest writes with them."""

    writes_wait_on_server = True  # see Store

    def migrate(self) -> list[str]:
        """The migrations, then LOAD_INDEXES and LOAD_KEYS that a killed load left out."""
        applied = super().migrate()
        self._build_load_indexes()
        return applied

    def write_batch(
        self,
        records: Sequence[Record],
        rejected: Sequence[Rejected],
        checkpoint: tuple[str, str | None] | None = None,
        fingerprints: Sequence[int] = (),
    ) -> IngestCounts:
        with self._transaction(WRITE_LOCK) as conn:
            # read after the lock: modified_at then follows commit order, so a derived index
            # syncing from the watermark never skips a batch that committed late
            now = self._now()
            write.save_fingerprints(conn, fingerprints)
            counts = write.upsert_papers(conn, records, now)
            counts += write.upsert_listings(conn, [r.listing for r in records if r.listing])
            counts += write.quarantine(conn, rejected, now)
            write.save_extras(conn, records)
            if checkpoint is not None:
                write.save_checkpoint(conn, *checkpoint, now)
        return counts

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Into an empty store, LOAD_INDEXES and LOAD_KEYS are dropped first and made again
        at the end (also when the load fails or stops; when it is killed, by the next
        migrate). Only ingest writes the rows they cover, from the papers it writes."""
        with self._transaction(WRITE_LOCK) as conn:
            row = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM papers)").fetchone()
            empty = bool(row and row[0])
            if empty:
                for name in LOAD_INDEXES:
                    conn.execute(f"DROP INDEX IF EXISTS {name}".encode())
                for name, (table, _) in LOAD_KEYS.items():
                    conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}".encode())
        try:
            yield
        finally:
            if empty:
                self._build_load_indexes()

    def _build_load_indexes(self) -> None:
        """LOAD_INDEXES and LOAD_KEYS that are missing, made (read first: most opens find
        them all)."""
        with self._transaction(MIGRATE_LOCK) as conn:
            missing = conn.execute(
                "SELECT name FROM unnest(%s::text[]) AS name WHERE name NOT IN"
                " (SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
                " UNION ALL SELECT conname FROM pg_constraint"
                " WHERE connamespace = current_schema()::regnamespace)",
                ([*LOAD_INDEXES, *LOAD_KEYS],),
            ).fetchall()
            for (name,) in missing:
                if name in LOAD_INDEXES:
                    conn.execute(f"CREATE INDEX {name} ON {LOAD_INDEXES[name]}".encode())
                else:
                    table, key = LOAD_KEYS[name]
                    conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {key}".encode())

    def known_fingerprints(self, fingerprints: Sequence[int]) -> set[int]:
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT fingerprint FROM seen_lines WHERE fingerprint = ANY(%s::bigint[])",
                (bigint_array(fingerprints),),
            )
            return {int(row[0]) for row in rows}

    def get_checkpoint(self, key: str) -> str | None:
        with self._transaction() as conn:
            row = conn.execute("SELECT value FROM checkpoints WHERE key=%s", (key,)).fetchone()
        return None if row is None else str(row[0])

    def get_paper(self, paper_id: str) -> Paper | None:
        return self.get_papers([paper_id]).get(paper_id)

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        return self._lookup(load_papers, paper_ids)  # replica

    def lexical_watermark(self) -> StoreWatermark:
        with self._transaction() as conn:
            row = conn.execute("SELECT count(*), max(modified_at) FROM papers").fetchone()
        assert row is not None
        return StoreWatermark(int(row[0]), None if row[1] is None else row[1].isoformat())

    def iter_papers_modified_since(
        self, since: str | None, batch_size: int = 1000
    ) -> Iterator[Paper]:
        """`>=` rather than `>`: rows written in the same instant as the last sync are read
        again, which a derived index must treat as idempotent re-adds."""
        after = None if since is None else datetime.fromisoformat(since)
        last_pk = 0
        while True:
            with self._transaction() as conn:
                rows = conn.execute(
                    f"SELECT pk, {PAPER_COLUMNS} FROM papers WHERE pk > %s"
                    " AND (%s::timestamptz IS NULL OR modified_at >= %s) ORDER BY pk LIMIT %s",
                    (last_pk, after, after, batch_size),
                ).fetchall()
                papers = papers_from_rows(conn, [row[1:] for row in rows])
            if not rows:
                return
            yield from papers.values()
            last_pk = int(rows[-1][0])

    def iter_papers(self, batch_size: int = 1000) -> Iterator[Paper]:
        last = ""
        while True:
            with self._read() as conn:  # replica
                rows = conn.execute(
                    f"SELECT {PAPER_COLUMNS} FROM papers WHERE id > %s ORDER BY id LIMIT %s",
                    (last, batch_size),
                ).fetchall()
                papers = papers_from_rows(conn, rows)
            if not rows:
                return
            yield from papers.values()
            last = rows[-1][0]

    def listings_for(self, day: date) -> list[tuple[Listing, Paper]]:
        """The listings from the primary (users submit them), their papers from the replica."""
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {LISTING_COLUMNS} FROM listings WHERE day=%s ORDER BY position, paper_id",
                (day,),
            ).fetchall()
        papers = self.get_papers([row[1] for row in rows])
        return [(row_to_listing(row), papers[row[1]]) for row in rows]

    def listings_of(self, paper_id: str) -> list[Listing]:
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {LISTING_COLUMNS} FROM listings WHERE paper_id=%s ORDER BY day DESC",
                (paper_id,),
            ).fetchall()
        return [row_to_listing(row) for row in rows]

    def latest_listing_day(self, on_or_before: date | None = None) -> date | None:
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT max(day) FROM listings WHERE day <= %s", (on_or_before or date.max,)
            ).fetchone()
        return None if row is None else row[0]

    def stats(self) -> StoreStats:
        with self._read() as conn:  # replica
            counts = conn.execute(
                "SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM paper_versions),"
                " (SELECT count(DISTINCT name) FROM paper_authors),"
                " (SELECT count(*) FROM listings), (SELECT count(*) FROM quarantine),"
                " (SELECT count(DISTINCT day) FROM listings),"
                " (SELECT min(day) FROM listings), (SELECT max(day) FROM listings)"
            ).fetchone()
            top = conn.execute(
                "SELECT primary_category, count(*) FROM papers WHERE primary_category IS NOT NULL"
                " GROUP BY primary_category ORDER BY count(*) DESC, primary_category LIMIT 10"
            ).fetchall()
        assert counts is not None
        papers, versions, authors, listings, quarantined, days, first, last = counts
        return StoreStats(
            papers=papers,
            versions=versions,
            authors=authors,
            listings=listings,
            listing_days=days,
            first_day=first,
            last_day=last,
            quarantined=quarantined,
            categories=tuple((str(c), int(n)) for c, n in top),
        )

    def list_quarantine(self, limit: int = 50, source: str | None = None) -> list[QuarantineEntry]:
        """Most recent first; `source` matches as a prefix, ignoring case as SQLite's LIKE does."""
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT id, source, reason, raw, created_at FROM quarantine"
                " WHERE %(s)s::text IS NULL OR source ILIKE %(s)s || '%%' ORDER BY id DESC"
                " LIMIT %(n)s",
                {"s": source, "n": limit},
            ).fetchall()
        return [QuarantineEntry(*row) for row in rows]

    def ids_for(self, pks: Sequence[int]) -> dict[int, str]:
        return self._lookup(_ids_for, pks)  # replica


def _ids_for(conn: Connection, pks: list[int]) -> dict[int, str]:
    rows = conn.execute("SELECT pk, id FROM papers WHERE pk = ANY(%s::bigint[])", (pks,))
    return {int(pk): str(pid) for pk, pid in rows}
