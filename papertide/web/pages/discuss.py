"""Discussions on the paper page: replies (one level), edits within the edit window, reports to
the curators, a no-JS Markdown preview, and the notifications page for replies to you.

Every POST passes the CSRF guard (see app.py) and goes through CommunityService, which checks
the rules and rate limits.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from papertide.models import User
from papertide.web.auth import CurrentViewer, SignedInUser, signed_in
from papertide.web.page_slots import PageRoute
from papertide.web.pages.common import go_back, to_comment
from papertide.web.pages.paper import PaperFormUser, paper_context, paper_key, stored_paper
from papertide.web.render import Renderer
from papertide.web.services import WebServices

NOTIFICATIONS_SHOWN = 100
REPORTS_SHOWN = 50


def discussion_router(services: WebServices, renderer: Renderer) -> APIRouter:
    """Reply, edit, report, preview and notifications."""
    router = APIRouter(route_class=PageRoute)
    community = services.community

    @router.post("/papers/{paper_id:path}/preview", response_class=HTMLResponse)
    def preview(
        request: Request,
        paper_id: str,
        who: CurrentViewer,
        _user: PaperFormUser,
        body: str = Form(""),
    ) -> Response:
        """The paper page again, with the comment rendered above its form (kept as typed)."""
        context = paper_context(services, who, stored_paper(services, paper_key(paper_id)))
        context |= {"draft": body}
        return renderer.page(request, who, "paper.html", context)

    @router.post("/comments/{comment_id:id}/reply")
    def reply(
        comment_id: int,
        user: SignedInUser,
        body: str = Form(""),
    ) -> Response:
        made = community.reply(user, comment_id, body)
        return to_comment(made)

    @router.post("/comments/{comment_id:id}/edit")
    def edit(
        comment_id: int,
        user: SignedInUser,
        body: str = Form(""),
    ) -> Response:
        made = community.edit_comment(user, comment_id, body)
        return to_comment(made)

    @router.post("/comments/{comment_id:id}/report")
    def report(
        request: Request,
        comment_id: int,
        user: SignedInUser,
        reason: str = Form(""),
        next: str | None = Form(None),
    ) -> Response:
        community.report_comment(user, comment_id, reason)
        return go_back(request, next)

    @router.get("/notifications", response_class=HTMLResponse)
    def notifications(request: Request, who: CurrentViewer, user: SignedInUser) -> Response:
        """Replies to your comments, newest first; unread ones marked."""
        listed = services.store.notifications(user.id, NOTIFICATIONS_SHOWN)
        reports = services.store.comment_reports(REPORTS_SHOWN) if user.is_admin else []
        context = {"notifications": listed, "reports": reports}
        return renderer.page(request, who, "notifications.html", context)

    @router.post("/notifications/read")
    def mark_read(user: Annotated[User, Depends(signed_in("/notifications"))]) -> Response:
        services.store.mark_notifications_read(user.id)
        return RedirectResponse("/notifications", status_code=303)

    return router
