"""Daily Papers files through the ingest service into a real SQLite store: papers, listings,
idempotent re-runs, later upvote snapshots and quarantine.
"""

from __future__ import annotations

import gzip
import json
import lzma
import shutil
from datetime import date
from pathlib import Path

from papertide.errors import InputError
from papertide.ingest import ingest
from papertide.models import IngestCounts
from papertide.sources.hf_daily import HfDailyFilesSource
from papertide.store.sqlite import SqliteStore

DATA = Path(__file__).resolve().parents[2] / "data" / "hf"
SAMPLES = [DATA / f"{day}.json.gz" for day in ("2024-05-27", "2025-01-15", "2025-06-18")] + [
    DATA / f"{day}.json.gz" for day in ("2026-03-10", "2026-08-21")
]
SLICE = DATA / "daily_papers_slice.jsonl.gz"


def run(store: SqliteStore, *paths: Path | str) -> IngestCounts:
    result = ingest(store, HfDailyFilesSource(paths))
    assert result.error is None
    return result.counts


def test_ingest_hf_daily_stores_papers_and_listings_in_position_order(store):
    counts = run(store, *SAMPLES)
    assert counts == IngestCounts(new=91, listings_new=91)
    day = store.listings_for(date(2026, 3, 10))
    assert [listing.position for listing, _ in day] == list(range(28))
    listing, paper = day[0]
    assert (paper.id, paper.authors[0]) == ("2603.07660", "Yuanyuan Gao")
    assert (listing.upvotes, listing.num_comments, listing.github_stars) == (50, 4, 14)
    assert listing.submitted_by == "lifuguan"
    assert {link.kind for link in paper.links} == {"code", "project", "huggingface"}
    assert [listing.upvotes for listing, _ in day[:4]] == [50, 35, 30, 29]


def test_ingest_hf_daily_rerun_changes_nothing(store):
    run(store, *SAMPLES)
    again = run(store, *SAMPLES)
    assert again == IngestCounts(unchanged=91)
    stats = store.stats()
    assert (stats.papers, stats.listings, stats.listing_days) == (91, 91, 5)


def test_ingest_hf_daily_later_snapshot_updates_listing_signals(store, tmp_path):
    run(store, *SAMPLES)
    items = json.loads(gzip.decompress((DATA / "2026-03-10.json.gz").read_bytes()))
    items[0]["paper"]["upvotes"] = 75
    items[1]["numComments"] += 1
    later = tmp_path / "2026-03-10.json"
    later.write_text(json.dumps(items))
    counts = run(store, later)
    assert counts == IngestCounts(unchanged=28, listings_updated=2)
    day = store.listings_for(date(2026, 3, 10))
    assert len(day) == 28
    assert day[0][0].upvotes == 75


def test_ingest_hf_daily_rows_then_raw_only_add_submitters(store):
    counts = run(store, SLICE)
    # 2604.07429 is listed on two days: one paper, two listings
    assert counts == IngestCounts(new=227, listings_new=228)
    counts = run(store, *SAMPLES)
    # the archive rows carry the same papers; the raw responses add submitters (none in 2024)
    assert counts == IngestCounts(unchanged=91, listings_updated=91 - 13)
    assert store.stats().listing_days == 11
    [(listing, _)] = [lp for lp in store.listings_for(date(2025, 6, 18)) if lp[0].position == 6]
    assert (listing.paper_id, listing.submitted_by) == ("2506.14606", "ahmedheakl")


def test_ingest_hf_daily_reads_xz_rows_and_undated_file_names(store, tmp_path):
    xz_rows = tmp_path / "daily.jsonl.xz"
    xz_rows.write_bytes(lzma.compress(gzip.decompress(SLICE.read_bytes())))
    undated = tmp_path / "latest.json.gz"
    shutil.copy(DATA / "2026-08-21.json.gz", undated)
    counts = run(store, xz_rows, undated)
    # one batch: the raw file's listings replace the rows' ones for the same (day, paper)
    assert counts == IngestCounts(new=227, listings_new=228)
    day = store.listings_for(date(2026, 8, 21))
    assert len(day) == 17
    assert day[0][0].submitted_by == "taesiri"


def test_ingest_hf_daily_quarantines_bad_input_and_keeps_the_rest(store):
    names = (
        "bad_items_2025-06-18.json",
        "bad_json.json",
        "bad_rows.jsonl",
        "empty_2025-02-01.json",
    )
    counts = run(store, *(DATA / name for name in names))
    assert counts == IngestCounts(new=4, quarantined=8 + 1 + 6, listings_new=4)
    assert [lp[1].id for lp in store.listings_for(date(2025, 6, 18))] == [
        "2506.99001",
        "2506.99004",
    ]
    reasons = {entry.reason for entry in store.list_quarantine(source="hf-daily:bad_json")}
    assert len(reasons) == 1
    assert reasons.pop().startswith("not JSON: ")
    title = store.listings_for(date(2025, 6, 18))[0][1].title
    assert title == "<img src=x onerror=alert(1)> $a<b$ & co"


def test_ingest_hf_daily_python_repr_and_wrapped_files(store):
    counts = run(store, DATA / "python_repr_2025-01-15.json", DATA / "wrapped.json")
    assert counts == IngestCounts(new=5, quarantined=2, listings_new=5)
    assert len(store.listings_for(date(2025, 1, 15))) == 5


def test_ingest_hf_daily_missing_file_is_an_input_error(store, tmp_path):
    result = ingest(store, HfDailyFilesSource([SAMPLES[0], tmp_path / "nope.json"]))
    assert isinstance(result.error, InputError)
    assert str(result.error) == f"no such file: {tmp_path / 'nope.json'}"
    assert result.counts.listings_new == 13


def test_ingest_hf_daily_keeps_summaries_organisations_and_media_and_reruns_safely(store):
    run(store, *SAMPLES, SLICE)
    run(store, *SAMPLES, SLICE)
    ids = [paper.id for _, paper in store.listings_for(date(2026, 8, 21))]
    summaries = store.summaries_for(ids)
    orgs = store.orgs_for(ids)
    media = store.media_for(ids)
    assert summaries and orgs and media
    first = summaries[ids[0]]
    assert [s.source for s in first] == ["huggingface"]
    assert first[0].tldr and 5 <= len(first[0].keywords) <= 30
    assert {org.slug for found in orgs.values() for org in found} >= {"google"}
    assert all(url.startswith("https://") for urls in media.values() for url in urls)
    assert store.count_rows("paper_summaries") == len(store.summary_hashes("huggingface"))


def test_ingest_hf_daily_drops_a_bad_extra_and_keeps_the_paper(store, tmp_path):
    items = json.loads(gzip.decompress((DATA / "2026-08-21.json.gz").read_bytes()))
    items[0]["paper"]["ai_summary"] = {"not": "text"}
    items[0]["paper"]["ai_keywords"] = ["ok word", 7, "x" * 500, "ok word"]
    items[0]["organization"] = {"fullname": "<script>alert(1)</script>"}
    items[0]["paper"]["organization"] = None
    items[0]["paper"]["mediaUrls"] = ["javascript:alert(1)", "https://cdn.example/a.png"]
    bad = tmp_path / "2026-08-21.json"
    bad.write_text(json.dumps(items[:1]))
    assert run(store, bad).new == 1
    paper_id = items[0]["paper"]["id"]
    assert store.summaries_for([paper_id])[paper_id][0].keywords == ("ok word",)
    assert store.summaries_for([paper_id])[paper_id][0].tldr is None
    assert store.orgs_for([paper_id])[paper_id][0].slug == "script-alert-1-script"
    assert store.media_for([paper_id]) == {paper_id: ["https://cdn.example/a.png"]}
