"""Reply emails: the per-account option and their outbox, sent with the digests. No SQL here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from papertide.models import Notification
from papertide.store.digest_base import Shard


@dataclass(frozen=True, slots=True)
class ReplyRecipient:
    """The account a reply email is for."""

    user_id: int
    username: str
    email: str


@dataclass(frozen=True, slots=True)
class ReplyBatch:
    """The replies of one reply email, oldest first: new ones (`message_id` None) or those of
    an open claim. `active`: the account still gets reply emails (opted in, not suspended,
    its current email confirmed)."""

    recipient: ReplyRecipient
    notifications: tuple[Notification, ...]
    message_id: str | None = None
    active: bool = True


def reply_batches(
    rows: Iterable[tuple[object, ReplyRecipient, Notification, str | None, bool]],
) -> list[ReplyBatch]:
    """Rows of (batch key, recipient, notification, message id, active), ordered by key, as
    batches."""
    batches: dict[object, ReplyBatch] = {}
    for key, recipient, note, message_id, active in rows:
        found = batches.get(key)
        notes = (*found.notifications, note) if found else (note,)
        batches[key] = ReplyBatch(recipient, notes, message_id, active)
    return list(batches.values())


class ReplyEmailStore(Protocol):
    """Reply emails: the per-account option and the outbox, a row per notification. A batch
    is claimed (committed, with its Message-ID) before it is sent and finished after the mail
    server answered, so a re-run re-sends an interrupted email and never a sent one."""

    def set_reply_emails(self, user_id: int, on: bool) -> None:
        """Turn the option on (kept as it is when on: replies since then are emailed) or off."""
        ...

    def reply_emails_on(self, user_id: int) -> bool: ...

    def due_reply_emails(
        self, shard: Shard, since: datetime, quiet_since: datetime
    ) -> list[ReplyBatch]:
        """One batch per active recipient with user_id % n == i: its unread notifications made
        at or after `since` and after it opted in, never claimed, of live replies by others;
        none for a recipient whose last reply email was claimed after `quiet_since`."""
        ...

    def claim_reply_email(
        self, user_id: int, notification_ids: Sequence[int], message_id: str
    ) -> bool:
        """Claim these notifications for one email; False (nothing claimed) when one is
        claimed already or the user turned the option off."""
        ...

    def open_reply_emails(
        self, shard: Shard, since: datetime, max_attempts: int
    ) -> list[ReplyBatch]:
        """Claims made at or after `since`, neither sent nor failed, tried fewer than
        `max_attempts` times: one batch per Message-ID (replies deleted since left out)."""
        ...

    def reclaim_reply_email(self, message_id: str, max_attempts: int) -> bool:
        """Count one more attempt of an open claim; False when it is not open any more."""
        ...

    def finish_reply_email(self, message_id: str, outcome: str, detail: str = "") -> None:
        """Record how a send ended: "sent", "failed" (for good) or "deferred" (stays open)."""
        ...
