"""Parse arXiv query API responses (Atom 1.0 feeds) into records. Pure: no network, no storage.

Handles both feed generations: the 2016 one (`http://arxiv.org/api/...`, namespaces declared per
element) and the current one (`arxiv:` declared on the feed). Field meanings follow
https://info.arxiv.org/help/api/user-manual.html#_details_of_atom_results_returned
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

from papertide.ids import try_parse_arxiv_id
from papertide.models import Paper, Record, Rejected, Version
from papertide.sources.base import RecordError, build_paper, parse_datetime, raw_text, require_text
from papertide.sources.xml_text import element_texts, serialise

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
ARXIV = "{http://arxiv.org/schemas/atom}"
# The API answers a bad request with one entry whose id points here and whose summary says why,
# e.g. https://arxiv.org/api/errors#incorrect_id_format_for_abc (user manual, section 3.4).
_ERROR_ID_MARKER = "arxiv.org/api/errors"
MALFORMED_REASON = "malformed XML"
_COUNTERS = ("totalResults", "startIndex", "itemsPerPage")


@dataclass(frozen=True, slots=True)
class AtomPage:
    """One API response: its records and rejects in feed order, and the opensearch counters.

    `malformed` is True when the document itself could not be read: `results` then holds one
    Rejected with the raw page, and the counters are 0.
    """

    results: list[Record | Rejected]
    total_results: int
    start_index: int
    items_per_page: int
    malformed: bool = False


def parse_atom_feed(data: bytes, source: str) -> AtomPage:
    """Every entry of an API response as a Record or a Rejected; never raises for bad input.

    A bad entry (missing title, bad id, error entry) becomes a Rejected with its XML text and
    the rest of the page still parses. expat (>= 2.4.1 in CPython) limits entity expansion and
    ElementTree never fetches external entities: https://docs.python.org/3/library/xml.html
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        return malformed_page(data, source, str(error))
    if root.tag != f"{ATOM}feed":
        return malformed_page(data, source, f"not an Atom feed (root element {root.tag})")
    total, start, per_page = (_opensearch_int(root, name) for name in _COUNTERS)
    if total is None:
        return malformed_page(data, source, "no opensearch:totalResults")
    entries = root.findall(f"{ATOM}entry")
    verbatim = element_texts(data, "entry", len(entries))
    results = [
        parse_entry(entry, source, verbatim[i] if verbatim else None)
        for i, entry in enumerate(entries)
    ]
    return AtomPage(results, total, start or 0, per_page or len(results))


def malformed_page(data: bytes, source: str, problem: str) -> AtomPage:
    """A page that could not be read: one Rejected holding the raw text, for quarantine."""
    raw = raw_text(data.decode("utf-8", errors="replace"))
    return AtomPage([Rejected(source, raw, f"{MALFORMED_REASON}: {problem}")], 0, 0, 0, True)


def parse_entry(entry: ET.Element, source: str, raw: str | None = None) -> Record | Rejected:
    """One `<entry>` as a Record, or a Rejected with the reason and the entry's XML text.

    `raw` is that text as received; without it the parsed element is serialised again.
    """
    entry_id = _text(entry, f"{ATOM}id")
    if entry_id is not None and _ERROR_ID_MARKER in entry_id:
        message = _text(entry, f"{ATOM}summary") or entry_id
        return Rejected(source, raw_text(raw or serialise(entry)), f"arXiv API error: {message}")
    try:
        return Record(_paper_of(entry, require_text(entry_id, "id")))
    except RecordError as error:
        return Rejected(source, raw_text(raw or serialise(entry)), str(error))


def _paper_of(entry: ET.Element, entry_id: str) -> Paper:
    published = parse_datetime(_text(entry, f"{ATOM}published"), "published")
    updated = parse_datetime(_text(entry, f"{ATOM}updated"), "updated")
    return build_paper(
        id=entry_id,
        title=_text(entry, f"{ATOM}title"),
        abstract=_text(entry, f"{ATOM}summary"),
        authors=[_text(author, f"{ATOM}name") or "" for author in entry.findall(f"{ATOM}author")],
        categories=_categories(entry),
        versions=_versions(entry_id, published, updated),
        comment=_text(entry, f"{ARXIV}comment"),
        journal_ref=_text(entry, f"{ARXIV}journal_ref"),
        doi=_text(entry, f"{ARXIV}doi"),
        published=published,
        updated=updated,
    )


def _categories(entry: ET.Element) -> list[str]:
    """The primary category first, then every `<category term>` (build_paper drops repeats)."""
    primary = entry.find(f"{ARXIV}primary_category")
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [category.get("term", "") for category in entry.findall(f"{ATOM}category")]
    return [term.strip() for term in terms if term.strip()]


def _versions(entry_id: str, published: datetime | None, updated: datetime | None) -> list[Version]:
    """`published` is when v1 was submitted, `updated` when the returned version was."""
    parsed = try_parse_arxiv_id(entry_id)
    if parsed is None or parsed.version is None:
        return []
    if parsed.version == 1:
        return [Version(1, published)]
    return [Version(1, published), Version(parsed.version, updated)]


def _text(parent: ET.Element, tag: str) -> str | None:
    """All text inside the first `tag` child (markup inside it kept as its text), or None."""
    child = parent.find(tag)
    return None if child is None else "".join(child.itertext())


def _opensearch_int(root: ET.Element, name: str) -> int | None:
    text = _text(root, f"{OPENSEARCH}{name}")
    if text is None or not text.strip().isdigit():
        return None
    return int(text.strip())
