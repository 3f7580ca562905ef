"""papertide.store.fts: the FTS5 baseline queries and what a derived index reads."""

import sqlite3
from datetime import timedelta

from papertide.clock import FixedClock
from papertide.models import Paper, Record
from papertide.store import fts
from papertide.store.sqlite import SqliteStore

PAPERS = [
    Paper("2501.00001", "Quantum codes", "Stabilizer codes and decoders.", ("Ann Lee",)),
    Paper("2501.00002", "Belief propagation", "Quantum decoders compared.", ("Bo Chen",)),
    Paper("2501.00003", "NEAR duplicates (AND more)", "Finding near-duplicate text.", ()),
]


def connect(store: SqliteStore) -> sqlite3.Connection:
    return sqlite3.connect(store.path, isolation_level=None)


def test_fts_search_ranks_with_column_weights(store: SqliteStore):
    store.write_batch([Record(p) for p in PAPERS], [])
    hits = fts.search_fts(connect(store), fts.match_any(["quantum"]), (3.0, 2.0, 1.0), 10)
    assert [h.paper_id for h in hits] == ["2501.00001", "2501.00002"]
    assert hits[0].score > hits[1].score > 0


def test_fts_match_strings_quote_every_token(store: SqliteStore):
    store.write_batch([Record(p) for p in PAPERS], [])
    conn = connect(store)
    for tokens in (["NEAR", "AND"], ['"', "*", "(", ")", ":", "^"], ["title:x", "OR", "NOT"]):
        fts.search_fts(conn, fts.match_any(tokens), (1.0, 1.0, 1.0), 5)  # no syntax error
        fts.search_fts(conn, fts.match_all(tokens), (1.0, 1.0, 1.0), 5)
    assert fts.quote_fts_token('a"b') == '"a""b"'
    both = fts.search_fts(conn, fts.match_all(["quantum", "compared"]), (1.0, 1.0, 1.0), 5)
    assert [h.paper_id for h in both] == ["2501.00002"]
    assert fts.search_fts(conn, fts.match_any([]), (1.0, 1.0, 1.0), 5) == []


def test_fts_rebuild_keeps_results_and_reports_size(store: SqliteStore):
    store.write_batch([Record(p) for p in PAPERS], [])
    conn = connect(store)
    fts.rebuild_fts(conn)
    assert len(fts.search_fts(conn, fts.match_any(["decoders"]), (1.0, 1.0, 1.0), 5)) == 2
    assert fts.fts_index_bytes(conn) > 0


def test_store_watermark_and_modified_ids(store: SqliteStore):
    conn = connect(store)
    assert fts.store_watermark(conn) == fts.StoreWatermark(0, None)
    store.write_batch([Record(PAPERS[0])], [])
    first = fts.store_watermark(conn)
    assert isinstance(store.clock, FixedClock)
    store.clock.current += timedelta(minutes=1)
    store.write_batch([Record(p) for p in PAPERS[1:]], [])
    mark = fts.store_watermark(conn)
    assert (
        mark.papers == 3
        and mark.modified_at is not None
        and mark.modified_at > str(first.modified_at)
    )
    assert list(fts.iter_modified_ids(conn, None, 2)) == [
        ["2501.00001", "2501.00002"],
        ["2501.00003"],
    ]
    assert list(fts.iter_modified_ids(conn, mark.modified_at)) == [["2501.00002", "2501.00003"]]
    assert [i for b in fts.iter_modified_ids(conn, first.modified_at) for i in b] == [
        "2501.00001",
        "2501.00002",
        "2501.00003",
    ]
