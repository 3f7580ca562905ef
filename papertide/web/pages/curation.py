"""What every curator action on the site shares: who may act (a logged-out visitor is sent to
the login page, anyone else but a curator gets 403), the confirmation page a destructive step
shows first (a plain form, no JavaScript needed), and the page that says what was done, with an
Undo button where the step can be undone. The steps themselves are AdminService calls, each
written to the audit log; the curator steps of the paper page (unlist, delete a comment) live
here so that the paper page and the admin pages run the same code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from papertide.models import User
from papertide.web.auth import SAFE_METHODS, SignInRequiredError, Viewer, requested_page, safe_next
from papertide.web.render import Renderer, paper_url
from papertide.web.services import WebServices

CONFIRMED = "yes"  # the `confirm` field of a confirmation page's form
SUBJECT_MAX_CHARS = 500  # of a comment quoted on its confirmation page
AUDIT = "/admin/audit"
MODERATION = "/admin/moderation"


@dataclass(frozen=True, slots=True)
class Step:
    """A destructive step shown before it is taken: what it does (`effect`), on what
    (`subject`, quoted as plain text), and the form that takes it."""

    title: str
    effect: str
    action: str  # the URL the confirming form posts to (with confirm=yes)
    button: str
    cancel: str  # where Cancel goes
    subject: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)  # hidden fields carried along


@dataclass(frozen=True, slots=True)
class Undo:
    """The form that undoes a step just taken."""

    action: str
    label: str
    fields: Mapping[str, str] = field(default_factory=dict)


def curator_of(request: Request, who: Viewer) -> User:
    """The curator viewing. A logged-out visitor is sent to the login page (back to this page
    after logging in, for a GET); a logged-in user who is not a curator gets 403."""
    if who.user is None:
        page = requested_page(request) if request.method in SAFE_METHODS else "/admin"
        raise SignInRequiredError(safe_next(page))
    if not who.user.is_admin:
        raise HTTPException(403, "Only the site's curators can do this.")
    return who.user


def is_confirmed(confirm: str) -> bool:
    return confirm == CONFIRMED


def confirm_page(renderer: Renderer, request: Request, who: Viewer, step: Step) -> Response:
    """The confirmation page of `step`: nothing has been done yet."""
    return renderer.page(request, who, "admin/confirm.html", {"step": step})


def done_page(
    renderer: Renderer,
    request: Request,
    who: Viewer,
    message: str,
    back: str,
    undo: Undo | None = None,
) -> Response:
    """What was done, an Undo button when it can be undone, and the way back."""
    context = {"message": message, "back": back, "undo": undo, "audit": AUDIT}
    return renderer.page(request, who, "admin/done.html", context)


def delete_comment_step(
    services: WebServices,
    renderer: Renderer,
    request: Request,
    who: Viewer,
    comment_id: int,
    next: str | None,
    confirm: str,
) -> Response:
    """A curator deletes a comment: asks first, then says so with an Undo (restore)."""
    actor = curator_of(request, who)
    comment = services.admin.comment(comment_id)
    back = safe_next(next, f"{paper_url(comment.paper_id)}#comments")
    if not is_confirmed(confirm):
        step = Step(
            title=f"Delete the comment by {comment.username}?",
            effect="The comment is hidden from its paper page at once; you can restore it"
            " from the moderation page.",
            action=f"/comments/{comment.id}/delete",
            button="Delete the comment",
            cancel=back,
            subject=_quote(comment.body),
            fields={"next": back},
        )
        return confirm_page(renderer, request, who, step)
    services.admin.delete_comment(actor, comment.id)
    restore = f"/admin/comments/{comment.id}/restore"
    undo = Undo(restore, "Undo: restore the comment", {"next": back})
    message = f"Deleted the comment by {comment.username} on {comment.paper_id}."
    return done_page(renderer, request, who, message, back, undo)


def unlist_step(
    services: WebServices,
    renderer: Renderer,
    request: Request,
    who: Viewer,
    paper_id: str,
    day: date,
    next: str | None,
    confirm: str,
) -> Response:
    """A curator takes a paper off a day's page: asks first, then says so with an Undo
    (relist)."""
    actor = curator_of(request, who)
    back = safe_next(next, paper_url(paper_id))
    shown_day = day.strftime("%d %b %Y")
    if not is_confirmed(confirm):
        paper = services.store.get_paper(paper_id)
        step = Step(
            title=f"Take {paper_id} off the page of {shown_day}?",
            effect="The paper leaves that day's list (and trending) at once; the paper itself"
            " stays. You can put it back from the moderation page.",
            action=f"{paper_url(paper_id)}/unlist",
            button="Unlist the paper",
            cancel=back,
            subject=paper.title if paper else "",
            fields={"next": back, "day": day.isoformat()},
        )
        return confirm_page(renderer, request, who, step)
    entry = services.admin.unlist(actor, day, paper_id)
    if entry is None:
        message = f"{paper_id} was not on the page of {shown_day}: nothing was changed."
        return done_page(renderer, request, who, message, back)
    undo = Undo(f"/admin/unlisted/{entry.id}/relist", "Undo: put it back", {"next": back})
    message = f"Took {paper_id} off the page of {shown_day}."
    return done_page(renderer, request, who, message, back, undo)


def _quote(text: str) -> str:
    return text if len(text) <= SUBJECT_MAX_CHARS else text[:SUBJECT_MAX_CHARS] + "…"
