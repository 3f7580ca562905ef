"""Digest fault tests on PostgreSQL: real `papertide digest send` processes against a real SMTP
server, with the database server killed (SIGKILL) mid-run, and sharded senders (one of them
killed) sharing one database. Each digest reaches its subscriber exactly once (or, in the one
documented ambiguous case, twice with the same Message-ID). These tests crash their own server.
"""

from __future__ import annotations

import email
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy

import psycopg
import pytest
from aiosmtpd.controller import Controller

from papertide.clock import FixedClock
from papertide.store.postgres import PostgresStore
from papertide.store.postgres.connection import POOL_TIMEOUT_S
from tests.integration.digest.conftest import SmtpSink, free_port, list_papers
from tests.integration.digest.test_send_cli import SENDER, last_week, recipients, wait_for
from tests.pg_cluster import PgCluster

pytestmark = pytest.mark.postgres
SUBSCRIBERS = 300  # 10 ms a message on 2 connections: a run lasts seconds, a kill lands inside
SHARDS = 3
# SMTP connections of each sender: at most this many digests are being transferred when a
# run is killed, so at most this many can be taken by the SMTP server but never marked sent
CONNECTIONS = 2


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[PgCluster]:
    cluster = PgCluster.create()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture(scope="module")
def database_numbers() -> Iterator[int]:
    return itertools.count()


@pytest.fixture
def database(own_cluster: PgCluster, database_numbers: Iterator[int]) -> str:
    """A new migrated database with a week of papers and SUBSCRIBERS weekly subscribers."""
    name = f"digest_{next(database_numbers)}"
    with psycopg.connect(own_cluster.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}".encode())
    url = own_cluster.url(name)
    store = PostgresStore(url, FixedClock())
    store.migrate()
    list_papers(store, last_week(), range(1, 13))
    for address in addresses():
        store.confirm_subscription(store.add_subscription(address, "weekly", "both").id)
    store.close()
    return url


def addresses() -> list[str]:
    return [f"reader{n:03d}@example.org" for n in range(SUBSCRIBERS)]


@dataclass(frozen=True, slots=True)
class Smtp:
    """A running test SMTP server: what it received, and its port."""

    sink: SmtpSink
    port: int


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    """Each DATA takes 10 ms, so a run lasts seconds."""
    sink = SmtpSink(delay_s=0.01)
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield Smtp(sink, controller.port)
    controller.stop()


def sender(url: str, smtp: Smtp, *args: str) -> subprocess.Popen[str]:
    """A `papertide digest send --json` process, its output piped."""
    environment = {
        **os.environ,
        "PAPERTIDE_SMTP_HOST": "127.0.0.1",
        "PAPERTIDE_SMTP_PORT": str(smtp.port),
        "PAPERTIDE_SMTP_TLS": "none",
        "PAPERTIDE_SMTP_CONNECTIONS": str(CONNECTIONS),
        "PAPERTIDE_MAIL_FROM": SENDER,
        "PAPERTIDE_BASE_URL": "https://papers.example.org",
        "PAPERTIDE_SECRET_KEY": "digest-fault-secret",
    }
    command = [sys.executable, "-m", "papertide", "digest", "send", "--db", url, "--json", *args]
    return subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finished(process: subprocess.Popen[str]) -> dict[str, int]:
    """The report of a sender that must succeed."""
    output, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors
    report: dict[str, int] = json.loads(output)
    return report


def ids_by_recipient(sink: SmtpSink) -> dict[str, Counter[str]]:
    """Each recipient's received Message-IDs, with how many copies of each."""
    found: dict[str, Counter[str]] = {}
    for data, envelope in zip(sink.messages, sink.recipients, strict=True):
        message = email.message_from_bytes(data, policy=policy.default)
        for address in envelope:
            found.setdefault(address, Counter())[str(message["Message-ID"])] += 1
    return found


def logged_ids(url: str) -> dict[str, str]:
    """Each subscriber's Message-ID in the send log; every row must be `sent`, one a period."""
    store = PostgresStore(url, FixedClock())
    rows: dict[str, str] = {}
    for address in addresses():
        sub = store.subscription_for_email(address)
        assert sub is not None
        [row] = store.sends_of(sub.id)  # (subscription, period) is unique: one row
        assert row.status == "sent", row
        rows[address] = row.message_id
    store.close()
    return rows


def assert_each_digest_once(url: str, sink: SmtpSink, ambiguous: int) -> None:
    """Every subscriber got its digest under the Message-ID the send log holds, one copy,
    or a second copy of the same message for at most `ambiguous` subscribers."""
    received = ids_by_recipient(sink)
    assert set(received) == set(addresses())  # none missed
    assert {address: set(ids) for address, ids in received.items()} == {
        address: {message_id} for address, message_id in logged_ids(url).items()
    }  # no subscriber got two different digests
    copies = Counter(sum(ids.values()) for ids in received.values())
    assert set(copies) <= {1, 2} and copies[2] <= ambiguous, copies


def ambiguous_copies(sink: SmtpSink) -> int:
    """Second copies: a digest the server took just before its `sent` mark was lost."""
    return len(sink.messages) - len(recipients(sink))  # one recipient a message


def delivered_to(sink: SmtpSink, shard: int) -> int:
    """Messages the sink accepted for subscribers of this shard (ids 1..N in address order)."""
    index = {address: n + 1 for n, address in enumerate(addresses())}
    return sum(1 for address in recipients(sink) if index[address] % SHARDS == shard)


def test_postgres_killed_mid_digest_run_then_rerun_sends_each_digest_once(
    own_cluster: PgCluster, database: str, smtp: Smtp
):
    sink = smtp.sink
    first = sender(database, smtp)
    wait_for(lambda: len(sink.messages) >= 60 or first.poll() is not None)
    own_cluster.kill()
    started = time.monotonic()
    _, errors = first.communicate(timeout=60)
    failed_after_s = time.monotonic() - started
    assert first.returncode == 1, "the run finished before the server was killed"
    # one line, no traceback
    assert errors.startswith("Error: PostgreSQL is unavailable"), errors
    assert len(errors.strip().splitlines()) == 1, errors
    # one pool timeout: the deliveries under way and the next claim wait for it side by side
    assert failed_after_s < POOL_TIMEOUT_S + 4, f"the sender gave up after {failed_after_s:.1f} s"
    before = len(sink.messages)
    assert 60 <= before < SUBSCRIBERS

    own_cluster.start()
    rerun = finished(sender(database, smtp))
    assert rerun["sent"] + rerun["resent"] == SUBSCRIBERS - before + ambiguous_copies(sink)
    assert (rerun["failed"], rerun["deferred"]) == (0, 0)
    assert_each_digest_once(database, sink, ambiguous=CONNECTIONS)
    again = finished(sender(database, smtp))
    assert (again["sent"], again["resent"]) == (0, 0)
    assert len(sink.messages) == SUBSCRIBERS + ambiguous_copies(sink)


def test_postgres_sharded_senders_send_each_digest_once(database: str, smtp: Smtp):
    senders = [sender(database, smtp, "--shard", f"{i}/{SHARDS}") for i in range(SHARDS)]
    # subscription ids 1..300: each shard sends its own third, and no other's
    assert [finished(process)["sent"] for process in senders] == [SUBSCRIBERS // SHARDS] * SHARDS
    assert_each_digest_once(database, smtp.sink, ambiguous=0)
    rounds = [sender(database, smtp, "--shard", f"{i}/{SHARDS}") for i in range(SHARDS)]
    assert [finished(process)["sent"] for process in rounds] == [0] * SHARDS
    assert len(smtp.sink.messages) == SUBSCRIBERS


def test_postgres_shard_killed_mid_run_then_rerun_sends_each_digest_once(database: str, smtp: Smtp):
    sink = smtp.sink
    senders = [sender(database, smtp, "--shard", f"{i}/{SHARDS}") for i in range(SHARDS)]
    victim = senders[1]
    wait_for(lambda: delivered_to(sink, 1) >= 20 or victim.poll() is not None)
    os.kill(victim.pid, signal.SIGKILL)
    assert victim.wait(30) == -signal.SIGKILL, "shard 1 finished before the kill"
    victim.communicate()
    for process in (senders[0], senders[2]):
        finished(process)
    assert delivered_to(sink, 1) < SUBSCRIBERS // SHARDS  # the kill cut shard 1 short
    rerun = finished(sender(database, smtp, "--shard", f"1/{SHARDS}"))
    assert rerun["resent"] >= 1  # the claims the kill left open were sent again
    assert_each_digest_once(database, sink, ambiguous=CONNECTIONS)
    again = finished(sender(database, smtp, "--shard", f"1/{SHARDS}"))
    assert (again["sent"], again["resent"]) == (0, 0)
    assert len(sink.messages) == SUBSCRIBERS + ambiguous_copies(sink)
