"""Users, sessions, API tokens, votes, comments, collections, follows and discussions:
the store side of the community layer. No SQL here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from papertide.models import (
    ApiTokenInfo,
    Collection,
    Comment,
    CommentReport,
    Follow,
    Listing,
    Notification,
    Paper,
    PaperSignals,
    User,
    VoteState,
)

API_TOKEN_ID_CHARS = 16  # hex digits of the sha256 naming a token (64 bits: no collisions)


API_TOKEN_USE_RESOLUTION_S = 60  # last_used_at is kept to the minute: most uses only read


class CommunityStore(Protocol):
    """Users, sessions, API tokens, votes, comments, collections, follows, listing browsing
    and the rate-limit write log. Every write method is one transaction.

    A paper's upvotes are its maximum imported listing upvotes plus its local votes. Its
    comments are counted apart: those made here (comment_counts, what comments_for returns),
    and Hugging Face's, which stay on Hugging Face (a listing's num_comments).
    """

    def create_user(self, username: str, email: str | None, password_hash: str) -> User:
        """Add a user; the first user of a store is its admin. ConflictError when the username
        or email is taken (compared case-insensitively)."""
        ...

    def user_by_id(self, user_id: int) -> User | None: ...

    def user_login(self, name_or_email: str) -> tuple[User, str] | None:
        """The user with this username or email (any case) and its password hash."""
        ...

    def set_password_hash(self, user_id: int, password_hash: str) -> None: ...

    def set_admin(self, user_id: int, is_admin: bool) -> None: ...

    def save_session(self, token_hash: str, user_id: int, expires_at: datetime) -> None:
        """Store a session (only the token's hash); expired sessions are dropped meanwhile."""
        ...

    def session_user(self, token_hash: str) -> User | None:
        """The session's user; None when missing or expired (by the store's clock)."""
        ...

    def delete_session(self, token_hash: str) -> None: ...

    def save_api_token(self, token_hash: str, user_id: int, name: str) -> None: ...

    def api_token_user(self, token_hash: str) -> User | None:
        """The token's user, None for an unknown token. Records the use in the token's
        last_used_at when the stored one is older than API_TOKEN_USE_RESOLUTION_S (so most
        calls only read)."""
        ...

    def api_tokens_of(self, user_id: int) -> list[ApiTokenInfo]:
        """The user's API tokens, oldest first (ties by id); each `id` is the first
        API_TOKEN_ID_CHARS hex digits of its token hash."""
        ...

    def revoke_api_token(self, user_id: int, token_id: str) -> bool:
        """Delete the user's token with this id (see api_tokens_of); False when the user has
        none (another user's token is never touched)."""
        ...

    def feed_key(self, user_id: int) -> int:
        """The version the user's feed links are signed with (0 until first rotated)."""
        ...

    def rotate_feed_key(self, user_id: int) -> int:
        """Move the user's feed links to the next version (the old links stop working)."""
        ...

    def set_vote(self, user_id: int, paper_id: str, up: bool) -> VoteState:
        """Add (up) or remove a user's vote; idempotent. PaperNotFoundError for unknown ids.
        The returned count is read in the same transaction."""
        ...

    def upvotes(self, paper_ids: Sequence[str]) -> dict[str, int]:
        """Imported + local upvotes of every id given (0 when none)."""
        ...

    def voted(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        """Which of these papers the user voted for."""
        ...

    def add_comment(self, user_id: int, paper_id: str, body: str) -> Comment:
        """PaperNotFoundError for unknown ids."""
        ...

    def comment_by_id(self, comment_id: int) -> Comment | None:
        """None when missing or deleted."""
        ...

    def comments_for(self, paper_id: str) -> list[Comment]:
        """Oldest first; deleted ones left out."""
        ...

    def delete_comment(self, comment_id: int) -> None:
        """Soft delete (the row stays, marked); idempotent."""
        ...

    def comment_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        """Local comments (not deleted) of every id given (0 when none): what comments_for
        returns. The count imported from Hugging Face is each listing's num_comments."""
        ...

    def collections_of(self, user_id: int) -> list[Collection]:
        """Oldest collection first."""
        ...

    def add_to_collection(self, user_id: int, name: str, paper_id: str) -> Collection:
        """Create the collection if needed (names compare case-insensitively) and add the
        paper; idempotent. PaperNotFoundError for unknown ids."""
        ...

    def remove_from_collection(self, user_id: int, collection_id: int, paper_id: str) -> None:
        """Idempotent; does nothing for another user's collection."""
        ...

    def collection_papers(self, user_id: int, collection_id: int) -> list[Paper]:
        """Newest added first; [] for another user's collection."""
        ...

    def bookmarked(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        """Which of these papers are in any of the user's collections."""
        ...

    def set_follow(self, user_id: int, follow: Follow, on: bool) -> None:
        """Idempotent."""
        ...

    def follows_of(self, user_id: int) -> list[Follow]:
        """By kind, then value."""
        ...

    def add_listing(self, listing: Listing) -> bool:
        """False (nothing changed) when (day, paper) is listed already. PaperNotFoundError."""
        ...

    def remove_listing(self, day: date, paper_id: str) -> bool:
        """Take a paper off a day's page (the paper, its votes and comments stay); False when
        it was not listed that day."""
        ...

    def listings_between(self, since: date, until: date) -> list[tuple[Listing, Paper]]:
        """Listings of days since..until (inclusive), newest day first, then by position."""
        ...

    def listing_rows_between(self, since: date, until: date) -> list[tuple[Listing, Paper]]:
        """As listings_between, each paper only as a list row shows it: id, title, authors,
        categories and published (no abstract, versions, links or the other fields): the
        least a list page reads and decodes."""
        ...

    def listing_days(self, since: date, until: date) -> list[tuple[date, int]]:
        """Days in since..until with listings and how many each has, newest first."""
        ...

    def trending_signals(self, since: date, until: date) -> list[PaperSignals]:
        """Signals of the papers listed in since..until (inclusive); see docs/community.md."""
        ...

    def papers_by_author(self, name: str, limit: int, offset: int = 0) -> list[Paper]:
        """Papers with an author of this name (any case), newest published first."""
        ...

    def papers_in_category(self, category: str, limit: int, offset: int = 0) -> list[Paper]:
        """Papers in this category (primary or cross-list), newest published first."""
        ...

    def record_write(self, actor: str, action: str, limit: int, window_s: int) -> int | None:
        """In one transaction: if `actor` did `action` fewer than `limit` times in the last
        `window_s` seconds, record one more and return None; else the seconds until a slot
        frees. Shared by every process using the store."""
        ...


class DiscussionStore(Protocol):
    """Replies, edits, reports and reply notifications. Replies are one level deep: a reply's
    parent_id is always a top-level comment. Every write is one transaction."""

    def add_reply(self, user_id: int, parent_id: int, body: str) -> Comment | None:
        """A reply on the parent's paper, attached to the parent's top-level comment, with a
        notification for the parent's author and the thread's author (never the replier);
        None when the parent does not exist or was deleted."""
        ...

    def edit_comment(
        self, comment_id: int, user_id: int, body: str, since: datetime
    ) -> Comment | None:
        """Set the body and edited_at of `user_id`'s comment made at or after `since`; None
        (nothing changed) when it is not theirs, is deleted or is older."""
        ...

    def report_comment(self, comment_id: int, user_id: int, reason: str) -> bool:
        """Record a report; False when this user reported this comment already."""
        ...

    def comment_reports(self, limit: int) -> list[CommentReport]:
        """Reports of comments not deleted, newest first."""
        ...

    def notifications(self, user_id: int, limit: int) -> list[Notification]:
        """Replies to the user's comments (not deleted), newest first."""
        ...

    def unread_notifications(self, user_id: int) -> int: ...

    def mark_notifications_read(self, user_id: int) -> int:
        """Mark every unread notification read; how many were."""
        ...
