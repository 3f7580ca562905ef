from datetime import timedelta

import pytest

from papertide.clock import FixedClock
from papertide.digest.tokens import (
    CONFIRM,
    FEEDBACK,
    TOKEN_TTL_S,
    UNSUBSCRIBE,
    DigestTokens,
    TokenError,
)
from papertide.errors import InputError

KEY = b"k" * 32


def test_tokens_round_trip_their_claims():
    tokens = DigestTokens(KEY, FixedClock())
    claims = tokens.read(FEEDBACK, tokens.make(FEEDBACK, 7, "2601.00001", -1))
    assert (claims.subscription_id, claims.paper_id, claims.value) == (7, "2601.00001", -1)
    assert tokens.read(CONFIRM, tokens.make(CONFIRM, 3)).subscription_id == 3


def test_tokens_of_one_purpose_are_refused_for_another():
    tokens = DigestTokens(KEY, FixedClock())
    with pytest.raises(TokenError, match="not valid"):
        tokens.read(UNSUBSCRIBE, tokens.make(CONFIRM, 3))


def test_tokens_expire_after_their_ttl():
    clock = FixedClock()
    tokens = DigestTokens(KEY, clock)
    token = tokens.make(CONFIRM, 3)
    clock.current += timedelta(seconds=TOKEN_TTL_S[CONFIRM])
    assert tokens.read(CONFIRM, token).subscription_id == 3
    clock.current += timedelta(seconds=1)
    with pytest.raises(TokenError, match="expired"):
        tokens.read(CONFIRM, token)


def test_tokens_refuse_tampering_and_other_keys():
    clock = FixedClock()
    token = DigestTokens(KEY, clock).make(UNSUBSCRIBE, 3)
    with pytest.raises(TokenError):
        DigestTokens(b"other" * 8, clock).read(UNSUBSCRIBE, token)
    with pytest.raises(TokenError):
        DigestTokens(KEY, clock).read(UNSUBSCRIBE, token[:-2])
    with pytest.raises(TokenError):
        DigestTokens(KEY, clock).read(UNSUBSCRIBE, "")


def test_tokens_need_a_secret_key():
    with pytest.raises(InputError, match="secret key"):
        DigestTokens(b"", FixedClock())


def test_tokens_refuse_a_signed_payload_that_is_not_ours():
    from itsdangerous import Signer

    token = Signer(KEY, salt="papertide.digest.confirm").sign(b"not-base64-json!").decode()
    with pytest.raises(TokenError, match="not valid"):
        DigestTokens(KEY, FixedClock()).read(CONFIRM, token)
