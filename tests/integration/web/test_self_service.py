"""Account self-service through HTTP (#13 point 1): forgot password answers the same for any
address, a reset link works once and expires and ends every session; password and email
changes need the current password; deleting and exporting an account."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from papertide.clock import FixedClock
from papertide.digest.send import NoMailServer, RecordingMailer
from papertide.models import User
from papertide.store.sqlite import SqliteStore
from papertide.web.app import create_app
from papertide.web.auth import SESSION_COOKIE
from tests.integration.web.conftest import NOW, PASSWORD, PLAIN_ID, Site, records, site_services

NEW_PASSWORD = "violet staple nebula"
_LINK = re.compile(r"https?://\S+?(/account/[a-z/]+)\?token=([^\s\"&]+)")


@pytest.fixture
def mail() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def world(tmp_path: Path, mail: RecordingMailer) -> Iterator[Site]:
    clock = FixedClock(NOW)
    store = SqliteStore(tmp_path / "self.db", clock)
    store.migrate()
    store.write_batch(records(), [])
    services = site_services(store, clock, mailer=mail)
    with TestClient(create_app(services)) as client:
        site = Site(client, services, store, clock, None)  # type: ignore[arg-type]
        site.sign_up("alice")
        store.set_email(user(site).id, "alice@lab.org")
        yield site
    store.close()


def user(site: Site, name: str = "alice") -> User:
    found = site.store.user_login(name)
    assert found is not None
    return found[0]


def link_in(mail: RecordingMailer, address: str) -> tuple[str, str]:
    """(path, token) of the last account link mailed to `address`."""
    match = _LINK.search(mail.to(address)[-1].text)
    assert match, mail.to(address)[-1].text
    return match[1], unquote(match[2])


def forgot(site: Site, email: str) -> Any:
    return site.post("/account/forgot", {"email": email})


def test_forgot_answers_the_same_whether_or_not_the_address_exists(
    world: Site, mail: RecordingMailer
) -> None:
    known, unknown = forgot(world, "alice@lab.org"), forgot(world, "nobody@lab.org")
    assert known.status_code == unknown.status_code == 200
    note = re.compile(r'<p class="note"[^>]*>([^<]*)</p>')
    assert note.search(known.text)[1] == note.search(unknown.text)[1]  # type: ignore[index]
    assert len(mail.to("alice@lab.org")) == 1 and mail.to("nobody@lab.org") == []
    path, _token = link_in(mail, "alice@lab.org")
    assert path == "/account/reset"


def test_a_reset_link_sets_the_password_once_and_ends_every_session(
    world: Site, mail: RecordingMailer
) -> None:
    other = TestClient(world.client.app)
    other.cookies.set(SESSION_COOKIE, world.client.cookies[SESSION_COOKIE])
    forgot(world, "alice@lab.org")
    _path, token = link_in(mail, "alice@lab.org")
    assert "alice" in world.client.get("/account/reset", params={"token": token}).text
    answer = world.post("/account/reset", {"token": token, "password": NEW_PASSWORD})
    assert answer.status_code == 303
    assert other.get("/account", follow_redirects=False).status_code == 303  # logged out
    assert world.client.get("/account").status_code == 200  # this browser got a new session
    world.services.accounts.log_in("alice", NEW_PASSWORD)
    again = world.post("/account/reset", {"token": token, "password": "another fine phrase"})
    assert again.status_code == 400 and "no longer valid" in again.text
    assert world.client.get("/account/reset", params={"token": token}).status_code == 400


def test_a_reset_link_expires_after_an_hour(world: Site, mail: RecordingMailer) -> None:
    forgot(world, "alice@lab.org")
    _path, token = link_in(mail, "alice@lab.org")
    world.clock.current += timedelta(hours=1, seconds=2)
    answer = world.post("/account/reset", {"token": token, "password": NEW_PASSWORD})
    assert answer.status_code == 400 and "expired" in answer.text
    world.services.accounts.log_in("alice", PASSWORD)  # unchanged


def test_forgot_requests_are_rate_limited_per_address(world: Site) -> None:
    answers = [forgot(world, "alice@lab.org").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


def test_without_a_mail_server_the_forgot_page_says_so_instead_of_a_form(
    tmp_path: Path,
) -> None:
    clock = FixedClock(NOW)
    store = SqliteStore(tmp_path / "nomail.db", clock)
    store.migrate()
    services = site_services(store, clock, mailer=NoMailServer())
    with TestClient(create_app(services)) as client:
        page = client.get("/account/forgot")
        assert "no mail server" in page.text and 'id="forgot-form"' not in page.text
    store.close()


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    world: Site,
) -> None:
    other = TestClient(world.client.app)
    other.cookies.set(SESSION_COOKIE, world.client.cookies[SESSION_COOKIE])
    wrong = world.post("/account/password", {"current": "not it at all", "password": NEW_PASSWORD})
    assert wrong.status_code == 403 and "not your current password" in wrong.text
    right = world.post("/account/password", {"current": PASSWORD, "password": NEW_PASSWORD})
    assert right.status_code == 303
    assert other.get("/account", follow_redirects=False).status_code == 303
    assert world.client.get("/account/settings").status_code == 200
    world.services.accounts.log_in("alice", NEW_PASSWORD)


def test_a_new_email_is_set_only_from_the_link_sent_to_it(
    world: Site, mail: RecordingMailer
) -> None:
    form = {"current": PASSWORD, "email": "alice@elsewhere.org"}
    assert world.post("/account/email", form).status_code == 200
    assert user(world).email == "alice@lab.org"  # not yet
    path, token = link_in(mail, "alice@elsewhere.org")
    assert path == "/account/email/confirm"
    anonymous = TestClient(world.client.app)  # the link works in any browser
    page = anonymous.get(path, params={"token": token})
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert csrf
    done = anonymous.post(path, data={"token": token, "csrf_token": csrf[1]})
    assert done.status_code == 200 and "alice@elsewhere.org" in done.text
    assert user(world).email == "alice@elsewhere.org"
    again = anonymous.post(path, data={"token": token, "csrf_token": csrf[1]})
    assert again.status_code == 400


def test_deleting_the_account_needs_the_password_and_removes_its_comments(
    world: Site,
) -> None:
    world.services.community.comment(user(world), PLAIN_ID, "my remark")
    page = world.client.get("/account/settings")
    assert "your comments" in page.text  # the page states what happens to them
    assert world.post("/account/delete", {"current": "wrong guess here"}).status_code == 403
    assert world.post("/account/delete", {"current": PASSWORD}).status_code == 303
    assert world.store.user_login("alice") is None
    assert "my remark" not in world.client.get(f"/papers/{PLAIN_ID}").text


def test_export_is_a_json_download_of_everything_about_the_viewer(world: Site) -> None:
    alice = user(world)
    world.services.community.comment(alice, PLAIN_ID, "exported remark")
    answer = world.client.get("/account/export")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    data = json.loads(answer.text)
    assert data["profile"]["username"] == "alice"
    assert data["comments"][0]["body"] == "exported remark"
    keys = {"votes", "ratings", "collections", "follows", "subscriptions"}
    assert keys <= set(data)
    assert "hash" not in answer.text


def test_self_service_forms_need_the_csrf_token(world: Site) -> None:
    form = {"current": PASSWORD, "password": NEW_PASSWORD}
    assert world.client.post("/account/password", data=form).status_code == 403
    assert world.client.post("/account/forgot", data={"email": "alice@lab.org"}).status_code == 403
