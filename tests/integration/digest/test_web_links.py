"""Digest emails end to end: subscribe on the site, the confirmation and the digest arrive at
a real SMTP server (aiosmtpd), and their links (confirm, relevant / not relevant, preferences,
RFC 8058 one-click unsubscribe) are followed through the real web app."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from papertide.clock import FixedClock
from papertide.digest.send import SmtpConfig, SmtpMailer
from papertide.digest.service import DigestService
from papertide.store.sqlite import SqliteStore
from papertide.web.app import create_app
from tests.integration.digest.conftest import BASE_URL, SECRET, SENDER, SmtpSink
from tests.integration.web.conftest import site_services

_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
_HREF = re.compile(r'href="(https://papers\.example\.org/digest/[^"]+)"')


@dataclass
class World:
    client: TestClient
    digests: DigestService
    store: SqliteStore
    clock: FixedClock
    sink: SmtpSink

    def mail(self, n: int) -> EmailMessage:
        found = email.message_from_bytes(self.sink.messages[n], policy=policy.default)
        assert isinstance(found, EmailMessage)
        return found


@pytest.fixture
def world(
    store: SqliteStore, clock: FixedClock, smtp_server: Controller, sink: SmtpSink
) -> Iterator[World]:
    config = SmtpConfig("127.0.0.1", smtp_server.port, "none", sender=SENDER, timeout_s=10)
    mailer = SmtpMailer(config, clock)
    services = site_services(store, clock, secret=SECRET, mailer=mailer, base_url=BASE_URL)
    with TestClient(create_app(services), base_url=BASE_URL) as client:
        yield World(client, services.digests, store, clock, sink)
    mailer.close()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def links_in(message: EmailMessage) -> dict[str, list[str]]:
    """The digest links of the HTML part, by kind (confirm, feedback, ...)."""
    html = message.get_body(("html",))
    assert html is not None
    found: dict[str, list[str]] = {}
    for url in _HREF.findall(html.get_content()):
        kind = urlsplit(url).path.rsplit("/", 1)[1]
        found.setdefault(kind, []).append(url.replace("&amp;", "&"))
    return found


def token_of(url: str) -> str:
    return urlsplit(url).query.removeprefix("token=")


def subscribe_on_site(world: World, address: str) -> None:
    form_page = world.client.get("/digest/subscribe")
    assert form_page.status_code == 200
    csrf = _CSRF.search(form_page.text)
    assert csrf
    form = {"email": address, "cadence": "daily", "content": "both", "csrf_token": csrf[1]}
    answer = world.client.post("/digest/subscribe", data=form)
    assert answer.status_code == 200
    assert "we sent an email to" in answer.text


def test_subscribe_confirm_rate_and_unsubscribe_through_the_site(world: World):
    subscribe_on_site(world, "ada@example.org")
    confirmation = world.mail(0)
    assert confirmation["To"] == "ada@example.org"
    (confirm_url,) = links_in(confirmation)["confirm"]
    text = confirmation.get_body(("plain",))
    assert text is not None and confirm_url in text.get_content()

    shown = world.client.get(path_of(confirm_url))
    assert shown.status_code == 200 and 'id="confirm-form"' in shown.text
    sub = world.store.subscription_for_email("ada@example.org")
    assert sub is not None and sub.state == "pending"  # a GET changes nothing
    done = world.client.post("/digest/confirm", data={"token": token_of(confirm_url)})
    assert done.status_code == 200 and "Subscribed: ada@example.org" in done.text

    assert world.digests.send_due().sent == 1
    digest = world.mail(1)
    assert digest.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in digest.iter_parts()] == ["text/plain", "text/html"]
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = str(digest["List-Unsubscribe"]).strip("<>")
    links = links_in(digest)
    assert len(links["feedback"]) == 20 and links["unsubscribe"] == [unsubscribe_url]

    relevant, not_relevant = links["feedback"][:2]
    page = world.client.get(path_of(relevant))
    assert page.status_code == 200 and "Mark as relevant" in page.text
    assert world.store.ratings_of(subscription_id=sub.id) == []
    for url in (not_relevant, relevant):
        recorded = world.client.post("/digest/feedback", data={"token": token_of(url)})
        assert recorded.status_code == 200 and 'id="feedback-done"' in recorded.text
    (rating,) = world.store.ratings_of(subscription_id=sub.id)
    assert (rating.value, rating.source) == (1, "email")

    (preferences_url,) = links["preferences"]
    assert 'id="preferences-form"' in world.client.get(path_of(preferences_url)).text
    saved = world.client.post(
        "/digest/preferences",
        data={"token": token_of(preferences_url), "cadence": "weekly", "content": "personal"},
    )
    assert saved.status_code == 200 and "Saved." in saved.text

    assert 'id="unsubscribe-form"' in world.client.get(path_of(unsubscribe_url)).text
    with TestClient(world.client.app, base_url=BASE_URL) as mail_client:  # no cookies at all
        one_click = mail_client.post(
            path_of(unsubscribe_url),
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert one_click.status_code == 200 and 'id="unsubscribe-done"' in one_click.text
    ended = world.store.subscription(sub.id)
    assert ended is not None and (ended.state, ended.cadence) == ("unsubscribed", "weekly")


def test_digest_links_refuse_forged_and_expired_tokens(world: World):
    sub = world.digests.subscribe("ada@example.org", confirmed=True)
    token = world.digests.tokens.make("unsubscribe", sub.id)
    forged = world.client.post(f"/digest/unsubscribe?token={token[:-3]}xyz")
    assert forged.status_code == 400 and "not valid" in forged.text
    world.clock.current += timedelta(days=366)
    expired = world.client.get(f"/digest/unsubscribe?token={token}")
    assert expired.status_code == 400 and "expired" in expired.text
    feedback = world.client.post("/digest/feedback", data={"token": "nonsense"})
    assert feedback.status_code == 400
    assert world.store.subscription(sub.id).state == "active"  # type: ignore[union-attr]


def test_subscribe_form_needs_its_csrf_token(world: World):
    refused = world.client.post("/digest/subscribe", data={"email": "ada@example.org"})
    assert refused.status_code == 403
    assert world.store.subscription_for_email("ada@example.org") is None


def test_subscribe_form_shows_input_errors(world: World):
    csrf = _CSRF.search(world.client.get("/digest/subscribe").text)
    assert csrf
    answer = world.client.post("/digest/subscribe", data={"email": "nope", "csrf_token": csrf[1]})
    assert answer.status_code == 200 and "not an email address" in answer.text


def test_confirming_while_logged_in_links_the_account(world: World):
    csrf = _CSRF.search(world.client.get("/signup").text)
    assert csrf
    form = {"username": "ada", "email": "ada@example.org", "password": "correct horse battery"}
    signed_up = world.client.post(
        "/signup", data=form | {"csrf_token": csrf[1]}, follow_redirects=False
    )
    assert signed_up.status_code == 303
    page = world.client.get("/digest/subscribe")
    assert 'value="ada@example.org"' in page.text  # the account's address, filled in
    subscribe_on_site(world, "ada@example.org")
    user = world.store.user_login("ada")
    sub = world.store.subscription_for_email("ada@example.org")
    assert user is not None and sub is not None and sub.user_id is None  # not before confirming
    (confirm_url,) = links_in(world.mail(0))["confirm"]
    done = world.client.post("/digest/confirm", data={"token": token_of(confirm_url)})
    assert done.status_code == 200 and 'id="confirm-linked"' in done.text
    linked = world.store.subscription(sub.id)
    assert linked is not None and linked.user_id == user[0].id


def test_subscribe_form_is_rate_limited_per_client(world: World):
    for n in range(10):
        subscribe_on_site(world, f"u{n}@example.org")
    csrf = _CSRF.search(world.client.get("/digest/subscribe").text)
    assert csrf
    refused = world.client.post(
        "/digest/subscribe", data={"email": "late@example.org", "csrf_token": csrf[1]}
    )
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert len(world.sink.messages) == 10
