"""File sources through the ingest service into a real SQLite store: counts, idempotent
re-runs, quarantine rows, truncated input and an export round trip.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from papertide.clock import FixedClock
from papertide.errors import InputError
from papertide.ingest import ingest
from papertide.models import IngestCounts
from papertide.sources.base import Source
from papertide.sources.snapshot import SnapshotSource
from papertide.sources.tabular import CsvSource, JsonlSource
from papertide.sources.text import TextSource
from papertide.store.codec import paper_to_json
from papertide.store.sqlite import SqliteStore

FILES = Path(__file__).resolve().parents[2] / "data" / "files"

CASES: list[tuple[Callable[[Path], Source], str, int, int]] = [
    (SnapshotSource, "snapshot_sample.jsonl.gz", 38, 0),
    (SnapshotSource, "snapshot_bad.jsonl", 3, 11),
    (SnapshotSource, "huge_title.jsonl.gz", 2, 1),
    (JsonlSource, "cs_listings_50.jsonl", 50, 0),
    (JsonlSource, "papers_bad.jsonl", 3, 10),
    (CsvSource, "papers.csv", 6, 0),
    (CsvSource, "papers_bad.csv.gz", 3, 6),
    (TextSource, "arxiv_list_new.txt", 5, 0),
    (TextSource, "hf_daily.txt", 4, 0),
    (TextSource, "bare_list.txt", 4, 1),
]


def count_rows(store: SqliteStore, table: str) -> int:
    with sqlite3.connect(store.path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.mark.parametrize(("make", "name", "good", "bad"), CASES, ids=[c[1] for c in CASES])
def test_ingest_file_counts_then_rerun_changes_nothing(
    store: SqliteStore, make: Callable[[Path], Source], name: str, good: int, bad: int
) -> None:
    source = make(FILES / name)
    first = ingest(store, source)
    assert first.error is None
    assert first.counts == IngestCounts(new=good, quarantined=bad)
    tables = {t: count_rows(store, t) for t in ("papers", "paper_versions", "quarantine")}
    assert tables["papers"] == good
    assert tables["quarantine"] == bad

    again = ingest(store, make(FILES / name))
    assert again.error is None
    assert again.counts == IngestCounts(unchanged=good, quarantined=bad)
    assert {t: count_rows(store, t) for t in tables} == tables


@pytest.mark.parametrize(("make", "name", "good", "bad"), CASES, ids=[c[1] for c in CASES])
def test_ingest_file_quarantine_rows_hold_source_raw_text_and_reason(
    store: SqliteStore, make: Callable[[Path], Source], name: str, good: int, bad: int
) -> None:
    source = make(FILES / name)
    ingest(store, source)
    entries = store.list_quarantine(limit=100)
    assert (len(entries), count_rows(store, "papers")) == (bad, good)
    for entry in entries:
        assert entry.source == source.name
        assert entry.raw
        assert " at line " in entry.reason


def test_ingest_quarantine_keeps_the_bad_lines_verbatim(store: SqliteStore) -> None:
    ingest(store, SnapshotSource(FILES / "snapshot_bad.jsonl"))
    by_reason = {entry.reason: entry.raw for entry in store.list_quarantine(limit=100)}
    assert by_reason["not a JSON object at line 3: found an array"] == (
        '["0704.0002","not an object"]'
    )
    assert '"title":"Bad \\xff\\xfe bytes here"' in by_reason["invalid UTF-8 at line 6 (byte 0xff)"]
    assert "\\ud800" in by_reason["bad record at line 7: title has broken unicode (lone surrogate)"]
    paper = store.get_paper("0704.0008")
    assert paper is not None
    assert paper.title == "<script>alert(1)</script> & $x<y$"


@pytest.mark.parametrize("batch_size", [2000, 4], ids=["one-batch", "parsing-process"])
def test_ingest_truncated_gzip_keeps_the_records_before_the_error(
    store: SqliteStore, tmp_path: Path, batch_size: int
) -> None:
    data = (FILES / "snapshot_sample.jsonl.gz").read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    result = ingest(store, SnapshotSource(cut), batch_size=batch_size)
    assert isinstance(result.error, InputError)
    assert "cannot decompress" in str(result.error)
    assert 5 < result.counts.new < 38
    assert count_rows(store, "papers") == result.counts.new


def test_ingest_csv_without_title_column_stores_nothing(store: SqliteStore) -> None:
    result = ingest(store, CsvSource(FILES / "no_title.csv"))
    assert isinstance(result.error, InputError)
    assert result.counts == IngestCounts()


def test_ingest_exported_store_into_a_new_store_gives_the_same_papers(
    store: SqliteStore, tmp_path: Path
) -> None:
    sources: list[Source] = [
        SnapshotSource(FILES / "snapshot_sample.jsonl.gz"),
        JsonlSource(FILES / "cs_listings_50.jsonl"),
        TextSource(FILES / "bare_list.txt"),
    ]
    for source in sources:
        ingest(store, source)
    papers = list(store.iter_papers())
    export = tmp_path / "export.jsonl"
    export.write_text("".join(json.dumps(paper_to_json(p)) + "\n" for p in papers))

    copy = SqliteStore(tmp_path / "copy.db", FixedClock())
    copy.migrate()
    try:
        result = ingest(copy, JsonlSource(export))
        assert result.counts == IngestCounts(new=len(papers))
        assert list(copy.iter_papers()) == papers
    finally:
        copy.close()


def test_should_stop_ends_after_a_whole_batch_and_a_rerun_finishes(store: SqliteStore) -> None:
    asked: list[int] = []

    def stop_after_first_batch() -> bool:
        asked.append(1)
        return True

    source = JsonlSource(FILES / "cs_listings_50.jsonl")
    first = ingest(store, source, batch_size=20, should_stop=stop_after_first_batch)
    assert (first.stopped, first.counts, asked) == (True, IngestCounts(new=20), [1])
    assert count_rows(store, "papers") == 20
    rest = ingest(store, JsonlSource(FILES / "cs_listings_50.jsonl"), batch_size=20)
    assert (rest.stopped, rest.counts) == (False, IngestCounts(new=30, unchanged=20))
