"""Claimed authorship on the site: "I am this author" on a paper page, withdrawing one's claim,
an account's public page of its claimed papers (/users/<name>), confirming one's email (domain
rules trust only confirmed addresses), and the curators' review page /admin/claims (approve or
reject after a confirmation page; the domain rules). What the paper, author and account pages
show of claims is computed in claimed.py.

Every POST passes the site-wide CSRF guard; the admin routes send a logged-out visitor to the
login page and answer anyone else who is not a curator with 403, as the other admin pages do
(curation.py), and approve and reject go through the same confirmation and Undo pages.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from papertide.community.ratelimit import enforce
from papertide.community.tokens import EMAIL, TOKEN_TTL_S
from papertide.errors import ConflictError, InputError
from papertide.models import AuthorClaim
from papertide.web.auth import CurrentViewer, SignedInUser, Viewer
from papertide.web.markup import paper_url
from papertide.web.page_slots import PageRoute
from papertide.web.pages.account import AccountUser
from papertide.web.pages.claimed import titles
from papertide.web.pages.common import go_back
from papertide.web.pages.curation import (
    SUBJECT_MAX_CHARS,
    Curator,
    Step,
    Undo,
    confirm_page,
    done_page,
    is_confirmed,
)
from papertide.web.pages.paper import PaperFormUser, paper_key
from papertide.web.render import Renderer
from papertide.web.services import WebServices

NAME_MAX_CHARS = 1000
DOMAIN_MAX_CHARS = 253
USERNAME_MAX_CHARS = 32
DECISIONS = {"approve": "approved", "reject": "rejected"}
REVIEW = "/admin/claims"


def claims_router(services: WebServices, renderer: Renderer) -> APIRouter:
    """Claiming, withdrawing, public profiles, confirming one's email, and /admin/claims."""
    router = APIRouter(route_class=PageRoute)
    _add_member(router, services, renderer)
    _add_review(router, services, renderer)
    return router


def _add_member(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    claims = services.claims

    @router.post("/papers/{paper_id:path}/claim")
    def claim(
        paper_id: str,
        user: PaperFormUser,
        author: str = Form("", max_length=NAME_MAX_CHARS),
    ) -> Response:
        key = paper_key(paper_id)
        claims.claim(user, key, author)
        return RedirectResponse(f"{paper_url(key)}#authorship", status_code=303)

    @router.post("/claims/{claim_id:id}/withdraw")
    def withdraw(
        request: Request,
        claim_id: int,
        user: SignedInUser,
        next: str | None = Form(None),
    ) -> Response:
        claims.withdraw(user, claim_id)
        return go_back(request, next)

    @router.get("/users/{username}", response_class=HTMLResponse)
    def profile(request: Request, username: str, who: CurrentViewer) -> Response:
        """An account's public page: the papers it is an approved author of (404 for an
        account with none, so the page tells nothing of other accounts)."""
        found = claims.profile(username[:USERNAME_MAX_CHARS])
        if not found:
            raise HTTPException(404, "no claimed papers by this account")
        papers = titles(services, found)
        context = {"username": found[0].username, "claims": found, "papers": papers}
        return renderer.page(request, who, "claimed_profile.html", context)

    @router.post("/account/email/verify")
    def send_confirmation(user: AccountUser) -> Response:
        """Mail a link that confirms the account's current email (rate limited as the
        email-change mails are); 503 when the site cannot send mail."""
        if not services.digests.can_mail:
            raise HTTPException(503, "this site sends no email, so addresses cannot be confirmed")
        token = services.accounts.confirm_link_token(user)
        enforce(services.store, f"user:{user.id}", "account_link", services.community.limits)
        path = "/account/email/confirm?" + urlencode({"token": token})
        hours = TOKEN_TTL_S[EMAIL] // 3600
        services.digests.send_account_link(user.email or "", EMAIL, path, hours)
        return RedirectResponse("/account?sent=confirm#my-papers", status_code=303)


def _add_review(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    claims = services.claims

    def review(request: Request, who: Viewer, error: str | None = None) -> Response:
        pending, approved = claims.pending(), claims.approved()
        context = {
            "pending": pending,
            "approved": approved,
            "rules": claims.rules(),
            "papers": titles(services, pending + approved),
            "error": error,
        }
        return renderer.page(request, who, "admin/claims.html", context, 400 if error else 200)

    @router.get("/admin/claims", response_class=HTMLResponse)
    def claims_page(request: Request, who: CurrentViewer, _actor: Curator) -> Response:
        return review(request, who)

    @router.post("/admin/claims/{claim_id:id}/{action}")
    def decide(
        request: Request,
        claim_id: int,
        action: str,
        who: CurrentViewer,
        actor: Curator,
        confirm: str = Form(""),
    ) -> Response:
        """Approve or reject: the first POST answers a confirmation page, the second acts and
        answers a page with an Undo (the claim back to pending); reopen is that Undo."""
        if action not in (*DECISIONS, "reopen"):
            raise HTTPException(404)
        try:
            found = claims.get(claim_id)
        except InputError:
            raise HTTPException(404) from None
        if action in DECISIONS and not is_confirmed(confirm):
            step = _decision_step(services, found, action)
            return confirm_page(renderer, request, who, step)
        try:
            if action == "reopen":
                claims.reopen(actor, claim_id)
                return RedirectResponse(REVIEW, status_code=303)
            decided = (
                claims.approve(actor, claim_id)
                if action == "approve"
                else claims.reject(actor, claim_id)
            )
        except ConflictError as error:
            return review(request, who, str(error))
        undo = Undo(f"/admin/claims/{claim_id}/reopen", "Undo: back to waiting")
        message = (
            f"{DECISIONS[action].capitalize()} the claim of {decided.username} to be"
            f" {decided.author_name} on {decided.paper_id}."
        )
        return done_page(renderer, request, who, message, REVIEW, undo)

    @router.post("/admin/claims/rules")
    def add_rule(
        request: Request,
        who: CurrentViewer,
        actor: Curator,
        domain: str = Form("", max_length=DOMAIN_MAX_CHARS),
    ) -> Response:
        try:
            claims.add_rule(actor, domain)
        except InputError as error:
            return review(request, who, str(error))
        return RedirectResponse(f"{REVIEW}#rules", status_code=303)

    @router.post("/admin/claims/rules/remove")
    def remove_rule(
        actor: Curator, domain: str = Form("", max_length=DOMAIN_MAX_CHARS)
    ) -> Response:
        claims.remove_rule(actor, domain)
        return RedirectResponse(f"{REVIEW}#rules", status_code=303)


def _decision_step(services: WebServices, claim: AuthorClaim, action: str) -> Step:
    """The confirmation page of approving or rejecting a claim: who, their confirmed email,
    the name and the paper with its authors (as plain text)."""
    paper = services.store.get_paper(claim.paper_id)
    email = claim.confirmed_email or "email not confirmed"
    about = (
        f"{paper.title} ({claim.paper_id}); its authors: {', '.join(paper.authors)}"
        if paper
        else claim.paper_id
    )
    subject = f"{claim.username} ({email}) claims to be {claim.author_name} on {about}"
    effect = (
        f'{claim.username}\'s comments on this paper get an "author" badge and the author page'
        " shows the account."
        if action == "approve"
        else f'The claim stays rejected: {claim.username} cannot file it again. Any "author"'
        " badge of theirs on this paper goes."
    )
    title = f"{action.capitalize()} the claim of {claim.username}"
    return Step(
        title=f"{title}?",
        effect=effect,
        action=f"/admin/claims/{claim.id}/{action}",
        button=title,
        cancel=REVIEW,
        subject=subject[:SUBJECT_MAX_CHARS],
    )
