"""Shared record building for every source: cleaning, type checks, size limits, link finding.

Pure: no I/O. A source calls build_paper(); a RecordError it raises becomes a quarantine reason.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, runtime_checkable

from papertide.ids import generated_id, is_generated_id, try_parse_arxiv_id
from papertide.models import Link, Paper, ParseResult, Version
from papertide.sources.files import Overlong

MAX_TITLE_CHARS = 1_000
MAX_ABSTRACT_CHARS = 20_000
MAX_AUTHORS = 5_000
MAX_AUTHOR_CHARS = 1_000  # real cs papers have 512-character collaboration entries
MAX_FIELD_CHARS = 5_000
MAX_RAW_CHARS = 1_000_000
_CATEGORY_RE = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")
_PARAGRAPH_BREAK_RE = re.compile(r"\n\s*\n")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINK_RE = re.compile(
    r"https?://(?:www\.)?(?P<host>github\.com|gitlab\.com|huggingface\.co)"
    r"/(?P<path>[\w.-]+(?:/[\w.-]+){0,2})",
    re.IGNORECASE,
)
_HF_SECTIONS = ("datasets", "spaces", "papers", "collections", "models")


class RecordError(ValueError):
    """One record cannot be used; the message is the reason shown in quarantine."""


class Source(Protocol):
    """Anything the ingest service can consume: a name for quarantine rows and a record stream."""

    name: str

    def records(self) -> Iterator[ParseResult]: ...


@runtime_checkable
class LineSource(Source, Protocol):
    """A source of one record per raw line, whose lines can be read without being parsed.

    The ingest service skips lines it stored before (same `kind`, `parser_version` and bytes)
    without parsing them, which makes re-reading an unchanged file cheap. A line over the size
    limit comes as an Overlong, which parse_line turns into a Rejected.
    """

    kind: str
    parser_version: int

    def raw_lines(self) -> Iterator[tuple[int, bytes | Overlong]]: ...

    def parse_line(self, number: int, raw: bytes | Overlong) -> ParseResult: ...


@dataclass
class LineTally:
    """Where every non-blank input line went: into a paper, into quarantine, or skipped as page
    furniture of a named kind. The parts add up to `lines`."""

    lines: int = 0
    in_papers: int = 0
    quarantined: int = 0
    furniture: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {
            "lines": self.lines,
            "in_papers": self.in_papers,
            "quarantined": self.quarantined,
            "furniture": dict(self.furniture.most_common()),
        }

    def describe(self) -> str:
        """ "240 lines: 52 in papers, 3 quarantined, 185 page furniture (dates 12, ...)"."""
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in self.furniture.most_common())
        skipped = sum(self.furniture.values())
        return (
            f"{self.lines:,} lines: {self.in_papers:,} in papers, {self.quarantined:,} "
            f"quarantined, {skipped:,} page furniture" + (f" ({kinds})" if kinds else "")
        )


@runtime_checkable
class TalliedSource(Source, Protocol):
    """A source that accounts for every input line, once its records have been read."""

    def tally(self) -> LineTally: ...


def build_paper(
    *,
    id: object,
    title: object,
    abstract: object,
    authors: object = (),
    categories: object = (),
    version: int | None = None,
    versions: Iterable[Version] = (),
    comment: object = None,
    journal_ref: object = None,
    doi: object = None,
    license: object = None,
    published: datetime | None = None,
    updated: datetime | None = None,
    links: Iterable[Link] = (),
) -> Paper:
    """Clean and check the fields of one record and return a Paper, or raise RecordError.

    A missing id gets a generated one (same text, same id); an id with a version sets the
    version unless one is given. Code links are found in the abstract and comment.
    """
    clean_title = clean_line(require_text(title, "title"))
    clean_abstract = clean_paragraphs(optional_text(abstract, "abstract") or "")
    _check_length(clean_title, MAX_TITLE_CHARS, "title")
    _check_length(clean_abstract, MAX_ABSTRACT_CHARS, "abstract")
    if not clean_title:
        raise RecordError("empty title")
    paper_id, id_version = _resolve_id(id, clean_title, clean_abstract)
    clean_comment = _optional_line(comment, "comment")
    version = version if version is not None else id_version
    known_versions = list(versions)
    if version is not None and all(v.number != version for v in known_versions):
        known_versions.append(Version(version))
    found = extract_links(f"{clean_abstract}\n{clean_comment or ''}")
    return Paper(
        id=paper_id,
        title=clean_title,
        abstract=clean_abstract,
        authors=parse_authors(authors),
        categories=parse_categories(categories),
        version=version,
        versions=tuple(sorted(known_versions, key=lambda v: v.number)),
        comment=clean_comment,
        journal_ref=_optional_line(journal_ref, "journal_ref"),
        doi=_optional_line(doi, "doi"),
        license=_optional_line(license, "license"),
        published=published,
        updated=updated,
        links=merge_links(links, found),
    )


def require_text(value: object, name: str) -> str:
    text = optional_text(value, name)
    if text is None or not text.strip():
        raise RecordError(f"missing {name}")
    return text


def optional_text(value: object, name: str) -> str | None:
    """The value as text, or None; numbers become text, anything else is an error."""
    if type(value) is str:  # most fields of most records: nothing to convert (a third the time)
        _check_unicode(value, name)
        return value
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordError(f"{name} must be text, not {type(value).__name__}")
    text = str(value)
    _check_unicode(text, name)
    return text


def clean_line(text: str) -> str:
    """One line: NFC, control characters dropped, runs of white space folded to one space."""
    clean = _already_clean(text)
    if clean is not None:
        return clean
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    line = " ".join(text.split())
    # hard-wrapped text is not printable (line breaks) but its folded line usually is: then
    # only the control characters that split() takes for white space can have been in it
    if text.isprintable() or (line.isprintable() and not _has_space_controls(text)):
        return line
    return " ".join(_CONTROL_RE.sub("", text).split())


def _already_clean(text: str) -> str | None:
    """The clean form of `text` when that is `text` with its line breaks as spaces, else None:
    the common case (a title, a name, an abstract hard-wrapped by single line breaks), found
    by four scans of the text where the full cleaning splits it into words. Printable, the
    text's only white space is spaces and line breaks (and no control characters); no two
    of them in a row and none at either end means there is nothing to fold (and no
    paragraph break); NFC text needs no normalizing."""
    folded = text.replace("\n", " ") if "\n" in text else text
    if (
        folded.isprintable()
        and "  " not in folded
        and folded[:1] != " "
        and folded[-1:] != " "
        and (folded.isascii() or unicodedata.is_normalized("NFC", folded))
    ):
        return folded
    return None


def _has_space_controls(text: str) -> bool:
    """Whether `text` holds a control character that _CONTROL_RE drops and split() folds
    (a chain of `in` tests: a regex or any() over them costs ten times as much)."""
    return (
        "\x0b" in text
        or "\x0c" in text
        or "\x1c" in text
        or "\x1d" in text
        or "\x1e" in text
        or "\x1f" in text
    )


def clean_paragraphs(text: str) -> str:
    """Hard-wrapped text to paragraphs: lines joined, paragraphs kept apart by one blank line."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    clean = _already_clean(text)  # then it has no paragraph break
    if clean is not None:
        return clean
    if not _PARAGRAPH_BREAK_RE.search(text):
        return clean_line(text)
    paragraphs = _PARAGRAPH_BREAK_RE.split(text)
    return "\n\n".join(line for line in (clean_line(p) for p in paragraphs) if line)


def parse_authors(value: object) -> tuple[str, ...]:
    """Authors from a list of names (or of {"name": ...} objects) or an arXiv author string."""
    if value is None:
        return ()
    if isinstance(value, list) and _all_clean_names(value):
        return tuple(value)
    if isinstance(value, str):
        names = split_author_string(value)
    elif isinstance(value, list | tuple):
        names = [_author_name(item) for item in value]
    else:
        raise RecordError(f"authors must be a list or text, not {type(value).__name__}")
    cleaned = tuple(name for name in (clean_line(n) for n in names) if name)
    if len(cleaned) > MAX_AUTHORS:
        raise RecordError(f"too many authors: {len(cleaned)} (limit {MAX_AUTHORS})")
    for name in cleaned:
        _check_length(name, MAX_AUTHOR_CHARS, "author name")
    return cleaned


def _all_clean_names(items: list[Any]) -> bool:
    """Whether `items` are names that parse_authors would keep as they are: all text, ASCII,
    printable, none empty or over long, no spaces at either end or two in a row, and not too
    many. Checked on the names joined by "|", so once per paper instead of once per name
    (a "|" in a name can only make a check fail and send it down the full path)."""
    try:
        joined = "|".join(items)  # a TypeError says: not all text
    except TypeError:
        return False
    return (
        joined.isascii()
        and joined.isprintable()
        and joined[:1] not in ("", " ", "|")
        and joined[-1:] not in (" ", "|")
        and "  " not in joined
        and " |" not in joined
        and "| " not in joined
        and "||" not in joined
        and len(items) <= MAX_AUTHORS
        and max(map(len, items)) <= MAX_AUTHOR_CHARS
    )


def split_author_string(text: str) -> list[str]:
    """Split "A. One, B. Two (MIT, USA) and C. Three" into names, dropping affiliations."""
    without_affiliations = _strip_parentheses(text)
    parts = re.split(r",|\band\b|;|\n", without_affiliations)
    return [part for part in (p.strip() for p in parts) if part]


def parse_categories(value: object) -> tuple[str, ...]:
    """Categories from a list or a space-separated string; ACM/MSC classes mixed in are dropped."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[object] = list(value.split())
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise RecordError(f"categories must be a list or text, not {type(value).__name__}")
    found: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise RecordError(f"category must be text, not {type(item).__name__}")
        if _CATEGORY_RE.match(item.strip()):
            found.setdefault(item.strip(), None)
    return tuple(found)


def extract_links(text: str) -> tuple[Link, ...]:
    """GitHub, GitLab and Hugging Face links in free text, as code/huggingface links."""
    if "://" not in text:
        return ()
    links: list[Link] = []
    for match in _LINK_RE.finditer(text):
        host = match["host"].lower()
        parts = match["path"].rstrip(".").split("/")
        if host == "huggingface.co":
            wanted = 3 if parts[0] in _HF_SECTIONS else 2
            if len(parts) >= wanted:
                links.append(Link("huggingface", f"https://{host}/{'/'.join(parts[:wanted])}"))
        elif len(parts) >= 2:
            repo = "/".join(parts[:2]).removesuffix(".git")
            links.append(Link("code", f"https://{host}/{repo}"))
    return merge_links(links, ())


def link_for_url(url: str) -> Link:
    """A bare URL as a Link: GitHub/GitLab repositories are code, Hugging Face pages are
    huggingface, anything else a project page."""
    found = extract_links(url)
    return found[0] if found else Link("project", url)


def merge_links(first: Iterable[Link], second: Iterable[Link]) -> tuple[Link, ...]:
    """Links from both, first wins, no URL twice (compared case-insensitively)."""
    seen: dict[str, Link] = {}
    for link in [*first, *second]:
        seen.setdefault(link.url.lower().rstrip("/"), link)
    return tuple(seen.values())


def parse_datetime(value: object, name: str) -> datetime | None:
    """ISO 8601, RFC 2822 ("Mon, 2 Apr 2007 19:18:42 GMT") or YYYY-MM-DD, as UTC."""
    text = optional_text(value, name)
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise RecordError(f"{name} is not a date: {text[:40]!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_day(value: object, name: str) -> date:
    parsed = parse_datetime(value, name)
    if parsed is None:
        raise RecordError(f"missing {name}")
    return parsed.date()


def parse_int(value: object, name: str, default: int | None = None) -> int | None:
    """An integer from an int or a digit string; None/empty gives `default`."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise RecordError(f"{name} must be a whole number, not a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise RecordError(f"{name} must be a whole number, not {str(value)[:40]!r}")


def parse_version_number(value: object) -> int:
    """ "v2" or 2 -> 2."""
    text = str(value).strip().lower().removeprefix("v")
    if not text.isdigit() or int(text) < 1:
        raise RecordError(f"bad version {str(value)[:20]!r}")
    return int(text)


def raw_text(value: object) -> str:
    """The raw form of a record for quarantine, capped at MAX_RAW_CHARS."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > MAX_RAW_CHARS:
        return text[:MAX_RAW_CHARS] + f"\n[... {len(text) - MAX_RAW_CHARS} more characters]"
    return text


def field_of(record: dict[str, Any], *names: str) -> Any:
    """The first of `names` present (and not None) in a record."""
    for name in names:
        if record.get(name) is not None:
            return record[name]
    return None


def _resolve_id(value: object, title: str, abstract: str) -> tuple[str, int | None]:
    if value is not None and not isinstance(value, str):
        # a JSON number loses digits: 2501.01230 would become 2501.0123
        raise RecordError(f"id must be text, not {type(value).__name__}")
    text = optional_text(value, "id")
    if text is None or not text.strip():
        return generated_id(title, abstract), None
    if is_generated_id(text.strip()):
        return text.strip(), None
    parsed = try_parse_arxiv_id(text)
    if parsed is None:
        raise RecordError(f"not an arXiv id: {text.strip()[:60]!r}")
    return parsed.id, parsed.version


def _optional_line(value: object, name: str) -> str | None:
    text = optional_text(value, name)
    if text is None:
        return None
    line = clean_line(text)
    _check_length(line, MAX_FIELD_CHARS, name)
    return line or None


def _author_name(item: object) -> str:
    if isinstance(item, dict):
        item = item.get("name")
    if not isinstance(item, str):
        raise RecordError(f"author must be a name, not {type(item).__name__}")
    _check_unicode(item, "author")
    return item


def _strip_parentheses(text: str) -> str:
    depth, kept = 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


def _check_length(text: str, limit: int, name: str) -> None:
    if len(text) > limit:
        raise RecordError(f"{name} too long: {len(text)} characters (limit {limit})")


def _check_unicode(text: str, name: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordError(f"{name} has broken unicode (lone surrogate)") from None
