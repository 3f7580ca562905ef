"""Accounts and submissions: log in, sign up, log out, the account page (API tokens, follows,
collections), one collection, and submitting a paper. Every POST passes the CSRF guard.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response

from papertide.community.accounts import AccountService
from papertide.community.ratelimit import enforce
from papertide.community.submissions import FAILED, LISTED, Submission
from papertide.errors import AuthError, ConflictError, InputError, PaperNotFoundError
from papertide.models import Collection, Listing, User
from papertide.store.base import Store
from papertide.web.auth import (
    CurrentViewer,
    SignedInUser,
    Viewer,
    clear_session_cookie,
    client_ip,
    safe_next,
    session_of,
    signed_in,
)
from papertide.web.feeds.routes import following_feed_url
from papertide.web.markup import paper_url
from papertide.web.page_slots import PageRoute
from papertide.web.pages.claimed import account_claims_context
from papertide.web.pages.common import go_back, paper_rows
from papertide.web.pages.paper import DEFAULT_COLLECTION, paper_key
from papertide.web.pages.self_service import logged_in, self_service_routes
from papertide.web.render import Renderer
from papertide.web.services import WebServices
from papertide.web.submit_jobs import submit_and_wait

FIELD_MAX_CHARS = 1024
INVITE_MAX_CHARS = 200
SUBMIT_PAGE_WAIT_S = 1.0  # a submission answers within this, fetched from arXiv or not
# the signed-in user of a form of the account page
AccountUser = Annotated[User, Depends(signed_in("/account"))]


def account_router(services: WebServices, renderer: Renderer) -> APIRouter:
    """Login, signup, logout, account, collections and submit routes."""
    router = APIRouter(route_class=PageRoute)
    adders = (
        _add_login,
        _add_signup,
        _add_account,
        self_service_routes,
        _add_collections,
        _add_submit,
    )
    for add in adders:
        add(router, services, renderer)
    return router


def _add_login(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    accounts, store = services.accounts, services.store

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, who: CurrentViewer, next: str = "/") -> Response:
        return _form_page(
            renderer, request, who, "login.html", {"next": safe_next(next), "login": ""}
        )

    @router.post("/login")
    def login(
        request: Request,
        who: CurrentViewer,
        login: str = Form("", max_length=FIELD_MAX_CHARS),
        password: str = Form("", max_length=FIELD_MAX_CHARS),
        next: str = Form("/"),
    ) -> Response:
        limits = services.community.limits
        enforce(store, f"ip:{client_ip(request)}", "login", limits)
        # per account too: rotating addresses does not buy more guesses at one password
        enforce(store, f"account:{login.strip().casefold()}", "login_account", limits)
        try:
            user = accounts.log_in(login, password)
        except AuthError as error:
            context = {"next": safe_next(next), "login": login, "error": str(error)}
            return _form_page(renderer, request, who, "login.html", context, 401)
        return logged_in(accounts, request, user, next)

    @router.post("/logout")
    def logout(request: Request) -> Response:
        session = session_of(request)
        if session:
            accounts.close_session(session)
        response = RedirectResponse("/", status_code=303)
        clear_session_cookie(response, request)
        return response


def _add_signup(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    accounts, store = services.accounts, services.store

    @router.get("/signup", response_class=HTMLResponse)
    def signup_form(
        request: Request,
        who: CurrentViewer,
        next: str = "/",
        invite: str = Query("", max_length=INVITE_MAX_CHARS),
    ) -> Response:
        """The form, or (signup = closed, or invite without a usable invite) why not."""
        context = _signup_context(accounts, next, "", "", invite)
        status = 403 if context["refusal"] else 200
        return _form_page(renderer, request, who, "signup.html", context, status)

    @router.post("/signup")
    def signup(
        request: Request,
        who: CurrentViewer,
        username: str = Form("", max_length=FIELD_MAX_CHARS),
        email: str = Form("", max_length=FIELD_MAX_CHARS),
        password: str = Form("", max_length=FIELD_MAX_CHARS),
        next: str = Form("/"),
        invite: str = Form("", max_length=INVITE_MAX_CHARS),
    ) -> Response:
        address = email.strip() or None
        context = _signup_context(accounts, next, username, email, invite)
        if context["refusal"] is not None:
            return _form_page(renderer, request, who, "signup.html", context, 403)
        try:  # a refused sign-up does not count toward the address's limit
            accounts.check_sign_up(username, password, address)
            enforce(store, f"ip:{client_ip(request)}", "signup", services.community.limits)
            user, taken = accounts.open_sign_up(username, password, address, invite)
        except (InputError, AuthError) as error:
            status = 409 if isinstance(error, ConflictError) else 400
            status = 403 if isinstance(error, AuthError) else status
            return _form_page(
                renderer, request, who, "signup.html", context | {"error": str(error)}, status
            )
        if taken is not None:  # the same answer; the address's owner is told by email
            services.digests.notify_address_in_use(taken)
        return logged_in(accounts, request, user, next)


def _add_account(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    accounts = services.accounts

    @router.get("/account", response_class=HTMLResponse)
    def account(request: Request, who: CurrentViewer, user: SignedInUser) -> Response:
        return renderer.page(request, who, "account.html", _account(services, user, None))

    @router.post("/account/tokens")
    def create_token(
        request: Request,
        who: CurrentViewer,
        user: AccountUser,
        name: str = Form("", max_length=100),
    ) -> Response:
        token = accounts.create_api_token(user, name.strip() or "API token")
        context = _account(services, user, token)
        return renderer.page(request, who, "account.html", context)

    @router.post("/account/feed-key/rotate")
    def rotate_feed_key(user: AccountUser) -> Response:
        """New feed links (followed topics and For you); the old ones stop working."""
        services.store.rotate_feed_key(user.id)
        return RedirectResponse("/account#following-feed", status_code=303)

    @router.post("/account/tokens/{token_id}/revoke")
    def revoke_token(token_id: str, user: AccountUser) -> Response:
        accounts.revoke_api_token(user, token_id)
        return RedirectResponse("/account#tokens", status_code=303)  # gone either way


def _add_collections(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    store = services.store

    @router.get("/collections/{collection_id:id}", response_class=HTMLResponse)
    def collection(
        request: Request, collection_id: int, who: CurrentViewer, user: SignedInUser
    ) -> Response:
        found = _collection(store, user, collection_id)
        papers = store.collection_papers(user.id, collection_id)
        rows = paper_rows(services, user, [(None, paper) for paper in papers])
        return renderer.page(request, who, "collection.html", {"collection": found, "rows": rows})

    @router.post("/collections/{collection_id:id}/remove")
    def remove_from_collection(
        request: Request,
        collection_id: int,
        user: SignedInUser,
        paper_id: str = Form(...),
        next: str | None = Form(None),
    ) -> Response:
        found = _collection(store, user, collection_id)
        services.community.bookmark(user, paper_key(paper_id), found.name, on=False)
        return go_back(request, next)


def _add_submit(router: APIRouter, services: WebServices, renderer: Renderer) -> None:

    @router.get("/submit", response_class=HTMLResponse)
    def submit_form(
        request: Request,
        who: CurrentViewer,
        text: str = Query("", max_length=500),
        paper: str = Query("", max_length=100),
    ) -> Response:
        job = services.community.submission(who.user, paper) if who.user and paper else None
        if job is not None:
            return _submission_page(renderer, request, who, job)
        return _form_page(renderer, request, who, "submit.html", {"text": text, "job": None})

    @router.post("/submit")
    async def submit(
        request: Request,
        who: CurrentViewer,
        user: Annotated[User, Depends(signed_in("/submit"))],
        text: str = Form("", max_length=FIELD_MAX_CHARS),
    ) -> Response:
        try:
            done = await submit_and_wait(services.community, user, text, SUBMIT_PAGE_WAIT_S)
        except InputError as error:
            status = 409 if isinstance(error, ConflictError) else 400
            context = {"text": text, "error": str(error), "job": None}
            return await run_in_threadpool(
                _form_page, renderer, request, who, "submit.html", context, status
            )
        if isinstance(done, Listing):
            return RedirectResponse(paper_url(done.paper_id), status_code=303)
        return await run_in_threadpool(_submission_page, renderer, request, who, done)


def _submission_page(
    renderer: Renderer, request: Request, who: Viewer, job: Submission
) -> Response:
    """Where a submission stands: listed (on to the paper), failed (the form again, with the
    reason and the id), or under way (a page that looks again by itself)."""
    if job.state == LISTED:
        return RedirectResponse(paper_url(job.paper_id), status_code=303)
    context: dict[str, Any] = {"text": job.paper_id, "job": job}
    if job.state == FAILED:
        status = 404 if isinstance(job.error, PaperNotFoundError) else 503
        context["error"] = job.message
        return _form_page(renderer, request, who, "submit.html", context, status)
    return _form_page(renderer, request, who, "submit.html", context, 202)


def _signup_context(
    accounts: AccountService, target: str, username: str, email: str, invite: str
) -> dict[str, Any]:
    """The sign-up page's values; `refusal` says why it has no form (None: it has one)."""
    return {
        "next": safe_next(target),
        "username": username,
        "email": email,
        "invite": invite,
        "domains": accounts.policy.email_domains,
        "refusal": accounts.signup_refusal(invite),
    }


def _form_page(
    renderer: Renderer,
    request: Request,
    who: Viewer,
    name: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    return renderer.page(request, who, name, {"error": None} | context, status)


def _collection(store: Store, user: User, collection_id: int) -> Collection:
    """One of the user's collections; 404 for a missing one or another user's."""
    for found in store.collections_of(user.id):
        if found.id == collection_id:
            return found
    raise HTTPException(404, "no such collection among yours")


def _account(services: WebServices, user: User, new_token: str | None) -> dict[str, Any]:
    return {
        "new_token": new_token,
        "tokens": services.accounts.api_tokens(user),
        "follows": services.store.follows_of(user.id),
        "feed_url": following_feed_url(services, user),
        "collections": services.store.collections_of(user.id),
        "default_collection": DEFAULT_COLLECTION,
        **account_claims_context(services, user),
    }
