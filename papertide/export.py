"""Papers out: JSON lines (the same format `ingest jsonl` reads), CSV and BibTeX. Pure.

BibTeX follows arXiv's own "Export BibTeX citation" shape (@misc with eprint, archivePrefix
and primaryClass; https://info.arxiv.org/help/hypertex/bibstyles.html).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator

from papertide.ids import is_generated_id
from papertide.models import Paper
from papertide.store.codec import paper_to_json

EXPORT_FORMATS = ("jsonl", "csv", "bibtex")
CSV_COLUMNS = (
    "id", "version", "title", "authors", "categories", "primary_category", "published",
    "updated", "comment", "journal_ref", "doi", "license", "links", "abstract",
)  # fmt: skip
_STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "towards", "via"}
_BIBTEX_SPECIAL = re.compile(r"(?<!\\)([&%#_])")


def export_lines(papers: Iterable[Paper], fmt: str) -> Iterator[str]:
    """Each paper as text in `fmt`, ready to write; CSV starts with its header line."""
    if fmt == "jsonl":
        for paper in papers:
            yield json.dumps(paper_to_json(paper), ensure_ascii=False) + "\n"
    elif fmt == "csv":
        yield _csv_line(CSV_COLUMNS)
        for paper in papers:
            yield _csv_line(csv_row(paper))
    elif fmt == "bibtex":
        for paper in papers:
            yield to_bibtex(paper) + "\n"
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


def to_bibtex(paper: Paper) -> str:
    """A @misc entry for an arXiv paper (or a generated-id paper, without eprint fields)."""
    fields = [("title", "{" + _bibtex_text(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(_bibtex_name(a) for a in paper.authors)))
    year = paper_year(paper)
    if year:
        fields.append(("year", str(year)))
    if not is_generated_id(paper.id):
        fields += [("eprint", paper.id), ("archivePrefix", "arXiv")]
        if paper.primary_category:
            fields.append(("primaryClass", paper.primary_category))
        fields.append(("url", f"https://arxiv.org/abs/{paper.id}"))
    if paper.doi:
        fields.append(("doi", paper.doi))
    if paper.journal_ref:
        fields.append(("note", _bibtex_text(paper.journal_ref)))
    body = ",\n".join(f"  {name:<13} = {{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(paper)},\n{body}\n}}\n"


def bibtex_key(paper: Paper) -> str:
    """author-surname + year + first significant title word, ASCII lower case: smith2025deep."""
    surname = _ascii(paper.authors[0].split()[-1]) if paper.authors else "anon"
    words = [_ascii(w) for w in re.findall(r"[^\W\d_]+", paper.title)]
    word = next((w for w in words if w and w not in _STOPWORDS), "paper")
    return f"{surname or 'anon'}{paper_year(paper) or ''}{word}"


def paper_year(paper: Paper) -> int | None:
    """Year of first publication: the published date, else the yymm of a new-style id."""
    if paper.published:
        return paper.published.year
    match = re.match(r"(\d{2})(\d{2})\.\d{4,5}$", paper.id)
    return 2000 + int(match[1]) if match else None


def _bibtex_name(name: str) -> str:
    parts = name.split()
    if len(parts) < 2 or "," in name:
        return _bibtex_text(name)
    return _bibtex_text(f"{parts[-1]}, {' '.join(parts[:-1])}")


def _bibtex_text(text: str) -> str:
    """Escape BibTeX specials outside $math$ and drop braces that do not balance."""
    pieces = re.split(r"(\$[^$]*\$)", text)
    escaped = "".join(
        p
        if p.startswith("$") and p.endswith("$") and len(p) > 1
        else _BIBTEX_SPECIAL.sub(r"\\\1", p)
        for p in pieces
    )
    return _balance_braces(escaped)


def _balance_braces(text: str) -> str:
    depth, kept = 0, []
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                continue
            depth -= 1
        kept.append(char)
    out = "".join(kept)
    while depth:
        index = out.rfind("{")
        out = out[:index] + out[index + 1 :]
        depth -= 1
    return out


def _ascii(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", folded.lower())


def _csv_line(values: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()
