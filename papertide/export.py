"""Papers out: JSON lines (the same format `ingest jsonl` reads), CSV, and the citation
formats of papertide/citation (BibTeX, RIS, CSL-JSON). Pure.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from papertide.citation.formats import CITATION_FORMATS, citation_lines
from papertide.citation.keys import CitationKeys
from papertide.models import Paper
from papertide.store.codec import paper_to_json

EXPORT_FORMATS = ("jsonl", "csv", *CITATION_FORMATS)
CSV_COLUMNS = (
    "id", "version", "title", "authors", "categories", "primary_category", "published",
    "updated", "comment", "journal_ref", "doi", "license", "links", "abstract",
)  # fmt: skip


def export_lines(
    papers: Iterable[Paper], fmt: str, keys: CitationKeys | None = None
) -> Iterator[str]:
    """The papers as text in `fmt`, ready to write; CSV starts with its header line.

    Citation formats take their unique keys from `keys`, built from the same papers (so a
    caller can stream a whole store twice); without it the papers are read into memory first.
    """
    if fmt == "jsonl":
        for paper in papers:
            yield json.dumps(paper_to_json(paper), ensure_ascii=False) + "\n"
    elif fmt == "csv":
        yield _csv_line(CSV_COLUMNS)
        for paper in papers:
            yield _csv_line(csv_row(paper))
    elif fmt in CITATION_FORMATS:
        if keys is None:
            papers = list(papers)
            keys = CitationKeys(papers)
        yield from citation_lines(papers, fmt, keys)
    else:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")


def csv_row(paper: Paper) -> tuple[str, ...]:
    """One CSV row: authors joined by "; ", categories and links by spaces."""
    data = paper_to_json(paper)
    return (
        paper.id,
        str(paper.version or ""),
        paper.title,
        "; ".join(paper.authors),
        " ".join(paper.categories),
        paper.primary_category or "",
        data["published"] or "",
        data["updated"] or "",
        paper.comment or "",
        paper.journal_ref or "",
        paper.doi or "",
        paper.license or "",
        " ".join(link.url for link in paper.links),
        paper.abstract,
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """A cell a spreadsheet will show as text: one starting like a formula (= + - @, tab,
    carriage return) gets a leading apostrophe (OWASP's advice against CSV injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_line(values: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([neutralise_cell(v) for v in values])
    return buffer.getvalue()
