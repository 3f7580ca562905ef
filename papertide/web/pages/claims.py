"""Claimed authorship on the site: "I am this author" on a paper page, withdrawing one's claim,
an account's public page of its claimed papers (/users/<name>), confirming one's email (domain
rules trust only confirmed addresses), and the curators' review page /admin/claims (approve or
reject after a confirmation page; the domain rules). What the paper, author and account pages
show of claims is computed in claimed.py.

Every POST passes the site-wide CSRF guard; the admin routes answer anyone who is not a curator
with a plain 404, as the other admin pages do.
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
from papertide.web.auth import CurrentViewer, Viewer
from papertide.web.pages.admin import _curator as curator_of
from papertide.web.pages.claimed import titles
from papertide.web.pages.common import go_back, to_login
from papertide.web.pages.paper import paper_key
from papertide.web.render import Renderer, paper_url
from papertide.web.services import WebServices

NAME_MAX_CHARS = 1000
DOMAIN_MAX_CHARS = 253
USERNAME_MAX_CHARS = 32
DECISIONS = {"approve": "approved", "reject": "rejected"}


def claims_router(services: WebServices, renderer: Renderer) -> APIRouter:
    """Claiming, withdrawing, public profiles, confirming one's email, and /admin/claims."""
    router = APIRouter()
    _add_member(router, services, renderer)
    _add_review(router, services, renderer)
    return router


def _add_member(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    claims = services.claims

    @router.post("/papers/{paper_id:path}/claim")
    def claim(
        request: Request,
        paper_id: str,
        who: CurrentViewer,
        author: str = Form("", max_length=NAME_MAX_CHARS),
    ) -> Response:
        key = paper_key(paper_id)
        if who.user is None:
            return to_login(request, paper_url(key))
        claims.claim(who.user, key, author)
        return RedirectResponse(f"{paper_url(key)}#authorship", status_code=303)

    @router.post("/claims/{claim_id:id}/withdraw")
    def withdraw(
        request: Request,
        claim_id: int,
        who: CurrentViewer,
        next: str | None = Form(None),
    ) -> Response:
        if who.user is None:
            return to_login(request, next)
        claims.withdraw(who.user, claim_id)
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
    def send_confirmation(request: Request, who: CurrentViewer) -> Response:
        """Mail a link that confirms the account's current email (rate limited as the
        email-change mails are); 503 when the site cannot send mail."""
        if who.user is None:
            return to_login(request, "/account")
        if not services.digests.can_mail:
            raise HTTPException(503, "this site sends no email, so addresses cannot be confirmed")
        token = services.accounts.confirm_link_token(who.user)
        enforce(services.store, f"user:{who.user.id}", "account_link", services.community.limits)
        path = "/account/email/confirm?" + urlencode({"token": token})
        hours = TOKEN_TTL_S[EMAIL] // 3600
        services.digests.send_account_link(who.user.email or "", EMAIL, path, hours)
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
    def claims_page(request: Request, who: CurrentViewer) -> Response:
        curator_of(who)
        return review(request, who)

    @router.post("/admin/claims/{claim_id:id}/{action}")
    def decide(
        request: Request,
        claim_id: int,
        action: str,
        who: CurrentViewer,
        confirm: str = Form(""),
    ) -> Response:
        """Approve or reject: the first POST answers a confirmation page, the second acts."""
        actor = curator_of(who)
        if action not in DECISIONS:
            raise HTTPException(404)
        try:
            found = claims.get(claim_id)
        except InputError:
            raise HTTPException(404) from None
        if confirm != "yes":
            paper = services.store.get_paper(found.paper_id)
            context = {"claim": found, "action": action, "paper": paper}
            return renderer.page(request, who, "admin/claim_confirm.html", context)
        try:
            if action == "approve":
                claims.approve(actor, claim_id)
            else:
                claims.reject(actor, claim_id)
        except ConflictError as error:
            return review(request, who, str(error))
        return RedirectResponse("/admin/claims", status_code=303)

    @router.post("/admin/claims/rules")
    def add_rule(
        request: Request,
        who: CurrentViewer,
        domain: str = Form("", max_length=DOMAIN_MAX_CHARS),
    ) -> Response:
        actor = curator_of(who)
        try:
            claims.add_rule(actor, domain)
        except InputError as error:
            return review(request, who, str(error))
        return RedirectResponse("/admin/claims#rules", status_code=303)

    @router.post("/admin/claims/rules/remove")
    def remove_rule(
        who: CurrentViewer,
        domain: str = Form("", max_length=DOMAIN_MAX_CHARS),
    ) -> Response:
        claims.remove_rule(curator_of(who), domain)
        return RedirectResponse("/admin/claims#rules", status_code=303)
