"""The curators' admin pages: users (search; suspend and delete after a confirmation step;
unsuspend; make curator or member) and the audit log here, moderation, quarantine, invites and
status in admin_moderation.py and admin_site.py. Every action goes through AdminService, which
writes the audit entry; a logged-out visitor is sent to the login page, anyone else who is not
a curator gets 403 (curation.py). Every POST passes the site-wide CSRF guard.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from papertide.errors import ConflictError, InputError
from papertide.models import User
from papertide.web.auth import CurrentViewer
from papertide.web.page_slots import PageRoute
from papertide.web.pages.admin_moderation import moderation_router
from papertide.web.pages.admin_site import site_router
from papertide.web.pages.curation import Curator, Step, confirm_page, is_confirmed
from papertide.web.render import Renderer
from papertide.web.services import WebServices

QUERY_MAX_CHARS = 100
ACTIONS = ("suspend", "unsuspend", "curator", "member", "delete")
EFFECTS = {
    "delete": "This deletes the account with its votes, ratings and comments. It cannot be undone.",
    "suspend": "Their sessions and API tokens stop working at once and they cannot log in."
    " You can unsuspend them later from the users page.",
}


def admin_router(services: WebServices, renderer: Renderer) -> APIRouter:
    """/admin, /admin/users and /admin/audit, and the routers of the other admin pages."""
    router = APIRouter(route_class=PageRoute)
    admin = services.admin
    router.include_router(moderation_router(services, renderer))
    router.include_router(site_router(services, renderer))

    @router.get("/admin", response_class=HTMLResponse)
    @router.get("/admin/users", response_class=HTMLResponse)
    def users(request: Request, who: CurrentViewer, _actor: Curator, q: str = "") -> Response:
        found = admin.users(q[:QUERY_MAX_CHARS])
        context = {"q": q, "users": found, "error": None}
        return renderer.page(request, who, "admin/users.html", context)

    @router.post("/admin/users/{username}/{action}")
    def act(
        request: Request,
        username: str,
        action: str,
        who: CurrentViewer,
        actor: Curator,
        confirm: str = Form(""),
    ) -> Response:
        """suspend and delete ask first (a confirm page); unsuspend and role changes act."""
        if action not in ACTIONS:
            raise HTTPException(404)
        if action in EFFECTS and not is_confirmed(confirm):
            target = _user_or_404(services, username).username
            title = f"{action.capitalize()} {target}"
            step = Step(
                title=f"{title}?",
                effect=EFFECTS[action],
                action=f"/admin/users/{quote(target)}/{action}",
                button=title,
                cancel="/admin/users",
            )
            return confirm_page(renderer, request, who, step)
        try:
            if action == "delete":
                admin.delete_user(actor, username)
            elif action in ("suspend", "unsuspend"):
                admin.suspend(actor, username, suspended=action == "suspend")
            else:
                admin.set_role(actor, username, curator=action == "curator")
        except (InputError, ConflictError) as error:
            context = {"q": "", "users": admin.users(), "error": str(error)}
            return renderer.page(request, who, "admin/users.html", context, 400)
        return RedirectResponse(f"/admin/users?q={quote(username)}", status_code=303)

    @router.get("/admin/audit", response_class=HTMLResponse)
    def audit(request: Request, who: CurrentViewer, _actor: Curator, action: str = "") -> Response:
        entries = admin.audit_log(200, action[:QUERY_MAX_CHARS] or None)
        return renderer.page(
            request, who, "admin/audit.html", {"entries": entries, "action": action}
        )

    return router


def _user_or_404(services: WebServices, username: str) -> User:
    try:
        return services.admin.user(username)
    except InputError:
        raise HTTPException(404) from None
