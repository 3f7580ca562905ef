"""Low findings of #13 through the site: ids out of range are 404s (not a 500 from an
overflowing store), and HSTS is sent when the site's base_url is https."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from papertide.clock import FixedClock
from papertide.community.ratelimit import RateLimits
from papertide.models import Record
from papertide.web.app import create_app
from papertide.web.feeds.routes import FOLLOWING_CACHE_S, following_feed_url
from tests.integration.web.conftest import NOW, CannedArxiv, Site, build_services, make_paper


def test_ids_out_of_range_are_404(site: Site):
    site.sign_up("alice")
    huge = 9223372036854775808
    assert site.post(f"/comments/{huge}/delete").status_code == 404
    assert site.client.get(f"/collections/{huge}").status_code == 404
    assert site.client.get("/collections/abc").status_code == 404  # not an id: no such page
    assert site.client.get(f"/collections/{huge}.bib").status_code == 404
    assert site.post("/comments/99/delete").status_code == 400  # in range: no such comment


def test_hsts_only_when_the_base_url_is_https(site: Site, tmp_path: Path):
    assert "strict-transport-security" not in site.client.get("/").headers
    (tmp_path / "https").mkdir()
    services = build_services(tmp_path / "https", FixedClock(NOW), RateLimits(), CannedArxiv())
    settings = replace(services.settings, base_url="https://papers.example.org")
    secure = replace(services, settings=settings)
    with TestClient(create_app(secure)) as client:
        headers = client.get("/").headers
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    services.store.close()


def test_rotating_feed_links_retires_the_old_ones(site: Site):
    site.sign_up("alice")
    site.post("/follow", {"kind": "category", "value": "cs.CV", "on": "1"})
    found = re.search(
        r'id="following-feed">https?://[^/]+([^<]+)<', site.client.get("/account").text
    )
    assert found
    old = html.unescape(found[1])
    assert site.client.get(old).status_code == 200
    assert site.post("/account/feed-key/rotate").status_code == 303
    assert site.client.get(old).status_code == 403
    fresh = re.search(
        r'id="following-feed">https?://[^/]+([^<]+)<', site.client.get("/account").text
    )
    assert fresh and fresh[1] != found[1]
    assert site.client.get(html.unescape(fresh[1])).status_code == 200


def feed_path(site: Site) -> str:
    user = site.store.user_login("alice")
    assert user is not None
    return following_feed_url(site.services, user[0]).split("8000", 1)[1]


def test_following_feed_is_cached_for_a_while(site: Site):
    site.sign_up("alice")
    site.post("/follow", {"kind": "category", "value": "cs.CV", "on": "1"})
    first = site.client.get(feed_path(site)).text
    assert "Seeing images" in first
    fresh = make_paper("2601.07777", "A brand new vision paper", "Pixels.", categories=("cs.CV",))
    site.store.write_batch([Record(fresh)], [])
    assert "A brand new vision paper" not in site.client.get(feed_path(site)).text
    site.clock.current += timedelta(seconds=FOLLOWING_CACHE_S)
    assert "A brand new vision paper" in site.client.get(feed_path(site)).text
