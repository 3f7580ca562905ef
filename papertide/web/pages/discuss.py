"""Discussions on the paper page: replies (one level), edits within the edit window, reports to
the curators, a no-JS Markdown preview, and the notifications page for replies to you.

Every POST passes the CSRF guard (see app.py) and goes through CommunityService, which checks
the rules and rate limits.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from papertide.web.auth import CurrentViewer
from papertide.web.pages.common import go_back, to_comment, to_login
from papertide.web.pages.paper import paper_context, paper_key, stored_paper
from papertide.web.render import Renderer, paper_url
from papertide.web.services import WebServices

NOTIFICATIONS_SHOWN = 100
REPORTS_SHOWN = 50


def discussion_router(services: WebServices, renderer: Renderer) -> APIRouter:
    """Reply, edit, report, preview and notifications."""
    router = APIRouter()
    community = services.community

    @router.post("/papers/{paper_id:path}/preview", response_class=HTMLResponse)
    def preview(
        request: Request,
        paper_id: str,
        who: CurrentViewer,
        body: str = Form(""),
    ) -> Response:
        """The paper page again, with the comment rendered above its form (kept as typed)."""
        key = paper_key(paper_id)
        if who.user is None:
            return to_login(request, paper_url(key))
        context = paper_context(services, who, stored_paper(services, key))
        context |= {"draft": body}
        return renderer.page(request, who, "paper.html", context)

    @router.post("/comments/{comment_id:id}/reply")
    def reply(
        request: Request,
        comment_id: int,
        who: CurrentViewer,
        body: str = Form(""),
        next: str | None = Form(None),
    ) -> Response:
        if who.user is None:
            return to_login(request, next)
        made = community.reply(who.user, comment_id, body)
        return to_comment(made)

    @router.post("/comments/{comment_id:id}/edit")
    def edit(
        request: Request,
        comment_id: int,
        who: CurrentViewer,
        body: str = Form(""),
        next: str | None = Form(None),
    ) -> Response:
        if who.user is None:
            return to_login(request, next)
        made = community.edit_comment(who.user, comment_id, body)
        return to_comment(made)

    @router.post("/comments/{comment_id:id}/report")
    def report(
        request: Request,
        comment_id: int,
        who: CurrentViewer,
        reason: str = Form(""),
        next: str | None = Form(None),
    ) -> Response:
        if who.user is None:
            return to_login(request, next)
        community.report_comment(who.user, comment_id, reason)
        return go_back(request, next)

    @router.get("/notifications", response_class=HTMLResponse)
    def notifications(request: Request, who: CurrentViewer) -> Response:
        """Replies to your comments, newest first; unread ones marked."""
        if who.user is None:
            return to_login(request, "/notifications")
        listed = services.store.notifications(who.user.id, NOTIFICATIONS_SHOWN)
        reports = services.store.comment_reports(REPORTS_SHOWN) if who.user.is_admin else []
        context = {"notifications": listed, "reports": reports}
        return renderer.page(request, who, "notifications.html", context)

    @router.post("/notifications/read")
    def mark_read(request: Request, who: CurrentViewer) -> Response:
        if who.user is None:
            return to_login(request, "/notifications")
        services.store.mark_notifications_read(who.user.id)
        return RedirectResponse("/notifications", status_code=303)

    return router
