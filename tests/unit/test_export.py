import csv
import io
import json
from datetime import UTC, datetime

import pytest

from papertide.export import CSV_COLUMNS, export_lines
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


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json"])
def test_citation_exports_give_colliding_papers_unique_keys(fmt):
    twin = Paper(id="2501.09999", title="The Fast way", abstract="", authors=("Émile Zola",),
                 published=PAPER.published)  # fmt: skip
    text = "".join(export_lines([twin, PAPER], fmt))
    assert "zola2024fasta" in text and "zola2024fastb" in text
    assert text.index("zola2024fastb") < text.index("zola2024fasta")  # keys by id, list order kept


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
