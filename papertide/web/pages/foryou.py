"""The "For you" pages: thumbs up/down on papers, the personal ranking with its reasons, what the
model learned, resetting it and seeding it from a BibTeX file. Logic lives in rank/foryou.py.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from papertide.community.ratelimit import enforce
from papertide.errors import InputError
from papertide.models import User
from papertide.rank.bibtex import MAX_BIBTEX_BYTES
from papertide.rank.foryou import ForYou, ForYouService
from papertide.web.api.foryou import FOR_YOU_LIMIT, foryou_feed_url, foryou_service
from papertide.web.auth import CurrentViewer, SignedInUser, signed_in
from papertide.web.page_slots import PageRoute
from papertide.web.pages.common import go_back, is_htmx, paper_rows
from papertide.web.pages.paper import paper_key
from papertide.web.render import Renderer
from papertide.web.services import WebServices

RATE_VALUES = ("up", "down", "clear")


def foryou_router(services: WebServices, renderer: Renderer) -> APIRouter:
    """Rating, /for-you and /for-you/model."""
    router = APIRouter(route_class=PageRoute)
    foryou = foryou_service(services)

    @router.post("/papers/{paper_id:path}/rate")
    def rate(
        request: Request,
        paper_id: str,
        who: CurrentViewer,
        user: SignedInUser,
        value: str = Form(""),
        next: str | None = Form(None),
    ) -> Response:
        if value not in RATE_VALUES:
            raise InputError(f"value must be one of {', '.join(RATE_VALUES)}")
        key = paper_key(paper_id)
        enforce(services.store, f"user:{user.id}", "vote", services.community.limits)
        stored = foryou.rate(user.id, key, value)
        if is_htmx(request):
            context = {"paper_id": key, "rating": stored, "back": next or "/"}
            return renderer.page(request, who, "_rate.html", context)
        return go_back(request, next)

    @router.get("/for-you", response_class=HTMLResponse)
    def for_you(request: Request, who: CurrentViewer, user: SignedInUser) -> Response:
        ranked = foryou.rank(user.id, FOR_YOU_LIMIT)
        items = []
        if ranked.items is not None:
            pairs = [(None, ranked.papers[r.paper_id]) for r in ranked.items]
            rows = paper_rows(services, user, pairs)
            items = list(zip(rows, ranked.items, strict=True))
        context = {"items": items, "cold": ranked.items is None, "titles": _titles(ranked)}
        context["feed_url"] = foryou_feed_url(services, user)
        return renderer.page(request, who, "foryou.html", context)

    _add_model(router, services, renderer, foryou)
    return router


def _add_model(
    router: APIRouter,
    services: WebServices,
    renderer: Renderer,
    foryou: ForYouService,
) -> None:
    @router.get("/for-you/model", response_class=HTMLResponse)
    def model(request: Request, who: CurrentViewer, user: SignedInUser) -> Response:
        learned = foryou.describe(user.id)
        rated = [*learned.liked, *learned.disliked]
        papers = services.store.get_papers(rated) if rated else {}
        titles = {pid: p.title for pid, p in papers.items()}
        return renderer.page(
            request, who, "foryou_model.html", {"model": learned, "titles": titles}
        )

    @router.post("/for-you/reset")
    def reset(user: Annotated[User, Depends(signed_in("/for-you/model"))]) -> Response:
        foryou.reset(user.id)
        return RedirectResponse("/for-you/model", status_code=303)

    @router.post("/for-you/bibtex", response_class=HTMLResponse)
    def bibtex(
        request: Request,
        who: CurrentViewer,
        user: Annotated[User, Depends(signed_in("/for-you"))],
        file: Annotated[UploadFile, File()],
    ) -> Response:
        enforce(services.store, f"user:{user.id}", "vote", services.community.limits)
        data = file.file.read(MAX_BIBTEX_BYTES + 1)
        if len(data) > MAX_BIBTEX_BYTES:
            raise InputError(f"BibTeX file too large: at most {MAX_BIBTEX_BYTES:,} bytes")
        matched = foryou.seed_bibtex(user.id, data)
        context = {"matched": matched, "entries": len(matched.matched) + len(matched.unmatched)}
        return renderer.page(request, who, "foryou_bibtex.html", context)


def _titles(ranked: ForYou) -> dict[str, str]:
    """Titles of the papers a ranking names (its items and their nearest liked papers)."""
    return {pid: paper.title for pid, paper in ranked.papers.items()}
