"""bench/fts.py: the in-database full-text baselines a benchmark installs on its own store
(FTS5 on SQLite, the weighted tsvector on PostgreSQL) follow what the store writes, and their
queries take any text."""

import sqlite3
from pathlib import Path

import psycopg
import pytest

from bench import fts
from papertide.clock import FixedClock
from papertide.models import Paper, Record
from papertide.store.postgres import PostgresStore
from papertide.store.sqlite import SqliteStore

PAPERS = [
    Paper("2501.00001", "Quantum codes", "Stabilizer codes and decoders.", ("Ann Lee",)),
    Paper("2501.00002", "Belief propagation", "Quantum decoders compared.", ("Bo Chen",)),
    Paper("2501.00003", "NEAR duplicates (AND more)", "Finding near-duplicate text.", ()),
]
EVEN = (1.0, 1.0, 1.0)


@pytest.fixture
def fts5(tmp_path: Path):
    """A migrated SQLite store with the FTS5 baseline installed before any write."""
    store = SqliteStore(tmp_path / "t.db", FixedClock())
    store.migrate()
    conn = sqlite3.connect(store.path, isolation_level=None)
    fts.install_fts5(conn)
    yield store, conn
    conn.close()
    store.close()


def test_fts5_indexes_what_ingest_writes_and_ranks_with_column_weights(fts5):
    store, conn = fts5
    store.write_batch([Record(p) for p in PAPERS], [])
    hits = fts.search_fts(conn, fts.match_any(["quantum"]), (3.0, 2.0, 1.0), 10)
    assert [h.paper_id for h in hits] == ["2501.00001", "2501.00002"]
    assert hits[0].score > hits[1].score > 0
    renamed = Paper("2501.00001", "Classical codes", "Nothing.", ("Ann Lee",), version=2)
    store.write_batch([Record(renamed)], [])
    assert [h.paper_id for h in fts.search_fts(conn, fts.match_any(["quantum"]), EVEN, 10)] == [
        "2501.00002"
    ]
    conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")


def test_fts5_match_strings_quote_every_token(fts5):
    store, conn = fts5
    store.write_batch([Record(p) for p in PAPERS], [])
    for tokens in (["NEAR", "AND"], ['"', "*", "(", ")", ":", "^"], ["title:x", "OR", "NOT"]):
        fts.search_fts(conn, fts.match_any(tokens), EVEN, 5)  # no syntax error
        fts.search_fts(conn, fts.match_all(tokens), EVEN, 5)
    assert fts.quote_fts_token('a"b') == '"a""b"'
    both = fts.search_fts(conn, fts.match_all(["quantum", "compared"]), EVEN, 5)
    assert [h.paper_id for h in both] == ["2501.00002"]
    assert fts.search_fts(conn, fts.match_any([]), EVEN, 5) == []


def test_fts5_rebuild_indexes_papers_written_before_it_was_installed(tmp_path):
    store = SqliteStore(tmp_path / "t.db", FixedClock())
    store.migrate()
    store.write_batch([Record(p) for p in PAPERS], [])
    conn = sqlite3.connect(store.path, isolation_level=None)
    fts.install_fts5(conn)
    assert fts.search_fts(conn, fts.match_any(["decoders"]), EVEN, 5) == []
    fts.rebuild_fts(conn)
    assert len(fts.search_fts(conn, fts.match_any(["decoders"]), EVEN, 5)) == 2
    assert fts.fts_index_bytes(conn) > 0
    conn.close()
    store.close()


@pytest.fixture
def tsvector(pg_database):
    """A migrated PostgreSQL store (its own database) with the tsvector baseline installed."""
    store = PostgresStore(pg_database(), FixedClock())
    store.migrate()
    conn = psycopg.connect(store.url)
    fts.install_tsvector(conn)
    yield store, conn
    conn.close()
    store.close()


@pytest.mark.postgres
def test_tsvector_weights_title_over_authors_over_abstract(tsvector):
    store, conn = tsvector
    store.write_batch(
        [
            Record(Paper("2501.00001", "Kittens", "Cats are small.")),
            Record(Paper("2501.00002", "Cats", "Many kittens here.")),
            Record(Paper("2501.00003", "Dogs", "None.", ("Kitten Smith",))),
        ],
        [],
    )
    hits = fts.search_tsvector(conn, ["kitten"], 10)
    assert [h.paper_id for h in hits] == ["2501.00001", "2501.00003", "2501.00002"]
    assert hits[0].score > hits[1].score > hits[2].score > 0


@pytest.mark.postgres
def test_tsvector_follows_updates_matches_any_word_and_takes_any_text(tsvector):
    store, conn = tsvector
    store.write_batch(
        [
            Record(Paper("2501.00001", "Quantum kittens", "Cats are small.", version=1)),
            Record(Paper("2501.00002", "Puppies", "Dogs are loud.")),
            Record(Paper("2501.00003", "Parrots", "Birds talk.")),
        ],
        [],
    )
    store.write_batch([Record(Paper("2501.00001", "Classical kittens", "Cats.", version=2))], [])
    assert [h.paper_id for h in fts.search_tsvector(conn, ["quantum"], 10)] == []
    hostile = ["kitten", "puppies", "':* & | ! ( ) <-> \\", "the", ""]
    found = {h.paper_id for h in fts.search_tsvector(conn, hostile, 10)}
    assert found == {"2501.00001", "2501.00002"}
    assert fts.search_tsvector(conn, ["", "  "], 10) == []
    assert len(fts.search_tsvector(conn, ["kitten", "puppies"], 1)) == 1
