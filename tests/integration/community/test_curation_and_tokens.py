"""Curators taking papers off a day's page, users listing and revoking their API tokens, and the
rate limits CommunityService exposes, against a real SQLite store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from papertide.community.actions import CommunityService
from papertide.community.ratelimit import DEFAULT_RATE_LIMITS, RateLimits
from papertide.errors import AuthError, InputError
from papertide.models import Listing, Record
from tests.integration.community.conftest import NOW, make_paper

PID = "2603.00001"


def list_today(store, pid: str = PID) -> None:
    store.write_batch([Record(make_paper(pid), Listing(NOW.date(), pid, 0))], [])


def test_unlist_by_a_curator_takes_the_paper_off_the_day(admin_service, store, people):
    admin = people[0]
    list_today(store)
    assert admin_service.unlist(admin, NOW.date(), f"https://arxiv.org/abs/{PID}v3") is not None
    assert store.listings_for(NOW.date()) == []
    assert store.get_paper(PID) is not None
    assert admin_service.unlist(admin, NOW.date(), PID) is None


def test_unlist_by_a_member_is_refused_and_changes_nothing(admin_service, store, people):
    list_today(store)
    with pytest.raises(AuthError, match="curator"):
        admin_service.unlist(people[1], NOW.date(), PID)
    assert [paper.id for _, paper in store.listings_for(NOW.date())] == [PID]
    with pytest.raises(InputError):
        admin_service.unlist(people[0], NOW.date(), "not a paper")


def test_community_limits_are_the_ones_it_was_given(store, clock, fetcher):
    tight = RateLimits(login=(2, 60))
    assert CommunityService(store, clock, fetcher, tight).limits is tight
    assert CommunityService(store, clock, fetcher).limits is DEFAULT_RATE_LIMITS


def test_api_tokens_list_names_and_last_use_never_the_token(accounts, clock, people):
    ada = people[1]
    token = accounts.create_api_token(ada, "laptop")
    [info] = accounts.api_tokens(ada)
    assert (info.name, info.created_at, info.last_used_at) == ("laptop", NOW, None)
    assert info.id not in token and len(info.id) < len(token)
    clock.current += timedelta(hours=1)
    assert accounts.user_for_api_token(token) == ada
    assert accounts.api_tokens(ada)[0].last_used_at == NOW + timedelta(hours=1)
    assert accounts.api_tokens(people[2]) == []


def test_revoke_api_token_stops_it_and_spares_other_users(accounts, people):
    ada, bob = people[1], people[2]
    token = accounts.create_api_token(ada, "laptop")
    kept = accounts.create_api_token(ada, "ci")
    [laptop] = [t for t in accounts.api_tokens(ada) if t.name == "laptop"]
    assert accounts.revoke_api_token(bob, laptop.id) is False
    assert accounts.user_for_api_token(token) == ada
    assert accounts.revoke_api_token(ada, f" {laptop.id.upper()} ") is True
    assert accounts.user_for_api_token(token) is None
    assert accounts.user_for_api_token(kept) == ada
    assert accounts.revoke_api_token(ada, laptop.id) is False
