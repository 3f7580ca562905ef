"""The Store protocol every engine implements, and the engine-neutral values it speaks in
(and the migration list each engine reads its schema from). No SQL here."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Protocol

from papertide.models import (
    ApiTokenInfo,
    AuditEntry,
    AuthorClaim,
    ClaimRule,
    Collection,
    Comment,
    CommentReport,
    Follow,
    IngestCounts,
    Invite,
    Listing,
    Notification,
    Organization,
    OrgCount,
    Paper,
    PaperOrg,
    PaperSignals,
    PaperSummary,
    QuarantineEntry,
    Record,
    Rejected,
    StoreStats,
    User,
    VoteState,
)
from papertide.store.digest_base import DigestSend, DigestStore
from papertide.store.sync_base import SyncStore
from papertide.store.tables import RowStore


@dataclass(frozen=True, slots=True)
class StoreWatermark:
    """How far the store has got: its paper count and newest `modified_at` (ISO 8601)."""

    papers: int
    modified_at: str | None


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered schema step of an engine; applied once, recorded under its `name`."""

    name: str
    sql: str


def read_migrations(package: str) -> list[Migration]:
    """The migrations of an engine's migrations package (mNNN_name.py modules, each with a SQL
    string), sorted by number; a migration's name is its module name."""
    path = importlib.import_module(package).__path__
    names = sorted(m.name for m in pkgutil.iter_modules(path) if m.name[0] == "m")
    return [Migration(name, importlib.import_module(f"{package}.{name}").SQL) for name in names]


SignalRow = tuple[str, str | None, date, datetime | None, int, int]


def paper_signals(
    rows: Iterable[SignalRow], votes: dict[str, list[datetime]]
) -> list[PaperSignals]:
    """Trending signals from each engine's (paper id, primary category, first listing day
    ever, that listing's submitted_at, imported upvotes, comments) rows and the times of
    each paper's local votes. `listed_at` is the listing day at 00:00 UTC, or the listing's
    submitted_at when that is earlier still."""
    return [
        PaperSignals(
            paper_id=pid,
            primary_category=category,
            listed_at=min(
                (t for t in (datetime.combine(day, time(), tzinfo=UTC), submitted_at) if t),
            ),
            imported_upvotes=int(imported),
            vote_times=tuple(votes.get(pid, ())),
            comments=int(comments),
        )
        for pid, category, day, submitted_at, imported, comments in rows
    ]


@dataclass(frozen=True, slots=True)
class EmbedTask:
    """A paper whose embedding for some model is missing or stale."""

    paper_pk: int
    paper_id: str
    title: str
    abstract: str
    content_hash: str
    text_hash: str | None  # of the text embedded last time; None if never embedded


@dataclass(frozen=True, slots=True)
class EmbeddingRow:
    """What to store for one paper; `vector` None means the text is unchanged, keep the old."""

    paper_pk: int
    content_hash: str
    text_hash: str
    vector: bytes | None


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


@dataclass(frozen=True, slots=True)
class SummaryTask:
    """A paper whose summary from some source is missing or stale."""

    paper_pk: int
    paper_id: str
    title: str
    abstract: str
    content_hash: str


class SummaryStore(Protocol):
    """Papers' TL;DRs and keywords, one per (paper, source): imported from Hugging Face or
    computed at index time; and their organisations and media."""

    def put_summaries(self, summaries: Sequence[PaperSummary]) -> None:
        """Insert or replace each (paper, source) summary, in one transaction."""
        ...

    def summaries_for(self, paper_ids: Sequence[str]) -> dict[str, list[PaperSummary]]:
        """The summaries of these papers in one query, by paper id (papers without any are
        left out), each paper's ordered by source."""
        ...

    def summary_hashes(self, source: str) -> dict[str, str]:
        """paper id -> content_hash of every summary from `source`: what is up to date."""
        ...

    def summary_tasks(self, source: str, after_pk: int = 0, limit: int = 1000) -> list[SummaryTask]:
        """Up to `limit` papers after `after_pk`, in pk order, whose `source` summary is missing
        or was made for another content hash."""
        ...

    def set_paper_org(self, paper_id: str, slug: str, name: str, set_by: str) -> Organization:
        """Link a paper to the organisation `slug` (made with `name` when new; the name of
        an existing one is kept), recording who set it ("huggingface", "curator:<name>")."""
        ...

    def orgs_for(self, paper_ids: Sequence[str]) -> dict[str, list[Organization]]:
        """The organisations of these papers in one query, by paper id, by slug."""
        ...

    def put_media(self, paper_id: str, urls: Sequence[str]) -> None:
        """Replace a paper's media URLs (in order)."""
        ...

    def media_for(self, paper_ids: Sequence[str]) -> dict[str, list[str]]:
        """The media URLs of these papers in one query, by paper id, in order."""
        ...


HF_ORG = "huggingface"  # set_by of an organisation imported with a daily listing
CURATOR_ORG = "curator:"  # set_by prefix of one a curator set (then the username)


class OrgStore(Protocol):
    """Organisations' pages and curators' changes to a paper's organisation. Every write is
    one transaction. Links a curator made win over imports: while a paper has one, an
    imported organisation is not linked to it."""

    def org_by_slug(self, slug: str) -> OrgCount | None:
        """The organisation of this slug with its paper count; None when there is none."""
        ...

    def organizations(self, limit: int, offset: int = 0) -> list[OrgCount]:
        """Organisations with papers, most papers first (ties by name, then slug)."""
        ...

    def papers_of_org(self, slug: str, limit: int, offset: int = 0) -> list[Paper]:
        """The organisation's papers, newest published first."""
        ...

    def paper_orgs(self, paper_id: str) -> list[PaperOrg]:
        """A paper's organisations with who linked each, by slug."""
        ...

    def replace_paper_org(self, paper_id: str, slug: str, name: str, set_by: str) -> Organization:
        """Make `slug` the paper's only organisation (made with `name` when new; an existing
        one keeps its name), linked by `set_by`."""
        ...

    def unlink_paper_org(self, paper_id: str, slug: str) -> bool:
        """Take the organisation off the paper; False when it was not linked."""
        ...


class ClaimStore(Protocol):
    """Claimed authorship: claims of users to be an author of a paper, the email domains whose
    confirmed users' claims are approved at once, and which email each user confirmed. A user
    has one claim per paper; an author slot (paper, name) is approved for one user at most.
    Every write is one transaction."""

    def add_claim(
        self, user_id: int, paper_id: str, author_name: str, approved_by: str | None
    ) -> AuthorClaim:
        """A new claim: pending, or approved at once by `approved_by` (a rule) when given.
        ConflictError when the user has a claim on this paper already or the slot is
        approved for someone."""
        ...

    def claim_by_id(self, claim_id: int) -> AuthorClaim | None: ...

    def decide_claim(self, claim_id: int, state: str, decided_by: str) -> AuthorClaim | None:
        """Set a claim "approved" or "rejected" with who decided and when, or back to
        "pending" (undecided); None when there is no such claim; ConflictError when approving
        a slot approved for another user."""
        ...

    def withdraw_claim(self, claim_id: int, user_id: int) -> bool:
        """Delete `user_id`'s own pending or approved claim; False when there is none (a
        rejected claim stays: its user cannot file it again)."""
        ...

    def claims_in_state(self, state: str, limit: int) -> list[AuthorClaim]:
        """Up to `limit` claims in this state, newest first."""
        ...

    def claims_of(self, user_id: int) -> list[AuthorClaim]:
        """Every claim of a user, newest first."""
        ...

    def approved_claims(self, paper_ids: Sequence[str]) -> dict[str, list[AuthorClaim]]:
        """The approved claims on these papers in one query, by paper id."""
        ...

    def claims_by_author(self, author_name: str, limit: int) -> list[AuthorClaim]:
        """The approved claims of this author name (exactly as papers list it), newest first."""
        ...

    def confirm_email(self, user_id: int, email: str) -> None:
        """Record that the user confirmed `email` (a link sent there was followed)."""
        ...

    def confirmed_email(self, user_id: int) -> str | None:
        """The user's email when it is the one they confirmed, else None."""
        ...

    def add_claim_rule(self, domain: str, created_by: str) -> ClaimRule:
        """Add a domain rule (kept as it was when present)."""
        ...

    def remove_claim_rule(self, domain: str) -> bool: ...

    def claim_rules(self) -> list[ClaimRule]:
        """Every rule, by domain."""
        ...


@dataclass(frozen=True, slots=True)
class SentenceRow:
    """A paper's abstract sentences for faceted similarity (index/facets.py): `labels` has one
    facet letter per sentence, `vectors` their little-endian float16 vectors back to back."""

    paper_pk: int
    content_hash: str
    labels: str
    vectors: bytes


def sentence_pages(
    fetch: Callable[[int], Sequence[Sequence[Any]]],
) -> Iterator[list[tuple[str, SentenceRow]]]:
    """iter_sentence_vectors of either engine: `fetch(after_pk)` gives the next page of (paper
    id, paper_pk, content_hash, labels, vectors) rows by pk, empty at the end."""
    last = 0
    while rows := fetch(last):
        yield [(str(r[0]), SentenceRow(int(r[1]), str(r[2]), str(r[3]), bytes(r[4]))) for r in rows]
        last = int(rows[-1][1])


class SentenceStore(Protocol):
    """Per-sentence vectors of each paper's abstract, per model (faceted similar papers)."""

    def sentence_tasks(self, model: str, after_pk: int = 0, limit: int = 1000) -> list[EmbedTask]:
        """Papers after `after_pk` (by pk) whose sentence vectors for `model` are missing or
        older than their content; `text_hash` is always None."""
        ...

    def count_sentence_tasks(self, model: str) -> int: ...

    def save_sentence_vectors(self, model: str, rows: Sequence[SentenceRow]) -> None:
        """Insert or replace each paper's row, in one transaction."""
        ...

    def iter_sentence_vectors(
        self, model: str, batch_size: int = 1000
    ) -> Iterator[list[tuple[str, SentenceRow]]]:
        """(paper id, row) of every paper with `model` sentence vectors, by pk, in batches
        (what `papertide index` writes the sentence index file from)."""
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


class Store(
    CommunityStore,
    AdminStore,
    DigestStore,
    SyncStore,
    RowStore,
    DiscussionStore,
    SummaryStore,
    AdminViewStore,
    OrgStore,
    ClaimStore,
    SentenceStore,
    FeedbackStore,
    Protocol,
):
    """Papers, listings, quarantine and ingest checkpoints.

    Every write method is one transaction: it commits whole or not at all.
    """

    def migrate(self) -> list[str]:
        """Apply pending migrations in order; return the names applied (idempotent)."""
        ...

    def write_batch(
        self,
        records: Sequence[Record],
        rejected: Sequence[Rejected],
        checkpoint: tuple[str, str | None] | None = None,
        fingerprints: Sequence[int] = (),
    ) -> IngestCounts:
        """Upsert papers and listings with the records' extras (summaries, organisations,
        media), quarantine rejects, save a checkpoint and the fingerprints of the raw lines
        the records came from, atomically.

        A paper is new, updated (its merged content changed) or unchanged. A record with an
        older version than the stored one only adds its version row. Quarantining the same
        raw text from the same source twice keeps one row.
        """
        ...

    def known_fingerprints(self, fingerprints: Sequence[int]) -> set[int]:
        """Which of these raw-line fingerprints were stored by an earlier batch."""
        ...

    def get_paper(self, paper_id: str) -> Paper | None: ...

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        """The papers of these ids that exist, by id."""
        ...

    def lexical_watermark(self) -> StoreWatermark:
        """How many papers there are and the latest modified_at (derived indexes compare it)."""
        ...

    def iter_papers_modified_since(
        self, since: str | None, batch_size: int = 1000
    ) -> Iterator[Paper]:
        """Papers with modified_at >= since (every paper when None), in pk order."""
        ...

    def listings_for(self, day: date) -> list[tuple[Listing, Paper]]:
        """The daily page of `day`, in listing order."""
        ...

    def listings_of(self, paper_id: str) -> list[Listing]:
        """Every daily listing of one paper, newest day first."""
        ...

    def latest_listing_day(self, on_or_before: date | None = None) -> date | None: ...

    def iter_papers(self, batch_size: int = 1000) -> Iterator[Paper]:
        """Every paper, ordered by id, read in batches (constant memory)."""
        ...

    def stats(self) -> StoreStats: ...

    def list_quarantine(self, limit: int = 50, source: str | None = None) -> list[QuarantineEntry]:
        """Most recent first."""
        ...

    def get_checkpoint(self, key: str) -> str | None: ...

    def embed_tasks(self, model: str, after_pk: int = 0, limit: int = 1000) -> list[EmbedTask]:
        """Papers after `after_pk` (by pk) whose `model` embedding is missing or stale."""
        ...

    def count_embed_tasks(self, model: str) -> int: ...

    def save_embeddings(self, model: str, rows: Sequence[EmbeddingRow]) -> None:
        """One transaction."""
        ...

    def iter_vectors(
        self, model: str, batch_size: int = 10_000
    ) -> Iterator[list[tuple[int, bytes]]]:
        """(paper pk, vector bytes) of every paper embedded with `model`, in pk order."""
        ...

    def vector_seq(self, model: str) -> int:
        """The change sequence number of `model`'s latest vector write (0 when none); every
        `save_embeddings` call that writes vectors takes the next number."""
        ...

    def iter_changed_vectors(
        self, model: str, after_seq: int, batch_size: int = 10_000
    ) -> Iterator[list[tuple[int, bytes]]]:
        """(paper pk, vector bytes) of `model`'s vectors written after change `after_seq`."""
        ...

    def vector_of(self, model: str, paper_id: str) -> bytes | None: ...

    def embedding_models(self) -> list[tuple[str, int]]:
        """(model name, papers embedded) for every model with stored vectors."""
        ...

    def ids_for(self, pks: Sequence[int]) -> dict[int, str]:
        """Paper ids of these pks (the keys vector indexes use)."""
        ...

    def close(self) -> None: ...
