"""SnapshotSource: the Kaggle arXiv metadata snapshot, good and bad lines, compression, memory."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from papertide.errors import InputError
from papertide.models import ParseResult, Record, Rejected, Version
from papertide.sources.snapshot import SnapshotSource, names_from_parsed, paper_from_snapshot

FILES = Path(__file__).resolve().parents[2] / "data" / "files"
SAMPLE = FILES / "snapshot_sample.jsonl"


def read(path: Path | str) -> list[ParseResult]:
    return list(SnapshotSource(path).records())


def papers(path: Path | str) -> dict[str, Record]:
    return {item.paper.id: item for item in read(path) if isinstance(item, Record)}


def sample_line(paper_id: str) -> dict[str, object]:
    lines = (json.loads(line) for line in SAMPLE.read_text().splitlines())
    return next(line for line in lines if line["id"] == paper_id)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_snapshot_reads_every_sample_record() -> None:
    results = read(SAMPLE)
    assert len(results) == 38
    assert all(isinstance(item, Record) for item in results)
    assert SnapshotSource(SAMPLE).name == "snapshot:snapshot_sample.jsonl"


def test_snapshot_maps_fields_versions_and_dates() -> None:
    paper = papers(SAMPLE)["0704.0008"].paper
    assert paper.title == (
        "Numerical solution of shock and ramp compression for general material properties"
    )
    assert paper.abstract.startswith("A general formulation was developed to represent material")
    assert "\n" not in paper.abstract
    assert paper.authors == ("Damian C. Swift",)
    assert paper.categories == ("cond-mat.mtrl-sci",)
    assert paper.version == 3
    assert paper.versions == (
        Version(1, utc(2007, 3, 31, 4, 47, 20)),
        Version(2, utc(2008, 4, 10, 8, 42, 28)),
        Version(3, utc(2008, 7, 1, 18, 54, 28)),
    )
    assert paper.published == utc(2007, 3, 31, 4, 47, 20)
    # update_date (2008-07-01) has no time of day; v3 on that day is later, so it wins.
    assert paper.updated == utc(2008, 7, 1, 18, 54, 28)
    assert paper.comment == "Minor corrections"
    assert paper.journal_ref == "Journal of Applied Physics, vol 104, 073536 (2008)"
    assert paper.doi == "10.1063/1.2975338"
    assert paper.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"


def test_snapshot_update_date_after_last_version_is_updated() -> None:
    paper = papers(SAMPLE)["0704.0001"].paper
    assert paper.version == 2
    assert paper.published == utc(2007, 4, 2, 19, 18, 42)
    assert paper.updated == utc(2007, 7, 24, 20, 10, 27)
    record = sample_line("0704.0001")
    record["update_date"] = "2008-11-13"
    assert paper_from_snapshot(record).updated == utc(2008, 11, 13)


def test_snapshot_prefers_authors_parsed_over_the_tex_author_string() -> None:
    paper = papers(SAMPLE)["0704.0001"].paper
    assert paper.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan")


def test_snapshot_authors_parsed_affiliation_element_is_ignored() -> None:
    assert papers(SAMPLE)["cs/0212040"].paper.authors == ("Peter D. Turney",)


def test_snapshot_old_style_ids_keep_their_archive() -> None:
    found = papers(SAMPLE)
    assert {"hep-th/9108002", "math/0202001", "acc-phys/9411001", "alg-geom/9202001"} <= set(found)
    assert found["math/0202001"].paper.categories == ("math.GR", "math.DS")


def test_snapshot_falls_back_to_the_author_string() -> None:
    record = {
        "id": "0704.0001",
        "title": "T",
        "abstract": "A",
        "authors": "Ann Lee, Bo Chen (MIT) and C. Wu",
        "authors_parsed": [["Lee", "Ann"], "broken"],
    }
    assert paper_from_snapshot(record).authors == ("Ann Lee", "Bo Chen", "C. Wu")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([["Smith", "John", "Jr"], ["Lee", "Ann", ""]], ["John Smith Jr", "Ann Lee"]),
        ([["Collaboration", "The ATLAS", ""]], ["The ATLAS Collaboration"]),
        ([["Turney", "Peter D.", "", "NRC Canada"]], ["Peter D. Turney"]),
        ([["Madonna"]], ["Madonna"]),
        ([], None),
        ("Lee, Ann", None),
        ([["Lee", 3, ""]], None),
        ([["", "", ""]], None),
        ([None], None),
    ],
)
def test_names_from_parsed(value: object, expected: list[str] | None) -> None:
    assert names_from_parsed(value) == expected


@pytest.mark.parametrize("suffix", [".gz", ".xz"])
def test_snapshot_compressed_files_give_the_same_records(suffix: str) -> None:
    assert read(f"{SAMPLE}{suffix}") == read(SAMPLE)


def test_snapshot_bad_lines_become_rejects_and_good_ones_survive() -> None:
    results = read(FILES / "snapshot_bad.jsonl")
    kinds = [
        item.paper.id if isinstance(item, Record) else item.reason
        for item in results
        if isinstance(item, Record | Rejected)
    ]
    assert kinds == [
        "0704.0003",
        "invalid JSON at line 2: Unterminated string starting at (column 27)",
        "not a JSON object at line 3: found an array",
        "bad record at line 4: title must be text, not list",
        "bad record at line 5: authors must be a list or text, not int",
        "invalid UTF-8 at line 6 (byte 0xff)",
        "bad record at line 7: title has broken unicode (lone surrogate)",
        "0704.0008",
        "bad record at line 10: versions must be a list, not str",
        "bad record at line 11: version date is not a date: 'yesterday-ish'",
        "bad record at line 12: not an arXiv id: 'hello world'",
        "not a JSON object at line 13: found a number",
        "bad record at line 14: missing title",
        "0704.0032",
    ]
    rejects = [item for item in results if isinstance(item, Rejected)]
    assert {item.source for item in rejects} == {"snapshot:snapshot_bad.jsonl"}
    assert rejects[0].raw == '{"id":"0704.0001","title":"Truncated'
    assert '"title":"Bad \\xff\\xfe bytes here"' in rejects[4].raw


def test_snapshot_keeps_html_and_latex_titles_as_text() -> None:
    found = {
        item.paper.id: item.paper
        for item in read(FILES / "snapshot_bad.jsonl")
        if isinstance(item, Record)
    }
    assert found["0704.0008"].title == "<script>alert(1)</script> & $x<y$"


def test_snapshot_huge_title_is_rejected_with_capped_raw_text() -> None:
    results = read(FILES / "huge_title.jsonl.gz")
    assert [type(item) for item in results] == [Record, Rejected, Record]
    rejected = results[1]
    assert isinstance(rejected, Rejected)
    assert rejected.reason == (
        "bad record at line 2: title too long: 1999999 characters (limit 1000)"
    )
    assert len(rejected.raw) < 1_000_100


def test_snapshot_truncated_gzip_yields_the_good_lines_then_input_error(tmp_path: Path) -> None:
    data = Path(f"{SAMPLE}.gz").read_bytes()
    truncated = tmp_path / "cut.jsonl.gz"
    truncated.write_bytes(data[: len(data) // 2])
    seen: list[ParseResult] = []
    with pytest.raises(InputError, match=r"cannot decompress .*cut\.jsonl\.gz"):
        seen.extend(SnapshotSource(truncated).records())
    assert 5 < len(seen) < 38
    assert all(isinstance(item, Record) for item in seen[:-1])


def test_snapshot_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "nope.jsonl")


_MEMORY_CHILD = textwrap.dedent(
    """
    import resource, sys
    from itertools import islice
    from papertide.sources.snapshot import SnapshotSource

    records = iter(SnapshotSource(sys.argv[1]).records())
    warm = sum(1 for _ in islice(records, 2000))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rest = sum(1 for _ in records)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(warm + rest, (after - before) * 1024)
    """
)


def test_snapshot_streams_in_constant_memory(tmp_path: Path) -> None:
    """50,000 lines (about 30 MB unpacked) must not grow the peak RSS by 20 MB.

    Measured in a fresh interpreter (peak RSS is per process); tracemalloc would make the
    parse 6x slower.
    """
    path = tmp_path / "big.jsonl"
    template = sample_line("0704.0001")
    template["abstract"] = str(template["abstract"])[:300]
    with path.open("w") as out:
        for number in range(50_000):
            template["id"] = f"1501.{number + 1:05d}"
            out.write(json.dumps(template) + "\n")
    child = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    count, growth = map(int, child.stdout.split())
    assert count == 50_000
    assert growth < 20_000_000
