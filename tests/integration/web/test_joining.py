"""Who may join and read, through HTTP (#13 point 2): the `signup` setting (open, invite,
closed), `signup_email_domains`, the first account, and `private` mode per route class."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from papertide.clock import FixedClock
from papertide.models import User
from papertide.store.sqlite import SqliteStore
from papertide.web.app import create_app
from papertide.web.feeds.routes import following_feed_url
from tests.integration.web.conftest import NOW, PASSWORD, PLAIN_ID, Site, records, site_services

World = Callable[..., Any]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """world(**settings) opens a site with those settings over a fresh store."""
    opened: list[SqliteStore] = []

    @contextmanager
    def open_site(**settings: Any) -> Iterator[Site]:
        clock = FixedClock(NOW)
        store = SqliteStore(tmp_path / f"join{len(opened)}.db", clock)
        opened.append(store)
        store.migrate()
        store.write_batch(records(), [])
        services = site_services(store, clock, **settings)
        with TestClient(create_app(services)) as client:
            yield Site(client, services, store, clock, None)  # type: ignore[arg-type]

    yield open_site
    for store in opened:
        store.close()


def sign_up(site: Site, username: str, email: str = "", invite: str = "") -> Any:
    form = {"username": username, "password": PASSWORD, "email": email, "invite": invite}
    return site.post("/signup", form)


def curator(site: Site) -> User:
    found = site.store.user_login("root")
    assert found is not None
    return found[0]


def fresh(site: Site) -> TestClient:
    """Another, logged-out browser on the same site."""
    return TestClient(site.client.app)


def test_the_first_account_signs_up_whatever_the_mode_and_is_the_curator(world: World) -> None:
    for mode in ("closed", "invite"):
        with world(signup=mode) as site:
            assert 'id="signup-form"' in site.client.get("/signup").text
            assert sign_up(site, "root").status_code == 303
            assert curator(site).is_admin


def test_closed_signup_shows_no_form_and_refuses_posts(world: World) -> None:
    with world(signup="closed") as site:
        sign_up(site, "root")
        other = Site(fresh(site), site.services, site.store, site.clock, None)  # type: ignore[arg-type]
        page = other.client.get("/signup")
        assert page.status_code == 403 and 'id="signup-form"' not in page.text
        assert "closed" in page.text
        assert sign_up(other, "mallory").status_code == 403
        assert site.store.user_login("mallory") is None


def test_invite_signup_needs_a_usable_invite_and_uses_it_up(world: World) -> None:
    with world(signup="invite") as site:
        sign_up(site, "root")
        _invite, token = site.services.admin.create_invite(curator(site), max_uses=1)
        guest = Site(fresh(site), site.services, site.store, site.clock, None)  # type: ignore[arg-type]
        plain = guest.client.get("/signup")
        assert plain.status_code == 403 and "needs an invite" in plain.text
        assert 'id="signup-form"' in guest.client.get("/signup", params={"invite": token}).text
        assert sign_up(guest, "bob", invite="made-up").status_code == 403
        assert sign_up(guest, "bob", invite=token).status_code == 303
        late = Site(fresh(site), site.services, site.store, site.clock, None)  # type: ignore[arg-type]
        assert late.client.get("/signup", params={"invite": token}).status_code == 403
        assert sign_up(late, "carol", invite=token).status_code == 403
        assert site.store.user_login("bob") and site.store.user_login("carol") is None


def test_signup_email_domains_refuse_other_addresses(world: World) -> None:
    with world(signup_email_domains="lab.org, uni.edu") as site:
        sign_up(site, "root")
        guest = Site(fresh(site), site.services, site.store, site.clock, None)  # type: ignore[arg-type]
        refused = sign_up(guest, "bob", "bob@gmail.com")
        assert refused.status_code == 400 and "lab.org" in refused.text
        assert sign_up(guest, "bob", "").status_code == 400  # no address is no allowed one
        assert sign_up(guest, "bob", "bob@uni.edu").status_code == 303


def test_private_mode_sends_strangers_to_login_and_refuses_reads(world: World) -> None:
    with world(private=True) as site:
        sign_up(site, "root")
        stranger = fresh(site)
        home = stranger.get("/", follow_redirects=False)
        assert home.status_code == 303 and home.headers["location"] == "/login"
        assert "default-src 'self'" in home.headers["content-security-policy"]  # refusals too
        paper = stranger.get(f"/papers/{PLAIN_ID}", follow_redirects=False)
        assert paper.headers["location"] == f"/login?next=%2Fpapers%2F{PLAIN_ID}"
        listing = stranger.get("/trending?category=cs.CL", follow_redirects=False)
        assert listing.headers["location"] == "/login?next=%2Ftrending%3Fcategory%3Dcs.CL"
        for path in ("/api/papers/" + PLAIN_ID, "/api/search?q=attention", "/feeds/daily.rss"):
            answer = stranger.get(path, follow_redirects=False)
            assert answer.status_code == 401, path
            assert "private" in answer.json()["error"]
            assert answer.headers["x-content-type-options"] == "nosniff"
        assert stranger.post("/api/papers/2601.00002/vote").status_code == 401
        for path in ("/login", "/signup", "/account/forgot", "/api/health"):
            assert stranger.get(path).status_code == 200, path
        assert stranger.get("/static/css/site.css").status_code == 200
        assert stranger.get("/account/reset", params={"token": "x"}).status_code == 400


def test_private_mode_lets_members_tokens_and_signed_feeds_in(world: World) -> None:
    with world(private=True) as site:
        sign_up(site, "root")
        root = curator(site)
        assert site.client.get("/").status_code == 200  # the logged-in browser
        assert site.client.get("/feeds/daily.rss").status_code == 200
        token = site.services.accounts.create_api_token(root, "script")
        stranger = fresh(site)
        bearer = {"Authorization": f"Bearer {token}"}
        assert stranger.get(f"/api/papers/{PLAIN_ID}", headers=bearer).status_code == 200
        wrong = {"Authorization": "Bearer pt_not-a-token"}
        assert stranger.get(f"/api/papers/{PLAIN_ID}", headers=wrong).status_code == 401
        feed = following_feed_url(site.services, root)
        path = feed.split("://", 1)[1].split("/", 1)[1]
        assert stranger.get("/" + path).status_code == 200
        unsigned = re.sub(r"\?.*", "", "/" + path)
        assert stranger.get(unsigned).status_code == 401


def test_private_mode_with_closed_signup_shuts_the_signup_page(world: World) -> None:
    with world(private=True, signup="closed") as site:
        sign_up(site, "root")
        stranger = fresh(site)
        assert stranger.get("/signup", follow_redirects=False).status_code == 303
        assert 'href="/signup' not in stranger.get("/login").text
