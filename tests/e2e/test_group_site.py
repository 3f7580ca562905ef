"""A site run for a group, in a real browser: `papertide serve` with `signup = invite` and
`private = true`, mailing through a real SMTP server (aiosmtpd). A password reset from the
emailed link, an invite-only sign-up, and a stranger who sees only the login page while a
member's signed feed still answers."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, expect

from papertide.clock import SystemClock
from papertide.community.admin import AdminService
from papertide.store.sqlite import SqliteStore
from papertide.web.feeds.routes import following_feed_token
from papertide.wiring import build_accounts
from tests.e2e.conftest import Tab, open_tab
from tests.e2e.serve_process import ServeProcess, free_port, serving
from tests.e2e.world import PASSWORD, build_world
from tests.integration.digest.conftest import SmtpSink

pytestmark = pytest.mark.browser

MEMBER_EMAIL = "watcher@lab.example.org"
NEW_PASSWORD = "lantern quarry melody"
SECRET = "group-site-secret-key-32-bytes-ok"


@pytest.fixture(scope="module")
def smtp() -> Iterator[Controller]:
    """A real SMTP server on loopback; its handler (an SmtpSink) keeps what it took."""
    controller = Controller(SmtpSink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("group") / "group.db"
    build_world(path, datetime.now(UTC).date())
    store = SqliteStore(path, SystemClock())
    try:
        watcher = store.user_login("watcher")
        assert watcher is not None
        store.set_email(watcher[0].id, MEMBER_EMAIL)
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def group_server(
    db: Path, smtp: Controller, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServeProcess]:
    port = free_port()
    settings = {
        "PAPERTIDE_BASE_URL": f"http://127.0.0.1:{port}",
        "PAPERTIDE_SECRET_KEY": SECRET,
        "PAPERTIDE_SIGNUP": "invite",
        "PAPERTIDE_PRIVATE": "1",
        "PAPERTIDE_SMTP_HOST": "127.0.0.1",
        "PAPERTIDE_SMTP_PORT": str(smtp.port),
        "PAPERTIDE_SMTP_TLS": "none",
    }
    log = tmp_path_factory.mktemp("group-log") / "serve.log"
    with serving(db, log, port=port, settings=settings) as served:
        yield served
    assert "Traceback" not in served.log_text(), served.log_text()


@pytest.fixture
def stranger(browser: Browser, group_server: ServeProcess) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield open_tab(context, group_server.url)
    context.close()


def mailed_link(smtp: Controller, address: str) -> str:
    """The account link in the last message the SMTP server took for `address`."""
    sink = smtp.handler
    assert isinstance(sink, SmtpSink)
    for raw, recipients in zip(reversed(sink.messages), reversed(sink.recipients), strict=True):
        if address in recipients:
            message = email.message_from_bytes(raw)
            text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
            assert isinstance(text, Message)
            body = text.get_payload(decode=True)
            assert isinstance(body, bytes)
            found = re.search(r"http://\S+/account/\S+", body.decode())
            assert found, body
            return found[0]
    raise AssertionError(f"no message for {address}")


def test_a_member_resets_a_forgotten_password_from_the_emailed_link(
    stranger: Tab, smtp: Controller
) -> None:
    page = stranger.open("/")
    expect(page).to_have_url(f"{stranger.base}/login")
    page.click("#forgot-link")
    page.fill("#forgot-email", MEMBER_EMAIL)
    page.click("#forgot-submit")
    expect(page.locator("#form-note")).to_contain_text("If an account has this address")
    link = mailed_link(smtp, MEMBER_EMAIL)
    page.goto(link)
    page.fill("#reset-password", NEW_PASSWORD)
    page.click("#reset-submit")
    expect(page.locator("#nav-account")).to_have_text("watcher")
    assert stranger.console_errors == [] and stranger.page_errors == []
    page.goto(link)  # used: the link works once (answered 400)
    expect(page.locator("#form-error")).to_contain_text("no longer valid")


def test_an_invited_person_signs_up_and_a_stranger_cannot(stranger: Tab, db: Path) -> None:
    store = SqliteStore(db, SystemClock())
    try:
        accounts = build_accounts(store, SystemClock())
        curator = store.user_login("curator")
        assert curator is not None
        _invite, token = AdminService(store, SystemClock(), accounts).create_invite(curator[0])
    finally:
        store.close()
    page = stranger.open("/signup")  # answered 403, with why
    expect(page.locator("#signup-refused")).to_contain_text("needs an invite")
    expect(page.locator("#signup-form")).to_have_count(0)
    stranger.console_errors.clear()
    page = stranger.open(f"/signup?invite={token}")
    page.fill("#signup-username", "newmember")
    page.fill("#signup-password", PASSWORD)
    page.click("#signup-submit")
    expect(page.locator("#nav-account")).to_have_text("newmember")
    assert stranger.console_errors == [] and stranger.page_errors == []


def test_a_private_site_shows_strangers_only_the_login_but_signed_feeds_answer(
    stranger: Tab, db: Path, group_server: ServeProcess
) -> None:
    page = stranger.open("/trending")
    expect(page).to_have_url(f"{stranger.base}/login?next=%2Ftrending")
    expect(page.locator("#login-form")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("attention")
    assert httpx.get(f"{group_server.url}/feeds/daily.rss").status_code == 401
    store = SqliteStore(db, SystemClock())
    try:
        found = store.user_login("follower")
        assert found is not None
        key = store.feed_key(found[0].id)
    finally:
        store.close()
    token = following_feed_token(SECRET.encode(), found[0], key)
    feed = httpx.get(
        f"{group_server.url}/feeds/users/follower/following.rss", params={"token": token}
    )
    assert feed.status_code == 200 and "<rss" in feed.text
    stranger.log_in("follower")
    expect(page.locator("#nav-account")).to_have_text("follower")
