import sqlite3
from datetime import date

import pytest

from papertide.clock import FixedClock
from papertide.errors import StoreError
from papertide.models import Listing, Paper, Record, Rejected, Version
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
    assert store.migrate() == ["m001_papers", "m002_fts", "m003_seen_lines", "m004_embeddings"]
    assert store.migrate() == []


def test_write_batch_counts_new_unchanged_updated(store):
    counts = store.write_batch([Record(make()), Record(make("2501.00002"))], [])
    assert (counts.new, counts.updated, counts.unchanged) == (2, 0, 0)
    counts = store.write_batch([Record(make()), Record(make("2501.00002"))], [])
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 2)
    counts = store.write_batch([Record(make(comment="5 pages"))], [])
    assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 0)
    assert store.get_paper("2501.00001").comment == "5 pages"
    assert store.stats().papers == 2


def test_same_paper_twice_in_one_batch_is_merged_not_duplicated(store):
    counts = store.write_batch([Record(make(version=1)), Record(make(version=2, doi="d"))], [])
    assert counts.new == 1
    stored = store.get_paper("2501.00001")
    assert (stored.version, stored.doi) == (2, "d")


def test_newer_version_updates_and_keeps_version_history(store):
    store.write_batch([Record(make(version=1, versions=(Version(1),)))], [])
    store.write_batch([Record(make(version=2, title="Better", versions=(Version(2),)))], [])
    store.write_batch([Record(make(version=1, title="Old", versions=(Version(1),)))], [])
    stored = store.get_paper("2501.00001")
    assert stored.title == "Better"
    assert [v.number for v in stored.versions] == [1, 2]
    assert store.stats().versions == 2


def test_authors_and_categories_rows_follow_updates(store):
    store.write_batch([Record(make(version=1))], [])
    newer = make(version=2, authors=("Grace Hopper",), categories=("cs.PL",))
    store.write_batch([Record(newer)], [])
    stored = store.get_paper("2501.00001")
    assert stored.authors == ("Grace Hopper",)
    assert store.stats().authors == 1
    assert store.stats().categories == (("cs.PL", 1),)


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


def test_listings_upsert_one_row_per_day_and_paper(store):
    day = date(2026, 8, 21)
    first = store.write_batch([Record(make(), Listing(day, "2501.00001", 0, "ann", upvotes=3))], [])
    again = store.write_batch([Record(make(), Listing(day, "2501.00001", 0, "ann", upvotes=3))], [])
    later = store.write_batch([Record(make(), Listing(day, "2501.00001", 0, None, upvotes=9))], [])
    assert (first.listings_new, again.listings_new, again.listings_updated) == (1, 0, 0)
    assert later.listings_updated == 1
    [(listing, paper)] = store.listings_for(day)
    assert (listing.upvotes, listing.submitted_by, paper.id) == (9, "ann", "2501.00001")
    assert store.latest_listing_day() == day
    assert store.latest_listing_day(date(2026, 1, 1)) is None
    assert store.listings_of("2501.00001") == [listing]


def test_quarantine_keeps_one_row_per_raw_text_and_source(store):
    bad = Rejected("jsonl:x", '{"title": 1}', "title must be text, not int")
    assert store.write_batch([], [bad, bad]).quarantined == 2
    store.write_batch([], [bad])
    [entry] = store.list_quarantine()
    assert (entry.source, entry.raw, entry.reason) == (bad.source, bad.raw, bad.reason)
    assert store.list_quarantine(source="other") == []


def test_checkpoint_saved_with_batch_and_cleared(store):
    store.write_batch([Record(make())], [], ("oai:x", "token-1"))
    assert store.get_checkpoint("oai:x") == "token-1"
    store.write_batch([], [], ("oai:x", None))
    assert store.get_checkpoint("oai:x") is None


def test_failed_batch_rolls_back_whole(store):
    orphan = Listing(date(2026, 1, 1), "2501.99999", 0)
    store.write_batch([Record(make()), Record(make("2501.00002"))], [], ("k", "v"))
    bad = Rejected("s", "raw", "why")
    with pytest.raises(sqlite3.IntegrityError):
        store.write_batch([Record(make("2501.00003"), orphan)], [bad], ("k", "w"))
    assert store.stats().papers == 2
    assert store.stats().quarantined == 0
    assert store.get_checkpoint("k") == "v"


def test_iter_papers_walks_everything_in_id_order(store):
    store.write_batch([Record(make(f"2501.{n:05d}")) for n in range(25, 0, -1)], [])
    ids = [p.id for p in store.iter_papers(batch_size=7)]
    assert ids == sorted(ids) and len(ids) == 25


def test_opening_a_non_database_file_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"cannot open .* as a papertide database"):
        SqliteStore(junk, FixedClock())


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no directory"):
        SqliteStore(tmp_path / "nope" / "t.db", FixedClock())
