"""The subscription attacks of #13 (M1 and the subscribe enumeration), through the real site and
a real SMTP server (aiosmtpd): a logged-in user subscribing someone else's address never gets
that subscription or its ratings; links of an ended subscription stop working, also after the
address subscribes again; the subscribe form answers the same for any address; and a site
without a mail server offers no sign-up and stores nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from papertide.clock import FixedClock
from papertide.digest.send import SmtpConfig, SmtpMailer
from papertide.store.sqlite import SqliteStore
from papertide.web.app import create_app
from papertide.wiring import build_web_services
from tests.integration.digest.conftest import BASE_URL, SECRET, SENDER, SmtpSink
from tests.integration.digest.test_web_links import World, links_in, path_of, token_of
from tests.integration.web.conftest import PASSWORD, site_services

_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
VICTIM = "victim@example.org"


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


def csrf(client: TestClient, path: str) -> str:
    found = _CSRF.search(client.get(path).text)
    assert found, f"no form on {path}"
    return found[1]


def sign_up(client: TestClient, username: str, email: str) -> None:
    form = {"username": username, "email": email, "password": PASSWORD}
    answer = client.post(
        "/signup", data=form | {"csrf_token": csrf(client, "/signup")}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def subscribe(client: TestClient, address: str) -> str:
    form = {"email": address, "cadence": "daily", "content": "both"}
    answer = client.post(
        "/digest/subscribe", data=form | {"csrf_token": csrf(client, "/digest/subscribe")}
    )
    assert answer.status_code == 200, answer.text
    main = answer.text.split("<main", 1)[1].split("</main>", 1)[0]
    return main.replace(csrf(client, "/digest/subscribe"), "")


@pytest.mark.parametrize("attacker_email", ["mallory@example.org", VICTIM])
def test_subscribing_someone_elses_address_never_links_it(world: World, attacker_email: str):
    """Even an attacker whose (unconfirmed) account email is the victim's address."""
    sign_up(world.client, "mallory", attacker_email)
    subscribe(world.client, VICTIM)
    (confirm_url,) = links_in(world.mail(0))["confirm"]
    with TestClient(world.client.app, base_url=BASE_URL) as victim:  # the victim's browser
        done = victim.post("/digest/confirm", data={"token": token_of(confirm_url)})
        assert done.status_code == 200 and "Subscribed: victim@example.org" in done.text
        sub = world.store.subscription_for_email(VICTIM)
        assert sub is not None and sub.user_id is None
        assert world.digests.send_due().sent == 1
        relevant = links_in(world.mail(1))["feedback"][0]
        victim.post("/digest/feedback", data={"token": token_of(relevant)})
    mallory = world.store.user_login("mallory")
    assert mallory is not None
    assert world.store.ratings_of(user_id=mallory[0].id) == []  # the victim's click is not hers
    assert len(world.store.ratings_of(subscription_id=sub.id)) == 1


def test_resubscribing_an_ended_address_does_not_take_its_link(world: World):
    with TestClient(world.client.app, base_url=BASE_URL) as owner:
        sign_up(owner, "owner", VICTIM)
        subscribe(owner, VICTIM)
        (confirm_url,) = links_in(world.mail(0))["confirm"]
        owner.post("/digest/confirm", data={"token": token_of(confirm_url)})
    sub = world.store.subscription_for_email(VICTIM)
    owner_row = world.store.user_login("owner")
    assert sub is not None and owner_row is not None and sub.user_id == owner_row[0].id
    world.store.end_subscription(sub.id)
    sign_up(world.client, "mallory", "mallory@example.org")
    subscribe(world.client, VICTIM)  # the attacker restarts it while logged in
    restarted = world.store.subscription(sub.id)
    assert restarted is not None and restarted.state == "pending"
    assert restarted.user_id == owner_row[0].id  # never the attacker's


def test_links_of_an_ended_subscription_stop_working(world: World):
    subscribe(world.client, VICTIM)
    (old_confirm,) = links_in(world.mail(0))["confirm"]
    world.client.post("/digest/confirm", data={"token": token_of(old_confirm)})
    world.digests.send_due()
    links = links_in(world.mail(1))
    unsubscribe_url, preferences_url = links["unsubscribe"][0], links["preferences"][0]
    feedback_url = links["feedback"][0]
    assert world.client.post(path_of(unsubscribe_url)).status_code == 200

    sub = world.store.subscription_for_email(VICTIM)
    assert sub is not None and sub.state == "unsubscribed"
    for url in (feedback_url, preferences_url):
        assert world.client.get(path_of(url)).status_code == 400
    refused = world.client.post("/digest/feedback", data={"token": token_of(feedback_url)})
    assert refused.status_code == 400 and "ended" in refused.text
    changed = world.client.post(
        "/digest/preferences",
        data={"token": token_of(preferences_url), "cadence": "weekly", "content": "trending"},
    )
    assert changed.status_code == 400
    assert world.store.ratings_of(subscription_id=sub.id) == []

    subscribe(world.client, VICTIM)  # the address starts again: a fresh confirmation
    stale = world.client.post("/digest/confirm", data={"token": token_of(old_confirm)})
    assert stale.status_code == 400 and "earlier subscription" in stale.text
    for url in (feedback_url, preferences_url):
        assert world.client.get(path_of(url)).status_code == 400
    again = world.store.subscription(sub.id)
    assert again is not None and again.state == "pending" and again.cadence == "daily"
    (new_confirm,) = links_in(world.mail(2))["confirm"]
    fresh = world.client.post("/digest/confirm", data={"token": token_of(new_confirm)})
    assert fresh.status_code == 200 and "Subscribed: victim@example.org" in fresh.text


def test_subscribe_answers_alike_for_new_and_subscribed_addresses(world: World):
    world.digests.subscribe("known@example.org", confirmed=True)
    known = subscribe(world.client, "known@example.org")
    fresh = subscribe(world.client, "fresh@example.org")
    assert known.replace("known@", "X@") == fresh.replace("fresh@", "X@")
    assert len(world.sink.messages) == 2  # each owner got the email that fits


def test_without_mail_server_the_digest_form_is_hidden_and_stores_nothing(
    store: SqliteStore, clock: FixedClock
):
    services = build_web_services(site_services(store, clock).settings, clock, store)
    with TestClient(create_app(services)) as client:
        page = client.get("/digest/subscribe")
        assert page.status_code == 200 and 'id="subscribe-form"' not in page.text
        assert "no mail server is set up" in page.text and "smtp_host" not in page.text
        token = _CSRF.search(client.get("/login").text)
        assert token
        posted = client.post("/digest/subscribe", data={"email": VICTIM, "csrf_token": token[1]})
        assert posted.status_code == 503 and "smtp_host" not in posted.text
        assert "no mail server is set up" in posted.text
    assert store.subscription_for_email(VICTIM) is None
