"""`papertide ingest text` on a copied Daily Papers page: every paper stored, and a summary of
where every line went that adds up (issue #14)."""

import json
import sqlite3
from pathlib import Path

FILES = Path(__file__).resolve().parents[2] / "data" / "files"


def test_ingest_text_stores_every_paper_of_a_copied_page_and_accounts_for_every_line(cli, tmp_path):
    page = FILES / "hf_daily_titles.txt"
    result = cli("ingest", "text", str(page), "--json")
    assert result.returncode == 0, result.stderr
    (summary,) = json.loads(result.stdout)
    assert (summary["new"], summary["quarantined"]) == (15, 0)
    lines = summary["lines"]
    furniture = sum(lines["furniture"].values())
    non_blank = [line for line in page.read_text().splitlines() if line.strip()]
    assert lines["lines"] == len(non_blank) == lines["in_papers"] + lines["quarantined"] + furniture
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        titles = [row[0] for row in conn.execute("SELECT title FROM papers")]
    assert len(titles) == 15
    assert (
        "Vertical Waves in Perturbed Disks. II. Phase Spirals in the Solar Neighbourhood" in titles
    )


def test_ingest_text_prints_the_line_summary_and_quarantines_an_orphan_abstract(cli, tmp_path):
    abstract = "We study how copied lists are parsed. Our method keeps the papers apart. " * 2
    page = tmp_path / "page.txt"
    page.write_text(
        f"Previous\nNext\n\nA Paper With A Title\n\n{abstract}\n\nAbout\n\n"
        f"{abstract}\n\nPrivacy Policy\n"
    )
    result = cli("ingest", "text", str(page))
    assert result.returncode == 3, result.stderr
    assert "1 new, 0 updated, 0 unchanged, 1 quarantined" in result.stdout
    assert "  7 lines: 2 in papers, 1 quarantined, 4 page furniture (menus and labels 4)" in (
        result.stdout
    )
    assert "abstract without title at line 10" in cli("quarantine").stdout
