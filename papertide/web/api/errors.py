"""How the JSON API answers errors: {"error": message} with the status each error kind means.

A route class wraps every API endpoint, so bad input, unknown papers, conflicts and rate limits
become JSON answers whatever app the router is mounted in. Never a 500 for bad input.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

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
from papertide.web.api.schemas import ErrorPublic

SOURCE_RETRY_AFTER_S = 60  # arXiv was unreachable: how long a client should wait
# the database was unreachable (PostgreSQL restarting, connections dropped): the pool
# reconnects by itself, so a client may try again soon
STORE_RETRY_AFTER_S = 5
STORE_UNAVAILABLE = "the database is temporarily unavailable; please try again in a few seconds"
MAX_ERROR_FIELDS = 10
NOT_JSON = "the body is not JSON: send a JSON object with Content-Type: application/json"
BAD_JSON = "the body is not valid JSON (error at character {}): send a JSON object"

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class ApiForbiddenError(AuthError):
    """A known caller asked for what is not theirs (403, not 401)."""


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"error": message, **extra}
    return JSONResponse(body, status_code=status, headers=headers)


def public_answer(error: PapertideError) -> tuple[str, dict[str, str]]:
    """The message a client sees for `error` and the headers its answer carries (Retry-After
    for what passes). A StoreError's own text (host, port, driver message) goes to the log."""
    if isinstance(error, RateLimitError):
        return str(error), {"Retry-After": str(max(1, int(error.retry_after_s)))}
    if isinstance(error, SourceUnavailableError):
        return str(error), {"Retry-After": str(SOURCE_RETRY_AFTER_S)}
    if isinstance(error, StoreError):
        logging.getLogger("papertide.web").warning("answered 503: %s", error)
        return STORE_UNAVAILABLE, {"Retry-After": str(STORE_RETRY_AFTER_S)}
    return str(error), {}


def response_for(error: Exception) -> JSONResponse | None:
    """The JSON answer for a papertide error; None for anything else (a real bug: a 500)."""
    if isinstance(error, RateLimitError):
        return error_response(429, *public_answer(error))
    if isinstance(error, ApiForbiddenError):
        return error_response(403, str(error))
    if isinstance(error, AuthError):
        return error_response(401, str(error), {"WWW-Authenticate": "Bearer"})
    if isinstance(error, NotFoundError):
        return error_response(404, str(error))
    if isinstance(error, ConflictError):
        return error_response(409, str(error))
    if isinstance(error, InputError):
        return error_response(422, str(error))
    if isinstance(error, SourceUnavailableError | StoreError):
        return error_response(503, *public_answer(error))
    return None


def validation_response(error: RequestValidationError) -> JSONResponse:
    """422 naming each bad field: "query.limit: Input should be less than or equal to 100";
    400 when the body is not JSON at all (malformed, or sent as another content type)."""
    not_json = next((p for p in error.errors() if _is_not_json(p)), None)
    if not_json is not None:
        where = not_json["loc"][1:] if not_json.get("type") == "json_invalid" else ()
        return error_response(400, BAD_JSON.format(where[0]) if where else NOT_JSON)
    problems = [_describe(problem) for problem in error.errors()][:MAX_ERROR_FIELDS]
    message = "; ".join(problems) or "invalid request"
    return error_response(422, message, fields=problems)


def _is_not_json(problem: Any) -> bool:
    """FastAPI's error for a body that failed to parse as JSON, or that it kept as raw bytes
    because its content type was not JSON."""
    if not isinstance(problem, dict) or tuple(problem.get("loc", ()))[:1] != ("body",):
        return False
    return problem.get("type") == "json_invalid" or isinstance(problem.get("input"), bytes)


def router_response(method: str, path: str, error: HTTPException) -> JSONResponse:
    """The router's own 404 (no such endpoint) and 405 (wrong method) as {"error": ...}."""
    headers = dict(error.headers or {})
    if error.status_code == 404:
        message = f"no API endpoint {path[:200]!r}; /openapi.json lists them"
    elif error.status_code == 405:
        message = f"{method} is not allowed here; allowed: {headers.get('Allow', 'none')}"
    else:
        message = error.detail if isinstance(error.detail, str) else "bad request"
    return error_response(error.status_code, message, headers)


def _describe(problem: Any) -> str:
    if not isinstance(problem, dict):
        return str(problem)[:200]
    location = ".".join(str(part) for part in problem.get("loc", ()))
    return f"{location}: {str(problem.get('msg', 'invalid'))[:200]}"


class ApiRoute(APIRoute):
    """An APIRoute whose errors (validation included) become {"error": ...} JSON answers."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                return validation_response(error)
            except HTTPException as error:  # e.g. a body that is not JSON at all: 400
                detail = error.detail if isinstance(error.detail, str) else "bad request"
                return error_response(error.status_code, detail, dict(error.headers or {}))
            except Exception as error:
                response = response_for(error)
                if response is None:
                    raise
                return response

        return handle


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "The body is not JSON."},
    401: {"model": ErrorPublic, "description": "Missing or unknown API token."},
    404: {"model": ErrorPublic, "description": "No such paper (or collection)."},
    422: {"model": ErrorPublic, "description": "A parameter or the body is invalid."},
    503: {
        "model": ErrorPublic,
        "description": "The database is unreachable; retry after Retry-After seconds.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    409: {"model": ErrorPublic, "description": "Already done (e.g. submitted today)."},
    429: {
        "model": ErrorPublic,
        "description": "Too many writes; wait Retry-After seconds.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}


def only(codes: Sequence[int], table: dict[int | str, dict[str, Any]]) -> dict[int | str, Any]:
    """The documented error answers of one endpoint."""
    return {code: table[code] for code in codes if code in table}
