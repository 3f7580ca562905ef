"""Hugging Face Daily Papers parsing: the five recorded API responses (2024-2026 schema drift),
the normalised archive rows, and malformed inputs. Fixtures: tests/data/hf/README.md.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from papertide.models import Link, Record, Rejected
from papertide.sources.hf_daily import day_in_name, is_rows_format
from papertide.sources.hf_daily_parse import (
    parse_daily_item,
    parse_daily_response,
    parse_daily_row,
    parse_daily_rows,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "hf"
SAMPLE_SIZES = {"2024-05-27": 13, "2025-01-15": 10, "2025-06-18": 23, "2026-03-10": 28}
SAMPLE_SIZES["2026-08-21"] = 17
SAMPLE_DAYS = tuple(SAMPLE_SIZES)


def sample_bytes(day: str) -> bytes:
    return gzip.decompress((DATA / f"{day}.json.gz").read_bytes())


def parse_sample(day: str, listing_day: date | None = None) -> list[Record]:
    results = parse_daily_response(sample_bytes(day), listing_day or date.fromisoformat(day), "t")
    assert all(isinstance(r, Record) for r in results), [
        r for r in results if not isinstance(r, Record)
    ]
    return [r for r in results if isinstance(r, Record)]


def rows_of(path: Path) -> list[tuple[int, bytes]]:
    raw = path.read_bytes()
    text = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    return [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def link(record: Record, kind: str) -> str | None:
    return next((lk.url for lk in record.paper.links if lk.kind == kind), None)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# day, position, id, title, first author, n authors, upvotes, comments, submitter,
# submitted at, code link, stars, project page
KNOWN_ITEMS = [
    ("2024-05-27", 3, "2405.15032", "Aya 23: Open Weight Releases to Further Multilingual Progress",
     "Viraat Aryabumi", 17, 11, 0, None, "2024-05-27T02:16:38.679", None, None, None),
    ("2025-01-15", 9, "2501.07888", "Tarsier2: Advancing Large Vision-Language Models from "
     "Detailed Video Description to Comprehensive Video Understanding",
     "Liping Yuan", 5, 0, 1, "akhaliq", "2025-01-14T23:43:33.935", None, None, None),
    ("2025-06-18", 6, "2506.14606", "Guaranteed Guess: A Language Modeling Approach for "
     "CISC-to-RISC Transpilation with Testing Guarantees",
     "Ahmed Heakl", 5, 10, 1, "ahmedheakl", "2025-06-18T00:38:14.336",
     "https://github.com/ahmedheakl/Guaranteed-Guess", None,
     "https://ahmedheakl.github.io/Guaranteed-Guess/"),
    ("2026-03-10", 3, "2603.03269",
     "LoGeR: Long-Context Geometric Reconstruction with Hybrid Memory",
     "Junyi Zhang", 8, 29, 2, "Junyi42", "2026-03-10T03:09:07.772",
     "https://github.com/Junyi42/LoGeR", 98, "https://loger-project.github.io/"),
    ("2026-08-21", 6, "2608.14022", "ForgeWM: Progressive Causal Training for Few-Step "
     "Action-Conditioned Video World Models",
     "Xinye Li", 11, 12, 1, "asdfo123", "2026-08-21T00:00:00",
     "https://github.com/asdfo123/ForgeWM", 76, "https://asdfo123.github.io/ForgeWM/"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("day", "position", "paper_id", "title", "first_author", "n_authors", "upvotes", "comments",
     "submitter", "submitted_at", "code", "stars", "project"),
    KNOWN_ITEMS,
)  # fmt: skip
def test_parse_daily_response_reads_known_item_of_each_sample(
    day, position, paper_id, title, first_author, n_authors, upvotes, comments, submitter,
    submitted_at, code, stars, project,
):  # fmt: skip
    record = parse_sample(day)[position]
    assert record.paper.id == paper_id
    assert record.paper.title == title
    assert record.paper.authors[0] == first_author
    assert len(record.paper.authors) == n_authors
    assert record.listing is not None
    assert record.listing.day == date.fromisoformat(day)
    assert record.listing.position == position
    assert record.listing.upvotes == upvotes
    assert record.listing.num_comments == comments
    assert record.listing.submitted_by == submitter
    assert record.listing.submitted_at == utc(submitted_at)
    assert record.listing.github_stars == stars
    assert link(record, "code") == code
    assert link(record, "project") == project
    assert link(record, "huggingface") == f"https://huggingface.co/papers/{paper_id}"


@pytest.mark.parametrize("day", SAMPLE_DAYS)
def test_parse_daily_response_keeps_every_item_in_list_order(day):
    records = parse_sample(day)
    assert len(records) == SAMPLE_SIZES[day]
    assert [r.listing.position for r in records if r.listing] == list(range(len(records)))
    assert len({r.paper.id for r in records}) == len(records)
    assert all(r.paper.abstract and r.paper.published for r in records)


def test_parse_daily_response_2024_schema_takes_submission_time_from_item():
    # 2024: no submittedOnDailyAt and no submitter; item publishedAt is the submission time
    record = parse_sample("2024-05-27")[0]
    assert record.listing is not None
    assert record.listing.submitted_by is None
    assert record.listing.submitted_at == utc("2024-05-27T03:50:58.348")
    assert record.paper.published == utc("2024-05-24T17:34:15")
    # its code link is found in the abstract, there is no githubRepo field yet
    assert link(record, "code") == "https://github.com/alibaba/conv-llava"


def test_parse_daily_response_prefers_item_title_which_keeps_latex():
    record = parse_sample("2024-05-27")[9]
    assert record.paper.title == (
        "AutoCoder: Enhancing Code Large Language Model with \\textsc{AIEV-Instruct}"
    )


def test_parse_daily_response_2025_01_schema_has_submitter_only_on_item():
    record = parse_sample("2025-01-15")[0]
    assert record.listing is not None
    assert record.listing.submitted_by == "Ryan1122"
    assert record.listing.upvotes == 130


def test_parse_daily_response_same_repo_and_project_page_give_one_link():
    record = parse_sample("2025-06-18")[2]
    assert record.paper.id == "2506.13642"
    assert [lk.kind for lk in record.paper.links] == ["code", "huggingface"]
    assert record.paper.title == (
        "Stream-Omni: Simultaneous Multimodal Interactions with Large Language-Vision-Speech Model"
    )


def test_parse_daily_response_repo_without_stars_leaves_stars_unknown():
    record = parse_sample("2026-03-10")[16]
    assert record.paper.id == "2603.07700"
    assert link(record, "code") == "https://github.com/Luo-Yihong/TDM-R1"
    assert record.listing is not None
    assert record.listing.github_stars is None


def test_parse_daily_response_keeps_latex_title_as_text():
    record = parse_sample("2026-03-10")[7]
    assert (
        record.paper.title == "\\$OneMillion-Bench: How Far are Language Agents from Human Experts?"
    )


def test_parse_daily_response_without_day_uses_submission_date():
    results = parse_daily_response(sample_bytes("2026-03-10"), None, "t")
    assert {r.listing.day for r in results if isinstance(r, Record) and r.listing} == {
        date(2026, 3, 10)
    }


def test_parse_daily_response_numbers_positions_from_first_position():
    results = parse_daily_response(
        sample_bytes("2025-01-15"), date(2025, 1, 15), "t", first_position=100
    )
    assert [r.listing.position for r in results if isinstance(r, Record) and r.listing] == list(
        range(100, 110)
    )


def test_parse_daily_response_reads_python_repr_items_like_json_items():
    data = (DATA / "python_repr_2025-01-15.json").read_bytes()
    results = parse_daily_response(data, date(2025, 1, 15), "t")
    assert results[:3] == parse_sample("2025-01-15")[:3]
    assert isinstance(results[3], Rejected)
    assert results[3].reason == "item 3: item is text but not a Python literal of an object"
    assert results[3].raw.startswith("__import__('os')")
    assert isinstance(results[4], Rejected)
    assert results[4].reason == "item 4: item must be an object, not list"


def test_parse_daily_response_unwraps_status_object_and_takes_its_date():
    results = parse_daily_response((DATA / "wrapped.json").read_bytes(), None, "t")
    assert [r.paper.id for r in results if isinstance(r, Record)] == ["2501.08316", "2501.07730"]
    assert {r.listing.day for r in results if isinstance(r, Record) and r.listing} == {
        date(2025, 1, 15)
    }


def test_parse_daily_response_day_argument_wins_over_wrapped_date():
    results = parse_daily_response((DATA / "wrapped.json").read_bytes(), date(2025, 1, 16), "t")
    assert {r.listing.day for r in results if isinstance(r, Record) and r.listing} == {
        date(2025, 1, 16)
    }


def test_parse_daily_response_and_rows_skip_a_byte_order_mark():
    bom = b"\xef\xbb\xbf"
    results = parse_daily_response(bom + sample_bytes("2025-01-15"), date(2025, 1, 15), "t")
    assert results == parse_sample("2025-01-15")
    row = rows_of(DATA / "bad_rows.jsonl")[0][1]
    assert parse_daily_row(bom + row, "t") == parse_daily_row(row, "t")
    assert is_rows_format([bom + row])


def test_parse_daily_item_blank_item_title_falls_back_to_paper_title():
    item = {"title": "", "paper": {"id": "2501.00001", "title": "Paper title"}}
    record = parse_daily_item(item, 0, date(2025, 1, 1), "t")
    assert isinstance(record, Record)
    assert record.paper.title == "Paper title"


def test_parse_daily_response_empty_list_gives_nothing():
    assert parse_daily_response(b"[]\n", date(2025, 2, 1), "t") == []


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty response: no JSON document"),
        (b'{"error": "Invalid date"}', "the API answered an error: Invalid date"),
        (b'{"papers": []}', "expected a list of papers, got an object with keys ['papers']"),
        (b"42", "expected a list of papers, got int"),
        (b"<html>Bad gateway</html>", "not JSON: Expecting value: line 1 column 1 (char 0)"),
    ],
)
def test_parse_daily_response_rejects_documents_that_are_not_item_lists(data, reason):
    assert parse_daily_response(data, None, "src") == [Rejected("src", data.decode(), reason)]


def test_parse_daily_response_bad_json_is_one_reject_holding_the_text():
    data = (DATA / "bad_json.json").read_bytes()
    [rejected] = parse_daily_response(data, None, "src")
    assert isinstance(rejected, Rejected)
    assert rejected.raw == data.decode()
    assert rejected.reason.startswith("not JSON: ")


def test_parse_daily_response_rejects_bad_items_and_keeps_the_others():
    data = (DATA / "bad_items_2025-06-18.json").read_bytes()
    results = parse_daily_response(data, date(2025, 6, 18), "src")
    reasons = {i: r.reason for i, r in enumerate(results) if isinstance(r, Rejected)}
    assert reasons == {
        1: "item 1: missing paper.id",
        2: "item 2: paper.upvotes must be a whole number, not 'many'",
        3: "item 3: item must be an object, not int",
        4: "item 4: no paper object",
        6: "item 6: numComments must not be negative: -1",
        7: "item 7: paper.id is not an arXiv id: 'not-an-id'",
        8: "item 8: author must be a name, not NoneType",
        9: "item 9: githubRepo must be text, not dict",
    }
    items = json.loads(data)
    for position, result in enumerate(results):
        if isinstance(result, Rejected):
            assert json.loads(result.raw) == items[position]
    assert [r.paper.id for r in results if isinstance(r, Record)] == ["2506.99001", "2506.99004"]


def test_parse_daily_item_keeps_markup_title_as_text_and_hidden_authors():
    items = json.loads((DATA / "bad_items_2025-06-18.json").read_bytes())
    record = parse_daily_item(items[0], 0, date(2025, 6, 18), "t")
    assert isinstance(record, Record)
    assert record.paper.title == "<img src=x onerror=alert(1)> $a<b$ & co"
    assert record.paper.authors == ("Ada Lovelace", "Hidden Person")
    assert record.listing is not None
    assert (record.listing.submitted_by, record.listing.upvotes) == ("alice", 7)
    assert (record.listing.num_comments, record.listing.github_stars) == (2, 5)
    # the placeholder project page is not a URL: dropped
    assert record.paper.links == (
        Link("code", "https://github.com/example/xss"),
        Link("huggingface", "https://huggingface.co/papers/2506.99001"),
    )


def test_parse_daily_item_drops_non_web_link_and_keeps_version():
    items = json.loads((DATA / "bad_items_2025-06-18.json").read_bytes())
    record = parse_daily_item(items[5], 5, date(2025, 6, 18), "t")
    assert isinstance(record, Record)
    assert (record.paper.id, record.paper.version) == ("2506.99004", 2)
    assert [lk.kind for lk in record.paper.links] == ["huggingface"]
    assert record.listing is not None
    assert record.listing.submitted_by == "bob"


def test_parse_daily_item_without_day_or_submission_time_is_rejected():
    item = {"paper": {"id": "2501.00001", "title": "T", "upvotes": 1}}
    result = parse_daily_item(item, 0, None, "t")
    assert isinstance(result, Rejected)
    assert result.reason == "item 0: no listing day: give the day, or items need submittedOnDailyAt"


def test_parse_daily_rows_reads_the_archive_slice():
    results = list(parse_daily_rows(rows_of(DATA / "daily_papers_slice.jsonl.gz"), "t"))
    records = [r for r in results if isinstance(r, Record) and r.listing]
    assert len(records) == len(results) == 228
    days: dict[date, list[int]] = {}
    for record in records:
        assert record.listing is not None
        days.setdefault(record.listing.day, []).append(record.listing.position)
    assert len(days) == 11
    assert all(positions == list(range(len(positions))) for positions in days.values())


@pytest.mark.parametrize("day", SAMPLE_DAYS)
def test_parse_daily_rows_agree_with_the_raw_response_of_the_same_day(day):
    rows = [
        r
        for r in parse_daily_rows(rows_of(DATA / "daily_papers_slice.jsonl.gz"), "t")
        if isinstance(r, Record) and r.listing and r.listing.day == date.fromisoformat(day)
    ]
    raw = parse_sample(day)
    assert [r.paper for r in rows] == [r.paper for r in raw]
    # the archive dropped HF user objects, so rows have no submitter
    assert [r.listing for r in rows] == [
        replace(r.listing, submitted_by=None) for r in raw if r.listing
    ]


def test_parse_daily_rows_clean_links_of_archive_quirks():
    by_id = {
        r.paper.id: r
        for r in parse_daily_rows(rows_of(DATA / "daily_papers_slice.jsonl.gz"), "t")
        if isinstance(r, Record)
    }
    # " https://..." with a leading space (2025-03-17) is stripped
    assert link(by_id["2503.11646"], "project") == "https://sites.google.com/view/adc-robot"
    # "[package-registry-url]/project/..." (2026-01-22) is not a URL
    assert link(by_id["2601.12029"], "project") is None


def test_parse_daily_rows_reject_bad_rows_with_line_numbers():
    results = list(parse_daily_rows(rows_of(DATA / "bad_rows.jsonl"), "src"))
    reasons = [r.reason for r in results if isinstance(r, Rejected)]
    assert reasons == [
        "line 2: missing arxiv_id",
        "line 3: upvotes must be a whole number, not 'many'",
        "line 4: not JSON: Expecting value: line 1 column 51 (char 50)",
        "line 6: row must be a JSON object, not list",
        "line 7: missing date",
        "line 8: position must not be negative: -1",
    ]
    good = [r for r in results if isinstance(r, Record)]
    assert [r.paper.id for r in good] == ["2506.99010", "2506.99014"]
    assert good[1].paper.links[0] == Link("code", "https://github.com/a/b")
    assert link(good[1], "project") is None


def test_parse_daily_row_accepts_text_and_ignores_snapshot_fields():
    line = rows_of(DATA / "bad_rows.jsonl")[0][1].decode()
    record = parse_daily_row(line, "t")
    assert isinstance(record, Record)
    assert record.listing is not None
    assert record.listing.submitted_at == utc("2025-06-19T01:00:00")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ([b'{"date": "2025-06-19", "arxiv_id": "2506.00001", "position": 0}'], True),
        ([b"{not json", b'{"date": "2025-06-19", "arxiv_id": "2506.00001"}'], True),
        ([b"[", b'  {"paper": {"id": "2506.00001"}}'], False),
        ([b"{", b'  "status": "ok",', b'  "date": "2025-01-15",'], False),
        ([b'{"status": "ok", "date": "2025-01-15", "data": []}'], False),
        ([], False),
    ],
)
def test_is_rows_format_tells_rows_from_documents(head, expected):
    assert is_rows_format(head) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2025-06-18.json.gz", date(2025, 6, 18)),
        ("/data/daily/papers-2026-03-10.json", date(2026, 3, 10)),
        ("2025-13-45.json", None),
        ("latest.json", None),
    ],
)
def test_day_in_name_reads_the_date_of_a_file_name(name, expected):
    assert day_in_name(name) == expected


def test_parse_daily_item_limits_repr_text_and_submitter_length():
    long_repr = parse_daily_item("{'a': '" + "x" * 1_000_001 + "'}", 0, None, "t")
    assert isinstance(long_repr, Rejected)
    assert long_repr.reason == "item 0: item text too long: 1000010 characters (limit 1000000)"
    item = {"paper": {"id": "2501.00001", "title": "T"}, "submittedBy": {"name": "n" * 301}}
    long_name = parse_daily_item(item, 0, date(2025, 1, 1), "t")
    assert isinstance(long_name, Rejected)
    assert long_name.reason == "item 0: submitter too long: 301 characters"


def test_parse_daily_item_drops_malformed_url():
    item = {"paper": {"id": "2501.00001", "title": "T", "githubRepo": "http://[::1"}}
    record = parse_daily_item(item, 0, date(2025, 1, 1), "t")
    assert isinstance(record, Record)
    assert link(record, "code") is None


def test_parse_daily_row_without_position_is_rejected():
    row = json.loads(rows_of(DATA / "bad_rows.jsonl")[0][1])
    del row["position"]
    rejected = parse_daily_row(json.dumps(row), "t", 9)
    assert isinstance(rejected, Rejected)
    assert rejected.reason == "line 9: missing position"
