"""The outbox: sends claimed digests and writes each outcome to the send log, on as many
threads as the mailer can use (SMTP round trips overlap; composing stays on the caller's
thread). A row is claimed before it gets here and marked only after the mailer answered.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

from papertide.digest.send import PERMANENT, SENT, Mailer, MailServerError, OutgoingEmail
from papertide.store.digest_base import DigestStore, Subscription

PAUSE_AFTER_BOUNCES = 3
QUEUED_PER_THREAD = 2  # claimed digests waiting per sending thread (bounds memory and claims)


class NotAttemptedError(Exception):
    """A delivery not started because an earlier one failed."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed digest to send: its subscription, period key and message."""

    subscription: Subscription
    period: str
    email: OutgoingEmail
    resent: bool = False


def deliver(store: DigestStore, mailer: Mailer, delivery: Delivery) -> str:
    """Send one claimed digest and log the outcome: sent, deferred (temporary failure, the
    next run tries again), failed (a bounce) or paused (the bounce that paused it).
    MailServerError leaves the row to the next run and propagates."""
    sub, key = delivery.subscription, delivery.period
    try:
        result = mailer.send(delivery.email)
    except MailServerError as error:
        store.mark_failed(sub.id, key, str(error), retry=True)
        raise
    if result.status == SENT:
        store.mark_sent(sub.id, key)
        return "sent"
    bounce = result.status == PERMANENT
    after = store.mark_failed(
        sub.id, key, result.detail, retry=not bounce, bounce=bounce,
        pause_after=PAUSE_AFTER_BOUNCES,
    )  # fmt: skip
    if bounce and after is not None and after.paused_at and not sub.paused_at:
        return "paused"
    return "failed" if bounce else "deferred"


class Outbox:
    """Runs deliveries inline (one mailer thread) or on a pool, counting outcomes in `tally`.

    Leaving the `with` block waits for the deliveries under way. Once one delivery fails (the
    store or the mail server is lost), no other starts: each would fail too, or worse, be
    taken by the mail server and then not marked (a second copy on the next run). Deliveries
    not started stay claimed, and the next run re-sends them.
    """

    def __init__(self, store: DigestStore, mailer: Mailer, tally: Counter[str]) -> None:
        self.store = store
        self.mailer = mailer
        self.tally = tally
        threads = max(1, mailer.concurrency)
        self._pool = ThreadPoolExecutor(threads, "digest-send") if threads > 1 else None
        self._limit = threads * QUEUED_PER_THREAD
        self._pending: deque[tuple[Future[str], bool]] = deque()
        self._lock = threading.Lock()
        self._error: Exception | None = None  # the first failed delivery's

    def __enter__(self) -> Outbox:
        return self

    def submit(self, delivery: Delivery) -> None:
        if self._pool is None:
            self._count(deliver(self.store, self.mailer, delivery), delivery.resent)
            return
        if self._error is not None:
            raise self._error  # a delivery failed: claim and send no more
        while len(self._pending) >= self._limit:
            self._collect()
        future = self._pool.submit(self._deliver, delivery)
        self._pending.append((future, delivery.resent))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is None:
            return
        if kind is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            return
        try:
            while self._pending:
                self._collect()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _deliver(self, delivery: Delivery) -> str:
        """On a pool thread: deliver, unless an earlier delivery failed (the row stays
        claimed)."""
        if self._error is not None:
            raise NotAttemptedError
        try:
            return deliver(self.store, self.mailer, delivery)
        except Exception as error:
            with self._lock:
                self._error = self._error or error
            raise

    def _collect(self) -> None:
        """Count the oldest delivery, or raise its error. Deliveries not attempted were
        submitted after the one that failed, so that one's error is always raised first."""
        future, resent = self._pending.popleft()
        self._count(future.result(), resent)

    def _count(self, outcome: str, resent: bool) -> None:
        """A paused subscription failed too; a successful re-send counts as resent."""
        self.tally["resent" if resent and outcome == "sent" else outcome] += 1
        if outcome == "paused":
            self.tally["failed"] += 1
