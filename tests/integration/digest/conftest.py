"""Digest fixtures: a real SQLite store in tmp_path with listed papers, a DigestService over it
with a RecordingMailer, and a real SMTP server (aiosmtpd) on a free loopback port."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from papertide.clock import FixedClock
from papertide.digest.send import RecordingMailer
from papertide.digest.service import DigestService
from papertide.digest.tokens import DigestTokens
from papertide.models import Listing, Paper, Record
from papertide.store.base import Store
from papertide.store.digest_base import Subscription
from papertide.store.sqlite import SqliteStore

TUESDAY = datetime(2026, 1, 6, 7, 0, tzinfo=UTC)  # daily period 2026-01-06 covers Mon 5 Jan
MONDAY = date(2026, 1, 5)
SECRET = b"digest-tests-secret-key-32-bytes"
BASE_URL = "https://papers.example.org"
SENDER = "papertide <digest@example.org>"


def paper_id(n: int) -> str:
    return f"2601.{n:05d}"


def list_papers(store: Store, day: date, numbers: range, upvotes: int = 0) -> None:
    """Papers `numbers` listed on `day`; a higher number has more upvotes (ranks higher)."""
    records = [
        Record(
            Paper(
                id=paper_id(n),
                title=f"Paper {n}: sparse attention with $\\mathcal{{O}}(n)$ <memory>",
                abstract=f"We study problem {n} & its friends.",
                authors=("Ada Lovelace", f"Author {n}"),
                categories=("cs.LG",),
                published=datetime.combine(day, datetime.min.time(), UTC),
            ),
            Listing(day=day, paper_id=paper_id(n), position=n, upvotes=upvotes + n),
        )
        for n in numbers
    ]
    store.write_batch(records, [])


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TUESDAY)


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "digest.db", clock)
    opened.migrate()
    list_papers(opened, MONDAY, range(1, 16))
    yield opened
    opened.close()


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def digests(store: SqliteStore, clock: FixedClock, mailer: RecordingMailer) -> DigestService:
    return DigestService(store, clock, mailer, DigestTokens(SECRET, clock), BASE_URL, SENDER)


def subscribed(digests: DigestService, email: str, **preferences: Any) -> Subscription:
    """A confirmed subscription (admins may skip the confirmation email)."""
    return digests.subscribe(email, confirmed=True, **preferences)


@dataclass
class SmtpSink:
    """What the test SMTP server received, and how it answers: `refuse` maps a recipient to
    its RCPT answer, `busy` answers DATA with 451 that many times, `delay_s` sleeps in DATA
    before accepting, and once `accept_limit` messages are accepted, DATA waits for good. A
    client that dies while DATA sleeps or waits never had that message accepted."""

    messages: list[bytes] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    busy: int = 0
    delay_s: float = 0.0
    accept_limit: int | None = None
    started: int = 0

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook names and arguments
        self,
        _server: Any,
        _session: Any,
        envelope: Any,
        address: str,
        _options: Any,
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self,
        _server: Any,
        _session: Any,
        envelope: Any,
    ) -> str:
        self.started += 1
        if self.busy:
            self.busy -= 1
            return "451 4.3.0 busy, try again later"
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.accept_limit is not None and len(self.messages) >= self.accept_limit:
            await asyncio.Event().wait()  # until the client goes away
        self.messages.append(bytes(envelope.content))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 2.0.0 accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sink() -> SmtpSink:
    return SmtpSink()


@pytest.fixture
def smtp_server(sink: SmtpSink) -> Iterator[Controller]:
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def later(clock: FixedClock, days: int) -> None:
    clock.current += timedelta(days=days)
