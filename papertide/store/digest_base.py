"""The DigestStore protocol and its values: subscriptions, the digest send log, papers already
sent and ratings. No SQL here but the key ratings are upserted on, the same on every engine
(see sqlite/digest.py and postgres/digest.py); the digest stage builds on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

CADENCES = ("daily", "weekly")
CONTENTS = ("trending", "personal", "both")
Shard = tuple[int, int]  # (i, n): the subscriptions with id % n == i
# a subscription's state in SQL (the same on every engine; see Subscription.is_active)
SUBSCRIPTION_STATE = (
    "CASE WHEN unsubscribed_at IS NOT NULL THEN 'unsubscribed'"
    " WHEN paused_at IS NOT NULL THEN 'paused'"
    " WHEN confirmed_at IS NULL THEN 'pending' ELSE 'active' END"
)
SUBSCRIPTION_STATES = ("active", "pending", "paused", "unsubscribed")


@dataclass(frozen=True, slots=True)
class Subscription:
    """An email address that asked for digests; `user_id` None when subscribed without account.

    It receives digests once confirmed (double opt-in), until unsubscribed or paused (after
    repeated bounces). `bounces` counts permanent failures since the last delivery.
    """

    id: int
    email: str
    user_id: int | None
    cadence: str
    content: str
    created_at: datetime
    confirmed_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    paused_at: datetime | None = None
    bounces: int = 0
    last_error: str | None = None
    epoch: int = 0  # +1 each time it starts again after ending: links of before stop working

    @property
    def is_active(self) -> bool:
        """Confirmed, not unsubscribed, not paused: digests go out."""
        return self.confirmed_at is not None and not self.unsubscribed_at and not self.paused_at

    @property
    def state(self) -> str:
        """One word: pending, active, paused or unsubscribed."""
        if self.unsubscribed_at:
            return "unsubscribed"
        if self.paused_at:
            return "paused"
        return "active" if self.confirmed_at else "pending"


@dataclass(frozen=True, slots=True)
class DigestSend:
    """One row of the send log: the digest of one subscription for one period.

    `status` claimed (committed before sending), sent, or failed (`retry` True: temporarily,
    the next run tries again). `message_id`, `paper_ids` and `items` (the digest plan, opaque
    JSON text to the store) are fixed at the claim, so a re-send is the very same message.
    """

    subscription_id: int
    period: str
    status: str
    message_id: str
    paper_ids: tuple[str, ...]
    items: str
    attempts: int
    claimed_at: datetime
    finished_at: datetime | None = None
    retry: bool = False
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Rating:
    """A thumbs up (+1, relevant) or down (-1, not relevant) on a paper, from the web or email."""

    paper_id: str
    value: int
    source: str
    at: datetime


def rating_key(user_id: int | None) -> str:
    """The unique key a rating is upserted on (an ON CONFLICT target, the same on every
    engine): the user's (user_id, paper_id), or, without a user, the subscription's."""
    if user_id is None:
        return "(subscription_id, paper_id) WHERE user_id IS NULL"
    return "(user_id, paper_id) WHERE user_id IS NOT NULL"


def rating_owners(subscriptions: Sequence[Subscription]) -> tuple[dict[int, list[int]], list[int]]:
    """Whose ratings each subscription reads: subscription ids by user id, and the ids of the
    subscriptions without an account (they read their own)."""
    by_user: dict[int, list[int]] = {}
    for sub in subscriptions:
        if sub.user_id is not None:
            by_user.setdefault(sub.user_id, []).append(sub.id)
    return by_user, [sub.id for sub in subscriptions if sub.user_id is None]


class DigestStore(Protocol):
    """Subscriptions, the send log, papers sent and ratings. Every write is one transaction."""

    def add_subscription(
        self, email: str, cadence: str, content: str, user_id: int | None = None
    ) -> Subscription:
        """Create a pending subscription (linked to `user_id` if given), or restart an
        unsubscribed or paused one as pending with these preferences and the next epoch (its
        user link unchanged); a pending or active one is returned unchanged. Emails compare
        case-insensitively."""
        ...

    def subscription(self, subscription_id: int) -> Subscription | None: ...

    def subscription_for_email(self, email: str) -> Subscription | None: ...

    def subscriptions_of_user(self, user_id: int) -> list[Subscription]: ...

    def confirm_subscription(self, subscription_id: int) -> Subscription | None:
        """Mark a pending subscription confirmed; any other state is left as it is."""
        ...

    def link_subscription(self, subscription_id: int, user_id: int) -> Subscription | None:
        """Link a subscription to the account whose owner proved the address is theirs."""
        ...

    def set_subscription_preferences(
        self, subscription_id: int, cadence: str, content: str
    ) -> Subscription | None: ...

    def end_subscription(self, subscription_id: int) -> Subscription | None:
        """Unsubscribe (idempotent: the first time is kept)."""
        ...

    def due_subscriptions(
        self, cadence: str, period: str, shard: Shard, after_id: int, limit: int
    ) -> list[Subscription]:
        """Active subscriptions of this cadence and shard, with id > after_id and no send log
        row for `period`, by id."""
        ...

    def claim_send(
        self,
        subscription_id: int,
        period: str,
        message_id: str,
        paper_ids: Sequence[str],
        items: str,
    ) -> bool:
        """Commit a `claimed` row for (subscription, period); False (nothing written) when the
        period has a row already."""
        ...

    def open_sends(self, shard: Shard, since: datetime, max_attempts: int) -> list[DigestSend]:
        """This shard's rows claimed since `since` but never finished, and those failed
        temporarily with fewer than `max_attempts` attempts, oldest claim first."""
        ...

    def reclaim_send(self, subscription_id: int, period: str) -> bool:
        """Claim an open row again (one more attempt); False when it is no longer open."""
        ...

    def mark_sent(self, subscription_id: int, period: str) -> None:
        """Mark the row sent, record its papers as sent and reset the bounce count."""
        ...

    def mark_failed(
        self,
        subscription_id: int,
        period: str,
        error: str,
        retry: bool,
        bounce: bool = False,
        pause_after: int = 3,
    ) -> Subscription | None:
        """Mark the row failed: `retry` leaves it to the next run (a temporary failure);
        `bounce` counts a bounce (a permanent failure), which pauses the subscription when it
        reaches `pause_after` bounces."""
        ...

    def sends_of(self, subscription_id: int) -> list[DigestSend]:
        """The subscription's send log, newest period first."""
        ...

    def sent_paper_ids(
        self, subscription_ids: Sequence[int], paper_ids: Sequence[str]
    ) -> dict[int, set[str]]:
        """Which of these papers each of these subscriptions was sent already."""
        ...

    def digest_lock(self, shard: Shard) -> AbstractContextManager[bool]:
        """Hold the send lock of a shard while the block runs; yields False when another
        process holds it. The lock ends with its process, however that ends."""
        ...

    def set_rating(
        self,
        paper_id: str,
        value: int,
        source: str,
        user_id: int | None = None,
        subscription_id: int | None = None,
    ) -> None:
        """Record a rating (the rater's latest rating of a paper wins): the user's when
        `user_id` is given, else the subscription's. PaperNotFoundError for unknown papers."""
        ...

    def ratings_of(
        self,
        user_id: int | None = None,
        subscription_id: int | None = None,
        limit: int | None = None,
    ) -> list[Rating]:
        """A user's ratings, or those of a subscription without account; newest first (the
        newest `limit` of them when given)."""
        ...

    def clear_ratings(self, user_id: int, paper_id: str | None = None) -> int:
        """Delete a user's ratings (of one paper, or all of them); how many were deleted."""
        ...

    def ratings_for(self, subscriptions: Sequence[Subscription]) -> dict[int, list[Rating]]:
        """Ratings of each subscription (its user's when it has one), newest first, by id."""
        ...


class FeedbackStore(Protocol):
    """A user's ratings as the for-you model and the paper lists read them."""

    def rating_values(self, user_id: int, limit: int) -> list[tuple[str, int]]:
        """(paper id, value) of the user's newest `limit` ratings, newest first: the columns
        of ratings_of that the model learns from, without the source and time to convert."""
        ...

    def ratings_on(self, user_id: int, paper_ids: Sequence[str]) -> dict[str, int]:
        """The user's rating value of each of `paper_ids` they rated (the thumbs a list of
        papers shows), whatever the number of their other ratings."""
        ...
