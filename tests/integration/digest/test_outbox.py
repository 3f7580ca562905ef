"""The outbox on threads over a real SQLite store: once a delivery fails, no other starts, and
the claims left behind are sent, once each, by the next run."""

import itertools
import time
from collections import Counter

import pytest

from papertide.digest.send import MailServerError, OutgoingEmail, RecordingMailer, SendResult
from papertide.digest.service import DigestService
from papertide.store.sqlite import SqliteStore
from tests.integration.digest.conftest import subscribed


def test_outbox_starts_no_delivery_after_one_failed(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore
):
    mailer.concurrency = 2
    subs = [subscribed(digests, f"u{n}@example.org") for n in range(20)]
    calls = itertools.count()

    def down_once_then_slow(_email: OutgoingEmail) -> SendResult | None:
        if next(calls) == 0:
            raise MailServerError("cannot reach the mail server")
        time.sleep(0.2)  # the other thread's send: under way when the first one fails
        return None

    mailer.decide = down_once_then_slow
    with pytest.raises(MailServerError, match="cannot reach"):
        digests.send_due()
    assert len(mailer.attempts) <= 2  # the one that failed and the one already under way
    rows = [row for sub in subs for row in store.sends_of(sub.id)]
    statuses = Counter(row.status for row in rows)
    assert statuses["failed"] == 1 and statuses["sent"] == len(mailer.attempts) - 1
    assert statuses["claimed"] == len(rows) - len(mailer.attempts)  # claimed, never sent

    mailer.decide = None
    report = digests.send_due()
    assert (report.resent, report.sent) == (len(rows) - statuses["sent"], len(subs) - len(rows))
    assert sorted(email.to for email in mailer.sent) == sorted(sub.email for sub in subs)
