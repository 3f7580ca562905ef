"""The curators' admin pages: users (search, suspend with a confirmation step, unsuspend)
and the audit log. Every action goes through AdminService, which writes the audit entry;
anyone who is not a curator gets a plain 404. Every POST passes the site-wide CSRF guard.
"""

# No `from __future__ import annotations`: FastAPI must evaluate Annotated[..., Depends(viewer)]
# while `viewer` (a closure variable) is in scope.

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from papertide.errors import ConflictError, InputError
from papertide.models import User
from papertide.web.auth import Viewer
from papertide.web.render import Renderer
from papertide.web.services import WebServices

QUERY_MAX_CHARS = 100


def _curator(who: Viewer) -> User:
    """The curator viewing; 404 (no information) for anyone else."""
    if who.user is None or not who.user.is_admin:
        raise HTTPException(404)
    return who.user


def admin_router(services: WebServices, renderer: Renderer, viewer: Any) -> APIRouter:
    """/admin/users and /admin/audit."""
    router = APIRouter()
    admin = services.admin

    @router.get("/admin", response_class=HTMLResponse)
    @router.get("/admin/users", response_class=HTMLResponse)
    def users(request: Request, who: Annotated[Viewer, Depends(viewer)], q: str = "") -> Response:
        _curator(who)
        found = admin.users(q[:QUERY_MAX_CHARS])
        context = {"q": q, "users": found, "error": None}
        return renderer.page(request, who, "admin/users.html", context)

    @router.post("/admin/users/{username}/suspend")
    def suspend(
        request: Request,
        username: str,
        who: Annotated[Viewer, Depends(viewer)],
        confirm: str = Form(""),
        undo: str = Form(""),
    ) -> Response:
        actor = _curator(who)
        if not undo and confirm != "yes":
            target = _user_or_404(services, username)
            return renderer.page(request, who, "admin/confirm.html", {"target": target})
        try:
            admin.suspend(actor, username, suspended=not undo)
        except (InputError, ConflictError) as error:
            context = {"q": "", "users": admin.users(), "error": str(error)}
            return renderer.page(request, who, "admin/users.html", context, 400)
        return RedirectResponse(f"/admin/users?q={username}", status_code=303)

    @router.get("/admin/audit", response_class=HTMLResponse)
    def audit(
        request: Request, who: Annotated[Viewer, Depends(viewer)], action: str = ""
    ) -> Response:
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
