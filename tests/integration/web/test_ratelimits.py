"""Rate-limited writes through the pages answer a 429 page with Retry-After (tight limits)."""

from __future__ import annotations

import pytest

from papertide.community.ratelimit import RateLimits
from tests.integration.web.conftest import PLAIN_ID, Site


@pytest.fixture
def limits() -> RateLimits:
    return RateLimits(vote=(2, 60), comment=(1, 60))


def test_rate_limited_writes_answer_a_429_page_with_retry_after(site: Site):
    site.sign_up()
    site.post(f"/papers/{PLAIN_ID}/vote", {"up": "1"})
    site.post(f"/papers/{PLAIN_ID}/vote", {"up": "0"})
    answer = site.post(f"/papers/{PLAIN_ID}/vote", {"up": "1"})
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) >= 1
    assert "too many vote requests" in answer.text
    site.post(f"/papers/{PLAIN_ID}/comments", {"body": "one"})
    assert site.post(f"/papers/{PLAIN_ID}/comments", {"body": "two"}).status_code == 429


def test_signups_are_rate_limited_per_address(site: Site):
    for number in range(5):
        site.client.cookies.clear()
        site.sign_up(f"user{number}")
    site.client.cookies.clear()
    token = site.csrf("/signup")
    form = {"username": "user5", "password": "long enough pw", "csrf_token": token}
    answer = site.client.post("/signup", data=form)
    assert answer.status_code == 429 and "too many signup requests" in answer.text
