"""What ingest stores, row for row: files of real and edge-case records ingested into a fresh
SQLite store (small batches, so chunks go through the parsing process and papers repeat
across batches) give exactly the tables of tests/data/golden/ingest_store.json, written by
the code before the ingest speed-ups of issue #11 (see that folder's README). A faster path
in parsing or writing must store the same bytes.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from papertide.clock import FixedClock
from papertide.ingest import ingest
from papertide.sources.snapshot import SnapshotSource
from papertide.sources.tabular import JsonlSource
from papertide.store.sqlite import SqliteStore

DATA = Path(__file__).resolve().parents[2] / "data"
GOLDEN = DATA / "golden" / "ingest_store.json"

# every table ingest of these files writes, in a fixed order; times of writing left out
DUMPED = {
    "papers": "SELECT id, version, title, abstract, authors, categories, primary_category,"
    " comment, journal_ref, doi, license, published, updated, links, content_hash"
    " FROM papers ORDER BY id",
    "paper_authors": "SELECT * FROM paper_authors ORDER BY paper_id, position",
    "paper_categories": "SELECT * FROM paper_categories ORDER BY paper_id, category",
    "paper_versions": "SELECT * FROM paper_versions ORDER BY paper_id, version",
    "quarantine": "SELECT source, reason, raw, raw_hash FROM quarantine ORDER BY source, raw_hash",
    "seen_lines": "SELECT * FROM seen_lines ORDER BY fingerprint",
    "authors_by_name": "SELECT name, paper_id FROM paper_authors"
    " INDEXED BY paper_authors_name ORDER BY name COLLATE NOCASE, paper_id, position",
}


def ingest_fixtures(path: Path) -> dict[str, list[list[Any]]]:
    """The dump of a store at `path` after ingesting the fixture files, batches of 7 lines."""
    store = SqliteStore(path, FixedClock())
    store.migrate()
    files = DATA / "files"
    sources = [
        JsonlSource(files / "cs_listings_50.jsonl"),
        JsonlSource(files / "papers_bad.jsonl"),
        JsonlSource(files / "ingest_edge_cases.jsonl"),
        SnapshotSource(files / "snapshot_sample.jsonl"),
        SnapshotSource(files / "snapshot_bad.jsonl"),
    ]
    for source in sources:
        assert ingest(store, source, batch_size=7).error is None
    store.close()
    with sqlite3.connect(path) as conn:
        return {table: [list(row) for row in conn.execute(sql)] for table, sql in DUMPED.items()}


def test_ingest_stores_exactly_the_golden_tables(tmp_path: Path) -> None:
    dump = ingest_fixtures(tmp_path / "t.db")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert [len(dump[table]) for table in DUMPED] == [len(golden[table]) for table in DUMPED]
    for table in DUMPED:
        assert dump[table] == golden[table], table
