import csv
import io
import json
from datetime import UTC, datetime

import pytest

from papertide.export import CSV_COLUMNS, bibtex_key, export_lines, paper_year, to_bibtex
from papertide.ids import generated_id
from papertide.models import Link, Paper

PAPER = Paper(
    id="2501.01234",
    version=2,
    title="The {Fast} & Furious: $O(n<m)$ Graph_Search at 100%",
    abstract="We study graphs.",
    authors=("Émile Zola", "Ada Lovelace"),
    categories=("cs.DS", "cs.AI"),
    published=datetime(2024, 12, 31, tzinfo=UTC),
    doi="10.1000/xyz",
    journal_ref="J. Graphs 1 (2025)",
    links=(Link("code", "https://github.com/a/b"),),
)


def test_bibtex_entry_has_arxiv_fields_and_escapes_specials_outside_math():
    entry = to_bibtex(PAPER)
    assert entry.startswith("@misc{zola2024fast,\n")
    assert "title         = {{The {Fast} \\& Furious: $O(n<m)$ Graph\\_Search at 100\\%}}" in entry
    assert "author        = {Zola, Émile and Lovelace, Ada}" in entry
    assert "eprint        = {2501.01234}" in entry
    assert "archivePrefix = {arXiv}" in entry
    assert "primaryClass  = {cs.DS}" in entry
    assert "doi           = {10.1000/xyz}" in entry
    assert entry.rstrip().endswith("}")
    assert entry.count("{") == entry.count("}")


def test_bibtex_drops_unbalanced_braces():
    entry = to_bibtex(Paper(id="2501.01234", title="Broken } title {", abstract=""))
    assert "{{Broken  title }}" in entry
    assert entry.count("{") == entry.count("}")


def test_bibtex_for_generated_id_has_no_eprint():
    pid = generated_id("Local paper", "x")
    entry = to_bibtex(Paper(id=pid, title="Local paper", abstract="x"))
    assert "eprint" not in entry
    assert entry.startswith("@misc{anonlocal,")


def test_bibtex_key_and_year_fall_back_to_the_id():
    paper = Paper(id="2311.00001", title="On the A of B", abstract="", authors=("J. Doe",))
    assert paper_year(paper) == 2023
    assert bibtex_key(paper) == "doe2023b"


def test_jsonl_export_is_one_object_per_paper():
    [line] = list(export_lines([PAPER], "jsonl"))
    data = json.loads(line)
    assert data["id"] == "2501.01234"
    assert data["authors"] == ["Émile Zola", "Ada Lovelace"]
    assert data["links"] == [{"kind": "code", "url": "https://github.com/a/b"}]


def test_csv_export_has_a_header_and_quotes_text():
    text = "".join(export_lines([PAPER, PAPER], "csv"))
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 3
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["title"] == PAPER.title
    assert row["authors"] == "Émile Zola; Ada Lovelace"
    assert row["categories"] == "cs.DS cs.AI"


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown export format 'xml'"):
        list(export_lines([PAPER], "xml"))
