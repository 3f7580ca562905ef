"""The Store contract, paper side: every test runs on SQLite and on PostgreSQL (the `store`
fixture) and must behave the same on both."""

import sqlite3
from datetime import UTC, date, datetime, timedelta

import numpy as np
import psycopg
import pytest

from papertide.models import Link, Listing, Paper, QuarantineEntry, Record, Rejected, Version
from papertide.store.base import StoreWatermark
from papertide.store.vectors_base import EmbeddingRow

INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)
T0 = datetime(2025, 3, 1, 12, 30, 15, 250_000, tzinfo=UTC)


def make(pid: str = "2501.00001", **fields: object) -> Paper:
    base: dict[str, object] = {
        "id": pid,
        "title": f"Paper {pid}",
        "abstract": "About graph neural networks.",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "categories": ("cs.LG", "cs.AI"),
    }
    return Paper(**{**base, **fields})  # type: ignore[arg-type]


def full_paper() -> Paper:
    """Every field set, with text no ASCII-only store would keep."""
    return make(
        "2502.01234",
        title="Über-fast $\\mathcal{O}(n)$ attention 🚀",
        abstract="Ça marche: 注意力 is all you need.",
        authors=("Zoë Ångström", "李 雷"),
        categories=("cs.CL", "cs.LG", "stat.ML"),
        version=2,
        versions=(Version(1, T0, "12kb"), Version(2, T0 + timedelta(days=3), None)),
        comment="10 pages",
        journal_ref="NeurIPS 2025",
        doi="10.1000/xyz",
        license="http://creativecommons.org/licenses/by/4.0/",
        published=T0,
        updated=T0 + timedelta(days=3),
        links=(Link("code", "https://github.com/a/b"), Link("project", "https://a.io")),
    )


def test_store_migrate_again_applies_nothing(store):
    assert store.migrate() == []


def test_store_paper_reads_back_exactly_as_written(store):
    paper = full_paper()
    counts = store.write_batch([Record(paper)], [])
    assert counts.new == 1
    assert store.get_paper(paper.id) == paper
    assert store.get_paper("2502.99999") is None
    assert store.get_papers([paper.id, "2502.99999"]) == {paper.id: paper}
    assert store.get_papers([]) == {}
    assert store.write_batch([Record(paper)], []).unchanged == 1


def test_store_write_batch_counts_new_unchanged_updated(store):
    counts = store.write_batch([Record(make()), Record(make("2501.00002"))], [])
    assert (counts.new, counts.updated, counts.unchanged) == (2, 0, 0)
    counts = store.write_batch([Record(make()), Record(make("2501.00002"))], [])
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 2)
    counts = store.write_batch([Record(make(comment="5 pages"))], [])
    assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 0)
    assert store.get_paper("2501.00001").comment == "5 pages"
    assert store.stats().papers == 2


def test_store_same_paper_twice_in_one_batch_is_merged_not_duplicated(store):
    counts = store.write_batch([Record(make(version=1)), Record(make(version=2, doi="d"))], [])
    assert counts.new == 1
    stored = store.get_paper("2501.00001")
    assert (stored.version, stored.doi) == (2, "d")


def test_store_newer_version_updates_and_keeps_version_history(store):
    store.write_batch([Record(make(version=1, versions=(Version(1, T0),)))], [])
    store.write_batch([Record(make(version=2, title="Better", versions=(Version(2),)))], [])
    older = store.write_batch([Record(make(version=1, title="Old", versions=(Version(1),)))], [])
    assert older.unchanged == 1
    stored = store.get_paper("2501.00001")
    assert stored.title == "Better"
    assert stored.versions == (Version(1, T0), Version(2))
    assert store.stats().versions == 2


def test_store_older_record_fills_only_missing_fields(store):
    store.write_batch([Record(make(version=2, title="New", versions=(Version(2),)))], [])
    counts = store.write_batch([Record(make(version=1, doi="10.1/x", versions=(Version(1),)))], [])
    assert counts.updated == 1
    stored = store.get_paper("2501.00001")
    assert (stored.title, stored.doi, [v.number for v in stored.versions]) == (
        "New",
        "10.1/x",
        [1, 2],
    )


def test_store_authors_and_categories_rows_follow_updates(store):
    store.write_batch([Record(make(version=1))], [])
    newer = make(version=2, authors=("Grace Hopper",), categories=("cs.PL",))
    store.write_batch([Record(newer)], [])
    stored = store.get_paper("2501.00001")
    assert stored.authors == ("Grace Hopper",)
    assert store.stats().authors == 1
    assert store.stats().categories == (("cs.PL", 1),)


def test_store_listings_upsert_one_row_per_day_and_paper(store):
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


def test_store_listings_keep_page_order_and_newest_day_first(store):
    days = [date(2026, 1, 5), date(2026, 1, 6)]
    records = [
        Record(make(f"2501.0000{n}"), Listing(day, f"2501.0000{n}", 2 - n, submitted_at=T0))
        for day in days
        for n in (1, 2)
    ]
    counts = store.write_batch(records, [])
    assert (counts.new, counts.unchanged, counts.listings_new) == (2, 0, 4)
    page = store.listings_for(days[0])
    assert [(lst.paper_id, lst.position) for lst, _ in page] == [
        ("2501.00002", 0),
        ("2501.00001", 1),
    ]
    assert page[0][0].submitted_at == T0
    assert [lst.day for lst in store.listings_of("2501.00001")] == days[::-1]
    assert store.latest_listing_day(date(2026, 1, 5)) == days[0]
    assert store.listings_for(date(2026, 1, 7)) == []


def test_store_quarantine_keeps_one_row_per_raw_text_and_source(store):
    bad = Rejected("jsonl:x", '{"title": 1}', "title must be text, not int")
    assert store.write_batch([], [bad, bad]).quarantined == 2
    store.write_batch([], [bad])
    [entry] = store.list_quarantine()
    assert (entry.source, entry.raw, entry.reason) == (bad.source, bad.raw, bad.reason)
    assert entry.created_at == store.clock.now()
    assert store.list_quarantine(source="other") == []


def test_store_quarantine_lists_newest_first_by_source_prefix(store):
    rejects = [Rejected(f"{kind}:f", f"raw {n}", "why") for n, kind in enumerate("abab")]
    store.write_batch([], rejects)
    assert [e.raw for e in store.list_quarantine()] == ["raw 3", "raw 2", "raw 1", "raw 0"]
    assert [e.raw for e in store.list_quarantine(limit=1)] == ["raw 3"]
    assert [e.raw for e in store.list_quarantine(source="a")] == ["raw 2", "raw 0"]
    assert [e.raw for e in store.list_quarantine(source="B:")] == ["raw 3", "raw 1"]
    assert store.stats().quarantined == 4


def test_store_quarantine_keeps_any_text(store):
    odd = Rejected("file:x", "tab\there, emoji 🚀, nul \x00 end", "bad line")
    store.write_batch([], [odd, odd])
    [entry] = store.list_quarantine()
    assert isinstance(entry, QuarantineEntry)
    assert entry.raw.startswith("tab\there, emoji 🚀, nul ") and entry.raw.endswith(" end")


def test_store_checkpoint_saved_with_batch_and_cleared(store):
    store.write_batch([Record(make())], [], ("oai:x", "token-1"))
    assert store.get_checkpoint("oai:x") == "token-1"
    store.write_batch([], [], ("oai:x", "token-2"))
    assert store.get_checkpoint("oai:x") == "token-2"
    store.write_batch([], [], ("oai:x", None))
    assert store.get_checkpoint("oai:x") is None
    assert store.get_checkpoint("never") is None


def test_store_fingerprints_are_remembered_across_batches(store):
    prints = [1, -(2**63), 2**63 - 1, 42]
    store.write_batch([Record(make())], [], None, prints[:2])
    store.write_batch([], [], None, [*prints[1:], 42])  # repeats are fine
    assert store.known_fingerprints([*prints, 7, 8]) == set(prints)
    assert store.known_fingerprints([]) == set()


def test_store_failed_batch_rolls_back_whole(store):
    orphan = Listing(date(2026, 1, 1), "2501.99999", 0)
    store.write_batch([Record(make()), Record(make("2501.00002"))], [], ("k", "v"), [5])
    bad = Rejected("s", "raw", "why")
    with pytest.raises(INTEGRITY_ERRORS):
        store.write_batch([Record(make("2501.00003"), orphan)], [bad], ("k", "w"), [6])
    assert store.stats().papers == 2
    assert store.stats().quarantined == 0
    assert store.get_checkpoint("k") == "v"
    assert store.known_fingerprints([5, 6]) == {5}
    assert store.write_batch([Record(make("2501.00003"))], []).new == 1  # the store still works


def test_store_iter_papers_walks_everything_in_id_order(store):
    ids = [f"2501.{n:05d}" for n in range(25, 0, -1)] + ["hep-th/9901001", "Z-1", "a-1", "2501.1"]
    store.write_batch([Record(make(pid)) for pid in ids], [])
    walked = [p.id for p in store.iter_papers(batch_size=7)]
    assert walked == sorted(ids)  # byte order on both engines, whatever the locale
    assert [p.id for p in store.iter_papers()] == walked


def test_store_large_batch_round_trips(store):
    papers = [make(f"2503.{n:05d}", versions=(Version(1), Version(2))) for n in range(1200)]
    assert store.write_batch([Record(p) for p in papers], []).new == 1200
    assert store.write_batch([Record(p) for p in papers], []).unchanged == 1200
    assert len(store.get_papers([p.id for p in papers])) == 1200
    assert store.stats().versions == 2400


def test_store_watermark_and_papers_modified_since(store):
    assert store.lexical_watermark() == StoreWatermark(0, None)
    store.write_batch([Record(make("2501.00001"))], [])
    first = store.lexical_watermark()
    assert first == StoreWatermark(1, store.clock.now().isoformat())
    store.clock.current += timedelta(minutes=1)
    store.write_batch([Record(make(n)) for n in ("2501.00002", "2501.00003")], [])
    mark = store.lexical_watermark()
    assert mark.papers == 3 and mark.modified_at > first.modified_at
    every = [p.id for p in store.iter_papers_modified_since(None, batch_size=2)]
    assert every == ["2501.00001", "2501.00002", "2501.00003"]
    since = [p.id for p in store.iter_papers_modified_since(mark.modified_at)]
    assert since == ["2501.00002", "2501.00003"]
    store.clock.current += timedelta(minutes=1)
    store.write_batch([Record(make("2501.00001", comment="new"))], [])  # updated: pk order stays
    moved = store.iter_papers_modified_since(mark.modified_at, batch_size=1)
    assert [p.id for p in moved] == ["2501.00001", "2501.00002", "2501.00003"]
    assert store.lexical_watermark().papers == 3


def test_store_stats_count_everything(store):
    assert store.stats().papers == 0 and store.stats().first_day is None
    records = [
        Record(
            make("2501.00001", categories=("cs.LG",)), Listing(date(2026, 1, 2), "2501.00001", 0)
        ),
        Record(
            make("2501.00002", categories=("cs.AI", "cs.LG")),
            Listing(date(2026, 1, 4), "2501.00002", 0),
        ),
        Record(make("2501.00003", categories=("cs.AI",), authors=("Ada Lovelace",))),
        Record(make("2501.00004", categories=())),
    ]
    store.write_batch(records, [Rejected("s", "r", "why")])
    stats = store.stats()
    assert (stats.papers, stats.versions, stats.authors) == (4, 0, 2)
    assert (stats.listings, stats.listing_days, stats.quarantined) == (2, 2, 1)
    assert (stats.first_day, stats.last_day) == (date(2026, 1, 2), date(2026, 1, 4))
    assert stats.categories == (("cs.AI", 2), ("cs.LG", 1))


def vector(*values: float) -> bytes:
    return np.asarray(values, dtype="<f2").tobytes()


def test_store_embeddings_are_kept_per_model(store):
    store.write_batch([Record(make(f"2501.0000{n}")) for n in (1, 2, 3)], [])
    tasks = store.embed_tasks("m1")
    assert [t.paper_id for t in tasks] == ["2501.00001", "2501.00002", "2501.00003"]
    assert tasks[0].text_hash is None and tasks[0].title == "Paper 2501.00001"
    assert store.count_embed_tasks("m1") == 3
    assert [t.paper_pk for t in store.embed_tasks("m1", after_pk=tasks[0].paper_pk, limit=1)] == [
        tasks[1].paper_pk
    ]
    rows = [
        EmbeddingRow(t.paper_pk, t.content_hash, f"text{i}", vector(i, -0.5, 0.25))
        for i, t in enumerate(tasks)
    ]
    store.save_embeddings("m1", rows)
    store.save_embeddings("m2", rows[:1])
    assert store.count_embed_tasks("m1") == 0 and store.count_embed_tasks("m2") == 2
    assert store.embedding_models() == [("m1", 3), ("m2", 1)]
    assert store.vector_of("m1", "2501.00002") == vector(1, -0.5, 0.25)
    assert store.vector_of("m2", "2501.00002") is None
    assert store.vector_of("m1", "2501.99999") is None
    batches = list(store.iter_vectors("m1", batch_size=2))
    assert [len(b) for b in batches] == [2, 1]
    assert [pk for b in batches for pk, _ in b] == [t.paper_pk for t in tasks]
    assert batches[1][0][1] == vector(2, -0.5, 0.25)
    assert store.ids_for([t.paper_pk for t in tasks] + [10**9]) == {
        t.paper_pk: t.paper_id for t in tasks
    }


def test_store_changed_paper_needs_a_new_embedding_unless_its_text_is_the_same(store):
    store.write_batch([Record(make())], [])
    [task] = store.embed_tasks("m")
    store.save_embeddings("m", [EmbeddingRow(task.paper_pk, task.content_hash, "t1", vector(1, 0))])
    store.write_batch([Record(make(version=2, comment="new comment"))], [])
    [stale] = store.embed_tasks("m")
    assert (stale.paper_pk, stale.text_hash) == (task.paper_pk, "t1")
    assert stale.content_hash != task.content_hash
    store.save_embeddings("m", [EmbeddingRow(stale.paper_pk, stale.content_hash, "t1", None)])
    assert store.embed_tasks("m") == [] and store.vector_of("m", task.paper_id) == vector(1, 0)


def test_store_vector_changes_are_numbered_per_model(store):
    store.write_batch([Record(make(f"2501.0000{n}")) for n in (1, 2, 3)], [])
    pks = [t.paper_pk for t in store.embed_tasks("m")]
    assert store.vector_seq("m") == 0
    store.save_embeddings("m", [EmbeddingRow(pk, "h", "t", vector(pk)) for pk in pks[:2]])
    store.save_embeddings("other", [EmbeddingRow(pks[0], "h", "t", vector(9))])
    later = [EmbeddingRow(pks[2], "h", "t", vector(3)), EmbeddingRow(pks[0], "h", "t", vector(7))]
    store.save_embeddings("m", later)
    store.save_embeddings("m", [EmbeddingRow(pks[1], "h2", "t", None)])  # no vector: no change
    assert store.vector_seq("m") == 2 and store.vector_seq("other") == 1
    changed = [pk for b in store.iter_changed_vectors("m", 1, batch_size=1) for pk, _ in b]
    assert changed == sorted([pks[0], pks[2]])
    everything = [pk for b in store.iter_changed_vectors("m", 0) for pk, _ in b]
    assert everything == [pks[1], *sorted([pks[0], pks[2]])]
    assert list(store.iter_changed_vectors("m", 2)) == []
    assert store.vector_of("m", "2501.00001") == vector(7)


def test_a_bulk_load_reads_back_like_any_writes_with_its_authors_replaced(store):
    with store.bulk_load():
        store.write_batch([Record(make())], [])
        newer = make(version=2, authors=("Grace Hopper",), categories=("cs.PL",))
        assert store.write_batch([Record(newer)], []).updated == 1
    assert [p.id for p in store.papers_by_author("GRACE HOPPER", 5)] == ["2501.00001"]
    assert store.papers_by_author("Ada Lovelace", 5) == []
    assert [p.id for p in store.papers_in_category("cs.PL", 5)] == ["2501.00001"]
    assert store.papers_in_category("cs.LG", 5) == []
    assert store.get_paper("2501.00001") == newer


def test_store_keeps_names_and_text_that_need_escaping(store):
    odd = make(
        title='A \\emph{tab}\there, "quoted", {braced}',
        abstract="Line one\nline two\r\\n is not a break",
        authors=('Ann "Nan" O\'Neil', "B\\C, {D}", "NULL", ""),
        categories=("cs.LG", 'x"y'),
        links=(Link("code", 'https://github.com/a/b?q="x"'),),
    )
    plain = make("2501.00002", authors=("Plain Name", "Other Name"))
    with store.bulk_load():
        store.write_batch([Record(odd), Record(plain)], [])
    assert store.get_papers([odd.id, plain.id]) == {odd.id: odd, plain.id: plain}
    assert [p.id for p in store.papers_by_author('ann "nan" o\'neil', 5)] == [odd.id]
    assert [p.id for p in store.papers_in_category('x"y', 5)] == [odd.id]
