"""JsonlSource and CsvSource: our export format, its variants, bad lines and rows."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from papertide.errors import InputError
from papertide.ids import generated_id
from papertide.models import Link, Paper, ParseResult, Record, Rejected, Version
from papertide.sources.snapshot import SnapshotSource
from papertide.sources.tabular import CsvSource, JsonlSource, paper_from_fields
from papertide.store.codec import paper_to_json

FILES = Path(__file__).resolve().parents[2] / "data" / "files"
LISTINGS = FILES / "cs_listings_50.jsonl"
ABSTRACT = "We study a problem and report results. " * 3


def read(source: JsonlSource | CsvSource) -> list[ParseResult]:
    return list(source.records())


def only_papers(results: list[ParseResult]) -> list[Paper]:
    return [item.paper for item in results if isinstance(item, Record)]


def outcomes(results: list[ParseResult]) -> list[str]:
    """Each result as its paper id or its reject reason, in order."""
    return [
        item.paper.id if isinstance(item, Record) else item.reason
        for item in results
        if isinstance(item, Record | Rejected)
    ]


def write_lines(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return path


def test_jsonl_reads_the_cs_listings_format() -> None:
    results = read(JsonlSource(LISTINGS))
    assert len(results) == 50
    first = only_papers(results)[0]
    assert first.id == "2503.11677"
    assert first.title == (
        "Simulation of prosthetic vision with PRIMA system and enhancement of face representation"
    )
    assert first.authors == (
        "Jungyeon Park",
        "Anna Kochnev Goldstein",
        "Yueming Zhou",
        "Nathan Jensen",
        "Daniel Palanker",
    )
    assert first.categories == ("cs.HC", "cs.CV")
    assert first.primary_category == "cs.HC"
    assert first.published == datetime(2025, 3, 18, tzinfo=UTC)  # first_listed
    assert first.abstract.startswith("Objective. Patients implanted with the PRIMA photovoltaic")
    assert "\n" not in first.abstract
    assert first.version is None
    assert first.comment is None


def test_jsonl_drops_acm_and_msc_codes_mixed_into_categories() -> None:
    paper = next(p for p in only_papers(read(JsonlSource(LISTINGS))) if p.id == "2503.11954")
    assert paper.categories == ("eess.IV", "cs.AI", "cs.CV", "cs.IT", "cs.LG", "math.IT")


def test_jsonl_finds_code_links_in_abstracts() -> None:
    paper = next(p for p in only_papers(read(JsonlSource(LISTINGS))) if p.id == "2503.11781")
    assert paper.links == (Link("code", "https://github.com/gosha20777/cmKAN"),)


def test_jsonl_export_format_round_trips(tmp_path: Path) -> None:
    originals = [
        *only_papers(list(SnapshotSource(FILES / "snapshot_sample.jsonl").records())),
        *only_papers(read(JsonlSource(LISTINGS))),
        paper_from_fields(
            {
                "title": "No id, with links",
                "abstract": ABSTRACT,
                "links": [{"kind": "project", "url": "https://example.org/p"}],
                "github_repo": "https://github.com/a/b",
            }
        ),
    ]
    path = write_lines(tmp_path / "export.jsonl", [paper_to_json(p) for p in originals])
    assert only_papers(read(JsonlSource(path))) == originals


@pytest.mark.parametrize(
    ("row", "field", "expected"),
    [
        ({"arxiv_id": "2501.01234v3"}, "id", "2501.01234"),
        ({"arxiv_id": "2501.01234v3"}, "version", 3),
        ({"paper_id": "hep-th/9901001"}, "id", "hep-th/9901001"),
        ({"url": "https://arxiv.org/abs/2501.01234"}, "id", "2501.01234"),
        ({"entry_id": "http://arxiv.org/abs/2501.01234v2"}, "version", 2),
        ({"summary": "From the summary."}, "abstract", "From the summary."),
        (
            {"authors": [{"name": "Ann Lee"}, {"name": "Bo Chen"}]},
            "authors",
            ("Ann Lee", "Bo Chen"),
        ),
        ({"authors": "Ann Lee, Bo Chen and C. Wu"}, "authors", ("Ann Lee", "Bo Chen", "C. Wu")),
        ({"categories": "cs.CL, cs.AI"}, "categories", ("cs.CL", "cs.AI")),
        ({"categories": "cs.CL cs.AI"}, "categories", ("cs.CL", "cs.AI")),
        (
            {"categories": ["cs.AI", "cs.CL"], "primary_category": "cs.CL"},
            "categories",
            ("cs.CL", "cs.AI"),
        ),
        ({"primary_category": "cs.CL"}, "categories", ("cs.CL",)),
        ({"journal-ref": "JMLR 1 (2025)"}, "journal_ref", "JMLR 1 (2025)"),
        ({"comments": "12 pages"}, "comment", "12 pages"),
        ({"version": "v4"}, "version", 4),
        (
            {"published": "2025-01-02T03:04:05Z"},
            "published",
            datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        ),
        (
            {"published": "2025-01-02", "first_listed": "2025-02-03"},
            "published",
            datetime(2025, 1, 2, tzinfo=UTC),
        ),
        ({"update_date": "2025-05-06"}, "updated", datetime(2025, 5, 6, tzinfo=UTC)),
        (
            {"versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}]},
            "versions",
            (Version(1, datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)),),
        ),
        (
            {"github_repo": "https://github.com/a/b", "project_page": "https://a.github.io/b"},
            "links",
            (Link("code", "https://github.com/a/b"), Link("project", "https://a.github.io/b")),
        ),
    ],
)
def test_jsonl_accepts_common_field_variants(
    row: dict[str, Any], field: str, expected: object
) -> None:
    base = {"title": "A title"} if "summary" in row else {"title": "A title", "abstract": ABSTRACT}
    assert getattr(paper_from_fields({**base, **row}), field) == expected


def test_jsonl_a_url_elsewhere_is_not_an_id() -> None:
    paper = paper_from_fields(
        {"title": "A title", "abstract": ABSTRACT, "url": "https://openreview.net/forum?id=x"}
    )
    assert paper.id == generated_id("A title", ABSTRACT)


def test_jsonl_rows_without_id_get_the_same_generated_id_for_the_same_text(tmp_path: Path) -> None:
    rows = [
        {"title": "Same  Title", "abstract": "Same text."},
        {"title": "same title", "abstract": "Same   text."},
        {"title": "Other title", "abstract": "Same text."},
    ]
    ids = [p.id for p in only_papers(read(JsonlSource(write_lines(tmp_path / "a.jsonl", rows))))]
    assert ids[0] == ids[1] == generated_id("Same Title", "Same text.")
    assert ids[2] != ids[0]
    assert ids[0].startswith("pt-")


def test_jsonl_bad_lines_become_rejects_and_good_ones_survive() -> None:
    results = read(JsonlSource(FILES / "papers_bad.jsonl"))
    assert outcomes(results) == [
        "2503.11677",
        "invalid JSON at line 2: Expecting value (column 31)",
        "not a JSON object at line 3: found null",
        "bad record at line 4: title must be text, not list",
        "bad record at line 5: authors must be a list or text, not int",
        "invalid UTF-8 at line 6 (byte 0xc3)",
        "bad record at line 7: title has broken unicode (lone surrogate)",
        "2503.00008",
        "bad record at line 9: link kind must be one of code, project, huggingface, not 'video'",
        "bad record at line 10: categories must be a list or text, not int",
        "bad record at line 11: bad version 'vx'",
        "invalid JSON at line 12: Expecting value (column 122)",
        "2503.11685",
    ]
    html = only_papers(results)[1]
    assert html.title == "<script>alert(1)</script> & $x<y$"
    bad_utf8 = results[5]
    assert isinstance(bad_utf8, Rejected)
    assert '"title":"Bad \\xc3( bytes"' in bad_utf8.raw


def test_jsonl_deeply_nested_json_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n" + json.dumps({"title": "Fine"}) + "\n")
    assert outcomes(read(JsonlSource(path))) == [
        "invalid JSON at line 1: nested too deep",
        generated_id("Fine", ""),
    ]


def test_jsonl_utf8_bom_on_the_first_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "2501.01234", "title": "T"}).encode())
    assert outcomes(read(JsonlSource(path))) == ["2501.01234"]


def test_jsonl_huge_title_is_rejected_between_good_lines() -> None:
    assert outcomes(read(JsonlSource(FILES / "huge_title.jsonl.gz"))) == [
        "0704.0021",
        "bad record at line 2: title too long: 1999999 characters (limit 1000)",
        "0704.0023",
    ]


def test_jsonl_truncated_gzip_yields_the_good_lines_then_input_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(LISTINGS.read_bytes())[:20_000])
    seen: list[ParseResult] = []
    with pytest.raises(InputError, match="cannot decompress"):
        seen.extend(JsonlSource(path).records())
    assert seen
    assert all(isinstance(item, Record) for item in seen[:-1])


def test_csv_reads_list_columns_in_every_documented_form() -> None:
    found = only_papers(read(CsvSource(FILES / "papers.csv")))
    rows = [json.loads(line) for line in LISTINGS.read_text().splitlines()[2:8]]
    assert [p.title for p in found] == [row["title"] for row in rows]
    assert [p.authors for p in found] == [tuple(row["authors"]) for row in rows]
    assert [p.categories[0] for p in found] == [row["primary_category"] for row in rows]
    assert found[2].categories == tuple(rows[2]["categories"])  # comma-separated cell
    assert found[3].id == generated_id(rows[3]["title"], rows[3]["abstract"])  # no id
    assert (found[4].id, found[4].version) == (rows[4]["id"], 2)  # an abs URL with v2
    assert found[0].published == datetime(2025, 3, 18, tzinfo=UTC)
    assert found[5].abstract == only_papers(read(JsonlSource(LISTINGS)))[7].abstract


def test_csv_export_round_trips_with_json_list_cells(tmp_path: Path) -> None:
    originals = only_papers(list(SnapshotSource(FILES / "snapshot_sample.jsonl").records()))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(paper_to_json(originals[0])))
    writer.writeheader()
    for paper in originals:
        row = paper_to_json(paper)
        writer.writerow(
            {
                k: json.dumps(v) if isinstance(v, list) else "" if v is None else v
                for k, v in row.items()
            }
        )
    path = tmp_path / "export.csv"
    path.write_text(buffer.getvalue())
    assert only_papers(read(CsvSource(path))) == originals


def test_csv_bad_rows_become_rejects_and_good_ones_survive() -> None:
    results = read(CsvSource(FILES / "papers_bad.csv.gz"))
    assert outcomes(results) == [
        "2503.10001",
        "invalid UTF-8 at line 3 (byte 0xff)",
        "bad record at line 4: 6 cells but 5 columns",
        "bad record at line 5: authors is not a valid JSON array: Expecting value",
        "bad record at line 6: missing title",
        "2503.10006",
        "bad record at line 8: versions must be a JSON array, got 'v1 v2'",
        "bad CSV at line 9: field larger than field limit (131072)",
        "2503.10009",
    ]
    good = only_papers(results)
    assert good[0].authors == ("Ann Lee", "Bo Chen")
    assert good[1].title == "<script>alert(1)</script> & $x<y$"
    assert good[2].abstract.startswith("Two lines of abstract.")
    assert good[2].versions == (Version(1, datetime(2025, 3, 14, 10, tzinfo=UTC), "12kb"),)
    bad_utf8 = results[1]
    assert isinstance(bad_utf8, Rejected)
    assert bad_utf8.raw.startswith("2503.10002,Bad \\xff bytes,")
    assert bad_utf8.source == "csv:papers_bad.csv.gz"


def test_csv_without_title_column_is_an_input_error_at_once() -> None:
    with pytest.raises(InputError, match=r"^no title column; columns are id, name, abstract$"):
        next(iter(CsvSource(FILES / "no_title.csv").records()))


def test_csv_empty_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("\n\n")
    with pytest.raises(InputError, match="no header row"):
        read(CsvSource(path))


def test_csv_bom_blank_lines_and_short_rows(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfid,title,abstract,doi\n\n2501.01234,A title\n")
    assert outcomes(read(CsvSource(path))) == ["2501.01234"]


def test_csv_truncated_gzip_yields_the_good_rows_then_input_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(gzip.compress((FILES / "papers.csv").read_bytes())[:3_000])
    seen: list[ParseResult] = []
    with pytest.raises(InputError, match="cannot decompress"):
        seen.extend(CsvSource(path).records())
    assert seen
    assert all(isinstance(item, Record) for item in seen)


def test_csv_links_may_be_plain_urls_with_kinds_guessed(tmp_path):
    path = tmp_path / "links.csv"
    path.write_text(
        "id,title,links\n"
        '2501.01234,T,"https://github.com/a/b https://huggingface.co/spaces/o/s https://p.org"\n'
    )
    [record] = list(CsvSource(path).records())
    assert isinstance(record, Record)
    assert [(link.kind, link.url) for link in record.paper.links] == [
        ("code", "https://github.com/a/b"),
        ("huggingface", "https://huggingface.co/spaces/o/s"),
        ("project", "https://p.org"),
    ]
