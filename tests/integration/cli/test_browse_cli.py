"""init, demo, stats, show, daily, export and quarantine through the real CLI process."""

import csv
import io
import json
from datetime import date

from papertide.clock import FixedClock
from papertide.demo import DemoDays, recorded_demo
from papertide.store.sqlite import SqliteStore
from tests.integration.citation_clients import bibtex_keys, csl_items, ris_keys
from tests.integration.cli.conftest import paper_line

HF_SLICE = "tests/data/hf/daily_papers_slice.jsonl.gz"


def test_init_creates_the_database_and_is_safe_to_repeat(cli, tmp_path):
    assert cli("init").stdout.strip() == f"Database ready: {tmp_path / 'cli.db'}"
    assert cli("init").returncode == 0
    assert json.loads(cli("stats", "--json").stdout)["papers"] == 0
    assert "Quarantine is empty." in cli("quarantine").stdout
    assert "No daily listings yet" in cli("daily").stdout


def test_demo_loads_the_bundled_corpus_once(cli, tmp_path):
    first = cli("demo")
    assert first.returncode == 0, first.stderr
    stats = json.loads(cli("stats", "--json").stdout)
    assert stats["papers"] > 20_000
    assert stats["listing_days"] == 120
    assert stats["quarantined"] == 0
    again = cli("demo")
    assert " 0 new, 0 updated" in again.stdout
    assert json.loads(cli("stats", "--json").stdout) == stats
    # #17: the demo's sources list no versions; "versions 0" beside 23,608 papers read as a defect
    assert stats["versions"] == 0
    assert "versions" not in cli("stats").stdout
    store = SqliteStore(tmp_path / "cli.db", FixedClock())  # the note the site shows (#17)
    try:
        days = recorded_demo(store)
    finally:
        store.close()
    assert days == DemoDays(date(2026, 3, 5), date(2026, 8, 21))
    assert (stats["first_day"], stats["last_day"]) == ("2026-03-05", "2026-08-21")


def test_stats_counts_the_dated_versions_a_source_lists(cli, tmp_path):
    versions = [{"version": "v1", "date": "2026-01-02"}, {"version": 2, "created": "2026-02-03"}]
    record = {**json.loads(paper_line(1)), "versions": versions}
    path = tmp_path / "versioned.jsonl"
    path.write_text(json.dumps(record) + "\n" + paper_line(2) + "\n")
    assert cli("ingest", "jsonl", str(path)).returncode == 0
    assert json.loads(cli("stats", "--json").stdout)["versions"] == 2
    shown = cli("stats").stdout.splitlines()
    assert "versions      2 dated (v1, v2, ... as arXiv lists them)" in shown


def test_export_of_the_demo_reads_in_real_citation_clients(cli, tmp_path):
    """#12 defect 7: a full export had 743 keys shared by 1,997 entries (BibTeX "Repeated
    entry", pybtex strict raised); three demo papers all had the key chen2026minimum."""
    assert cli("demo").returncode == 0
    papers = json.loads(cli("stats", "--json").stdout)["papers"]
    out = tmp_path / "all.bib"
    assert cli("export", "--format", "bibtex", "-o", str(out)).returncode == 0
    assert len(bibtex_keys(out.read_text(encoding="utf-8"))) == papers
    chosen = ["--id", "2604.25354", "--id", "2604.00647", "--id", "2604.23594"]
    keys = ["chen2026minimumc", "chen2026minimuma", "chen2026minimumb"]
    assert bibtex_keys(cli("export", "--format", "bibtex", *chosen).stdout) == keys
    assert ris_keys(cli("export", "--format", "ris", *chosen).stdout) == keys
    items = csl_items(cli("export", "--format", "csl-json", *chosen).stdout)
    assert [item["id"] for item in items] == keys


def test_show_prints_a_paper_given_any_id_form(cli, papers_file):
    cli("ingest", "jsonl", str(papers_file(3)))
    text = cli("show", "https://arxiv.org/abs/2601.00002v1").stdout
    assert "Paper number 2 on sparse attention" in text
    assert "Ada Lovelace, Author 2" in text
    assert "Code:      https://github.com/lab/p2" in text
    data = json.loads(cli("show", "arXiv:2601.00002", "--json").stdout)
    assert (data["id"], data["categories"], data["listings"]) == (
        "2601.00002",
        ["cs.CL", "cs.LG"],
        [],
    )


def test_show_unknown_or_malformed_id_is_one_line(cli):
    cli("init")
    missing = cli("show", "2601.99999")
    assert (missing.returncode, missing.stderr.strip()) == (
        1,
        "Error: no paper 2601.99999 in the store",
    )
    bad = cli("show", "<script>")
    assert bad.returncode == 1 and bad.stderr.startswith("Error: not an arXiv id or URL")


def test_daily_shows_a_day_in_order_and_falls_back_to_the_latest_before(cli):
    assert cli("ingest", "hf-daily", HF_SLICE).returncode == 0
    latest = json.loads(cli("daily", "--json").stdout)
    assert [row["position"] for row in latest] == list(range(len(latest)))
    day = json.loads(cli("daily", "--date", "2025-06-18", "--json").stdout)
    assert day and all(isinstance(row["upvotes"], int) for row in day)
    fallback = cli("daily", "--date", "2099-01-01").stdout
    assert "No list for 2099-01-01; showing the latest before it." in fallback


def test_export_jsonl_round_trips_into_a_new_store(cli, papers_file, tmp_path):
    cli("ingest", "jsonl", str(papers_file(20)))
    out = tmp_path / "out.jsonl"
    assert cli("export", "-o", str(out)).returncode == 0
    again = cli("ingest", "jsonl", str(out), "--db", str(tmp_path / "copy.db"), "--json")
    assert json.loads(again.stdout)[0]["new"] == 20
    original = cli("export").stdout
    copied = cli("export", "--db", str(tmp_path / "copy.db")).stdout
    assert original == copied


def test_export_csv_and_bibtex(cli, papers_file, tmp_path):
    cli("ingest", "jsonl", str(papers_file(2, bad=[], name="p.jsonl")))
    rows = list(csv.DictReader(io.StringIO(cli("export", "--format", "csv").stdout)))
    assert [r["id"] for r in rows] == ["2601.00001", "2601.00002"]
    back = cli("ingest", "csv", "-", "--db", str(tmp_path / "c.db"), "--json",
               stdin=cli("export", "--format", "csv").stdout)  # fmt: skip
    assert json.loads(back.stdout)[0]["new"] == 2
    bib = cli("export", "--format", "bibtex", "--id", "2601.00001").stdout
    assert bib.startswith("@misc{lovelace2026paper,")
    assert "eprint        = {2601.00001}" in bib


def test_hostile_titles_are_stored_and_shown_as_plain_text(cli, tmp_path):
    hostile = json.loads(paper_line(1))
    hostile["title"] = "<script>alert(1)</script> & $x<y$ \\frac{a}{b}"
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps(hostile) + "\n")
    assert cli("ingest", "jsonl", str(path)).returncode == 0
    assert json.loads(cli("show", "2601.00001", "--json").stdout)["title"] == hostile["title"]


def test_every_command_answers_help(cli):
    for command in ("init", "demo", "ingest", "stats", "show", "daily", "export", "quarantine"):
        result = cli(command, "--help")
        assert result.returncode == 0 and "Usage:" in result.stdout, command
    assert cli("--version").stdout.startswith("papertide, version ")


def test_export_csv_neutralises_cells_a_spreadsheet_would_run(cli, tmp_path):
    """#13: a title like =cmd|' /C calc'!A0 was written as it is (formula injection)."""
    hostile = json.loads(paper_line(1)) | {"title": "=cmd|' /C calc'!A0", "comment": "@SUM(1)"}
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps(hostile) + "\n")
    cli("ingest", "jsonl", str(path))
    [row] = list(csv.DictReader(io.StringIO(cli("export", "--format", "csv").stdout)))
    assert row["title"] == "'=cmd|' /C calc'!A0" and row["comment"] == "'@SUM(1)"
    assert row["id"] == "2601.00001"
