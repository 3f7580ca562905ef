"""Papers as citations: BibTeX, RIS, CSL-JSON and the `citation_*` meta tags of a paper page.
Pure: papers and keys in, text out. Keys come from keys.py, LaTeX from latex.py.

BibTeX follows arXiv's own "Export BibTeX citation" shape (@misc with eprint, archivePrefix and
primaryClass; https://info.arxiv.org/help/hypertex/bibstyles.html). RIS: the tags of the RIS
format as Zotero reads them (TY UNPB, unpublished work). CSL-JSON: CSL 1.0.2 input data
(https://github.com/citation-style-language/schema, csl-data.json). Meta tags: the Highwire
Press tags Google Scholar and Zotero read (https://scholar.google.com/intl/en/scholar/inclusion.html).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from papertide.citation.keys import CitationKeys, Name, paper_year, split_name
from papertide.citation.latex import ams_definitions, latex_text
from papertide.ids import is_generated_id
from papertide.models import Paper

CITATION_FORMATS = ("bibtex", "ris", "csl-json")
ARXIV_ABS = "https://arxiv.org/abs/"
ARXIV_PDF = "https://arxiv.org/pdf/"
_DOI = re.compile(r"10\.\d+(?:\.\d+)*/\S.*")  # any suffix: a DOI may hold any character
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_AND = re.compile(r"\band\b", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# characters a DOI or URL keeps in BibTeX; every other one is %-encoded, so no brace, backslash
# or comma can end the field (a DOI "10.1/x}, note = {injected" adds no field)
_URL_SAFE = "-._~:/?=;()[]<>+!*'@"


def render_citations(papers: Iterable[Paper], fmt: str) -> str:
    """A whole export of `papers` (in order, each paper once) in `fmt`."""
    papers = list(papers)
    return "".join(citation_lines(papers, fmt, CitationKeys(papers)))


def citation_lines(papers: Iterable[Paper], fmt: str, keys: CitationKeys) -> Iterator[str]:
    """The export in pieces, for streaming, each paper once; `keys` must be built from the
    same papers."""
    papers = _each_once(papers)
    if fmt == "bibtex":
        entries = (to_bibtex(paper, keys.key(paper)) for paper in papers)
        yield from bibtex_with_preamble(entries)
    elif fmt == "ris":
        for paper in papers:
            yield to_ris(paper, keys.key(paper))
    elif fmt == "csl-json":
        yield from csl_json_array(to_csl(paper, keys.key(paper)) for paper in papers)
    else:
        raise ValueError(
            f"unknown citation format {fmt!r}; use one of {', '.join(CITATION_FORMATS)}"
        )


def _each_once(papers: Iterable[Paper]) -> Iterator[Paper]:
    seen: set[str] = set()
    for paper in papers:
        if paper.id not in seen:
            seen.add(paper.id)
            yield paper


def bibtex_with_preamble(entries: Iterable[str]) -> Iterator[str]:
    """The entries, then one @preamble with fallbacks for the amsmath/amssymb commands they
    use (BibTeX writes every preamble first, wherever it stands in the file)."""
    used: set[str] = set()
    first = True
    for entry in entries:
        used.update(ams_definitions(entry))
        yield entry if first else "\n" + entry
        first = False
    if used:
        lines = " #\n  ".join("{" + line + "}" for line in sorted(used))
        yield f"\n@preamble{{ {lines} }}\n"


def to_bibtex(paper: Paper, key: str) -> str:
    """A @misc entry for an arXiv paper (or a generated-id paper, without eprint fields)."""
    fields = [("title", "{" + latex_text(paper.title) + "}")]
    names = [bibtex_name(split_name(author)) for author in paper.authors if author.strip()]
    if names:
        fields.append(("author", " and ".join(names)))
    year = paper_year(paper)
    if year:
        fields.append(("year", str(year)))
    if not is_generated_id(paper.id):
        fields += [("eprint", paper.id), ("archivePrefix", "arXiv")]
        if paper.primary_category:
            fields.append(("primaryClass", latex_text(paper.primary_category)))
        fields.append(("url", bibtex_url(ARXIV_ABS + paper.id)))
    doi = clean_doi(paper.doi)
    if doi:
        fields.append(("doi", bibtex_url(doi)))
    if paper.journal_ref:
        fields.append(("note", latex_text(paper.journal_ref)))
    body = ",\n".join(f"  {name:<13} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def bibtex_name(name: Name) -> str:
    """ "Family, Given" in LaTeX; a part holding the word "and" is braced, so BibTeX never
    splits one author in two; a one-word or group name is braced whole."""
    parts = [_bibtex_name_part(part) for part in (name.family, name.suffix, name.given) if part]
    if not name.given and not name.suffix:
        return "{" + latex_text(name.family) + "}"
    return ", ".join(parts)


def _bibtex_name_part(part: str) -> str:
    latex = latex_text(part)
    return "{" + latex + "}" if _AND.search(latex) else latex


def bibtex_url(url: str) -> str:
    """A URL or DOI for a BibTeX field: as given, with unsafe characters %-encoded."""
    return quote(url, safe=_URL_SAFE + "%")


def clean_doi(doi: str | None) -> str | None:
    """The DOI itself (10.xxxx/...) without a resolver prefix; None when it is not a DOI."""
    text = _DOI_PREFIX.sub("", (doi or "").strip())
    return text if _DOI.fullmatch(text) else None


def to_ris(paper: Paper, key: str) -> str:
    """One RIS record ("TY  - UNPB" ... "ER  - "), one line per field."""
    lines = [("TY", "UNPB"), ("ID", key), ("TI", paper.title)]
    lines += [("AU", split_name(author).inverted) for author in paper.authors if author.strip()]
    year = paper_year(paper)
    if year:
        lines.append(("PY", str(year)))
    if paper.published:
        lines.append(("DA", paper.published.strftime("%Y/%m/%d")))
    if paper.abstract.strip():
        lines.append(("AB", paper.abstract))
    lines += [("KW", category) for category in paper.categories]
    if not is_generated_id(paper.id):
        lines += [("PB", "arXiv"), ("AN", f"arXiv:{paper.id}"), ("UR", ARXIV_ABS + paper.id)]
        lines.append(("L1", ARXIV_PDF + paper.id))
    doi = clean_doi(paper.doi)
    if doi:
        lines.append(("DO", doi))
    if paper.journal_ref:
        lines.append(("N1", f"Journal reference: {paper.journal_ref}"))
    body = "".join(f"{tag}  - {_line(value)}\n" for tag, value in lines)
    return f"{body}ER  - \n\n"


def to_csl(paper: Paper, key: str) -> dict[str, Any]:
    """One CSL-JSON item (type "article": a preprint)."""
    item: dict[str, Any] = {"id": key, "citation-key": key, "type": "article"}
    item["title"] = _line(paper.title)
    authors = [csl_name(split_name(author)) for author in paper.authors if author.strip()]
    if authors:
        item["author"] = authors
    if paper.published:
        moment = paper.published
        item["issued"] = {"date-parts": [[moment.year, moment.month, moment.day]]}
    elif (year := paper_year(paper)) is not None:
        item["issued"] = {"date-parts": [[year]]}
    if paper.abstract.strip():
        item["abstract"] = _line(paper.abstract)
    if not is_generated_id(paper.id):
        item |= {"publisher": "arXiv", "number": f"arXiv:{paper.id}", "URL": ARXIV_ABS + paper.id}
    doi = clean_doi(paper.doi)
    if doi:
        item["DOI"] = doi
    if paper.categories:
        item["keyword"] = ", ".join(paper.categories)
    if paper.journal_ref:
        item["note"] = _line(paper.journal_ref)
    return item


def csl_name(name: Name) -> dict[str, str]:
    """A CSL name: family and given, or `literal` for a one-word or group name."""
    if not name.given:
        return {"literal": name.family}
    csl = {"family": name.family, "given": name.given}
    return csl | {"suffix": name.suffix} if name.suffix else csl


def csl_json_array(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array written item by item (an export of a whole store never sits in memory)."""
    separator = "[\n"
    for item in items:
        yield separator + json.dumps(item, ensure_ascii=False)
        separator = ",\n"
    yield "]\n" if separator != "[\n" else "[]\n"


def citation_meta(paper: Paper) -> list[tuple[str, str]]:
    """The `<meta name=... content=...>` pairs of a paper page, one citation_author per author."""
    tags = [("citation_title", _line(paper.title))]
    tags += [("citation_author", split_name(a).inverted) for a in paper.authors if a.strip()]
    if paper.published:
        tags.append(("citation_date", paper.published.strftime("%Y/%m/%d")))
    elif (year := paper_year(paper)) is not None:
        tags.append(("citation_date", str(year)))
    if not is_generated_id(paper.id):
        tags += [("citation_arxiv_id", paper.id), ("citation_pdf_url", ARXIV_PDF + paper.id)]
    doi = clean_doi(paper.doi)
    if doi:
        tags.append(("citation_doi", doi))
    return tags


def _line(text: str) -> str:
    """One line, single spaces (RIS fields end at a line break; titles come hard-wrapped)."""
    return _SPACES.sub(" ", text).strip()
