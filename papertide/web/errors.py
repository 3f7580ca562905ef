"""Errors as answers: each PapertideError, bad parameters and unknown routes get their status
code and a page saying what went wrong (JSON under /api/). Never a traceback to the user.
"""

from __future__ import annotations

import logging
import sqlite3

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from papertide.errors import (
    AuthError,
    ConflictError,
    InputError,
    NotFoundError,
    PapertideError,
    RateLimitError,
    SourceUnavailableError,
    StoreError,
)
from papertide.web.api.errors import public_answer, router_response, validation_response
from papertide.web.auth import SESSION_COOKIE, CsrfError, SignInRequiredError, Viewer, read_viewer
from papertide.web.pages.common import to_login
from papertide.web.render import Renderer
from papertide.web.services import WebServices

API_PREFIX = "/api/"
TITLES = {
    400: "Bad request",
    401: "Please log in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Already done",
    422: "Bad parameters",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}
_STATUS: tuple[tuple[type[PapertideError], int], ...] = (
    (CsrfError, 403),
    (RateLimitError, 429),
    (NotFoundError, 404),
    (ConflictError, 409),
    (InputError, 400),
    (SourceUnavailableError, 503),
    (StoreError, 503),
)


def status_for(error: PapertideError, logged_in: bool) -> int:
    """The HTTP status of an error: 401 for AuthError when logged out, 403 when logged in."""
    if isinstance(error, AuthError) and not isinstance(error, CsrfError):
        return 403 if logged_in else 401
    return next((code for kind, code in _STATUS if isinstance(error, kind)), 400)


def install_error_handlers(app: FastAPI, services: WebServices, renderer: Renderer) -> None:
    """Register the handlers on `app`."""

    def answer(
        request: Request,
        status: int,
        message: str,
        headers: dict[str, str],
        store_down: bool = False,
    ) -> Response:
        if request.url.path.startswith(API_PREFIX):
            return JSONResponse({"error": message}, status_code=status, headers=headers)
        # the store just failed: asking it for the viewer would wait out its timeout again,
        # on the event loop (these handlers are async)
        viewer = Viewer(None, "") if store_down else _viewer_or_anonymous(request, services)
        context = {"status": status, "title": TITLES.get(status, "Error"), "message": message}
        return renderer.page(request, viewer, "error.html", context, status, headers, store_down)

    async def on_papertide(request: Request, error: Exception) -> Response:
        assert isinstance(error, PapertideError)
        status = status_for(error, SESSION_COOKIE in request.cookies)
        message, headers = public_answer(error)
        return answer(request, status, message, headers, isinstance(error, StoreError))

    async def on_sign_in(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInRequiredError)
        return to_login(request, error.target)

    async def on_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if 300 <= error.status_code < 400:  # a page's own redirect (an old ?p= link)
            return Response(status_code=error.status_code, headers=dict(error.headers or {}))
        if request.url.path.startswith(API_PREFIX):
            return router_response(request.method, request.url.path, error)
        message = error.detail if isinstance(error.detail, str) else TITLES.get(error.status_code)
        return answer(request, error.status_code, message or "error", dict(error.headers or {}))

    async def on_validation(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        if request.url.path.startswith(API_PREFIX):
            return validation_response(error)
        return answer(request, 422, describe_validation(error), {})

    async def on_crash(request: Request, error: Exception) -> Response:
        logging.getLogger("papertide.web").exception("unexpected error", exc_info=error)
        return answer(request, 500, "an unexpected error happened; it has been logged", {})

    app.add_exception_handler(SignInRequiredError, on_sign_in)  # the login page, not a 401
    app.add_exception_handler(PapertideError, on_papertide)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(sqlite3.Error, on_crash)
    app.add_exception_handler(Exception, on_crash)


def describe_validation(error: RequestValidationError) -> str:
    """One readable line per bad parameter: "p: Input should be a valid integer"."""
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()) if part not in ("query", "path"))
        lines.append(f"{where or 'request'}: {item.get('msg', 'invalid')}")
    return "; ".join(lines) or "bad parameters"


def _viewer_or_anonymous(request: Request, services: WebServices) -> Viewer:
    try:
        return read_viewer(request, services)
    except (PapertideError, sqlite3.Error):
        return Viewer(None, "")
