"""Papers from JSON-lines and CSV files: our export format and its common variants. Streaming.

Owns mapping loose field names and value shapes onto build_paper; must not clean or validate
fields itself (build_paper is the one place), fetch, or touch the store.

Field names accepted (first present wins): id | arxiv_id | paper_id, else url | entry_id when it
is an arXiv URL; title; abstract | summary; authors; categories (+ primary_category, put first);
version; versions; comment | comments; journal_ref | journal-ref; doi; license;
published | published_at | arxiv_published_at | first_listed; updated | updated_at | update_date;
links, plus github_repo (a code link) and project_page (a project link). Others are ignored.

CSV cells are text. A list column (authors, categories, versions, links) whose cell starts with
"[" is read as a JSON array; otherwise authors are split on ";" when the cell has one, else on
"," and "and"; categories on ",", ";" or white space; links may be URLs separated by white
space (the kind is guessed from the host, as CSV export writes them). versions take JSON arrays
only.
Empty cells count as missing.
"""

from __future__ import annotations

import csv
import json
import lzma
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from papertide.errors import InputError
from papertide.ids import try_parse_arxiv_id
from papertide.models import LINK_KINDS, Link, Paper, ParseResult, Record, Rejected, Version
from papertide.sources.base import (
    RecordError,
    build_paper,
    field_of,
    link_for_url,
    optional_text,
    parse_datetime,
    parse_version_number,
    raw_text,
)
from papertide.sources.files import (
    MAX_LINE_BYTES,
    UTF8_BOM,
    Overlong,
    bounded_lines,
    iter_lines,
    open_binary,
)

_LIST_COLUMNS = ("authors", "categories", "versions", "links")
_CATEGORY_SPLIT_RE = re.compile(r"[,;\s]+")

JsonLine = tuple[int, str, dict[str, Any]]


def source_name(kind: str, path: str | Path) -> str:
    """The quarantine label of a file source: "<kind>:<file name>"."""
    return f"{kind}:{Path(path).name or path}"


class JsonLinesSource:
    """One record per JSON-object line, mapped to a Paper by `build`; streaming.

    A LineSource: raw lines and their parsing are separate, so the ingest service can skip
    lines it stored before without parsing them. Bump `parser_version` when `build` changes
    what it makes of a line, so that such lines are parsed again.
    """

    kind = "jsonl"
    parser_version = 1

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self.name = source_name(self.kind, path)

    def build(self, data: dict[str, Any]) -> Paper:
        raise NotImplementedError

    def raw_lines(self) -> Iterator[tuple[int, bytes | Overlong]]:
        return iter_lines(self.path)

    def parse_line(self, number: int, raw: bytes | Overlong) -> ParseResult:
        if isinstance(raw, Overlong):
            return Rejected(self.name, raw.raw(), raw.reason(number, MAX_LINE_BYTES))
        item = parse_json_line(number, raw, self.name)
        if isinstance(item, Rejected):
            return item
        _, text, data = item
        return record_or_rejected(self.name, text, number, self.build, data)

    def records(self) -> Iterator[ParseResult]:
        for number, raw in self.raw_lines():
            yield self.parse_line(number, raw)


class JsonlSource(JsonLinesSource):
    """One paper per line as a JSON object (our export format or a variant, see above)."""

    kind = "jsonl"

    def build(self, data: dict[str, Any]) -> Paper:
        return paper_from_fields(data)


class CsvSource:
    """One paper per CSV row under a header row that must name a title column."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self.name = source_name("csv", path)

    def records(self) -> Iterator[ParseResult]:
        with open_binary(self.path) as stream:
            tap = _LineTap(stream)
            try:
                header = _read_header(csv.reader(tap))
                yield from self._rows(tap, header)
            except _OverlongLineError:  # the header: rows catch their own
                raise InputError(f"header line over {MAX_LINE_BYTES:,} bytes") from None
            except (OSError, EOFError, lzma.LZMAError) as error:
                raise InputError(f"cannot decompress {self.path}: {error}") from None

    def _rows(self, tap: _LineTap, header: list[str]) -> Iterator[ParseResult]:
        reader = csv.reader(tap)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raw, line = tap.take()
                reason = f"bad CSV at line {line}: {error}"
                yield Rejected(self.name, raw_text(_printable(raw)), reason)
                continue
            except _OverlongLineError as overlong:
                before, _ = tap.take()
                excerpt = raw_text(_printable(before)) + overlong.line.raw()
                reason = overlong.line.reason(overlong.number, MAX_LINE_BYTES)
                yield Rejected(self.name, excerpt, reason)
                reader = csv.reader(tap)  # the rest of the file starts a new row
                continue
            raw, line = tap.take()
            if any(cell.strip() for cell in cells):
                yield self._row(cells, header, raw, line)

    def _row(self, cells: list[str], header: list[str], raw: str, line: int) -> ParseResult:
        bad_byte = _first_escaped_byte(raw)
        if bad_byte is not None:
            reason = invalid_utf8_reason(line, bad_byte)
            return Rejected(self.name, raw_text(_printable(raw)), reason)
        if len(cells) > len(header):
            reason = f"bad record at line {line}: {len(cells)} cells but {len(header)} columns"
            return Rejected(self.name, raw_text(raw), reason)
        data = {name: cell for name, cell in zip(header, cells, strict=False) if cell.strip()}
        return record_or_rejected(self.name, raw, line, _paper_from_row, data)


def parse_json_line(number: int, line: bytes, source: str) -> JsonLine | Rejected:
    """(line number, line text, object) for a JSON-object line; a Rejected for anything else."""
    if number == 1:
        line = line.removeprefix(UTF8_BOM)
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raw = line.decode("utf-8", errors="backslashreplace")
        return Rejected(source, raw_text(raw), invalid_utf8_reason(number, line[error.start]))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        reason = f"invalid JSON at line {number}: {error.msg} (column {error.colno})"
        return Rejected(source, raw_text(text), reason)
    except RecursionError:
        return Rejected(source, raw_text(text), f"invalid JSON at line {number}: nested too deep")
    if not isinstance(data, dict):
        reason = f"not a JSON object at line {number}: found {_json_kind(data)}"
        return Rejected(source, raw_text(text), reason)
    return number, text, data


def invalid_utf8_reason(line: int, byte: int) -> str:
    return f"invalid UTF-8 at line {line} (byte {byte:#04x})"


def record_or_rejected(
    source: str,
    raw: str,
    line: int,
    build: Callable[[dict[str, Any]], Paper],
    data: dict[str, Any],
) -> ParseResult:
    """Record(build(data)) or, when build raises RecordError, a Rejected naming the line."""
    try:
        paper = build(data)
    except RecordError as error:
        return Rejected(source, raw_text(raw), f"bad record at line {line}: {error}")
    return Record(paper)


def paper_from_fields(data: dict[str, Any]) -> Paper:
    """A Paper from one loose record (field names and shapes as in the module docstring)."""
    return build_paper(
        id=_paper_id(data),
        title=data.get("title"),
        abstract=field_of(data, "abstract", "summary"),
        authors=data.get("authors"),
        categories=_categories(data),
        version=_version(data.get("version")),
        versions=parse_versions(data.get("versions")),
        comment=field_of(data, "comment", "comments"),
        journal_ref=field_of(data, "journal_ref", "journal-ref"),
        doi=data.get("doi"),
        license=data.get("license"),
        published=parse_datetime(
            field_of(data, "published", "published_at", "arxiv_published_at", "first_listed"),
            "published",
        ),
        updated=parse_datetime(field_of(data, "updated", "updated_at", "update_date"), "updated"),
        links=_links(data),
    )


def parse_versions(value: object) -> tuple[Version, ...]:
    """[{"version": "v1" | 1, "submitted_at" | "created" | "date": ..., "size": ...}, ...]."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RecordError(f"versions must be a list, not {type(value).__name__}")
    versions = []
    for item in value:
        if not isinstance(item, dict):
            raise RecordError(f"a version must be an object, not {type(item).__name__}")
        versions.append(
            Version(
                parse_version_number(item.get("version")),
                parse_datetime(field_of(item, "submitted_at", "created", "date"), "version date"),
                optional_text(item.get("size"), "version size"),
            )
        )
    return tuple(versions)


def _paper_id(data: dict[str, Any]) -> object:
    given = field_of(data, "id", "arxiv_id", "paper_id")
    if given is not None:
        return given
    url = field_of(data, "url", "entry_id")
    # A URL elsewhere (a journal, OpenReview) is not an id: the paper gets a generated one.
    return url if isinstance(url, str) and try_parse_arxiv_id(url) else None


def _categories(data: dict[str, Any]) -> object:
    value = data.get("categories")
    if isinstance(value, str):
        value = [part for part in _CATEGORY_SPLIT_RE.split(value) if part]
    primary = data.get("primary_category")
    if not isinstance(primary, str) or not primary.strip() or not isinstance(value, list | None):
        return value
    return [primary.strip(), *(c for c in value or [] if c != primary.strip())]


def _version(value: object) -> int | None:
    return None if value is None or value == "" else parse_version_number(value)


def _links(data: dict[str, Any]) -> list[Link]:
    value = data.get("links")
    if value is not None and not isinstance(value, list):
        raise RecordError(f"links must be a list, not {type(value).__name__}")
    links = [_link(item) for item in value or []]
    for name, kind in (("github_repo", "code"), ("project_page", "project")):
        url = optional_text(data.get(name), name)
        if url and url.strip():
            links.append(Link(kind, url.strip()))
    return links


def _link(item: object) -> Link:
    if not isinstance(item, dict):
        raise RecordError(f"a link must be an object, not {type(item).__name__}")
    kind, url = item.get("kind"), optional_text(item.get("url"), "link url")
    if kind not in LINK_KINDS:
        raise RecordError(f"link kind must be one of {', '.join(LINK_KINDS)}, not {kind!r}")
    if not url or not url.strip():
        raise RecordError("link without url")
    return Link(str(kind), url.strip())


def _read_header(reader: Iterator[list[str]]) -> list[str]:
    for cells in reader:
        if any(cell.strip() for cell in cells):
            header = [cell.strip().lower() for cell in cells]
            if "title" not in header:
                names = ", ".join(_printable(cell.strip()) for cell in cells)
                raise InputError(f"no title column; columns are {names}")
            return header
    raise InputError("empty CSV file: no header row")


def _paper_from_row(row: dict[str, Any]) -> Paper:
    """A Paper from CSV text cells, list columns read as the module docstring says."""
    values = dict(row)
    for name in _LIST_COLUMNS:
        cell = row.get(name)
        if cell is None:
            continue
        if cell.lstrip().startswith("["):
            values[name] = _json_array(cell, name)
        elif name == "links":
            urls = (link_for_url(url) for url in cell.split())
            values[name] = [{"kind": link.kind, "url": link.url} for link in urls]
        elif name == "versions":
            raise RecordError(f"{name} must be a JSON array, got {cell.strip()[:40]!r}")
        elif name == "authors" and ";" in cell:
            values[name] = cell.split(";")
    return paper_from_fields(values)


def _json_array(cell: str, name: str) -> list[Any]:
    try:
        value = json.loads(cell)
    except json.JSONDecodeError as error:
        raise RecordError(f"{name} is not a valid JSON array: {error.msg}") from None
    if not isinstance(value, list):
        raise RecordError(f"{name} is not a JSON array")
    return value


class _OverlongLineError(Exception):
    """Raised through csv.reader by _LineTap for a line over MAX_LINE_BYTES."""

    def __init__(self, number: int, line: Overlong) -> None:
        super().__init__(number)
        self.number = number
        self.line = line


class _LineTap:
    """Feeds csv.reader decoded lines and keeps those of the current row, for its raw text.

    Bytes that are not UTF-8 are kept as surrogate escapes so the row can be rejected whole.
    A line over MAX_LINE_BYTES is read past in bounded memory and raised as _OverlongLineError.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._lines = bounded_lines(stream, MAX_LINE_BYTES)
        self._taken: list[str] = []
        self._line = 0

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        raw = next(self._lines)
        self._line += 1
        if isinstance(raw, Overlong):
            raise _OverlongLineError(self._line, raw)
        if self._line == 1:
            raw = raw.removeprefix(UTF8_BOM)
        text = raw.decode("utf-8", errors="surrogateescape")
        self._taken.append(text)
        return text

    def take(self) -> tuple[str, int]:
        """The raw text of the row just read and the number of its first line."""
        raw = "".join(self._taken).rstrip("\r\n")
        first = self._line - len(self._taken) + 1
        self._taken.clear()
        return raw, first


def _first_escaped_byte(text: str) -> int | None:
    """The first byte that was not UTF-8 (kept as a surrogate escape), or None."""
    if text.isascii():
        return None
    for char in text:
        if "\udc80" <= char <= "\udcff":
            return ord(char) - 0xDC00
    return None


def _printable(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _json_kind(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
