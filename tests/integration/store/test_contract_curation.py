"""The Store contract for curation and token management: removing a listing from a day, listing
and revoking a user's API tokens, and when a token was last used. Runs on every engine."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from papertide.models import Listing, Paper, Record
from papertide.store.base import Store
from papertide.store.community_base import API_TOKEN_ID_CHARS, API_TOKEN_USE_RESOLUTION_S
from tests.integration.store.conftest import START

DAY = date(2026, 3, 2)


def listed(store: Store, pid: str, *days: date, upvotes: int = 0) -> None:
    paper = Paper(pid, f"Paper {pid}", "About curation.", ("Ada Lovelace",), ("cs.LG",))
    store.write_batch([Record(paper, Listing(day, pid, 0, upvotes=upvotes)) for day in days], [])


def token_hash(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def test_remove_listing_takes_one_day_off_and_keeps_the_paper(store):
    listed(store, "2603.00001", DAY, DAY - timedelta(days=1), upvotes=4)
    listed(store, "2603.00002", DAY)
    assert store.remove_listing(DAY, "2603.00001") is True
    assert [paper.id for _, paper in store.listings_for(DAY)] == ["2603.00002"]
    assert [listing.day for listing in store.listings_of("2603.00001")] == [DAY - timedelta(1)]
    assert store.get_paper("2603.00001") is not None
    assert store.listing_days(DAY, DAY) == [(DAY, 1)]
    assert store.upvotes(["2603.00001"]) == {"2603.00001": 4}  # the other day's import stays


def test_remove_listing_is_false_when_not_listed_that_day(store):
    listed(store, "2603.00001", DAY)
    assert store.remove_listing(DAY + timedelta(days=1), "2603.00001") is False
    assert store.remove_listing(DAY, "2603.99999") is False
    assert store.remove_listing(DAY, "2603.00001") is True
    assert store.remove_listing(DAY, "2603.00001") is False


def test_api_tokens_of_lists_a_users_tokens_oldest_first_by_hash_prefix(store, clock):
    ada = store.create_user("ada", None, "h")
    bob = store.create_user("bob", None, "h")
    store.save_api_token(token_hash("laptop"), ada.id, "laptop")
    clock.current += timedelta(minutes=5)
    store.save_api_token(token_hash("ci"), ada.id, "ci")
    store.save_api_token(token_hash("bob"), bob.id, "bob's")
    tokens = store.api_tokens_of(ada.id)
    assert [(t.name, t.created_at, t.last_used_at) for t in tokens] == [
        ("laptop", START, None),
        ("ci", START + timedelta(minutes=5), None),
    ]
    assert tokens[0].id == token_hash("laptop")[:API_TOKEN_ID_CHARS]
    assert store.api_tokens_of(999) == []


def test_api_token_user_records_its_use_to_the_resolution(store, clock):
    ada = store.create_user("ada", None, "h")
    store.save_api_token(token_hash("laptop"), ada.id, "laptop")
    assert store.api_token_user(token_hash("laptop")) == ada
    [token] = store.api_tokens_of(ada.id)
    assert token.last_used_at == START
    clock.current += timedelta(seconds=API_TOKEN_USE_RESOLUTION_S - 1)
    store.api_token_user(token_hash("laptop"))
    assert store.api_tokens_of(ada.id)[0].last_used_at == START  # within the resolution
    clock.current += timedelta(seconds=1)
    store.api_token_user(token_hash("laptop"))
    later = START + timedelta(seconds=API_TOKEN_USE_RESOLUTION_S)
    assert store.api_tokens_of(ada.id)[0].last_used_at == later
    assert store.api_token_user(token_hash("unknown")) is None


def test_revoke_api_token_only_touches_the_owners_token(store):
    ada = store.create_user("ada", None, "h")
    bob = store.create_user("bob", None, "h")
    store.save_api_token(token_hash("laptop"), ada.id, "laptop")
    store.save_api_token(token_hash("ci"), ada.id, "ci")
    [laptop] = [t for t in store.api_tokens_of(ada.id) if t.name == "laptop"]
    assert store.revoke_api_token(bob.id, laptop.id) is False
    assert store.revoke_api_token(ada.id, laptop.id[:-1]) is False  # a prefix names nothing
    assert store.api_token_user(token_hash("laptop")) == ada
    assert store.revoke_api_token(ada.id, laptop.id) is True
    assert store.api_token_user(token_hash("laptop")) is None
    assert [t.name for t in store.api_tokens_of(ada.id)] == ["ci"]
    assert store.revoke_api_token(ada.id, laptop.id) is False
