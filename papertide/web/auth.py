"""Who is asking: the session cookie, the pre-session cookie that anchors CSRF before login, and
the checks every POST form passes. Sessions themselves live in the store (AccountService).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlencode

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


class SignInRequiredError(AuthError):
    """A page that needs a signed-in user, asked for by a logged-out browser: the error handlers
    answer it with the way to the login page, which comes back to `target` (a safe local path)."""

    def __init__(self, target: str) -> None:
        super().__init__("log in first")
        self.target = target


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


def signed_in(page: str | None = None) -> Callable[[Request, Viewer], Awaitable[User]]:
    """The dependency of a page route that needs a signed-in user: that user, or (for a
    logged-out browser) SignInRequiredError, answered with the login page, which comes back
    where `login_next` says. `page`: the page the route's form belongs to, for a form without
    a `next` field (a path whose {names} are the route's path parameters: "/papers/{paper_id}")."""

    async def signed_in_user(request: Request, who: CurrentViewer) -> User:
        if who.user is not None:
            return who.user
        raise SignInRequiredError(await login_next(request, page))

    return signed_in_user


SignedInUser = Annotated[User, Depends(signed_in())]


async def login_next(request: Request, page: str | None = None) -> str:
    """Where logging in comes back to, the one rule of every page that needs a signed-in user:
    a GET to itself (path and query); a form to its `next` field when that is a safe local
    path, else to the page its route belongs to (`page`), else to the page of this site it was
    sent from (Referer), else home. The route's page comes before the Referer because the page
    a form was on may be the answer to a POST (/account/tokens), which a GET cannot reopen."""
    if request.method in SAFE_METHODS:
        query = request.url.query
        return safe_next(request.url.path + ("?" + query if query else ""))
    named = (await request.form()).get("next")
    if isinstance(named, str) and safe_next(named, ""):
        return named
    if page is not None:
        values = {name: quote(str(value)) for name, value in request.path_params.items()}
        return safe_next(page.format_map(values))
    return local_referer(request) or "/"


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


def local_referer(request: Request) -> str | None:
    """The path of the page a request was sent from, when that page is on this site and safe to
    go back to (safe_next); None otherwise."""
    referer = request.headers.get("referer", "")
    origin = f"{request.url.scheme}://{request.url.netloc}"
    if not referer.startswith(origin):
        return None
    return safe_next(referer.removeprefix(origin), "") or None


def login_url(target: str | None) -> str:
    """The login page, coming back to `target` (a local path) after logging in."""
    back = safe_next(target, "/")
    return "/login?" + urlencode({"next": back}) if back != "/" else "/login"


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to after a form; anything else (other sites) becomes `default`."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(char in target for char in "\r\n\\"):
        return default
    return target
