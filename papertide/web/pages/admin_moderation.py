"""/admin/moderation: reported comments with their reports, deleted comments (Restore), papers
curators unlisted (Relist) and the papers members submitted (Unlist…). Deleting and unlisting
post to the paper page's own routes, which ask first (curation.py); restoring and relisting
undo at once. Every step is an AdminService call that writes the audit log.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from papertide.web.auth import CurrentViewer, safe_next
from papertide.web.page_slots import PageRoute
from papertide.web.pages.curation import MODERATION, Curator
from papertide.web.render import Renderer
from papertide.web.services import WebServices

SHOWN = 50  # rows per section


def moderation_router(services: WebServices, renderer: Renderer) -> APIRouter:
    router = APIRouter(route_class=PageRoute)
    admin = services.admin

    @router.get("/admin/moderation", response_class=HTMLResponse)
    def moderation(request: Request, who: CurrentViewer, _actor: Curator) -> Response:
        context = {
            "reported": admin.reported_comments(SHOWN),
            "deleted": admin.deleted_comments(SHOWN),
            "unlisted": admin.unlisted(SHOWN),
            "submissions": admin.submissions(SHOWN),
        }
        return renderer.page(request, who, "admin/moderation.html", context)

    @router.post("/admin/comments/{comment_id:id}/restore")
    def restore_comment(comment_id: int, actor: Curator, next: str | None = Form(None)) -> Response:
        """Undo a delete (the audit log says so); back to `next` or the moderation page."""
        admin.restore_comment(actor, comment_id)
        return RedirectResponse(safe_next(next, MODERATION), status_code=303)

    @router.post("/admin/unlisted/{entry_id:id}/relist")
    def relist(entry_id: int, actor: Curator, next: str | None = Form(None)) -> Response:
        """Put back the listing the "unlist" audit entry `entry_id` took off."""
        admin.restore_listing(actor, entry_id)
        return RedirectResponse(safe_next(next, MODERATION), status_code=303)

    return router
