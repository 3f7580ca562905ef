"""Organisation pages: /orgs (every organisation by paper count), /org/<slug> (its papers,
newest first, with a Follow button and feeds), and the curators' form on the paper page that
sets or takes off a paper's organisation (through AdminService, so it is audited).

GETs only read; the POSTs pass the CSRF guard (see app.py) and answer 403 to anyone but a
curator.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from papertide.errors import InputError, NotFoundError
from papertide.ids import check_org_slug
from papertide.models import OrgCount
from papertide.store.org_base import CURATOR_ORG, HF_ORG
from papertide.web.auth import CurrentViewer, SignedInUser, Viewer
from papertide.web.page_slots import PageRoute
from papertide.web.pages.common import PAGE_SIZE, PageIndex, go_back, paper_rows
from papertide.web.render import Renderer
from papertide.web.services import WebServices

ORGS_PAGE_SIZE = 100
ORG_CHOICES = 500  # existing organisations the curators' form offers by name


def org_router(services: WebServices, renderer: Renderer) -> APIRouter:
    """The organisation pages and the curators' organisation form."""
    router = APIRouter(route_class=PageRoute)

    @router.get("/orgs", response_class=HTMLResponse)
    def orgs_page(request: Request, who: CurrentViewer, p: PageIndex) -> HTMLResponse:
        found = services.store.organizations(ORGS_PAGE_SIZE + 1, p * ORGS_PAGE_SIZE)
        context = {
            "orgs": found[:ORGS_PAGE_SIZE],
            "start": p * ORGS_PAGE_SIZE + 1,
            "page": p,
            "has_next": len(found) > ORGS_PAGE_SIZE,
        }
        return renderer.page(request, who, "orgs.html", context)

    @router.get("/org/{slug}", response_class=HTMLResponse)
    def org_page(request: Request, slug: str, who: CurrentViewer, p: PageIndex) -> HTMLResponse:
        return renderer.page(request, who, "org.html", org_context(services, who, slug, p))

    _add_curation(router, services)
    return router


def org_context(services: WebServices, who: Viewer, slug: str, page: int) -> dict[str, Any]:
    """An organisation's page: its name, paper count, a page of its papers (newest first)
    and whether the viewer follows it."""
    found = known_org(services, slug)
    papers = services.store.papers_of_org(found.org.slug, PAGE_SIZE + 1, page * PAGE_SIZE)
    rows = paper_rows(services, who.user, [(None, paper) for paper in papers[:PAGE_SIZE]])
    following = who.user is not None and any(
        f.kind == "org" and f.value == found.org.slug
        for f in services.store.follows_of(who.user.id)
    )
    return {
        "org": found.org,
        "papers": found.papers,
        "rows": rows,
        "page": page,
        "has_next": len(papers) > PAGE_SIZE,
        "following": following,
    }


def known_org(services: WebServices, slug: str) -> OrgCount:
    """The organisation of this slug; NotFoundError (a 404) for a malformed or unknown one."""
    try:
        found = services.store.org_by_slug(check_org_slug(slug))
    except InputError:
        found = None
    if found is None:
        raise NotFoundError(f"no organisation {slug[:80]!r} here")
    return found


def paper_org_context(services: WebServices, who: Viewer, paper_id: str) -> dict[str, Any]:
    """What the paper page shows of its organisations (each with who linked it) and, for
    curators, the existing organisations their form offers."""
    links = services.store.paper_orgs(paper_id)
    choices = services.store.organizations(ORG_CHOICES) if who.is_admin else []
    return {
        "org_links": [(link.org, org_source(link.set_by)) for link in links],
        "org_choices": [found.org for found in choices],
    }


def org_source(set_by: str) -> str:
    """Who linked a paper's organisation, as the page says it."""
    if set_by == HF_ORG:
        return "from Hugging Face"
    if set_by.startswith(CURATOR_ORG):
        return "set by a curator"
    return f"set by {set_by}"


def _add_curation(router: APIRouter, services: WebServices) -> None:
    @router.post("/papers/{paper_id:path}/org")
    def set_org(
        request: Request,
        paper_id: str,
        user: SignedInUser,
        name: str = Form("", max_length=1_000),
        slug: str = Form("", max_length=200),
        next: str | None = Form(None),
    ) -> Response:
        """Set the paper's organisation: an existing one by `slug`, or one by `name` (an
        existing organisation when the name makes its slug). Curators only."""
        services.admin.set_paper_org(user, paper_id, name, slug.strip())
        return go_back(request, next)

    @router.post("/papers/{paper_id:path}/org/remove")
    def remove_org(
        request: Request,
        paper_id: str,
        user: SignedInUser,
        slug: str = Form(..., max_length=200),
        next: str | None = Form(None),
    ) -> Response:
        """Take an organisation off the paper. Curators only."""
        services.admin.unlink_paper_org(user, paper_id, slug.strip())
        return go_back(request, next)
