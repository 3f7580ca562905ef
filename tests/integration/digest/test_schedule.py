"""The digest scheduler over a real DigestService: rounds, skips and failures."""

import logging
import threading

import pytest

from papertide.digest.schedule import DigestScheduler
from papertide.digest.send import MailServerError, OutgoingEmail, RecordingMailer, SendResult
from papertide.digest.service import DigestService, SendReport
from papertide.store.sqlite import SqliteStore
from tests.integration.digest.conftest import subscribed


def test_scheduler_round_sends_what_is_due(digests: DigestService, mailer: RecordingMailer):
    subscribed(digests, "ada@example.org")
    scheduler = DigestScheduler(digests.send_due)
    assert scheduler.run_once() == SendReport(sent=1)
    assert scheduler.run_once() == SendReport()
    assert len(mailer.sent) == 1


def test_scheduler_skips_a_round_while_another_process_sends(
    digests: DigestService, store: SqliteStore, caplog: pytest.LogCaptureFixture
):
    scheduler = DigestScheduler(digests.send_due)
    with store.digest_lock((0, 1)), caplog.at_level(logging.INFO, "papertide.digest"):
        assert scheduler.run_once() is None
    assert "another process is sending" in caplog.text


def test_scheduler_logs_a_failed_round_and_carries_on(
    digests: DigestService, mailer: RecordingMailer, caplog: pytest.LogCaptureFixture
):
    subscribed(digests, "ada@example.org")

    def down(_email: OutgoingEmail) -> SendResult:
        raise MailServerError("cannot reach the mail server")

    mailer.decide = down
    scheduler = DigestScheduler(digests.send_due)
    with caplog.at_level(logging.WARNING, "papertide.digest"):
        assert scheduler.run_once() is None
    assert "digest send failed" in caplog.text
    mailer.decide = None
    assert scheduler.run_once() == SendReport(resent=1)


def test_scheduler_thread_runs_rounds_until_stopped(digests: DigestService):
    rounds = threading.Semaphore(0)

    def send() -> SendReport:
        rounds.release()
        return digests.send_due()

    scheduler = DigestScheduler(send, interval_s=0.01)
    scheduler.start()
    scheduler.start()  # already running: no second thread
    assert rounds.acquire(timeout=10) and rounds.acquire(timeout=10)
    scheduler.stop()
    names = [thread.name for thread in threading.enumerate()]
    assert "digest-scheduler" not in names
