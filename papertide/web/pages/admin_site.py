"""/admin/quarantine (the records ingest refused, by page and by reason), /admin/invites
(create, list with state, revoke after a confirmation step) and /admin/status (digest delivery
and sync runs). Reads and writes go through AdminService; the sync status is the one
`papertide status` prints.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from papertide.community.admin import invite_link
from papertide.errors import InputError
from papertide.sync.status import sync_status
from papertide.web.auth import CurrentViewer, Viewer
from papertide.web.page_slots import PageRoute
from papertide.web.pages.common import PageIndex
from papertide.web.pages.curation import Curator, Step, confirm_page, is_confirmed
from papertide.web.render import Renderer
from papertide.web.services import WebServices

INVITES = "/admin/invites"
REASON_MAX_CHARS = 2000


def site_router(services: WebServices, renderer: Renderer) -> APIRouter:
    router = APIRouter(route_class=PageRoute)
    admin = services.admin

    @router.get("/admin/quarantine", response_class=HTMLResponse)
    def quarantine(
        request: Request, who: CurrentViewer, p: PageIndex, _actor: Curator, reason: str = ""
    ) -> Response:
        if len(reason) > REASON_MAX_CHARS:
            raise InputError(f"a reason is at most {REASON_MAX_CHARS} characters")
        found = admin.quarantine(p, reason or None)
        return renderer.page(request, who, "admin/quarantine.html", {"found": found})

    def invites_page(request: Request, who: Viewer, link: str | None, status: int) -> Response:
        context = {"invites": admin.invite_states(), "link": link, "error": None}
        return renderer.page(request, who, "admin/invites.html", context, status)

    @router.get(INVITES, response_class=HTMLResponse)
    def invites(request: Request, who: CurrentViewer, _actor: Curator) -> Response:
        return invites_page(request, who, None, 200)

    @router.post(INVITES)
    def create_invite(
        request: Request,
        who: CurrentViewer,
        actor: Curator,
        uses: int = Form(1),
        days: int = Form(7),
    ) -> Response:
        """The new invite's link is shown on this answer only (only its hash is stored)."""
        _invite, token = admin.create_invite(actor, uses, days)
        return invites_page(request, who, invite_link(services.settings.public_url, token), 200)

    @router.post("/admin/invites/{invite_id:id}/revoke")
    def revoke_invite(
        request: Request,
        invite_id: int,
        who: CurrentViewer,
        actor: Curator,
        confirm: str = Form(""),
    ) -> Response:
        if not is_confirmed(confirm):
            step = Step(
                title=f"Revoke invite {invite_id}?",
                effect="Its link stops working at once; accounts made with it stay."
                " This cannot be undone: make a new invite instead.",
                action=f"/admin/invites/{invite_id}/revoke",
                button="Revoke the invite",
                cancel=INVITES,
            )
            return confirm_page(renderer, request, who, step)
        admin.revoke_invite(actor, invite_id)
        return RedirectResponse(INVITES, status_code=303)

    @router.get("/admin/status", response_class=HTMLResponse)
    def status(request: Request, who: CurrentViewer, _actor: Curator) -> Response:
        settings = services.settings
        context = {
            "digests": admin.digest_status(),
            "mail": bool(settings.smtp_host),
            "sync": sync_status(services.store, services.clock.now(), settings),
            "syncing": bool(settings.sync_categories or settings.hf_mirror),
        }
        return renderer.page(request, who, "admin/status.html", context)

    return router
