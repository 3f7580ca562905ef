"""Hugging Face Daily Papers sources: saved API responses or archive rows on disk, and the live
`/api/daily_papers` endpoint. Thin: reading and fetching only; parsing lives in hf_daily_parse,
HTTP politeness in PoliteFetcher. Never touches the store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import chain, islice
from pathlib import Path

from papertide.models import ParseResult, Record, Rejected
from papertide.sources.base import RecordError, raw_text
from papertide.sources.files import UTF8_BOM, Overlong, iter_lines
from papertide.sources.hf_daily_parse import (
    DailyItem,
    load_daily_items,
    parse_daily_items,
    parse_daily_response,
    parse_daily_rows,
)
from papertide.sources.http import PoliteFetcher

# The API's `limit` is 1-100 and defaults to 50: days of exactly 50 papers in the archive are
# truncated. Asking for 100 and paging with `p` gets whole days.
DAILY_PAGE_LIMIT = 100
MAX_PAGES_PER_DAY = 10
SNIFF_LINES = 5
MAX_RESPONSE_BYTES = 16 * 2**20  # one saved day; real ones are under 200 KB
_DAY_IN_NAME = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")


class HfDailyFilesSource:
    """Daily Papers files: raw API responses (JSON, any compression) or normalised JSON lines.

    The format is recognised by content (see is_rows_format). A response file takes its day
    from a YYYY-MM-DD in its name, else from the document or its items. Rows stream in
    constant memory; a row over MAX_LINE_BYTES is quarantined. A response file is read whole
    up to MAX_RESPONSE_BYTES (one day is small); a larger one is quarantined unread past that.
    """

    def __init__(self, paths: Sequence[Path | str], name: str = "hf-daily") -> None:
        self.name = name
        self.paths = tuple(paths)

    def records(self) -> Iterator[ParseResult]:
        for path in self.paths:
            yield from self._read(path)

    def _read(self, path: Path | str) -> Iterator[DailyItem]:
        label = f"{self.name}:{Path(path).name or path}"
        lines = iter_lines(path, MAX_RESPONSE_BYTES)
        head = list(islice(lines, SNIFF_LINES))
        everything = chain(head, lines)
        if is_rows_format(line for _, line in head if isinstance(line, bytes)):
            yield from parse_daily_rows(everything, label)
            return
        kept: list[bytes] = []
        size = 0
        for _, line in everything:
            size += (line.size if isinstance(line, Overlong) else len(line)) + 1
            if isinstance(line, Overlong) or size > MAX_RESPONSE_BYTES:
                first = kept[0] if kept else line
                excerpt = first if isinstance(first, Overlong) else Overlong.of(first)
                reason = f"response file too large: over {MAX_RESPONSE_BYTES:,} bytes"
                yield Rejected(label, excerpt.raw(), reason)
                return
            kept.append(line)
        yield from parse_daily_response(b"\n".join(kept), day_in_name(path), label)


class HfDailyApiSource:
    """GET `{base_url}?date=YYYY-MM-DD&limit=...&p=...` for each day, paging until a short page.

    Errors from the fetcher (SourceUnavailableError) propagate: the ingest service keeps the
    days read before. A day with an empty list yields nothing.
    """

    def __init__(
        self,
        fetcher: PoliteFetcher,
        *,
        base_url: str,
        days: Sequence[date],
        page_limit: int = DAILY_PAGE_LIMIT,
        name: str = "hf-daily",
    ) -> None:
        self.name = name
        self.fetcher = fetcher
        self.base_url = base_url
        self.days = tuple(days)
        self.page_limit = page_limit

    def records(self) -> Iterator[ParseResult]:
        for day in self.days:
            yield from self._fetch_day(day)

    def _fetch_day(self, day: date) -> Iterator[DailyItem]:
        label = f"{self.name}:api/{day.isoformat()}"
        seen: set[str] = set()
        for page in range(MAX_PAGES_PER_DAY):
            params: dict[str, str | int] = {
                "date": day.isoformat(),
                "limit": self.page_limit,
                "p": page,
            }
            content = self.fetcher.get(self.base_url, params=params).content
            try:
                items, _ = load_daily_items(content)
            except RecordError as error:
                yield Rejected(label, raw_text(content.decode("utf-8", "replace")), str(error))
                return
            results = parse_daily_items(items, day, label, first_position=page * self.page_limit)
            ids = {r.paper.id for r in results if isinstance(r, Record)}
            if page > 0 and ids and ids <= seen:
                return  # the server ignored `p` and sent the first page again
            seen |= ids
            yield from results
            if len(items) < self.page_limit:
                return


def is_rows_format(head: Iterable[bytes]) -> bool:
    """True for normalised JSON lines: one of the first lines is an object with date + arxiv_id.

    API responses start with `[` or are one object (`{"status", ..., "data"}`) spread over
    lines or on one line; neither has a line that is a whole row.
    """
    for number, line in enumerate(head):
        text = line.strip().removeprefix(UTF8_BOM)
        if number == 0 and text.startswith(b"["):
            return False
        if not text.startswith(b"{"):
            continue
        try:
            row = json.loads(text)
        except (ValueError, RecursionError):
            continue
        if isinstance(row, dict) and "date" in row and "arxiv_id" in row:
            return True
    return False


def day_in_name(path: Path | str) -> date | None:
    """The YYYY-MM-DD in a file name (`2025-06-18.json.gz`), if it is a real date."""
    match = _DAY_IN_NAME.search(Path(path).name)
    if match is None:
        return None
    try:
        return date.fromisoformat(match[1])
    except ValueError:
        return None
