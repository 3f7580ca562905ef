"""Signed, expiring tokens for the links of account emails: password reset and email change.

itsdangerous signs them, one salt per purpose (as the digest links and the feed tokens are);
the expiry travels in the signed payload and is checked on the Clock. A token is bound to a
fingerprint of what it changes (the password hash, the current email), so it works once: after
the change the fingerprint no longer matches.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from itsdangerous import BadData, URLSafeSerializer

from papertide.clock import Clock
from papertide.errors import InputError

RESET = "reset"
EMAIL = "email"
TOKEN_TTL_S = {RESET: 3600, EMAIL: 2 * 86_400}
_SALT = "papertide.account."


class AccountTokenError(InputError):
    """A reset or email-change link that is forged, damaged, used, or expired."""


@dataclass(frozen=True, slots=True)
class AccountClaims:
    user_id: int
    bound: str  # fingerprint() of what the token may change
    value: str  # the new email of an email change; "" for a reset


def fingerprint(text: str | None) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()[:16]


class AccountTokens:
    """Makes and reads account link tokens with one secret key."""

    def __init__(self, secret_key: bytes, clock: Clock) -> None:
        if not secret_key:
            raise InputError("account links need a secret key (setting secret_key)")
        self._clock = clock
        self._serializers = {
            purpose: URLSafeSerializer(secret_key, salt=_SALT + purpose) for purpose in TOKEN_TTL_S
        }

    def make(self, purpose: str, user_id: int, bound: str, value: str = "") -> str:
        expires = int(self._clock.now().timestamp()) + TOKEN_TTL_S[purpose]
        token = self._serializers[purpose].dumps([user_id, expires, bound, value])
        return str(token)

    def read(self, purpose: str, token: str) -> AccountClaims:
        """The claims of a token of this purpose; AccountTokenError when invalid or expired."""
        try:
            user_id, expires, bound, value = self._serializers[purpose].loads(token)
        except (BadData, ValueError, TypeError):
            raise AccountTokenError("this link is not valid (it may have been cut short)") from None
        if int(self._clock.now().timestamp()) > int(expires):
            raise AccountTokenError("this link has expired; ask for a new one")
        return AccountClaims(int(user_id), str(bound), str(value))
