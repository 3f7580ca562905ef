"""Pure checks of account input and the stored form of tokens."""

from __future__ import annotations

import hashlib

import pytest

from papertide.community.accounts import (
    check_email,
    check_username,
    hash_token,
)
from papertide.community.passwords import WeakPasswordError, check_password
from papertide.errors import InputError


@pytest.mark.parametrize("name", ["ada", "Ada_Lovelace-1.0", "x" * 32, "  bob  "])
def test_check_username_accepts_3_to_32_safe_characters(name):
    assert check_username(name) == name.strip()


@pytest.mark.parametrize("name", ["ab", "x" * 33, "ada lovelace", "ada@x", "émile", ""])
def test_check_username_rejects_others_with_the_rule(name):
    with pytest.raises(InputError, match="3 to 32 characters"):
        check_username(name)


def test_check_password_length_bounds():
    check_password("quokka velvet")
    check_password("quokka velvet " + "p" * 1010)
    for bad in ("7 chars", "p" * 1025):
        with pytest.raises(InputError, match="8 to 1024 characters"):
            check_password(bad)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("password", "common"),
        ("12345678", "common"),
        (" " * 8, "only spaces"),
        ("alice_smith", "username"),
        ("alice@example.org", "username or email"),
    ],
)
def test_check_password_refuses_guessable_and_own_names(password, why):
    with pytest.raises(WeakPasswordError, match=why):
        check_password(password, "alice_smith", "alice@example.org")


def test_check_email_blank_is_none_and_shape_is_checked():
    assert check_email(None) is None
    assert check_email("   ") is None
    assert check_email(" Ada@Example.org ") == "Ada@Example.org"
    for bad in ("ada", "ada@localhost", "a b@example.org", "ada@@example.org", "ada@x..org"):
        with pytest.raises(InputError, match="not an email address"):
            check_email(bad)
    with pytest.raises(InputError):
        check_email("a" * 250 + "@example.org")


def test_hash_token_is_sha256_hex():
    assert hash_token("pt_abc") == hashlib.sha256(b"pt_abc").hexdigest()
    assert hash_token("pt_abc") != hash_token("pt_abd")
