"""`papertide digest ...` as real processes against a real SMTP server; the fault test kills a
sender with SIGKILL in the middle of a run and proves the re-run completes it exactly once."""

import email
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from papertide.clock import FixedClock
from papertide.store.digest_base import DigestSend
from papertide.store.sqlite import SqliteStore
from tests.integration.digest.conftest import SmtpSink, list_papers

SENDER = "papertide <digest@example.org>"
Run = Callable[..., subprocess.CompletedProcess[str]]


def last_week() -> date:
    """A day of the previous ISO week: what a weekly digest sent today covers."""
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday() + 5)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    store = SqliteStore(path, FixedClock())
    store.migrate()
    list_papers(store, last_week(), range(1, 13))
    store.close()
    return path


def add_weekly_subscribers(db: Path, count: int) -> list[str]:
    store = SqliteStore(db, FixedClock())
    emails = [f"reader{n:02d}@example.org" for n in range(count)]
    for address in emails:
        store.confirm_subscription(store.add_subscription(address, "weekly", "both").id)
    store.close()
    return emails


@pytest.fixture
def environment(db: Path, smtp_server: Controller) -> dict[str, str]:
    return {
        **os.environ,
        "PAPERTIDE_DB": str(db),
        "PAPERTIDE_SMTP_HOST": "127.0.0.1",
        "PAPERTIDE_SMTP_PORT": str(smtp_server.port),
        "PAPERTIDE_SMTP_TLS": "none",
        "PAPERTIDE_MAIL_FROM": SENDER,
        "PAPERTIDE_BASE_URL": "https://papers.example.org",
        "PAPERTIDE_SECRET_KEY": "cli-test-secret",
        "COLUMNS": "200",
    }


@pytest.fixture
def cli(environment: dict[str, str]) -> Run:
    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "papertide", "digest", *args],
            capture_output=True, text=True, env={**environment, **extra}, timeout=120,
        )  # fmt: skip

    return run


def recipients(sink: SmtpSink) -> Counter[str]:
    return Counter(address for found in sink.recipients for address in found)


def message_ids(sink: SmtpSink) -> Counter[str]:
    parsed = (email.message_from_bytes(data, policy=policy.default) for data in sink.messages)
    return Counter(str(message["Message-ID"]) for message in parsed)


def wait_for(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("connections", ["1", "4"])
def test_digest_send_killed_mid_run_then_rerun_sends_each_digest_exactly_once(
    db: Path, cli: Run, environment: dict[str, str], sink: SmtpSink, connections: str
):
    emails = add_weekly_subscribers(db, 8)
    sink.delay_s, sink.accept_limit = 0.2, 3
    environment = {**environment, "PAPERTIDE_SMTP_CONNECTIONS": connections}
    command = [sys.executable, "-m", "papertide", "digest", "send"]
    sender = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    # 3 messages accepted and logged as sent; the next ones wait in DATA, not yet accepted
    wait_for(lambda: sink.started > 3 and count_sent(db, emails) == 3)
    os.kill(sender.pid, signal.SIGKILL)
    assert sender.wait(30) == -signal.SIGKILL
    statuses = Counter(row.status for row in send_log(db, emails).values() if row)
    assert statuses["sent"] == 3 and statuses["claimed"] >= 1  # claims committed first
    assert set(statuses) == {"sent", "claimed"}
    claimed = statuses["claimed"]
    time.sleep(0.5)
    assert len(sink.messages) == 3  # the transfers the kill cut short were never accepted

    sink.delay_s, sink.accept_limit = 0.0, None
    rerun = cli("send", "--json", PAPERTIDE_SMTP_CONNECTIONS=connections)
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert (report["resent"], report["sent"]) == (claimed, 5 - claimed)
    assert (report["deferred"], report["failed"]) == (0, 0)
    assert recipients(sink) == Counter(emails)  # none missed, none doubled
    logged = send_log(db, emails)
    assert {row.status for row in logged.values() if row} == {"sent"}
    assert message_ids(sink) == Counter(row.message_id for row in logged.values() if row)
    again = cli("send")
    assert again.returncode == 0 and again.stdout.strip() == "Digests: 0 sent"
    assert len(sink.messages) == 8


def count_sent(db: Path, emails: list[str]) -> int:
    return sum(1 for row in send_log(db, emails).values() if row and row.status == "sent")


def send_log(db: Path, emails: list[str]) -> dict[str, DigestSend | None]:
    """Each subscriber's send log row of this period (None when not claimed)."""
    store = SqliteStore(db, FixedClock())
    rows: dict[str, DigestSend | None] = {}
    for address in emails:
        sub = store.subscription_for_email(address)
        assert sub is not None
        found = store.sends_of(sub.id)
        rows[address] = found[0] if found else None
    store.close()
    return rows


def test_digest_send_shards_in_parallel_send_each_digest_once(
    db: Path, environment: dict[str, str], sink: SmtpSink
):
    emails = add_weekly_subscribers(db, 9)
    sink.delay_s = 0.05
    command = [sys.executable, "-m", "papertide", "digest", "send", "--shard"]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    senders = [
        subprocess.Popen([*command, f"{i}/3"], env=environment, **pipes)  # type: ignore[call-overload]
        for i in range(3)
    ]
    outputs = [sender.communicate(timeout=120) for sender in senders]
    assert [sender.returncode for sender in senders] == [0, 0, 0], outputs
    assert recipients(sink) == Counter(emails)


def test_digest_subscribe_preview_and_unsubscribe(cli: Run, tmp_path: Path, sink: SmtpSink):
    pending = cli("subscribe", "ada@example.org", "--cadence", "weekly")
    assert pending.returncode == 0, pending.stderr
    assert pending.stdout.strip() == "ada@example.org: pending (weekly, both)"
    (confirmation,) = sink.messages
    assert b"digest/confirm?token=" in confirmation
    active = cli("subscribe", "bob@example.org", "--confirmed", "--content", "trending")
    assert active.stdout.strip() == "bob@example.org: active (daily, trending)"
    assert len(sink.messages) == 1

    shown = cli("preview", "ada@example.org")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Subject: papertide: 10 trending papers, week of")
    for suffix, marker in ((".html", "<!DOCTYPE html>"), (".eml", "multipart/alternative")):
        out = tmp_path / f"preview{suffix}"
        assert cli("preview", "ada@example.org", "--out", str(out)).returncode == 0
        assert marker in out.read_text()
    out = tmp_path / "preview.txt"
    assert cli("preview", "ada@example.org", "--out", str(out)).returncode == 0
    assert out.read_text().startswith("Subject: ")

    ended = cli("unsubscribe", "ada@example.org")
    assert ended.stdout.strip() == "ada@example.org: unsubscribed"
    missing = cli("unsubscribe", "nobody@example.org")
    assert missing.returncode == 1 and "no subscription" in missing.stderr


def test_digest_send_dry_run_sends_nothing(cli: Run, db: Path, sink: SmtpSink):
    add_weekly_subscribers(db, 3)
    dry = cli("send", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip() == "Dry run: 3 would send"
    assert sink.messages == []


def test_digest_send_explains_a_missing_mail_server(cli: Run, db: Path):
    add_weekly_subscribers(db, 1)
    failed = cli("send", PAPERTIDE_SMTP_HOST="")
    assert failed.returncode == 1
    assert "no mail server configured" in failed.stderr and "Traceback" not in failed.stderr


def test_digest_send_refuses_a_bad_shard(cli: Run):
    bad = cli("send", "--shard", "2/2")
    assert bad.returncode == 1 and "--shard must be I/N" in bad.stderr
    worse = cli("send", "--shard", "x")
    assert worse.returncode == 1 and "--shard must be I/N" in worse.stderr
