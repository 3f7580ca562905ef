"""Finding papers: the search page (with category and year filters), author and category pages,
and following an author, category or keyword (the only POST here, CSRF-guarded).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from papertide.errors import InputError
from papertide.index.query import QUERY_MAX_CHARS
from papertide.models import FOLLOW_KINDS, Follow, Paper
from papertide.search.service import check_paging
from papertide.web.auth import CurrentViewer, SignedInUser, Viewer
from papertide.web.markup import paper_url
from papertide.web.page_slots import PageRoute
from papertide.web.pages.claimed import author_claims_context
from papertide.web.pages.common import (
    PAGE_SIZE,
    PageIndex,
    check_category,
    go_back,
    paper_rows,
)
from papertide.web.pages.periods import MAX_YEAR, MIN_YEAR
from papertide.web.render import Renderer
from papertide.web.services import WebServices

SEARCH_LIMIT = 30
FOLLOW_VALUE_MAX_CHARS = 200
_YEAR = re.compile(r"\d{4}")


def search_router(services: WebServices, renderer: Renderer) -> APIRouter:
    """Search, author and category pages and the follow action."""
    router = APIRouter(route_class=PageRoute)
    _add_search(router, services, renderer)
    _add_lists(router, services, renderer)
    _add_follow(router, services)
    return router


def _add_search(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    @router.get("/search", response_class=HTMLResponse)
    def search(
        request: Request,
        who: CurrentViewer,
        page: PageIndex,
        q: str = Query("", max_length=QUERY_MAX_CHARS),
        cat: str = Query("", max_length=64),
        year_from: str = Query("", alias="from", max_length=8),
        year_to: str = Query("", alias="to", max_length=8),
    ) -> Response:
        text = search_text(q, cat.strip(), _year(year_from, "from"), _year(year_to, "to"))
        check_paging(page, SEARCH_LIMIT, first=1)
        found = services.search.search_page(text, page, SEARCH_LIMIT) if text else None
        result = found.result if found else None
        if result and result.query.paper_id and result.hits:
            return RedirectResponse(paper_url(result.hits[0].paper.id), status_code=303)
        hits = result.hits if result else []
        rows = paper_rows(services, who.user, [(None, hit.paper) for hit in hits])
        context = {
            "q": q,
            "cat": cat.strip(),
            "year_from": year_from.strip(),
            "year_to": year_to.strip(),
            "results": list(zip(rows, hits, strict=True)),
            "page": page,
            "more": bool(found and found.more),
            "first": page * SEARCH_LIMIT + 1,
            "query": result.query if result else None,
            "keyword": followed_keyword(q),
            "following": _follows(services, who, "keyword", followed_keyword(q)),
        }
        return renderer.page(request, who, "search.html", context)


def _add_lists(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    store = services.store

    @router.get("/authors/{name:path}", response_class=HTMLResponse)
    def author(request: Request, name: str, who: CurrentViewer, page: PageIndex) -> Response:
        papers = store.papers_by_author(name, PAGE_SIZE + 1, page * PAGE_SIZE)
        if not papers and page == 0:
            raise HTTPException(404, f"no papers by {name[:80]!r} here")
        context = _listing(services, who, papers, page) | {
            "name": name,
            "following": _follows(services, who, "author", name),
            **author_claims_context(services, name),
        }
        return renderer.page(request, who, "author.html", context)

    @router.get("/categories/{category}", response_class=HTMLResponse)
    def category(request: Request, category: str, who: CurrentViewer, page: PageIndex) -> Response:
        chosen = check_category(category)
        papers = store.papers_in_category(chosen, PAGE_SIZE + 1, page * PAGE_SIZE)
        if not papers and page == 0:
            raise HTTPException(404, f"no papers in {chosen} here")
        context = _listing(services, who, papers, page) | {
            "category": chosen,
            "following": _follows(services, who, "category", chosen),
        }
        return renderer.page(request, who, "category.html", context)


def _add_follow(router: APIRouter, services: WebServices) -> None:
    @router.post("/follow")
    def follow(
        request: Request,
        user: SignedInUser,
        kind: str = Form(...),
        value: str = Form(...),
        on: str = Form("1"),
        next: str | None = Form(None),
    ) -> Response:
        if kind not in FOLLOW_KINDS or on not in ("0", "1"):
            raise InputError(f"kind must be one of {', '.join(FOLLOW_KINDS)} and on 1 or 0")
        if not value.strip() or len(value) > FOLLOW_VALUE_MAX_CHARS:
            raise InputError(f"give something to follow (at most {FOLLOW_VALUE_MAX_CHARS} chars)")
        services.community.follow(user, Follow(kind, value.strip()), on == "1")
        return go_back(request, next)


def followed_keyword(q: str) -> str:
    """What "Follow this keyword" follows for a search: the phrase of a query that is one
    quoted phrase (a keyword chip links to `"diffusion models"`, and a keyword follow matches
    its value as a phrase), else the query as typed."""
    text = q.strip()
    if len(text) > 2 and text[0] == text[-1] == '"' and '"' not in text[1:-1]:
        return text[1:-1].strip()
    return text


def search_text(q: str, cat: str, year_from: int | None, year_to: int | None) -> str:
    """The query-language text for the form: q plus cat: and year:/since:/until: filters."""
    parts = [q.strip()] if q.strip() else []
    if cat:
        parts.append(f"cat:{check_category(cat)}")
    if year_from and year_to:
        if year_from > year_to:
            raise InputError(f"the years are reversed: {year_from} is after {year_to}")
        parts.append(f"year:{year_from}-{year_to}")
    elif year_from:
        parts.append(f"since:{year_from}")
    elif year_to:
        parts.append(f"until:{year_to}")
    return " ".join(parts)


def _year(text: str, name: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not _YEAR.fullmatch(text) or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise InputError(f"{name} must be a year between {MIN_YEAR} and {MAX_YEAR}")
    return int(text)


def _listing(services: WebServices, who: Viewer, papers: list[Paper], page: int) -> dict[str, Any]:
    rows = paper_rows(services, who.user, [(None, paper) for paper in papers[:PAGE_SIZE]])
    return {"rows": rows, "page": page, "has_next": len(papers) > PAGE_SIZE}


def _follows(services: WebServices, who: Viewer, kind: str, value: str) -> bool:
    if who.user is None or not value:
        return False
    return Follow(kind, value) in services.store.follows_of(who.user.id)
