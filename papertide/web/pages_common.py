"""What the page modules share: a paper row with its community signals, sorting, paging and the
answer to a form post (redirect back, or a fragment for htmx). Reads through the store only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from papertide.errors import InputError
from papertide.models import Listing, Paper, User
from papertide.rank.trending import TRENDING_WINDOW_DAYS, TrendingScore, rank_trending
from papertide.web.auth import safe_next
from papertide.web.pages_periods import is_new
from papertide.web.services import WebServices

SORTS = ("trending", "upvotes", "newest")
PAGE_SIZE = 50
MAX_PAGE = 10_000
CATEGORY = re.compile(r"[A-Za-z][A-Za-z-]*(?:\.[A-Za-z][A-Za-z-]*)?")
T = TypeVar("T")
_OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PaperRow:
    """One paper as a list shows it: signals counted from imported and local data."""

    paper: Paper
    day: date | None
    upvotes: int
    comments: int
    voted: bool
    bookmarked: bool
    is_new: bool
    stars: int | None
    submitted_by: str | None
    submitted_at: datetime | None
    score: TrendingScore | None = None
    rating: int = 0  # the viewer's thumbs: +1, -1 or 0


@dataclass(frozen=True, slots=True)
class Paged:
    rows: list[PaperRow]
    page: int
    has_next: bool


def paper_rows(
    services: WebServices,
    user: User | None,
    items: Sequence[tuple[Listing | None, Paper]],
    scores: Mapping[str, TrendingScore] | None = None,
) -> list[PaperRow]:
    """Rows for these papers with upvotes, comment counts and the viewer's votes and bookmarks."""
    ids = [paper.id for _, paper in items]
    store = services.store
    upvotes = store.upvotes(ids) if ids else {}
    comments = store.comment_counts(ids) if ids else {}
    voted = store.voted(user.id, ids) if user and ids else set()
    marked = store.bookmarked(user.id, ids) if user and ids else set()
    rated = {r.paper_id: r.value for r in store.ratings_of(user_id=user.id)} if user else {}
    now = services.clock.now()
    return [
        PaperRow(
            paper=paper,
            day=listing.day if listing else None,
            upvotes=upvotes.get(paper.id, 0),
            comments=comments.get(paper.id, 0),
            voted=paper.id in voted,
            bookmarked=paper.id in marked,
            is_new=bool(listing and is_new(listing.day, listing.submitted_at, now)),
            stars=listing.github_stars if listing else None,
            submitted_by=listing.submitted_by if listing else None,
            submitted_at=listing.submitted_at if listing else None,
            score=(scores or {}).get(paper.id),
            rating=rated.get(paper.id, 0),
        )
        for listing, paper in items
    ]


def latest_per_paper(pairs: Sequence[tuple[Listing, Paper]]) -> list[tuple[Listing, Paper]]:
    """Each paper once, with its first listing in the given order (the newest day)."""
    seen: set[str] = set()
    kept = []
    for listing, paper in pairs:
        if paper.id not in seen:
            seen.add(paper.id)
            kept.append((listing, paper))
    return kept


def trending_scores(services: WebServices, first: date, last: date) -> dict[str, TrendingScore]:
    """Trending scores (as of now) of the papers listed between `first` and `last`."""
    signals = services.store.trending_signals(first, last)
    return {score.paper_id: score for score in rank_trending(signals, services.clock.now())}


def trending_as_of(
    services: WebServices, day: date, category: str | None, limit: int
) -> list[TrendingScore]:
    """Trending as it stood at the end of `day`: the week up to it, scored at midnight after
    (for a store whose listings stopped, such as the demo). Same category filter as
    TrendingService.top: the primary category."""
    signals = services.store.trending_signals(day - timedelta(days=TRENDING_WINDOW_DAYS - 1), day)
    ranked = rank_trending(signals, datetime.combine(day + timedelta(days=1), time(0), UTC))
    if category is not None:
        wanted = {s.paper_id for s in signals if s.primary_category == category}
        ranked = [score for score in ranked if score.paper_id in wanted]
    return ranked[:limit]


def sort_rows(rows: list[PaperRow], sort: str) -> list[PaperRow]:
    """Best first by `sort`; ties keep the curated order they came in."""
    if sort == "trending":
        return sorted(rows, key=lambda row: -(row.score.score if row.score else float("-inf")))
    if sort == "upvotes":
        return sorted(rows, key=lambda row: -row.upvotes)
    if sort == "newest":
        return sorted(rows, key=_newness, reverse=True)
    raise InputError(f"sort must be one of {', '.join(SORTS)}")


def _newness(row: PaperRow) -> tuple[date, datetime, datetime]:
    return (row.day or date.min, row.submitted_at or _OLDEST, row.paper.published or _OLDEST)


def page_of(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> tuple[list[T], bool]:
    """The items of page `page` (0-based) and whether a next page exists."""
    start = page * size
    return list(items[start : start + size]), len(items) > start + size


def check_sort(sort: str) -> str:
    if sort not in SORTS:
        raise InputError(f"sort must be one of {', '.join(SORTS)}, not {sort[:40]!r}")
    return sort


def check_category(text: str) -> str:
    """An arXiv category or archive as typed: cs.CL, cs, math-ph; InputError otherwise."""
    if len(text) > 40 or not CATEGORY.fullmatch(text):
        raise InputError(f"{text[:40]!r} is not a category like cs.CL")
    return text


def check_page(page: int) -> int:
    if not 0 <= page <= MAX_PAGE:
        raise InputError(f"page must be between 0 and {MAX_PAGE}")
    return page


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def go_back(request: Request, target: str | None) -> Response:
    """After a form post without htmx: back to the page it came from (303, so a GET)."""
    referer = request.headers.get("referer", "")
    origin = f"{request.url.scheme}://{request.url.netloc}"
    fallback = safe_next(referer.removeprefix(origin)) if referer.startswith(origin) else "/"
    return RedirectResponse(safe_next(target, fallback), status_code=303)


def to_login(request: Request, target: str | None) -> Response:
    """Send a logged-out visitor to the login page (htmx follows HX-Redirect)."""
    back = safe_next(target, "/")
    url = "/login?" + urlencode({"next": back}) if back != "/" else "/login"
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
