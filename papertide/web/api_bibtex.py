"""BibTeX downloads: one paper (`/papers/{id}.bib`), a daily page (`/daily/{date}.bib`), a
collection (`/collections/{id}.bib`, its owner only) and search results (`/search.bib?q=`).
Entries come from papertide/export.py; this module only picks the papers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from papertide.export import to_bibtex
from papertide.models import Paper, User
from papertide.web.api_errors import ApiRoute
from papertide.web.api_shapes import DATE_PATTERN, paper_id_of
from papertide.web.auth import SESSION_COOKIE
from papertide.web.services import WebServices

BIBTEX_TYPE = "application/x-bibtex; charset=utf-8"
MAX_SEARCH_ENTRIES = 100
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
_BIB_DOC: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/x-bibtex": {"schema": {"type": "string"}}}}
}


def bibtex_response(papers: Sequence[Paper], name: str) -> Response:
    """The entries of `papers`, in order, as a .bib download named after `name`."""
    body = "\n".join(to_bibtex(paper) for paper in papers)
    filename = _UNSAFE_FILENAME.sub("_", name).strip("._")[:80] or "papers"
    headers = {"Content-Disposition": f'inline; filename="{filename}.bib"'}
    return Response(body, 200, headers, media_type=BIBTEX_TYPE)


def text_error(status: int, message: str) -> Response:
    """A plain-text error for the non-JSON downloads (feeds and BibTeX)."""
    return Response(message + "\n", status, media_type="text/plain; charset=utf-8")


def request_user(request: Request, services: WebServices) -> User | None:
    """The signed-in user of a request: the session cookie, else an API token."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        user = services.accounts.user_for_session(session)
        if user is not None:
            return user
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return services.accounts.user_for_api_token(token.strip())
    return None


def bibtex_router(services: WebServices) -> APIRouter:
    """The four .bib routes; register them before the HTML routes they look like."""
    router = APIRouter(tags=["export"], route_class=ApiRoute)
    _add_paper_and_search(router, services)
    _add_lists(router, services)
    return router


def _add_paper_and_search(router: APIRouter, services: WebServices) -> None:
    @router.get("/papers/{paper_id:path}.bib", response_class=Response, responses=_BIB_DOC)
    def paper_bib(paper_id: str) -> Response:
        """One paper's @misc entry (arXiv's own shape)."""
        paper = services.store.get_paper(paper_id_of(paper_id))
        if paper is None:
            return text_error(404, f"no paper {paper_id[:80]!r} here")
        return bibtex_response([paper], paper.id.replace("/", "_"))

    @router.get("/search.bib", response_class=Response, responses=_BIB_DOC)
    def search_bib(
        q: Annotated[str, Query(max_length=2_000, description="A search query.")] = "",
        limit: Annotated[int, Query(ge=1, le=MAX_SEARCH_ENTRIES)] = 50,
    ) -> Response:
        """The entries of a search's hits, best first."""
        hits = services.search.search(q, limit).hits
        return bibtex_response([hit.paper for hit in hits], "search")


def _add_lists(router: APIRouter, services: WebServices) -> None:
    @router.get("/daily/{day}.bib", response_class=Response, responses=_BIB_DOC)
    def daily_bib(day: str) -> Response:
        """The entries of one daily page, in page order."""
        try:
            if not re.fullmatch(DATE_PATTERN, day):
                raise ValueError(day)
            when = date.fromisoformat(day)
        except ValueError:
            return text_error(422, f"not a day (YYYY-MM-DD): {day[:40]!r}")
        papers = [paper for _, paper in services.store.listings_for(when)]
        return bibtex_response(papers, f"daily-{when.isoformat()}")

    @router.get("/collections/{collection_id}.bib", response_class=Response, responses=_BIB_DOC)
    def collection_bib(collection_id: int, request: Request) -> Response:
        """A collection's entries, newest added first: only its owner may download it."""
        user = request_user(request, services)
        if user is None:
            return text_error(401, "log in to download your collections")
        owned = {c.id: c for c in services.store.collections_of(user.id)}
        if collection_id not in owned:
            return text_error(404, "no such collection among yours")
        papers = services.store.collection_papers(user.id, collection_id)
        return bibtex_response(papers, owned[collection_id].name)
