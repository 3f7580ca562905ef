"""The curators' admin pages: users (search; suspend and delete after a confirmation step;
unsuspend; make curator or member) and the audit log. Every action goes through
AdminService, which writes the audit entry; anyone who is not a curator gets a plain 404.
Every POST passes the site-wide CSRF guard.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from papertide.errors import ConflictError, InputError
from papertide.models import User
from papertide.web.auth import CurrentViewer, Viewer
from papertide.web.render import Renderer
from papertide.web.services import WebServices

QUERY_MAX_CHARS = 100
ACTIONS = ("suspend", "unsuspend", "curator", "member", "delete")
CONFIRMED = ("suspend", "delete")


def _curator(who: Viewer) -> User:
    """The curator viewing; 404 (no information) for anyone else."""
    if who.user is None or not who.user.is_admin:
        raise HTTPException(404)
    return who.user


def admin_router(services: WebServices, renderer: Renderer) -> APIRouter:
    """/admin/users and /admin/audit."""
    router = APIRouter()
    admin = services.admin

    @router.get("/admin", response_class=HTMLResponse)
    @router.get("/admin/users", response_class=HTMLResponse)
    def users(request: Request, who: CurrentViewer, q: str = "") -> Response:
        _curator(who)
        found = admin.users(q[:QUERY_MAX_CHARS])
        context = {"q": q, "users": found, "error": None}
        return renderer.page(request, who, "admin/users.html", context)

    @router.post("/admin/users/{username}/{action}")
    def act(
        request: Request,
        username: str,
        action: str,
        who: CurrentViewer,
        confirm: str = Form(""),
    ) -> Response:
        """suspend and delete ask first (a confirm page); unsuspend and role changes act."""
        actor = _curator(who)
        if action not in ACTIONS:
            raise HTTPException(404)
        if action in CONFIRMED and confirm != "yes":
            target = _user_or_404(services, username)
            context = {"target": target, "action": action}
            return renderer.page(request, who, "admin/confirm.html", context)
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
    def audit(request: Request, who: CurrentViewer, action: str = "") -> Response:
        _curator(who)
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
