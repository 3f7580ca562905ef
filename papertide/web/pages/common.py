"""What the page modules share: a paper row with its community signals, paging (`?page=`
from 1 on every HTML list) and the answer to a form post (redirect back, or a fragment for
htmx). Reads through the store only.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, TypeVar
from urllib.parse import quote, urlencode

from fastapi import Depends, Query
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from papertide.errors import InputError
from papertide.models import Comment, Listing, Organization, Paper, PaperSummary, User
from papertide.rank.extras import extras_shown
from papertide.rank.trending import TrendingScore
from papertide.web.auth import local_referer, login_url, safe_next
from papertide.web.markup import paper_url
from papertide.web.pages.periods import is_new
from papertide.web.services import WebServices

PAGE_SIZE = 50
MAX_PAGE = 10_000
_OLD_PAGE = re.compile(r"[0-9]{1,9}")  # ?p= of before, counted from 0
CATEGORY = re.compile(r"[A-Za-z][A-Za-z-]*(?:\.[A-Za-z][A-Za-z-]*)?")
T = TypeVar("T")


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
    hf_comments: int = 0  # comments on Hugging Face's page, as imported with the listing
    summary: PaperSummary | None = None  # the one to show (rank/extras.py), with its source
    orgs: tuple[Organization, ...] = ()


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
    new: Collection[str] | None = None,
    upvotes: Mapping[str, int] | None = None,
) -> list[PaperRow]:
    """Rows for these papers with upvotes, comment counts, the summary to show, organisations
    and the viewer's votes and bookmarks (one query each, whatever the number of rows);
    `new`: the ids the listings service calls new (else judged from the listing shown);
    `upvotes`: the counts the listings service just read (else read here)."""
    ids = [paper.id for _, paper in items]
    store = services.store
    if upvotes is None:
        upvotes = store.upvotes(ids) if ids else {}
    comments = store.comment_counts(ids) if ids else {}
    voted = store.voted(user.id, ids) if user and ids else set()
    marked = store.bookmarked(user.id, ids) if user and ids else set()
    rated = store.ratings_on(user.id, ids) if user and ids else {}
    extras = extras_shown(store, ids)
    now = services.clock.now()
    return [
        PaperRow(
            paper=paper,
            day=listing.day if listing else None,
            upvotes=upvotes.get(paper.id, 0),
            comments=comments.get(paper.id, 0),
            voted=paper.id in voted,
            bookmarked=paper.id in marked,
            is_new=(
                paper.id in new
                if new is not None
                else bool(listing and is_new(listing.day, listing.submitted_at, now))
            ),
            stars=listing.github_stars if listing else None,
            submitted_by=listing.submitted_by if listing else None,
            submitted_at=listing.submitted_at if listing else None,
            score=(scores or {}).get(paper.id),
            rating=rated.get(paper.id, 0),
            hf_comments=listing.num_comments if listing else 0,
            summary=extras[paper.id].summary,
            orgs=extras[paper.id].orgs,
        )
        for listing, paper in items
    ]


def page_of(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> tuple[list[T], bool]:
    """The items of page `page` (0-based) and whether a next page exists."""
    start = page * size
    return list(items[start : start + size]), len(items) > start + size


def check_category(text: str) -> str:
    """An arXiv category or archive as typed: cs.CL, cs, math-ph; InputError otherwise."""
    if len(text) > 40 or not CATEGORY.fullmatch(text):
        raise InputError(f"{text[:40]!r} is not a category like cs.CL")
    return text


async def page_index(
    request: Request,
    page: int = Query(1, description="Page number, from 1, as the pager shows it."),
) -> int:
    """The page a list URL asks for, as an index from 0: `?page=2` is the second page, the one
    the pager labels "Page 2". The JSON API keeps Hugging Face's `p` (from 0); an HTML link
    with the old `?p=1` answers 301 to `?page=2`, so bookmarks keep working. Async (it
    waits on nothing): a sync dependency would cost every list page a hop to a thread."""
    old = request.query_params.get("p")
    if old is not None:
        number = str(int(old) + 1) if _OLD_PAGE.fullmatch(old) else old
        kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("p", "page")]
        given = kept + ([("page", number)] if number != "1" else [])
        path = quote(request.url.path)
        target = f"{path}?{urlencode(given)}" if given else path
        raise HTTPException(301, "moved", headers={"Location": target})
    if not 1 <= page <= MAX_PAGE:
        raise InputError(f"page must be between 1 and {MAX_PAGE}")
    return page - 1


PageIndex = Annotated[int, Depends(page_index)]


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def go_back(request: Request, target: str | None) -> Response:
    """After a form post without htmx: back to the page it came from (303, so a GET)."""
    return RedirectResponse(safe_next(target, local_referer(request) or "/"), status_code=303)


def to_comment(comment: Comment) -> Response:
    """After a comment is posted, replied to or edited: its place on the paper page (303)."""
    return RedirectResponse(f"{paper_url(comment.paper_id)}#comment-{comment.id}", status_code=303)


def to_login(request: Request, target: str | None) -> Response:
    """Send a logged-out visitor to the login page (htmx follows HX-Redirect): the answer to
    SignInRequiredError, which the pages that need a signed-in user raise (auth.signed_in)."""
    url = login_url(target)
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
