"""Fetch papers from the arXiv query API, by id list or by search with paging. Thin: HTTP only.

Parsing lives in arxiv_parse.py; politeness (3 s gap, retries, Retry-After) in http.py. Follows
https://info.arxiv.org/help/api/user-manual.html; must not store anything (the ingest service does).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import date

from papertide.errors import InputError, SourceUnavailableError
from papertide.ids import ArxivId, try_parse_arxiv_id
from papertide.models import Checkpoint, ParseResult, Record, Rejected
from papertide.sources.arxiv_parse import AtomPage, parse_atom_feed
from papertide.sources.base import parse_categories
from papertide.sources.http import PoliteFetcher

ARXIV_API_SOURCE = "arxiv-api"
# "max_results ... limited to 30000 in slices of at most 2000 at a time":
# https://info.arxiv.org/help/api/user-manual.html (section "paging")
ARXIV_API_MAX_PAGE_SIZE = 2000
# Under load arXiv sometimes answers a page with no entries although more results exist
# (lukasschwab/arxiv.py's UnexpectedEmptyPageError); such a page is asked for again after
# EMPTY_PAGE_BACKOFF_S, doubling each time.
EMPTY_PAGE_RETRIES = 3
EMPTY_PAGE_BACKOFF_S = 5.0
ARXIV_FIRST_DAY = date(1991, 8, 1)


class ArxivApiSource:
    """Papers from the arXiv API: `ids` in chunks of `page_size`, or a search.

    A search combines `query`, `categories` (OR-ed) and the submission date range with AND,
    sorted by submission date, oldest first, so a saved offset stays valid while new papers
    arrive. Every page but the last is followed by Checkpoint(checkpoint_key, next offset into
    the id list or the search results); the end by Checkpoint(checkpoint_key, None).
    `resume_start` continues from a saved offset.
    """

    def __init__(
        self,
        fetcher: PoliteFetcher,
        *,
        base_url: str,
        ids: Sequence[str] = (),
        query: str | None = None,
        categories: Sequence[str] = (),
        date_from: date | None = None,
        date_until: date | None = None,
        max_results: int | None = None,
        page_size: int = 100,
        resume_start: int | None = None,
    ) -> None:
        self.name = ARXIV_API_SOURCE
        self._fetcher = fetcher
        self._base_url = base_url
        self._ids = normalise_ids(ids)
        self._query = query.strip() if query and query.strip() else None
        self._categories = _check_categories(categories)
        self._date_from, self._date_until = date_from, date_until
        self._max_results, self._page_size = max_results, page_size
        self._resume_start = resume_start or 0
        self._check_options()

    def resume_at(self, position: str) -> None:
        """Continue from a saved offset (a Checkpoint's position under checkpoint_key)."""
        self._resume_start = int(position)
        self._check_options()

    @property
    def checkpoint_key(self) -> str:
        """Names this harvest (URL, ids or query, categories, dates), not its position."""
        described = {
            "url": self._base_url,
            "ids": [str(arxiv_id) for arxiv_id in self._ids],
            "query": self._query,
            "categories": sorted(self._categories),
            "from": self._date_from.isoformat() if self._date_from else None,
            "until": self._date_until.isoformat() if self._date_until else None,
        }
        digest = hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()
        return f"{ARXIV_API_SOURCE}:{digest[:12]}"

    def records(self) -> Iterator[ParseResult]:
        """Records and rejects page by page, each page followed by a Checkpoint."""
        if self._ids:
            yield from self._records_by_id()
        else:
            yield from self._records_by_search()

    def search_query(self) -> str:
        """The `search_query` parameter: free query, categories and date range AND-ed."""
        parts = [self._query] if self._query else []
        if self._categories:
            parts.append(" OR ".join(f"cat:{category}" for category in self._categories))
        if self._date_from or self._date_until:
            first = self._date_from or ARXIV_FIRST_DAY
            last = self._date_until or self._fetcher.clock.now().date()
            parts.append(f"submittedDate:[{first:%Y%m%d}0000 TO {last:%Y%m%d}2359]")
        return parts[0] if len(parts) == 1 else " AND ".join(f"({part})" for part in parts)

    def _records_by_id(self) -> Iterator[ParseResult]:
        start = self._resume_start
        while start < len(self._ids):
            chunk = self._ids[start : start + self._page_size]
            params: dict[str, str | int] = {
                "id_list": ",".join(map(str, chunk)),
                "start": 0,
                "max_results": len(chunk),
            }
            page = self._fetch_page(params, start_in_query=0, known_total=0)
            yield from page.results
            _stop_if_unreadable(page, params)
            yield from self._missing(chunk, page)
            start += len(chunk)
            if start < len(self._ids):
                yield Checkpoint(self.checkpoint_key, str(start))
        yield Checkpoint(self.checkpoint_key, None)

    def _records_by_search(self) -> Iterator[ParseResult]:
        start, query = self._resume_start, self.search_query()
        # a saved offset was saved because more results were expected there
        total = start + 1 if start else 0
        while self._max_results is None or start < self._max_results:
            size = self._page_size
            if self._max_results is not None:
                size = min(size, self._max_results - start)
            params: dict[str, str | int] = {
                "search_query": query,
                "start": start,
                "max_results": size,
                "sortBy": "submittedDate",
                "sortOrder": "ascending",
            }
            page = self._fetch_page(params, start_in_query=start, known_total=total)
            results = page.results[:size]  # never more than asked for
            yield from results
            _stop_if_unreadable(page, params)
            total = max(total, page.total_results)
            start += len(results)
            if start >= total or (self._max_results is not None and start >= self._max_results):
                break
            yield Checkpoint(self.checkpoint_key, str(start))
        yield Checkpoint(self.checkpoint_key, None)

    def _fetch_page(
        self, params: dict[str, str | int], start_in_query: int, known_total: int
    ) -> AtomPage:
        """One page; an empty or unreadable page where results should be is asked for again.

        After EMPTY_PAGE_RETRIES such answers: SourceUnavailableError, unless the page was
        unreadable, which is then returned so its Rejected reaches quarantine first.
        """
        for attempt in range(EMPTY_PAGE_RETRIES + 1):
            if attempt:
                self._fetcher.clock.sleep(EMPTY_PAGE_BACKOFF_S * 2 ** (attempt - 1))
            response = self._fetcher.get(self._base_url, params)
            page = parse_atom_feed(response.content, self.name)
            total = max(known_total, page.total_results)
            if not page.malformed and (page.results or start_in_query >= total):
                return page
        if page.malformed:
            return page
        raise SourceUnavailableError(
            f"arXiv API: empty page at start={start_in_query} of {total} results "
            f"({EMPTY_PAGE_RETRIES + 1} tries); run again later to resume"
        )

    def _missing(self, chunk: Sequence[ArxivId], page: AtomPage) -> Iterator[Rejected]:
        """A Rejected for every requested id the API did not return."""
        returned = {result.paper.id for result in page.results if isinstance(result, Record)}
        for arxiv_id in chunk:
            if arxiv_id.id not in returned:
                yield Rejected(self.name, str(arxiv_id), "not found by the arXiv API (id_list)")

    def _check_options(self) -> None:
        searching = self._query or self._categories or self._date_from or self._date_until
        if self._ids and searching:
            raise InputError("give either arXiv ids or a query/category/date range, not both")
        if not self._ids and not searching:
            raise InputError("give arXiv ids, a query, categories or a date range")
        if not 1 <= self._page_size <= ARXIV_API_MAX_PAGE_SIZE:
            raise InputError(f"page size must be 1 to {ARXIV_API_MAX_PAGE_SIZE}")
        if self._max_results is not None and self._max_results < 1:
            raise InputError("max results must be at least 1")
        if self._resume_start < 0:
            raise InputError("resume position must not be negative")
        if self._date_from and self._date_until and self._date_from > self._date_until:
            raise InputError(f"start date {self._date_from} is after end date {self._date_until}")


def _stop_if_unreadable(page: AtomPage, params: dict[str, str | int]) -> None:
    """After an unreadable page (its Rejected already yielded for quarantine) the run stops."""
    if page.malformed:
        raise SourceUnavailableError(
            f"arXiv API: unreadable answer to {params} ({EMPTY_PAGE_RETRIES + 1} tries, "
            "the last one is quarantined); run again later to resume"
        )


def normalise_ids(ids: Sequence[str]) -> list[ArxivId]:
    """Parsed ids in the order given, repeats dropped (versions kept); InputError lists bad ones."""
    parsed = [(text, try_parse_arxiv_id(text)) for text in ids if text.strip()]
    bad = [text.strip() for text, arxiv_id in parsed if arxiv_id is None]
    if bad:
        raise InputError(f"not arXiv ids: {', '.join(bad)}")
    return list(dict.fromkeys(arxiv_id for _, arxiv_id in parsed if arxiv_id is not None))


def _check_categories(categories: Sequence[str]) -> list[str]:
    cleaned = [category.strip() for category in categories if category.strip()]
    bad = [category for category in cleaned if parse_categories([category]) != (category,)]
    if bad:
        raise InputError(f"not arXiv categories: {', '.join(bad)}")
    return list(dict.fromkeys(cleaned))
