"""Reply emails end to end: a user turns them on in the account settings form (CSRF, a
confirmed email first), replies arrive at a real SMTP server (aiosmtpd) as multipart emails
parsed with the standard library, their link opens the reply on its paper page, the RFC 8058
one-click POST turns them off, and re-running the sender never sends one twice."""

from __future__ import annotations

import email
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from papertide.clock import FixedClock
from papertide.digest.send import NoMailServer, SmtpConfig, SmtpMailer
from papertide.store.sqlite import SqliteStore
from papertide.web.app import create_app
from tests.integration.digest.conftest import BASE_URL, SECRET, SENDER, SmtpSink
from tests.integration.web.conftest import (
    NOW,
    PASSWORD,
    PLAIN_ID,
    CannedArxiv,
    Site,
    records,
    site_services,
)
from tests.integration.web.test_discussions import comment, log_in_again, reply

HOSTILE_REPLY = (
    "<script>alert('reply')</script> <img src=x onerror=alert(2)> Tom &amp; Jerry:\n"
    "see $\\frac{a}{b} < c$ and [click](javascript:alert(3))"
)
_LINK = re.compile(r'href="(https://papers\.example\.org/account/email/confirm\?[^"]+)"')


@pytest.fixture
def site(tmp_path: Path, smtp_server: Controller) -> Iterator[Site]:
    clock = FixedClock(NOW)
    store = SqliteStore(tmp_path / "web.db", clock)
    store.migrate()
    store.write_batch(records(), [])
    config = SmtpConfig(
        "127.0.0.1", smtp_server.port, "none", sender=SENDER, timeout_s=10, retries=0
    )
    mailer = SmtpMailer(config, clock)
    services = site_services(store, clock, secret=SECRET, mailer=mailer, base_url=BASE_URL)
    with TestClient(create_app(services), base_url=BASE_URL) as client:
        yield Site(client, services, store, clock, CannedArxiv())
    mailer.close()
    store.close()


def mail(sink: SmtpSink, n: int) -> EmailMessage:
    found = email.message_from_bytes(sink.messages[n], policy=policy.default)
    assert isinstance(found, EmailMessage)
    return found


def part(message: EmailMessage, kind: str) -> str:
    body = message.get_body((kind,))
    assert body is not None
    return str(body.get_content())


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def sign_up(site: Site, username: str, address: str) -> None:
    site.post("/logout")
    site.client.cookies.clear()
    form = {"username": username, "email": address, "password": PASSWORD}
    answer = site.client.post(
        "/signup", data={**form, "csrf_token": site.csrf("/signup")}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def confirm_email(site: Site, sink: SmtpSink) -> None:
    """Ask for the confirmation link, and follow the one that arrives."""
    assert site.post("/account/email/verify").status_code == 303
    (link,) = _LINK.findall(part(mail(sink, len(sink.messages) - 1), "html"))
    token = urlsplit(link.replace("&amp;", "&")).query.removeprefix("token=")
    done = site.post("/account/email/confirm", {"token": token})
    assert done.status_code == 200 and 'id="form-note"' in done.text


def set_reply_emails(site: Site, on: bool) -> int:
    data = {"enabled": "on"} if on else {}
    answer = site.client.post(
        "/account/replies",
        data={**data, "csrf_token": site.csrf("/account/settings")},
        follow_redirects=False,
    )
    return answer.status_code


def alice_asks_and_bob_answers(site: Site, sink: SmtpSink, answer: str) -> int:
    """Alice (reply emails on) comments, Bob (logged in after) replies; Alice's comment id."""
    sign_up(site, "alice", "alice@example.org")
    confirm_email(site, sink)
    assert set_reply_emails(site, True) == 303
    top = comment(site, "A question")
    sign_up(site, "bob", "bob@example.org")
    reply(site, top, answer)
    return top


def test_reply_email_turned_on_in_settings_arrives_once_and_one_click_turns_it_off(
    site: Site, sink: SmtpSink
) -> None:
    sign_up(site, "alice", "alice@example.org")
    page = site.client.get("/account/settings").text
    assert 'id="reply-emails-unconfirmed"' in page and 'id="reply-emails-form"' not in page
    assert set_reply_emails(site, True) == 400  # not before the address is confirmed
    confirm_email(site, sink)
    page = site.client.get("/account/settings").text
    assert 'id="reply-emails-enabled"' in page and " checked" not in page  # off by default
    forged = site.client.post("/account/replies", data={"enabled": "on"})
    assert forged.status_code == 403  # no CSRF token
    assert set_reply_emails(site, True) == 303
    assert 'id="reply-emails-enabled" checked' in site.client.get("/account/settings").text
    assert json.loads(site.client.get("/account/export").text)["profile"]["reply_emails"]

    top = comment(site, "Why does attention cost $O(n^2)$?")
    reply(site, top, "Answering myself")  # a reply to oneself emails nobody
    mails = len(sink.messages)
    assert site.services.digests.send_due().replies_sent == 0
    sign_up(site, "bob", "bob@example.org")
    answer = reply(site, top, HOSTILE_REPLY)
    report = site.services.digests.send_due()
    assert (report.replies_sent, report.replies_failed, report.replies_deferred) == (1, 0, 0)
    assert len(sink.messages) == mails + 1
    assert site.services.digests.send_due().replies_sent == 0  # a re-run sends nothing twice
    assert len(sink.messages) == mails + 1

    message = mail(sink, mails)
    assert message["To"] == "alice@example.org" and message["From"] == SENDER
    assert message["Subject"] == "papertide: bob replied to your comment"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    off_url = str(message["List-Unsubscribe"]).strip("<>")
    assert off_url.startswith(f"{BASE_URL}/digest/replies/off?token=")
    text, html = part(message, "plain"), part(message, "html")
    thread = f"{BASE_URL}/papers/{PLAIN_ID}#comment-{answer}"
    assert thread in text and f'href="{thread}"' in html
    assert "> <script>alert('reply')</script>" in text  # plain text: as written, quoted
    assert "$\\frac{a}{b} < c$" in text
    assert "<script" not in html and "<img src=x" not in html
    assert "[click](javascript:alert(3))" in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(&#39;reply&#39;)&lt;/script&gt;" in html
    assert "$\\frac{a}{b} &lt; c$" in html  # LaTeX stays text, escaped
    assert "Tom &amp;amp; Jerry" in html

    opened = site.client.get(local(thread))
    assert opened.status_code == 200 and f'id="comment-{answer}"' in opened.text

    site.client.cookies.clear()  # a mail client: no session, no CSRF token
    shown = site.client.get(local(off_url))
    assert shown.status_code == 200 and 'id="replies-off-form"' in shown.text
    assert site.store.reply_emails_on(1)  # a GET (mail scanners) changes nothing
    done = site.client.post(local(off_url), data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and 'id="replies-off-done"' in done.text
    log_in_again(site, "alice")
    assert 'id="reply-emails-enabled" checked' not in site.client.get("/account/settings").text
    log_in_again(site, "bob")
    reply(site, top, "Are you still there?")
    site.clock.sleep(3600)
    assert site.services.digests.send_due().replies_sent == 0
    assert len(sink.messages) == mails + 1


def test_replies_arriving_together_wait_for_the_rate_bound_and_go_in_one_email(
    site: Site, sink: SmtpSink
) -> None:
    top = alice_asks_and_bob_answers(site, sink, "First answer")
    digests = site.services.digests
    assert digests.send_due().replies_sent == 1
    before = len(sink.messages)
    for n in range(3):
        reply(site, top, f"Follow-up {n}")
    site.clock.sleep(10 * 60)
    assert digests.send_due().replies_sent == 0  # 10 minutes after the last email
    site.clock.sleep(21 * 60)
    assert digests.send_due().replies_sent == 1
    assert len(sink.messages) == before + 1
    message = mail(sink, before)
    assert message["Subject"] == "papertide: 3 new replies to your comments"
    text = part(message, "plain")
    assert [f"Follow-up {n}" in text for n in range(3)] == [True] * 3
    assert "First answer" not in text


def test_reply_email_the_server_defers_is_resent_later_with_its_message_id(
    site: Site, sink: SmtpSink
) -> None:
    alice_asks_and_bob_answers(site, sink, "An answer")
    sink.busy = 1  # DATA answered 451 once
    before = len(sink.messages)
    assert site.services.digests.send_due().replies_deferred == 1
    assert len(sink.messages) == before
    report = site.services.digests.send_due()
    assert report.replies_sent == 1 and len(sink.messages) == before + 1
    assert site.services.digests.send_due().replies_sent == 0
    (row,) = site.store.export_rows("reply_emails", None, 10)
    assert row[2] == str(mail(sink, before)["Message-ID"]) and row[3] == "sent" and row[4] == 2


def test_digest_send_command_sends_reply_emails_once(
    tmp_path: Path, smtp_server: Controller, sink: SmtpSink
) -> None:
    db = tmp_path / "cli.db"
    store = SqliteStore(db, FixedClock(datetime.now(UTC)))  # the command runs on the real clock
    store.migrate()
    store.write_batch(records(), [])
    ada = store.create_user("ada", "ada@example.org", "h")
    bob = store.create_user("bob", "bob@example.org", "h")
    store.confirm_email(ada.id, "ada@example.org")
    store.set_reply_emails(ada.id, True)
    top = store.add_comment(ada.id, PLAIN_ID, "Top")
    store.add_reply(bob.id, top.id, "A reply")
    store.close()
    environment = {
        **os.environ,
        "PAPERTIDE_DB": str(db),
        "PAPERTIDE_SMTP_HOST": "127.0.0.1",
        "PAPERTIDE_SMTP_PORT": str(smtp_server.port),
        "PAPERTIDE_SMTP_TLS": "none",
        "PAPERTIDE_MAIL_FROM": SENDER,
        "PAPERTIDE_BASE_URL": BASE_URL,
        "PAPERTIDE_SECRET_KEY": "cli-test-secret",
    }
    command = [sys.executable, "-m", "papertide", "digest", "send"]
    dry = subprocess.run(
        [*command, "--dry-run"], capture_output=True, text=True, env=environment, timeout=120
    )
    assert dry.returncode == 0 and dry.stdout.strip() == "Dry run: 1 would send"
    first = subprocess.run(
        [*command, "--json"], capture_output=True, text=True, env=environment, timeout=120
    )
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["replies_sent"] == 1 and len(sink.messages) == 1
    again = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120)
    assert again.returncode == 0 and again.stdout.strip() == "Digests: 0 sent"
    assert sink.recipients == [["ada@example.org"]]
    assert "A reply" in part(mail(sink, 0), "plain")


def test_reply_email_off_link_that_is_forged_or_expired_is_refused(
    site: Site, sink: SmtpSink
) -> None:
    sign_up(site, "alice", "alice@example.org")
    confirm_email(site, sink)
    assert set_reply_emails(site, True) == 303
    link = site.services.digests.replies.off_link(1)
    token = urlsplit(link).query.removeprefix("token=")
    forged = site.client.post("/digest/replies/off", data={"token": token[:-2] + "xx"})
    assert forged.status_code == 400 and site.store.reply_emails_on(1)
    site.clock.sleep(timedelta(days=366).total_seconds())
    expired = site.client.post("/digest/replies/off", data={"token": token})
    assert expired.status_code == 400 and site.store.reply_emails_on(1)


def test_reply_emails_cannot_be_turned_on_when_the_site_sends_no_mail(tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    store = SqliteStore(tmp_path / "web.db", clock)
    store.migrate()
    store.write_batch(records(), [])
    services = site_services(store, clock, mailer=NoMailServer())
    with TestClient(create_app(services)) as client:
        site = Site(client, services, store, clock, CannedArxiv())
        sign_up(site, "alice", "alice@example.org")
        store.confirm_email(1, "alice@example.org")
        page = site.client.get("/account/settings").text
        assert 'id="reply-emails-no-mail"' in page and 'id="reply-emails-form"' not in page
        assert set_reply_emails(site, True) == 503 and not store.reply_emails_on(1)
    store.close()


def test_no_reply_email_to_a_changed_address_until_it_is_confirmed(
    site: Site, sink: SmtpSink
) -> None:
    alice_asks_and_bob_answers(site, sink, "An answer")
    site.store.set_email(1, "alice@elsewhere.org")  # as an email change does, unconfirmed
    before = len(sink.messages)
    assert site.services.digests.send_due().replies_sent == 0
    assert len(sink.messages) == before
    log_in_again(site, "alice")
    page = site.client.get("/account/settings").text
    assert 'id="reply-emails-paused"' in page and 'id="reply-emails-enabled" checked' in page
    confirm_email(site, sink)
    assert site.services.digests.send_due().replies_sent == 1
    assert mail(sink, len(sink.messages) - 1)["To"] == "alice@elsewhere.org"
