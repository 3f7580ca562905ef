"""The paper page and what can be done on it: vote, comment, delete a comment, bookmark, and
(curators) take it off a day's page.

GETs only read. Every POST passes the CSRF guard (see app.py) and goes through CommunityService,
which checks the rules and rate limits; without JS a POST redirects back, with htmx it answers
the updated widget.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from papertide.citation.formats import citation_meta, render_citations
from papertide.community.actions import EDIT_WINDOW
from papertide.errors import InputError, PaperNotFoundError
from papertide.ids import is_generated_id, try_parse_arxiv_id
from papertide.models import Comment, Paper, User
from papertide.search.hybrid import FACET_WEIGHTS
from papertide.web.auth import CurrentViewer, SignedInUser, Viewer, signed_in
from papertide.web.downloads.markdown import markdown_response, wants_markdown
from papertide.web.markup import paper_url, web_url
from papertide.web.page_slots import PageRoute
from papertide.web.pages.claimed import paper_claims_context
from papertide.web.pages.common import go_back, is_htmx, paper_rows, to_comment
from papertide.web.pages.curation import delete_comment_step, unlist_step
from papertide.web.pages.orgs import paper_org_context
from papertide.web.pages.periods import parse_day
from papertide.web.render import Renderer
from papertide.web.services import WebServices

SIMILAR_LIMIT = 6
DEFAULT_COLLECTION = "Reading list"
FLAGS = {"1": True, "0": False}
# the signed-in user of a form of the paper page that carries no `next` field
PaperFormUser = Annotated[User, Depends(signed_in("/papers/{paper_id}"))]


def paper_router(services: WebServices, renderer: Renderer) -> APIRouter:
    """The paper page and its actions."""
    router = APIRouter(route_class=PageRoute)

    @router.get("/papers/{paper_id:path}", response_class=HTMLResponse)
    def paper_page(
        request: Request, paper_id: str, who: CurrentViewer, similar: str | None = None
    ) -> Response:
        if wants_markdown(request):  # for LLM tools; browsers never ask for it
            return markdown_response(services, paper_id)
        key = paper_key(paper_id)
        if key != paper_id:
            return RedirectResponse(paper_url(key), status_code=301)
        facet = similar if similar in FACET_WEIGHTS else None  # anything else: overall
        context = paper_context(services, who, stored_paper(services, key), facet)
        return renderer.page(request, who, "paper.html", context, headers={"Vary": "Accept"})

    _add_votes(router, services, renderer)
    _add_comments(router, services, renderer)
    _add_curation(router, services, renderer)
    return router


def _add_votes(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    community = services.community

    @router.post("/papers/{paper_id:path}/vote")
    def vote(
        request: Request,
        paper_id: str,
        who: CurrentViewer,
        user: SignedInUser,
        up: str = Form("1"),
        next: str | None = Form(None),
    ) -> Response:
        state = community.vote(user, paper_key(paper_id), _flag(up, "up"))
        if is_htmx(request):
            context = {"paper_id": state.paper_id, "upvotes": state.upvotes, "voted": state.voted}
            return renderer.page(request, who, "_vote.html", context | {"back": next or "/"})
        return go_back(request, next)

    @router.post("/papers/{paper_id:path}/bookmark")
    def bookmark(
        request: Request,
        paper_id: str,
        who: CurrentViewer,
        user: SignedInUser,
        on: str = Form("1"),
        collection: str = Form(DEFAULT_COLLECTION),
        next: str | None = Form(None),
    ) -> Response:
        key, marked = paper_key(paper_id), _flag(on, "on")
        community.bookmark(user, key, collection.strip() or DEFAULT_COLLECTION, marked)
        if is_htmx(request):
            context = {"paper_id": key, "bookmarked": marked, "back": next or "/"}
            return renderer.page(request, who, "_bookmark.html", context)
        return go_back(request, next)


def _add_comments(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    community = services.community

    @router.post("/papers/{paper_id:path}/comments")
    def comment(paper_id: str, user: PaperFormUser, body: str = Form("")) -> Response:
        made = community.comment(user, paper_key(paper_id), body)
        return to_comment(made)

    @router.post("/comments/{comment_id:id}/delete")
    def delete_comment(
        request: Request,
        comment_id: int,
        who: CurrentViewer,
        user: SignedInUser,
        next: str | None = Form(None),
        confirm: str = Form(""),
    ) -> Response:
        if user.is_admin:  # asks first, is audited and can be undone (curation.py)
            return delete_comment_step(
                services, renderer, request, who, user, comment_id, next, confirm
            )
        community.delete_comment(user, comment_id)
        return go_back(request, next)


def _add_curation(router: APIRouter, services: WebServices, renderer: Renderer) -> None:

    @router.post("/papers/{paper_id:path}/unlist")
    def unlist(
        request: Request,
        paper_id: str,
        who: CurrentViewer,
        user: SignedInUser,
        day: str = Form(""),
        next: str | None = Form(None),
        confirm: str = Form(""),
    ) -> Response:
        """Take the paper off `day`'s page (curators only: 403 for anyone else) after a
        confirmation step; audited, with an Undo (curation.py)."""
        key, listed = paper_key(paper_id), parse_day(day)
        return unlist_step(services, renderer, request, who, user, key, listed, next, confirm)


def paper_context(
    services: WebServices, who: Viewer, paper: Paper, facet: str | None = None
) -> dict[str, Any]:
    """Everything the paper page shows; similar papers overall, or in `facet`."""
    listings = services.store.listings_of(paper.id)
    latest = listings[0] if listings else None
    [row] = paper_rows(services, who.user, [(latest, paper)])
    stars = [x.github_stars for x in listings if x.github_stars is not None]
    return {
        "paper": paper,
        "row": row,
        "listings": listings,
        "stars": max(stars) if stars else None,
        "code_links": _links(paper, "code"),
        "project_links": _links(paper, "project"),
        "arxiv": None if is_generated_id(paper.id) else paper.id,
        "media": services.store.media_for([paper.id]).get(paper.id, []),
        **discussion_context(services, who, paper.id),
        **paper_claims_context(services, who, paper),
        "similar": services.search.similar(paper.id, SIMILAR_LIMIT, facet),
        "similar_facet": facet,
        "similar_facets": list(FACET_WEIGHTS),
        "bibtex": render_citations([paper], "bibtex"),
        "citation_meta": citation_meta(paper),
        "trending": services.listings.explain(paper.id),
        **paper_org_context(services, who, paper.id),
    }


def discussion_context(services: WebServices, who: Viewer, paper_id: str) -> dict[str, Any]:
    """The comments as threads (top-level comments and their replies, oldest first), the ids
    the viewer may still edit, and whether any of them holds LaTeX (so the page loads KaTeX)."""
    comments = services.store.comments_for(paper_id)
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
    since = services.clock.now() - EDIT_WINDOW
    mine = who.user.id if who.user else None
    return {
        "comments": [c for c in comments if c.parent_id is None],
        "replies": replies,
        "editable": {c.id for c in comments if c.user_id == mine and c.created_at >= since},
    }


def paper_key(text: str) -> str:
    """The stored id for an id in a URL (version dropped); PaperNotFoundError if it is none."""
    if is_generated_id(text):
        return text
    parsed = try_parse_arxiv_id(text)
    if parsed is None:
        raise PaperNotFoundError(f"{text[:80]!r} is not a paper id")
    return parsed.id


def stored_paper(services: WebServices, key: str) -> Paper:
    paper = services.store.get_paper(key)
    if paper is None:
        raise PaperNotFoundError(f"no paper {key} here")
    return paper


def _links(paper: Paper, kind: str) -> list[str]:
    """The paper's http(s) links of one kind (anything else is never shown as a link)."""
    return [link.url for link in paper.links if link.kind == kind and web_url(link.url) != "#"]


def _flag(value: str, name: str) -> bool:
    if value not in FLAGS:
        raise InputError(f"{name} must be 1 or 0")
    return FLAGS[value]
