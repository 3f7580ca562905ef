import sqlite3

import pytest

from papertide.clock import FixedClock
from papertide.errors import StoreError
from papertide.models import Paper, Record
from papertide.store.migrations import load_migrations
from papertide.store.sqlite import SqliteStore


def make(pid: str = "2501.00001", **fields: object) -> Paper:
    base: dict[str, object] = {
        "id": pid,
        "title": f"Paper {pid}",
        "abstract": "About graph neural networks.",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "categories": ("cs.LG", "cs.AI"),
    }
    return Paper(**{**base, **fields})  # type: ignore[arg-type]


def test_migrate_twice_applies_nothing_the_second_time(tmp_path):
    store = SqliteStore(tmp_path / "m.db", FixedClock())
    applied = store.migrate()
    assert applied == sorted(m.name for m in load_migrations())  # every one, in number order
    assert applied[:5] == [
        "m001_papers",
        "m002_fts",
        "m003_seen_lines",
        "m004_embeddings",
        "m005_community",
    ]
    assert store.migrate() == []


def test_fts_index_follows_inserts_and_updates(store):
    store.write_batch([Record(make(title="Quantum kittens", version=1))], [])
    store.write_batch([Record(make(title="Classical puppies", version=2))], [])
    conn = sqlite3.connect(store.path)
    hits = conn.execute(
        "SELECT p.id FROM papers_fts JOIN papers p ON p.pk = papers_fts.rowid"
        " WHERE papers_fts MATCH ?",
        ("puppies",),
    ).fetchall()
    assert hits == [("2501.00001",)]
    gone = conn.execute("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'kittens'")
    assert gone.fetchone() == (0,)
    conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")


def test_opening_a_non_database_file_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"cannot open .* as a papertide database"):
        SqliteStore(junk, FixedClock())


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no directory"):
        SqliteStore(tmp_path / "nope" / "t.db", FixedClock())
