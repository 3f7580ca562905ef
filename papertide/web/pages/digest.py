"""Digest pages: subscribe, and the links of digest emails (confirm, unsubscribe, preferences,
relevant / not relevant) and of reply emails (turn them off). A GET only shows a page with a
button (mail scanners fetch links); the POST acts. The signed token authorises those POSTs, so
they need no CSRF token, and RFC 8058's one-click POST to the List-Unsubscribe URL works from
any mail client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from papertide.digest.service import DigestService
from papertide.digest.tokens import CONFIRM, PREFERENCES, UNSUBSCRIBE, TokenError
from papertide.errors import InputError, RateLimitError
from papertide.models import User
from papertide.store.base import Store
from papertide.store.digest_base import CADENCES, CONTENTS
from papertide.web.auth import CurrentViewer, Viewer, client_ip
from papertide.web.page_slots import PageRoute
from papertide.web.render import Renderer

TOKEN_MAX_CHARS = 500
EMAIL_MAX_CHARS = 254
SUBSCRIBE_PER_IP = (10, 3600)  # subscription forms per address per hour


def digest_router(
    digests: DigestService, renderer: Renderer, csrf: Callable[[Request], Awaitable[None]]
) -> APIRouter:
    """The /digest/... routes; `csrf` (the site's CSRF dependency) guards only the subscribe
    form, the one POST a token does not authorise. Include it without the site-wide guard."""
    router = APIRouter(prefix="/digest", route_class=PageRoute)
    store = digests.store

    def page(
        request: Request, who: Viewer, name: str, context: dict[str, Any], status: int = 200
    ) -> Response:
        base: dict[str, Any] = {"error": None, "cadences": CADENCES, "contents": CONTENTS}
        base["can_mail"] = digests.can_mail
        return renderer.page(request, who, f"digest/{name}.html", base | context, status)

    @router.get("/subscribe", response_class=HTMLResponse)
    def subscribe_form(request: Request, who: CurrentViewer) -> Response:
        email = who.user.email if who.user and who.user.email else ""
        return page(request, who, "subscribe", {"email": email, "done": None})

    @router.post("/subscribe", dependencies=[Depends(csrf)])
    def subscribe(
        request: Request,
        who: CurrentViewer,
        email: str = Form("", max_length=EMAIL_MAX_CHARS),
        cadence: str = Form("daily"),
        content: str = Form("both"),
    ) -> Response:
        if not digests.can_mail:  # nothing is stored: no confirmation could reach anyone
            return page(request, who, "subscribe", {"email": email, "done": None}, 503)
        limit, window_s = SUBSCRIBE_PER_IP
        wait = store.record_write(f"ip:{client_ip(request)}", "digest-subscribe", limit, window_s)
        if wait is not None:
            raise RateLimitError("too many subscriptions from this address; try later", wait)
        try:  # never linked to the viewer's account here: confirming while logged in does it
            sub = digests.subscribe(email, cadence, content)
        except InputError as error:
            context = {"email": email, "done": None, "error": str(error)}
            return page(request, who, "subscribe", context)
        # the same answer for a new, pending or active address (no enumeration)
        return page(request, who, "subscribe", {"email": sub.email, "done": sub.email})

    @router.get("/confirm", response_class=HTMLResponse)
    def confirm_page(
        request: Request,
        who: CurrentViewer,
        token: str = Query("", max_length=TOKEN_MAX_CHARS),
    ) -> Response:
        sub = digests.subscription_for(CONFIRM, token)
        return page(request, who, "confirm", {"sub": sub, "token": token, "done": False})

    @router.post("/confirm")
    def confirm(
        request: Request,
        who: CurrentViewer,
        token: str = Form("", max_length=TOKEN_MAX_CHARS),
    ) -> Response:
        sub = digests.confirm(token, who.user)
        preferences = digests.links(sub).preferences()
        context = {"sub": sub, "token": token, "done": True, "preferences": preferences}
        return page(request, who, "confirm", context)

    @router.get("/unsubscribe", response_class=HTMLResponse)
    def unsubscribe_page(
        request: Request,
        who: CurrentViewer,
        token: str = Query("", max_length=TOKEN_MAX_CHARS),
    ) -> Response:
        sub = digests.subscription_for(UNSUBSCRIBE, token)
        return page(request, who, "unsubscribe", {"sub": sub, "token": token, "done": False})

    @router.post("/unsubscribe")
    def unsubscribe(
        request: Request,
        who: CurrentViewer,
        in_query: str = Query("", alias="token", max_length=TOKEN_MAX_CHARS),
        in_form: str = Form("", alias="token", max_length=TOKEN_MAX_CHARS),
    ) -> Response:
        """The page's button (token in the form), and RFC 8058 one-click: a POST of
        "List-Unsubscribe=One-Click" to the List-Unsubscribe URL (token in the query)."""
        token = in_query or in_form
        sub = digests.unsubscribe(token)
        return page(request, who, "unsubscribe", {"sub": sub, "token": token, "done": True})

    @router.get("/preferences", response_class=HTMLResponse)
    def preferences_page(
        request: Request,
        who: CurrentViewer,
        token: str = Query("", max_length=TOKEN_MAX_CHARS),
    ) -> Response:
        sub = digests.subscription_for(PREFERENCES, token)
        return page(request, who, "preferences", {"sub": sub, "token": token, "saved": False})

    @router.post("/preferences")
    def preferences(
        request: Request,
        who: CurrentViewer,
        token: str = Form("", max_length=TOKEN_MAX_CHARS),
        cadence: str = Form(""),
        content: str = Form(""),
    ) -> Response:
        sub = digests.update_preferences(token, cadence, content)
        return page(request, who, "preferences", {"sub": sub, "token": token, "saved": True})

    @router.get("/feedback", response_class=HTMLResponse)
    def feedback_page(
        request: Request,
        who: CurrentViewer,
        token: str = Query("", max_length=TOKEN_MAX_CHARS),
    ) -> Response:
        claims = digests.feedback_claims(token)
        paper = store.get_paper(claims.paper_id or "")
        context = {"claims": claims, "paper": paper, "token": token, "done": False}
        return page(request, who, "feedback", context)

    @router.post("/feedback")
    def feedback(
        request: Request,
        who: CurrentViewer,
        token: str = Form("", max_length=TOKEN_MAX_CHARS),
    ) -> Response:
        claims = digests.feedback(token)
        paper = store.get_paper(claims.paper_id or "")
        context = {"claims": claims, "paper": paper, "token": token, "done": True}
        return page(request, who, "feedback", context)

    @router.get("/replies/off", response_class=HTMLResponse)
    def replies_off_page(
        request: Request,
        who: CurrentViewer,
        token: str = Query("", max_length=TOKEN_MAX_CHARS),
    ) -> Response:
        account = _account(store, digests.replies.user_of(token))
        return page(
            request, who, "replies_off", {"account": account, "token": token, "done": False}
        )

    @router.post("/replies/off")
    def replies_off(
        request: Request,
        who: CurrentViewer,
        in_query: str = Query("", alias="token", max_length=TOKEN_MAX_CHARS),
        in_form: str = Form("", alias="token", max_length=TOKEN_MAX_CHARS),
    ) -> Response:
        """The page's button, and RFC 8058 one-click (token in the query), as unsubscribe."""
        token = in_query or in_form
        account = _account(store, digests.replies.turn_off(token))
        return page(request, who, "replies_off", {"account": account, "token": token, "done": True})

    return router


def _account(store: Store, user_id: int) -> User:
    """The account a reply-email link names; TokenError once it is deleted."""
    found = store.user_by_id(user_id)
    if found is None:
        raise TokenError("this account no longer exists")
    return found
