"""Curators unlisting a paper from a day (daily page and paper page), API tokens listed and
revoked on /account, and login limits taken from the community service's RateLimits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from papertide.community.ratelimit import RateLimits
from tests.integration.web.conftest import HOSTILE_ID, PLAIN_ID, TODAY, Site

UNLIST = f"/papers/{PLAIN_ID}/unlist"
UNLIST_BUTTON = f'id="unlist-{PLAIN_ID}-{TODAY.isoformat()}"'
DAILY = f"/daily/{TODAY.isoformat()}"


@pytest.fixture
def limits() -> RateLimits:
    return RateLimits(login=(2, 300))


def listed_today(site: Site) -> list[str]:
    return [paper.id for _, paper in site.store.listings_for(TODAY)]


def member(site: Site) -> None:
    """Log the client in as a member (the store's first user, the curator, is someone else)."""
    site.sign_up("curator")
    site.post("/logout")
    site.client.cookies.clear()
    site.sign_up("member")


def test_unlist_buttons_show_to_the_curator_only(site: Site):
    assert UNLIST_BUTTON not in site.client.get(DAILY).text
    site.sign_up("curator")
    daily = site.client.get(DAILY).text
    assert UNLIST_BUTTON in daily and f'action="/papers/{PLAIN_ID}/unlist"' in daily
    assert UNLIST_BUTTON in site.client.get(f"/papers/{PLAIN_ID}").text
    assert 'id="unlist-' not in site.client.get("/trending").text  # only day and paper pages
    site.post("/logout")
    site.client.cookies.clear()
    site.sign_up("member")
    assert UNLIST_BUTTON not in site.client.get(DAILY).text
    assert UNLIST_BUTTON not in site.client.get(f"/papers/{PLAIN_ID}").text


def test_curator_unlists_from_the_daily_page_after_confirming_and_goes_back(site: Site):
    site.sign_up("curator")
    asked = site.post(UNLIST, {"day": TODAY.isoformat(), "next": DAILY})
    assert asked.status_code == 200 and 'id="confirm"' in asked.text
    assert listed_today(site) == [HOSTILE_ID, PLAIN_ID]  # nothing done yet
    answer = site.post(UNLIST, {"day": TODAY.isoformat(), "next": DAILY, "confirm": "yes"})
    assert answer.status_code == 200 and 'id="done-back"' in answer.text
    assert f'href="{DAILY}" id="done-back"' in answer.text
    assert listed_today(site) == [HOSTILE_ID]
    assert f'id="paper-{PLAIN_ID}"' not in site.client.get(DAILY).text
    assert site.client.get(f"/papers/{PLAIN_ID}").status_code == 200  # the paper stays


def test_unlist_from_the_paper_page_form(site: Site):
    site.sign_up("curator")
    page = site.client.get(f"/papers/{PLAIN_ID}").text
    form = re.search(r'<form class="unlist inline"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form[1]))
    assert fields["day"] == TODAY.isoformat() and fields["next"] == f"/papers/{PLAIN_ID}"
    asked = site.client.post(UNLIST, data=fields, follow_redirects=False)
    assert asked.status_code == 200 and PLAIN_ID in listed_today(site)
    answer = site.client.post(UNLIST, data=fields | {"confirm": "yes"}, follow_redirects=False)
    assert answer.status_code == 200 and f'href="/papers/{PLAIN_ID}" id="done-back"' in answer.text
    assert PLAIN_ID not in listed_today(site)


def test_unlist_is_refused_to_members_strangers_and_forms_without_csrf(site: Site):
    form = {"day": TODAY.isoformat()}
    logged_out = site.post(UNLIST, form)
    assert logged_out.status_code == 303 and logged_out.headers["location"].startswith("/login")
    member(site)
    assert site.post(UNLIST, form).status_code == 403
    assert site.post(UNLIST, form | {"confirm": "yes"}).status_code == 403
    assert site.client.post(UNLIST, data=form, follow_redirects=False).status_code == 403
    assert listed_today(site) == [HOSTILE_ID, PLAIN_ID]


def test_unlist_with_a_bad_day_or_id_is_a_4xx_not_a_500(site: Site):
    site.sign_up("curator")
    assert site.post(UNLIST, {"day": "yesterday"}).status_code == 400
    assert site.post("/papers/nonsense/unlist", {"day": TODAY.isoformat()}).status_code == 404
    not_listed = {"day": "2026-01-01", "next": DAILY, "confirm": "yes"}
    assert "nothing was changed" in site.post(UNLIST, not_listed).text
    assert listed_today(site) == [HOSTILE_ID, PLAIN_ID]


def token_rows(html: str) -> list[str]:
    return re.findall(r'<tr id="token-([0-9a-f]+)">', html)


def test_account_lists_api_tokens_with_last_use_and_revokes_one(site: Site):
    site.sign_up("alice")
    assert 'id="token-list"' not in site.client.get("/account").text
    made = site.post("/account/tokens", {"name": "laptop <b>"})
    token = made.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    site.post("/account/tokens", {"name": "ci"})
    page = site.client.get("/account").text
    assert "laptop &lt;b&gt;" in page and page.count(">never<") == 2
    assert len(token_rows(page)) == 2 and token not in page
    site.clock.current += timedelta(hours=2)
    vote = site.client.post(
        f"/api/papers/{PLAIN_ID}/vote",
        json={"up": True},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert vote.status_code == 200
    page = site.client.get("/account").text
    assert page.count(">never<") == 1 and "2026-01-15 14:00 UTC" in page
    [laptop] = [t.id for t in site.services.accounts.api_tokens(_user(site)) if t.name != "ci"]
    answer = site.post(f"/account/tokens/{laptop}/revoke")
    assert answer.status_code == 303 and answer.headers["location"] == "/account#tokens"
    assert site.services.accounts.user_for_api_token(token) is None
    assert len(token_rows(site.client.get("/account").text)) == 1


def test_revoking_needs_csrf_login_and_ownership(site: Site):
    site.sign_up("alice")
    token = site.services.accounts.create_api_token(_user(site), "laptop")
    [info] = site.services.accounts.api_tokens(_user(site))
    path = f"/account/tokens/{info.id}/revoke"
    assert site.client.post(path, follow_redirects=False).status_code == 403  # no CSRF token
    site.post("/logout")
    site.client.cookies.clear()
    assert site.post(path).headers["location"].startswith("/login")
    site.sign_up("mallory")
    assert site.post(path).status_code == 303  # answered, but not mallory's token to revoke
    assert site.services.accounts.user_for_api_token(token) is not None


def test_login_limit_comes_from_the_community_rate_limits(site: Site):
    assert site.services.community.limits.login == (2, 300)
    form = {"login": "nobody", "password": "whatever pw"}
    answers = [
        site.client.post("/login", data=form | {"csrf_token": site.csrf()}).status_code
        for _ in range(3)
    ]
    assert answers == [401, 401, 429]


def _user(site: Site):
    session = site.client.cookies["papertide_session"]
    user = site.services.accounts.user_for_session(session)
    assert user is not None
    return user
