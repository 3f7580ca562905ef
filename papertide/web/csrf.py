"""CSRF tokens: an HMAC of the cookie that identifies the browser (session or pre-session).

Pure: the key and the cookie values come in, a token or a verdict goes out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

CSRF_FIELD = "csrf_token"
PRESESSION_BYTES = 24


def new_presession() -> str:
    """A random value for the pre-session cookie (before login, it anchors the CSRF token)."""
    return secrets.token_urlsafe(PRESESSION_BYTES)


def csrf_token(secret_key: bytes, basis: str) -> str:
    """The token every POST form of a browser carries; `basis` is its session cookie value."""
    return hmac.new(secret_key, b"csrf|" + basis.encode(), hashlib.sha256).hexdigest()


def is_valid_csrf(secret_key: bytes, token: str, bases: Iterable[str | None]) -> bool:
    """Whether `token` was made from one of the browser's cookie values (compared in constant
    time; an empty token or no cookie at all never passes)."""
    if not token:
        return False
    found = False
    for basis in bases:
        if basis and hmac.compare_digest(csrf_token(secret_key, basis), token):
            found = True
    return found
