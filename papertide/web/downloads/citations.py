"""Citation downloads in BibTeX (`.bib`), RIS (`.ris`) and CSL-JSON (`.csl.json`): one paper
(`/papers/{id}`), a daily page (`/daily/{date}`), an ISO week or a month (`/week/2026-W11`,
`/month/2026-03`), search results (`/search?q=`) and a collection (`/collections/{id}`, its owner
only). Entries and keys come from papertide/citation; this module only picks the papers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from papertide.citation.formats import render_citations
from papertide.errors import InputError
from papertide.models import Paper, User
from papertide.web.api.errors import ApiRoute
from papertide.web.api.shapes import DATE_PATTERN, paper_id_of
from papertide.web.auth import SESSION_COOKIE
from papertide.web.pages.periods import Period, parse_month, parse_week
from papertide.web.services import WebServices

BIBTEX_TYPE = "application/x-bibtex; charset=utf-8"
RIS_TYPE = "application/x-research-info-systems; charset=utf-8"
CSL_JSON_TYPE = "application/vnd.citationstyles.csl+json; charset=utf-8"
# file extension -> (citation format, media type)
DOWNLOADS = {
    "bib": ("bibtex", BIBTEX_TYPE),
    "ris": ("ris", RIS_TYPE),
    "csl.json": ("csl-json", CSL_JSON_TYPE),
}
MAX_SEARCH_ENTRIES = 100
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
Download = Callable[..., Response]


def citation_response(papers: Sequence[Paper], name: str, extension: str) -> Response:
    """The entries of `papers`, in order, as a download named `name.extension`."""
    fmt, media_type = DOWNLOADS[extension]
    filename = _UNSAFE_FILENAME.sub("_", name).strip("._")[:80] or "papers"
    headers = {"Content-Disposition": f'inline; filename="{filename}.{extension}"'}
    return Response(render_citations(papers, fmt), 200, headers, media_type=media_type)


def text_error(status: int, message: str) -> Response:
    """A plain-text error for the non-JSON downloads (feeds and citations)."""
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


def citation_router(services: WebServices) -> APIRouter:
    """Every download in the three formats; register them before the HTML routes they look
    like (`/papers/{id}.bib` before `/papers/{id}`)."""
    router = APIRouter(tags=["export"], route_class=ApiRoute)
    routes: dict[str, Callable[[str], Download]] = {
        "/papers/{paper_id:path}": lambda ext: _paper_download(services, ext),
        "/search": lambda ext: _search_download(services, ext),
        "/daily/{day}": lambda ext: _day_download(services, ext),
        "/week/{period}": lambda ext: _period_download(services, ext, parse_week, "week"),
        "/month/{period}": lambda ext: _period_download(services, ext, parse_month, "month"),
        "/collections/{collection_id:id}": lambda ext: _collection_download(services, ext),
    }
    for path, make in routes.items():
        for extension, (fmt, media_type) in DOWNLOADS.items():
            endpoint = make(extension)
            doc: dict[int | str, dict[str, Any]] = {
                200: {"content": {media_type.split(";")[0]: {"schema": {"type": "string"}}}}
            }
            router.add_api_route(
                f"{path}.{extension}",
                endpoint,
                response_class=Response,
                responses=doc,
                name=f"{endpoint.__name__}_{fmt}",
            )
    return router


def listed_papers(services: WebServices, first: date, last: date) -> list[Paper]:
    """The papers listed from `first` to `last`, each once: newest day first, page order."""
    return [row.paper for row in services.listings.period(first, last, sort=None)]


def _paper_download(services: WebServices, extension: str) -> Download:
    def paper_citation(paper_id: str) -> Response:
        """One paper's entry (BibTeX: arXiv's own @misc shape)."""
        paper = services.store.get_paper(paper_id_of(paper_id))
        if paper is None:
            return text_error(404, f"no paper {paper_id[:80]!r} here")
        return citation_response([paper], paper.id.replace("/", "_"), extension)

    return paper_citation


def _search_download(services: WebServices, extension: str) -> Download:
    def search_citations(
        q: Annotated[str, Query(max_length=2_000, description="A search query.")] = "",
        limit: Annotated[int, Query(ge=1, le=MAX_SEARCH_ENTRIES)] = 50,
    ) -> Response:
        """The entries of a search's hits, best first."""
        hits = services.search.search(q, limit).hits
        return citation_response([hit.paper for hit in hits], "search", extension)

    return search_citations


def _day_download(services: WebServices, extension: str) -> Download:
    def day_citations(day: str) -> Response:
        """The entries of one daily page, in page order."""
        try:
            if not re.fullmatch(DATE_PATTERN, day):
                raise ValueError(day)
            when = date.fromisoformat(day)
        except ValueError:
            return text_error(422, f"not a day (YYYY-MM-DD): {day[:40]!r}")
        papers = listed_papers(services, when, when)
        return citation_response(papers, f"daily-{when.isoformat()}", extension)

    return day_citations


def _period_download(
    services: WebServices, extension: str, parse: Callable[[str], Period], kind: str
) -> Download:
    def period_citations(period: str) -> Response:
        """The entries of an ISO week (2026-W11) or a month (2026-03), newest day first."""
        try:
            shown = parse(period)
        except InputError as error:
            return text_error(422, str(error))
        papers = listed_papers(services, shown.first, shown.last)
        return citation_response(papers, f"{kind}-{shown.label}", extension)

    return period_citations


def _collection_download(services: WebServices, extension: str) -> Download:
    def collection_citations(collection_id: int, request: Request) -> Response:
        """A collection's entries, newest added first: only its owner may download it."""
        user = request_user(request, services)
        if user is None:
            return text_error(401, "log in to download your collections")
        owned = {c.id: c for c in services.store.collections_of(user.id)}
        if collection_id not in owned:
            return text_error(404, "no such collection among yours")
        papers = services.store.collection_papers(user.id, collection_id)
        return citation_response(papers, owned[collection_id].name, extension)

    return collection_citations
