"""What curators and admins read and change: users, moderation, quarantine, invites,
the audit log. No SQL here."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from papertide.models import (
    AuditEntry,
    Comment,
    Invite,
    Listing,
    Paper,
    QuarantineEntry,
    User,
)
from papertide.store.digest_base import DigestSend


class AdminStore(Protocol):
    """Running a site for a group: finding, suspending and deleting users, a user's own data,
    moderation, invite links and the curators' audit log. Every write is one transaction."""

    def find_users(self, query: str, limit: int) -> list[User]:
        """Users whose username or email contains `query` (any case; all when blank), by
        username."""
        ...

    def set_suspended(self, user_id: int, suspended: bool) -> None:
        """Suspend (its sessions are deleted; its API tokens stop working) or restore a user."""
        ...

    def delete_sessions(self, user_id: int) -> int:
        """Log a user out everywhere; how many sessions were deleted."""
        ...

    def set_email(self, user_id: int, email: str) -> None:
        """ConflictError when another user has this email (any case)."""
        ...

    def delete_user(self, user_id: int) -> None:
        """Delete a user with its sessions, tokens, votes, comments, collections, follows and
        ratings; its digest subscriptions end."""
        ...

    def votes_of(self, user_id: int) -> list[tuple[str, datetime]]:
        """(paper id, when) of the user's votes, oldest first."""
        ...

    def comments_of(self, user_id: int) -> list[Comment]:
        """The user's comments not deleted, oldest first."""
        ...

    def recent_comments(self, limit: int, deleted: bool = False) -> list[Comment]:
        """Newest comments first: those not deleted, or (`deleted`) only deleted ones."""
        ...

    def restore_comment(self, comment_id: int) -> bool:
        """Undo a delete_comment; False when the comment was not deleted."""
        ...

    def create_invite(
        self, token_hash: str, created_by: int | None, expires_at: datetime, max_uses: int
    ) -> Invite: ...

    def invites(self, limit: int) -> list[Invite]:
        """Newest first."""
        ...

    def invite_for(self, token_hash: str) -> Invite | None: ...

    def redeem_invite(self, token_hash: str) -> bool:
        """Count one use of the invite, in one transaction, if it is still usable (not
        expired, revoked or used up by the store's clock); False otherwise."""
        ...

    def revoke_invite(self, invite_id: int) -> bool:
        """False when there is no such invite or it was revoked already."""
        ...

    def add_audit(self, actor: str, action: str, target: str, detail: str = "") -> AuditEntry: ...

    def audit_log(self, limit: int, action: str | None = None) -> list[AuditEntry]:
        """Newest first; only `action` entries when given."""
        ...


class AdminViewStore(Protocol):
    """What the curators' admin pages read besides AdminStore: the quarantine by page and by
    reason, the papers this site's members submitted, and how digests are delivered."""

    def quarantine_page(
        self, limit: int, offset: int = 0, reason: str | None = None, excerpt: int = 2000
    ) -> list[QuarantineEntry]:
        """Newest first, only rows of exactly `reason` when given; each raw record cut to its
        first `excerpt` characters (by the database: a huge record is never read whole)."""
        ...

    def quarantine_reasons(self, limit: int) -> list[tuple[str, int]]:
        """(reason, rows) for the `limit` most frequent reasons, most rows first, then by reason."""
        ...

    def recent_submissions(self, limit: int) -> list[tuple[Listing, Paper]]:
        """Listings submitted on this site (submitted_by names one of its users), newest
        submission first."""
        ...

    def subscription_counts(self) -> dict[str, int]:
        """Digest subscriptions by state: "active" (confirmed, receiving), "pending" (not
        confirmed yet), "paused" (after bounces) and "unsubscribed"; every key present."""
        ...

    def recent_sends(self, limit: int, failed: bool = False) -> list[DigestSend]:
        """The digest send log, newest claim first; only failed sends when `failed`."""
        ...
