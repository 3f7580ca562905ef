"""Parse Hugging Face Daily Papers data into records (paper + daily listing): raw
`/api/daily_papers` responses in every schema seen 2024-2026, and the normalised JSON-lines archive.

Pure: no I/O, no HTTP, no storage; field cleaning and limits are build_paper's job (base.py).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from papertide.ids import ORG_NAME_MAX_CHARS, org_slug, try_parse_arxiv_id
from papertide.models import Link, Listing, PaperExtras, PaperSummary, Record, Rejected
from papertide.sources.base import (
    MAX_FIELD_CHARS,
    RecordError,
    build_paper,
    clean_line,
    field_of,
    optional_text,
    parse_datetime,
    parse_day,
    parse_int,
    raw_text,
    require_text,
)
from papertide.sources.files import MAX_LINE_BYTES, UTF8_BOM, Overlong

HF_PAPER_URL = "https://huggingface.co/papers/{id}"
MAX_REPR_CHARS = 1_000_000
_WEB_SCHEMES = ("http", "https")
MAX_SUMMARY_CHARS = 2_000
MAX_KEYWORDS = 30
MAX_KEYWORD_CHARS = 100
MAX_MEDIA = 10
MAX_SUBMITTER_CHARS = 300  # a user handle; Hugging Face allows far fewer

DailyItem = Record | Rejected


def parse_daily_response(
    data: bytes, day: date | None, source: str, *, first_position: int = 0
) -> list[DailyItem]:
    """One API response -> one Record or Rejected per item, in list order.

    `day` is the listing day (the API's `date` parameter); None takes it from a wrapped
    document's `date`, else from each item's submission time. A document that is not a list
    of items gives a single Rejected holding its text.
    """
    try:
        items, wrapped_day = load_daily_items(data)
    except RecordError as error:
        return [Rejected(source, raw_text(data.decode("utf-8", "replace")), str(error))]
    return parse_daily_items(items, day or wrapped_day, source, first_position=first_position)


def load_daily_items(data: bytes) -> tuple[list[Any], date | None]:
    """The item list of a response, and the day a wrapped document names; RecordError if none.

    Accepted: a JSON list, or `{"status", "date", "count", "data": [...]}` (one archived day).
    """
    data = data.removeprefix(UTF8_BOM)
    if not data.strip():
        raise RecordError("empty response: no JSON document")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise RecordError(f"not JSON: {error}") from None
    if isinstance(document, list):
        return document, None
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        wrapped = document.get("date")
        return document["data"], parse_day(wrapped, "date") if wrapped else None
    if isinstance(document, dict) and document.get("error") is not None:
        raise RecordError(f"the API answered an error: {str(document['error'])[:200]}")
    kind = f"an object with keys {sorted(document)[:8]}" if isinstance(document, dict) else None
    raise RecordError(f"expected a list of papers, got {kind or type(document).__name__}")


def parse_daily_items(
    items: Iterable[Any], day: date | None, source: str, *, first_position: int = 0
) -> list[DailyItem]:
    """Each item (an object or its Python-repr text) -> Record or Rejected; position = index."""
    return [
        parse_daily_item(item, position, day, source)
        for position, item in enumerate(items, start=first_position)
    ]


def parse_daily_item(item: object, position: int, day: date | None, source: str) -> DailyItem:
    """One API item -> Record(paper, listing), or Rejected with the item as raw text."""
    try:
        return _record_from_item(_as_object(item), position, day)
    except RecordError as error:
        return Rejected(source, raw_text(item), f"item {position}: {error}")


def parse_daily_rows(
    lines: Iterable[tuple[int, bytes | str | Overlong]], source: str
) -> Iterator[DailyItem]:
    """Normalised archive rows (line number, JSON text) -> Record or Rejected; streaming.

    A row over MAX_LINE_BYTES is rejected unparsed."""
    for number, line in lines:
        if isinstance(line, bytes) and len(line) > MAX_LINE_BYTES:
            line = Overlong.of(line)
        if isinstance(line, Overlong):
            yield Rejected(source, line.raw(), line.reason(number, MAX_LINE_BYTES))
        else:
            yield parse_daily_row(line, source, number)


def parse_daily_row(line: bytes | str, source: str, number: int | None = None) -> DailyItem:
    """One daily_papers.jsonl row -> Record(paper, listing); snapshot/AI fields are ignored."""
    text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
    try:
        return _record_from_row(_load_row(text))
    except RecordError as error:
        where = f"line {number}: " if number is not None else ""
        return Rejected(source, raw_text(text), f"{where}{error}")


def _as_object(item: object) -> dict[str, Any]:
    """The item as a dict; archived days stored items as Python-repr strings (True/None)."""
    if isinstance(item, str):
        item = _literal(item)
    if not isinstance(item, dict):
        raise RecordError(f"item must be an object, not {type(item).__name__}")
    return item


def _literal(text: str) -> object:
    """Parse repr text with ast.literal_eval: literals only, never code (no eval)."""
    if len(text) > MAX_REPR_CHARS:
        raise RecordError(f"item text too long: {len(text)} characters (limit {MAX_REPR_CHARS})")
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise RecordError("item is text but not a Python literal of an object") from None


def _record_from_item(item: dict[str, Any], position: int, day: date | None) -> Record:
    paper_obj = item.get("paper")
    if not isinstance(paper_obj, dict):
        raise RecordError("no paper object")
    arxiv_id = _arxiv_id(paper_obj.get("id"), "paper.id")
    paper = build_paper(
        id=paper_obj.get("id"),
        # The item's title is the one shown on the page; in 2024 it kept arXiv's LaTeX
        # (\textsc{...}) where paper.title had it stripped (2405.14906).
        title=_pick(item, paper_obj, "title"),
        abstract=_pick(paper_obj, item, "summary"),
        # Hidden authors are kept: `hidden` only hides an author on the HF page, and the
        # list stays the arXiv author list, which other sources give for the same paper.
        authors=paper_obj.get("authors"),
        published=parse_datetime(paper_obj.get("publishedAt"), "paper.publishedAt"),
        links=_links(
            arxiv_id,
            code=(_pick(paper_obj, item, "githubRepo"), "githubRepo"),
            project=(_pick(paper_obj, item, "projectPage"), "projectPage"),
        ),
    )
    submitted_at = _submitted_at(item, paper_obj)
    listing = Listing(
        day=day or _day_of(submitted_at),
        paper_id=paper.id,
        position=position,
        submitted_by=_submitter(item, paper_obj),
        submitted_at=submitted_at,
        upvotes=_count(_pick(paper_obj, item, "upvotes"), "paper.upvotes"),
        num_comments=_count(_pick(item, paper_obj, "numComments"), "numComments"),
        github_stars=_optional_count(_pick(paper_obj, item, "githubStars"), "paper.githubStars"),
    )
    org = _pick(item, paper_obj, "organization")
    org_name = org.get("fullname") or org.get("name") if isinstance(org, dict) else None
    extras = paper_extras(
        paper.id,
        _pick(paper_obj, item, "ai_summary"),
        _pick(paper_obj, item, "ai_keywords"),
        org_name,
        _pick(paper_obj, item, "mediaUrls"),
    )
    return Record(paper, listing, extras)


def _submitted_at(item: dict[str, Any], paper_obj: dict[str, Any]) -> datetime | None:
    """When the paper went on the daily page.

    `submittedOnDailyAt` exists from 2025; before it, the item-level `publishedAt` held that
    time (2024-05-27 and 2025-01-15 samples). Later the item-level field tracks the paper's
    arXiv time instead, so it is used only when `submittedOnDailyAt` is absent.
    """
    value = _pick(paper_obj, item, "submittedOnDailyAt")
    if value is not None:
        return parse_datetime(value, "submittedOnDailyAt")
    return parse_datetime(item.get("publishedAt"), "publishedAt")


def _day_of(submitted_at: datetime | None) -> date:
    if submitted_at is None:
        raise RecordError("no listing day: give the day, or items need submittedOnDailyAt")
    return submitted_at.date()


def _submitter(item: dict[str, Any], paper_obj: dict[str, Any]) -> str | None:
    """The submitter's HF handle: `paper.submittedOnDailyBy.user` (2025+), else `submittedBy.name`.

    The two objects name the handle differently: `user` in the first, `name` in the second.
    """
    for owner, keys in (
        (paper_obj.get("submittedOnDailyBy"), ("user", "name")),
        (item.get("submittedBy"), ("name", "user")),
    ):
        handle = field_of(owner, *keys) if isinstance(owner, dict) else owner
        name = clean_line(optional_text(handle, "submitter") or "")
        if name:
            if len(name) > MAX_SUBMITTER_CHARS:
                raise RecordError(f"submitter too long: {len(name)} characters")
            return name
    return None


def _load_row(text: str) -> dict[str, Any]:
    try:
        row = json.loads(text.removeprefix("\ufeff"))
    except (ValueError, RecursionError) as error:
        raise RecordError(f"not JSON: {error}") from None
    if not isinstance(row, dict):
        raise RecordError(f"row must be a JSON object, not {type(row).__name__}")
    return row


def _record_from_row(row: dict[str, Any]) -> Record:
    arxiv_id = _arxiv_id(row.get("arxiv_id"), "arxiv_id")
    paper = build_paper(
        id=row.get("arxiv_id"),
        title=row.get("title"),
        abstract=row.get("abstract"),
        authors=row.get("authors"),
        published=parse_datetime(row.get("arxiv_published_at"), "arxiv_published_at"),
        links=_links(
            arxiv_id,
            code=(row.get("github_repo"), "github_repo"),
            project=(row.get("project_page"), "project_page"),
        ),
    )
    position = _optional_count(row.get("position"), "position")
    if position is None:
        raise RecordError("missing position")
    listing = Listing(
        day=parse_day(row.get("date"), "date"),
        paper_id=paper.id,
        position=position,
        submitted_at=parse_datetime(row.get("submitted_on_daily_at"), "submitted_on_daily_at"),
        upvotes=_count(row.get("upvotes"), "upvotes"),
        num_comments=_count(row.get("num_comments"), "num_comments"),
        github_stars=_optional_count(row.get("github_stars"), "github_stars"),
    )
    extras = paper_extras(
        paper.id, row.get("ai_summary"), row.get("ai_keywords"), row.get("organization"), None
    )
    return Record(paper, listing, extras)


def paper_extras(
    paper_id: str, summary: object, keywords: object, org_name: object, media: object
) -> PaperExtras | None:
    """Hugging Face's fields beyond arXiv, each kept only when well formed: a bad one (wrong
    type, overlong, a non-web URL) is dropped and the rest of the record kept, since the paper
    and its listing are worth more than a broken extra. None when nothing is left."""
    tldr = _clean_text(summary, MAX_SUMMARY_CHARS)
    words: tuple[str, ...] = ()
    if isinstance(keywords, list):
        kept = (_clean_text(word, MAX_KEYWORD_CHARS) for word in keywords[:MAX_KEYWORDS])
        words = tuple(dict.fromkeys(word for word in kept if word))
    name = _clean_text(org_name, ORG_NAME_MAX_CHARS)
    slug = org_slug(name) if name else ""
    urls: tuple[str, ...] = ()
    if isinstance(media, list):
        urls = tuple(
            url
            for url in media[:MAX_MEDIA]
            if isinstance(url, str) and len(url) < 2_000 and urlsplit(url).scheme == "https"
        )
    hf = PaperSummary(paper_id, "huggingface", tldr, words) if tldr or words else None
    if hf is None and not slug and not urls:
        return None
    return PaperExtras(hf, name if slug else None, slug or None, urls)


def _clean_text(value: object, limit: int) -> str | None:
    """One line of text, or None when missing, blank, not text or over `limit` characters."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text if 0 < len(text) <= limit else None


def _arxiv_id(value: object, name: str) -> str:
    """The canonical arXiv id; a daily listing without one cannot be joined, so it is an error."""
    text = require_text(value, name)
    parsed = try_parse_arxiv_id(text)
    if parsed is None:
        raise RecordError(f"{name} is not an arXiv id: {text.strip()[:60]!r}")
    return parsed.id


def _links(
    arxiv_id: str, *, code: tuple[object, str], project: tuple[object, str]
) -> tuple[Link, ...]:
    """Code and project links that are web URLs, then the paper's HF page.

    Values that are not http(s) URLs are dropped, not rejected: the archive holds placeholder
    text ("[package-registry-url]/...") and URLs with leading spaces, which are stripped.
    """
    links = [
        Link(kind, url)
        for kind, (value, name) in (("code", code), ("project", project))
        if (url := _web_url(value, name)) is not None
    ]
    links.append(Link("huggingface", HF_PAPER_URL.format(id=arxiv_id)))
    return tuple(links)


def _web_url(value: object, name: str) -> str | None:
    text = optional_text(value, name)
    url = (text or "").strip()
    if not url or len(url) > MAX_FIELD_CHARS or any(char.isspace() for char in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return url if parts.scheme.lower() in _WEB_SCHEMES and parts.netloc else None


def _count(value: object, name: str) -> int:
    """A non-negative count; missing means 0 (old items have no comments field, etc.)."""
    return _optional_count(value, name) or 0


def _optional_count(value: object, name: str) -> int | None:
    number = parse_int(value, name)
    if number is not None and number < 0:
        raise RecordError(f"{name} must not be negative: {number}")
    return number


def _pick(first: dict[str, Any], second: dict[str, Any], key: str) -> Any:
    """`key` from `first`, else from `second` (fields moved between item and paper over time).

    None and "" count as absent.
    """
    value = first.get(key)
    return second.get(key) if value is None or value == "" else value
