"""Signed, expiring tokens for the links in digest emails: confirm, unsubscribe, preferences and
feedback, and the link of reply emails that turns them off. itsdangerous signs them (one salt
per purpose, so a token of one purpose is never accepted for another); the expiry travels
inside the signed payload and is checked on the Clock. A token is base64url(JSON
payload).signature, what URLSafeSerializer makes of a short payload, signed with a Signer
directly: 4x faster (no zlib attempt), and a digest signs 22 of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from itsdangerous import BadData, Signer
from itsdangerous.encoding import base64_decode, base64_encode

from papertide.clock import Clock
from papertide.errors import InputError

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
FEEDBACK = "feedback"
REPLIES_OFF = "replies-off"  # its id is the account's user id, not a subscription's
DAY_S = 86_400
TOKEN_TTL_S: Mapping[str, int] = MappingProxyType(
    {
        CONFIRM: 7 * DAY_S,
        UNSUBSCRIBE: 365 * DAY_S,  # an old digest's unsubscribe link must keep working
        PREFERENCES: 90 * DAY_S,
        FEEDBACK: 90 * DAY_S,
        REPLIES_OFF: 365 * DAY_S,
    }
)
_SALT = "papertide.digest."


class TokenError(InputError):
    """A link whose token is forged, damaged, of another purpose, or expired."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a valid token says: the subscription (for REPLIES_OFF, the user) and its epoch
    (which start of it the link was made for), and for feedback the paper and its rating."""

    purpose: str
    subscription_id: int
    paper_id: str | None = None
    value: int | None = None
    epoch: int = 0


class DigestTokens:
    """Makes and reads the tokens of digest links with one secret key."""

    def __init__(
        self, secret_key: bytes, clock: Clock, ttl_s: Mapping[str, int] = TOKEN_TTL_S
    ) -> None:
        if not secret_key:
            raise InputError("digest links need a secret key (setting secret_key)")
        self._clock = clock
        self._ttl_s = ttl_s
        self._signers = {purpose: Signer(secret_key, salt=_SALT + purpose) for purpose in ttl_s}

    def make(
        self,
        purpose: str,
        subscription_id: int,
        paper_id: str | None = None,
        value: int | None = None,
        epoch: int = 0,
    ) -> str:
        """A URL-safe token; feedback tokens carry the paper and the rating (+1 or -1). The
        epoch goes last and only when above 0, so links made before epochs existed read as 0."""
        expires = int(self._clock.now().timestamp()) + self._ttl_s[purpose]
        payload: list[object] = [subscription_id, expires]
        if purpose == FEEDBACK:
            payload += [paper_id, value]
        if epoch:
            payload.append(epoch)
        data = json.dumps(payload, separators=(",", ":")).encode()
        return self._signers[purpose].sign(base64_encode(data)).decode("ascii")

    def read(self, purpose: str, token: str) -> TokenClaims:
        """The claims of a token of this purpose; TokenError when invalid or expired."""
        try:
            data = base64_decode(self._signers[purpose].unsign(token))
            subscription_id, expires, *rest = json.loads(data)
        except (BadData, ValueError, TypeError):  # forged, cut short, or not our payload
            raise TokenError("this link is not valid (it may have been cut short)") from None
        if int(self._clock.now().timestamp()) > int(expires):
            raise TokenError("this link has expired")
        try:
            if purpose == FEEDBACK:
                paper_id, value, *epoch = rest
                return TokenClaims(
                    purpose, int(subscription_id), str(paper_id), int(value), _epoch(epoch)
                )
            return TokenClaims(purpose, int(subscription_id), epoch=_epoch(rest))
        except (ValueError, TypeError):  # signed by us, so never: a payload of another format
            raise TokenError("this link is not valid (it may have been cut short)") from None


def _epoch(rest: list[object]) -> int:
    if len(rest) > 1:
        raise ValueError("unexpected token payload")
    return int(str(rest[0])) if rest else 0
