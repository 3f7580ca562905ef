"""AccountService against a real SQLite store: sign up, log in, rehash, sessions, API tokens."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import timedelta

import pytest

from papertide.community.accounts import SESSION_TTL_S, AccountService
from papertide.errors import AuthError, ConflictError, InputError
from tests.integration.community.conftest import fast_hasher


def test_sign_up_first_user_is_admin_and_names_are_unique(accounts):
    admin = accounts.sign_up("  Admin ", "correct horse")
    ada = accounts.sign_up("ada", "correct horse", "Ada@Example.org")
    assert (admin.username, admin.is_admin, admin.email) == ("Admin", True, None)
    assert (ada.is_admin, ada.email) == (False, "Ada@Example.org")
    with pytest.raises(ConflictError, match="username taken"):
        accounts.sign_up("ADMIN", "correct horse")
    with pytest.raises(ConflictError, match="email already registered"):
        accounts.sign_up("ada2", "correct horse", "ada@example.ORG")


def test_sign_up_rejects_bad_input_with_clear_messages(accounts):
    with pytest.raises(InputError, match="username"):
        accounts.sign_up("a b", "correct horse")
    with pytest.raises(InputError, match="password"):
        accounts.sign_up("ada", "short")
    with pytest.raises(InputError, match="email"):
        accounts.sign_up("ada", "correct horse", "not-an-email")


def test_log_in_by_username_or_email_any_case(accounts, people):
    ada = people[1]
    assert accounts.log_in("ADA", "correct horse") == ada
    assert accounts.log_in(" ada@EXAMPLE.org ", "correct horse") == ada


@pytest.mark.usefixtures("people")
def test_log_in_wrong_password_and_unknown_user_say_the_same(accounts):
    messages = []
    for name, password in [("ada", "wrong horse"), ("nobody", "correct horse"), ("ada", "")]:
        with pytest.raises(AuthError) as failed:
            accounts.log_in(name, password)
        messages.append(str(failed.value))
    with pytest.raises(AuthError):
        accounts.log_in("ada", "p" * 2000)
    assert set(messages) == {"wrong username or password"}


def test_log_in_rehashes_when_argon2_parameters_changed(store, clock, people):
    stored_before = store.user_login("ada")[1]
    stronger = AccountService(store, clock, fast_hasher(time_cost=2))
    assert stronger.log_in("ada", "correct horse") == people[1]
    stored_after = store.user_login("ada")[1]
    assert stored_after != stored_before and "t=2" in stored_after
    assert stronger.log_in("ada", "correct horse") == people[1]
    assert store.user_login("ada")[1] == stored_after  # current parameters: left alone


def test_session_lasts_30_days_and_closes(accounts, people, clock):
    ada = people[1]
    token = accounts.open_session(ada)
    assert len(token) >= 43
    assert accounts.user_for_session(token) == ada
    assert accounts.user_for_session("") is None
    assert accounts.user_for_session(token + "x") is None
    clock.current += timedelta(seconds=SESSION_TTL_S - 1)
    assert accounts.user_for_session(token) == ada
    clock.current += timedelta(seconds=1)
    assert accounts.user_for_session(token) is None
    fresh = accounts.open_session(ada)
    accounts.close_session(fresh)
    assert accounts.user_for_session(fresh) is None


def test_api_tokens_are_prefixed_and_only_their_digest_is_stored(accounts, store, people):
    ada = people[1]
    token = accounts.create_api_token(ada, " laptop ")
    assert token.startswith("pt_")
    assert accounts.user_for_api_token(token) == ada
    assert accounts.user_for_api_token(token.removeprefix("pt_")) is None
    assert accounts.user_for_api_token("pt_unknown") is None
    session = accounts.open_session(ada)
    db = sqlite3.connect(store.path)
    stored = {row[0] for row in db.execute("SELECT token_hash FROM api_tokens")}
    stored |= {row[0] for row in db.execute("SELECT token_hash FROM sessions")}
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in (token, session)}
    assert db.execute("SELECT name FROM api_tokens").fetchall() == [("laptop",)]
    with pytest.raises(InputError, match="token name"):
        accounts.create_api_token(ada, "  ")
