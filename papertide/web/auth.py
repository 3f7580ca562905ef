"""Who is asking: the session cookie, the pre-session cookie that anchors CSRF before login, and
the checks every POST form passes. Sessions themselves live in the store (AccountService).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from papertide.errors import AuthError
from papertide.models import User
from papertide.web.csrf import CSRF_FIELD, csrf_token, is_valid_csrf, new_presession
from papertide.web.services import WebServices

SESSION_COOKIE = "papertide_session"
PRESESSION_COOKIE = "papertide_presession"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfError(AuthError):
    """A state-changing request without a valid CSRF token (answered with 403)."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The browser behind a request: its user (None when logged out), the CSRF token its
    forms carry, and a new pre-session cookie value to set (None when it has one)."""

    user: User | None
    csrf: str
    new_presession: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.user is not None and self.user.is_admin


def read_viewer(request: Request, services: WebServices) -> Viewer:
    """The viewer of a request; a logged-out browser without a pre-session cookie gets one."""
    session = request.cookies.get(SESSION_COOKIE)
    user = services.accounts.user_for_session(session) if session else None
    if user is not None and session:
        return Viewer(user, csrf_token(services.secret_key, session))
    presession = request.cookies.get(PRESESSION_COOKIE)
    if presession:
        return Viewer(None, csrf_token(services.secret_key, presession))
    fresh = new_presession()
    return Viewer(None, csrf_token(services.secret_key, fresh), new_presession=fresh)


async def current_viewer(request: Request) -> Viewer:
    """The dependency resolving a request's Viewer (FastAPI runs it once per request) over the
    services create_app keeps in `app.state.services`. Only a session cookie needs the store,
    so only then does it run in a worker thread: a logged-out reader's page costs no thread
    hop for it (a sync dependency would take one on every request)."""
    services = request.app.state.services
    if request.cookies.get(SESSION_COOKIE):
        return await run_in_threadpool(read_viewer, request, services)
    return read_viewer(request, services)


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]


def csrf_guard(services: WebServices) -> Callable[[Request], Awaitable[None]]:
    """A dependency refusing any unsafe request whose form field (or X-CSRF-Token header) is
    not the HMAC of one of the browser's cookies."""

    async def check(request: Request) -> None:
        if request.method in SAFE_METHODS:
            return
        token = request.headers.get(CSRF_HEADER, "")
        if not token:
            form = await request.form()
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else ""
        bases = (request.cookies.get(SESSION_COOKIE), request.cookies.get(PRESESSION_COOKIE))
        if not is_valid_csrf(services.secret_key, token, bases):
            raise CsrfError("this form has expired or did not come from this site; reload the page")

    return check


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str, max_age_s: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age_s,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=is_https(request))


def session_of(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def client_ip(request: Request) -> str:
    """The peer address (uvicorn puts X-Forwarded-For here, only from the proxies of the
    forwarded_allow_ips setting)."""
    return request.client.host if request.client else "unknown"


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to after a form; anything else (other sites) becomes `default`."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(char in target for char in "\r\n\\"):
        return default
    return target
