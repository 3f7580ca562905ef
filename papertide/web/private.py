"""Private mode (setting `private`): one ASGI middleware in front of every route, so that no
page, API read or public feed answers anyone but a logged-in user or an API token holder.

Left open: the login page, sign-up (unless `signup = closed`), the password-reset pages, the
links of emails (digest and email-change links carry their own signed tokens), the feeds that
carry a signed token (`?token=`), static assets and /api/health. A logged-out browser asking
for a page is sent to the login page; anything else gets 401.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from papertide.web.auth import SESSION_COOKIE, login_next, login_url
from papertide.web.services import WebServices

OPEN_PATHS = frozenset({"/login", "/api/health", "/account/forgot", "/account/reset"})
OPEN_PREFIXES = ("/static/", "/digest/", "/account/email/confirm")
SIGNED_FEED = re.compile(r"/feeds/users/[^/]+/(?:following|for-you)\.[a-z]+")
MACHINE_PREFIXES = ("/api/", "/feeds/")  # answered 401, never a redirect
NOT_LOGGED_IN = "this site is private: log in, or send an API token (Authorization: Bearer pt_...)"


def is_open(path: str, query: str, signup_open: bool) -> bool:
    """Whether a path answers without a login in private mode."""
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return path != "/digest/subscribe"
    if path == "/signup":
        return signup_open
    return bool(SIGNED_FEED.fullmatch(path)) and bool(parse_qs(query).get("token"))


class PrivateSite:
    """Pure ASGI middleware refusing requests of logged-out visitors except `is_open` ones."""

    def __init__(self, app: ASGIApp, services: WebServices) -> None:
        self.app = app
        self.services = services
        self.signup_open = services.accounts.policy.mode != "closed"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, query = scope["path"], scope.get("query_string", b"").decode("latin-1")
        if is_open(path, query, self.signup_open) or await self._known(scope):
            await self.app(scope, receive, send)
            return
        await self._refuse(scope, path, send)

    async def _known(self, scope: Scope) -> bool:
        """Whether the request comes with a live session cookie or a valid API token."""
        request = Request(scope)
        accounts = self.services.accounts
        bearer = Headers(scope=scope).get("authorization", "")
        if bearer[:7].lower() == "bearer ":
            token = bearer[7:].strip()
            return await run_in_threadpool(accounts.user_for_api_token, token) is not None
        session = request.cookies.get(SESSION_COOKIE, "")
        if not session:
            return False
        return await run_in_threadpool(accounts.user_for_session, session) is not None

    async def _refuse(self, scope: Scope, path: str, send: Send) -> None:
        if scope["method"] in ("GET", "HEAD") and not path.startswith(MACHINE_PREFIXES):
            location = login_url(await login_next(Request(scope)))
            headers = [(b"location", location.encode("latin-1"))]
            await send({"type": "http.response.start", "status": 303, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = json.dumps({"error": NOT_LOGGED_IN}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", b"Bearer"),
        ]
        await send({"type": "http.response.start", "status": 401, "headers": headers})
        await send({"type": "http.response.body", "body": body})
