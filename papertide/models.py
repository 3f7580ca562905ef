"""The shared vocabulary: frozen dataclasses for papers, listings and ingest outcomes.

Pure values only: no I/O, no validation beyond what the types say (see sources/base.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Version:
    """One arXiv version of a paper: `number` 1 for v1; `size` as arXiv prints it ("12kb")."""

    number: int
    submitted_at: datetime | None = None
    size: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A link found for a paper; `kind` is one of LINK_KINDS."""

    kind: str
    url: str


LINK_KINDS = ("code", "project", "huggingface")


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper as stored: `id` is the canonical arXiv id without version (or a generated id).

    `categories` are ordered, the first is the primary one. `version` is the latest known
    version number, None when the source does not say. Times are timezone-aware UTC.
    """

    id: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    version: int | None = None
    versions: tuple[Version, ...] = ()
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    links: tuple[Link, ...] = ()

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None


@dataclass(frozen=True, slots=True)
class Listing:
    """A paper on the curated daily page of `day`, with the community signals seen for it."""

    day: date
    paper_id: str
    position: int
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    upvotes: int = 0
    num_comments: int = 0
    github_stars: int | None = None


@dataclass(frozen=True, slots=True)
class PaperSummary:
    """A one-line TL;DR and keywords for a paper, from one source: "huggingface" (imported
    with the daily listing) or "papertide" (computed at index time). `content_hash` is the hash
    of the title and abstract it was computed from, so only new or changed papers are redone."""

    paper_id: str
    source: str
    tldr: str | None
    keywords: tuple[str, ...]
    content_hash: str = ""


@dataclass(frozen=True, slots=True)
class Organization:
    """A lab or company that submits papers; its page is /org/<slug>."""

    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class OrgCount:
    """An organisation and how many papers it has."""

    org: Organization
    papers: int


@dataclass(frozen=True, slots=True)
class PaperOrg:
    """A paper's link to an organisation and who made it: "huggingface" (imported with the
    daily listing) or "curator:<username>"."""

    org: Organization
    set_by: str


@dataclass(frozen=True, slots=True)
class PaperExtras:
    """What a daily listing says about a paper beyond arXiv: Hugging Face's summary and
    keywords, the submitting organisation (its display name and URL slug) and media URLs."""

    summary: PaperSummary | None = None
    org_name: str | None = None
    org_slug: str | None = None
    media: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Record:
    """One good input record: a paper, and its daily listing when the source has one."""

    paper: Paper
    listing: Listing | None = None
    extras: PaperExtras | None = None
    # the paper's store.merge.content_hash when the parser computed it (ingest's parsing
    # process does, so the writing process need not); None: the store computes it
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """One input record that could not be used: it goes to quarantine with its raw text."""

    source: str
    raw: str
    reason: str


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A resumable position in a source (e.g. an OAI-PMH resumption token).

    The ingest service commits everything before it together with the checkpoint, so a
    re-run can start from `value`. `value` None means the harvest finished: forget the key.
    """

    key: str
    value: str | None


ParseResult = Record | Rejected | Checkpoint


@dataclass(frozen=True, slots=True)
class IngestCounts:
    """What one ingest did; the CLI prints it as the summary."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    listings_new: int = 0
    listings_updated: int = 0

    def __add__(self, other: IngestCounts) -> IngestCounts:
        return IngestCounts(
            new=self.new + other.new,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
            quarantined=self.quarantined + other.quarantined,
            listings_new=self.listings_new + other.listings_new,
            listings_updated=self.listings_updated + other.listings_updated,
        )

    @property
    def seen(self) -> int:
        return self.new + self.updated + self.unchanged + self.quarantined


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """A quarantined record as stored."""

    id: int
    source: str
    reason: str
    raw: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts over the whole store (`papertide stats`)."""

    papers: int
    versions: int
    authors: int
    listings: int
    listing_days: int
    first_day: date | None
    last_day: date | None
    quarantined: int
    categories: tuple[tuple[str, int], ...] = field(default=())


# --- community (issue #4): accounts, votes, comments, collections, follows ---

FOLLOW_KINDS = ("author", "category", "keyword", "org")  # an org by its slug


@dataclass(frozen=True, slots=True)
class User:
    """A registered user; the first user of a store is its admin (curator). A suspended user
    (`suspended_at` set) cannot log in, and its sessions and API tokens stop working."""

    id: int
    username: str
    email: str | None
    is_admin: bool
    created_at: datetime
    suspended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Invite:
    """An invite link made by a curator (only its token's sha256 is stored): it signs up
    `max_uses` accounts until `expires_at`, unless revoked."""

    id: int
    created_by: str | None  # the curator's username; None once that account is deleted
    created_at: datetime
    expires_at: datetime
    max_uses: int
    uses: int
    revoked_at: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.uses < self.max_uses and now < self.expires_at


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One curator action: who (`actor`), what (`action`), when (`at`) and on what (`target`);
    `detail` holds what undoing it needs (JSON) or a note."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ApiTokenInfo:
    """What its owner may see of an API token (never the token): `id` is a short prefix of
    the token's sha256, enough to name it in a revoke; `last_used_at` None if never used."""

    id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment on a paper, as written (Markdown source; rendered safely by the web tier)."""

    id: int
    paper_id: str
    user_id: int
    username: str
    body: str
    created_at: datetime
    parent_id: int | None = None  # the top-level comment this one replies to
    edited_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CommentReport:
    """A user's report of a comment, for curators."""

    comment: Comment
    reporter: str
    reason: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Notification:
    """A reply to one of the user's comments; `read_at` None while unread."""

    id: int
    comment: Comment
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True, slots=True)
class Follow:
    """Something a user follows: `kind` is one of FOLLOW_KINDS."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Collection:
    """A named list of a user's bookmarked papers."""

    id: int
    name: str
    size: int


@dataclass(frozen=True, slots=True)
class VoteState:
    """A paper's upvotes after a vote: imported (Daily Papers) plus local, and the user's own."""

    paper_id: str
    upvotes: int
    voted: bool


@dataclass(frozen=True, slots=True)
class PaperSignals:
    """What trending scores one listed paper from (see rank/trending.py).

    `listed_at` is when the paper first appeared on a daily page in the window;
    `imported_upvotes` came with the listing (no timing known); `vote_times` are the local
    votes; `comments` counts imported and local comments.
    """

    paper_id: str
    primary_category: str | None
    listed_at: datetime
    imported_upvotes: int
    vote_times: tuple[datetime, ...]
    comments: int


CLAIM_STATES = ("pending", "approved", "rejected")


@dataclass(frozen=True, slots=True)
class AuthorClaim:
    """A user's claim to be `author_name` (as the paper lists it) of a paper: pending until a
    curator decides, or approved at once by a domain rule (`decided_by` "rule:<domain>").
    `confirmed_email` is the claimant's email when they confirmed it, else None."""

    id: int
    user_id: int
    username: str
    paper_id: str
    author_name: str
    state: str  # one of CLAIM_STATES
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    confirmed_email: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimRule:
    """Claims by users whose confirmed email is at `domain` (or below it) are approved at once."""

    domain: str
    created_by: str
    created_at: datetime
