"""What every curator action on the site shares: who may act (`Curator`: a logged-out visitor
is sent to the login page, anyone else but a curator gets 403), the confirmation page a
destructive step shows first (a plain form, no JavaScript needed), and the page that says what
was done, with an Undo button where the step can be undone. The steps themselves are
AdminService calls, each written to the audit log; the curator steps of the paper page (unlist,
delete a comment) live here so that the paper page and the admin pages run the same code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

from fastapi import Depends
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from papertide.models import User
from papertide.web.auth import Viewer, safe_next, signed_in
from papertide.web.markup import paper_url
from papertide.web.render import Renderer
from papertide.web.services import WebServices

CONFIRMED = "yes"  # the `confirm` field of a confirmation page's form
SUBJECT_MAX_CHARS = 500  # of a comment quoted on its confirmation page
ADMIN = "/admin"
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


def must_be_curator(user: User) -> User:
    """`user`, when a curator; 403 for anyone else."""
    if not user.is_admin:
        raise HTTPException(403, "Only the site's curators can do this.")
    return user


async def curator(user: Annotated[User, Depends(signed_in(ADMIN))]) -> User:
    """The dependency of the curators' routes: a logged-out visitor is sent to the login page
    (back to the page asked for, for a GET; else to a form's `next` or /admin), a signed-in
    user who is not a curator gets 403."""
    return must_be_curator(user)


Curator = Annotated[User, Depends(curator)]


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
    actor: User,
    comment_id: int,
    next: str | None,
    confirm: str,
) -> Response:
    """The curator `actor` deletes a comment: asks first, then says so with an Undo (restore)."""
    must_be_curator(actor)
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
    actor: User,
    paper_id: str,
    day: date,
    next: str | None,
    confirm: str,
) -> Response:
    """The curator `actor` takes a paper off a day's page (403 for anyone else): asks first,
    then says so with an Undo (relist)."""
    must_be_curator(actor)
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
