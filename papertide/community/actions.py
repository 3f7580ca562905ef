"""Community writes by signed-in users: votes, comments, paper submissions, bookmarks and
follows, and curators' removals. Each checks its input, takes one rate-limit slot (actor
"user:<id>"), then calls the store; fetching a submitted paper goes through `fetch_papers`,
on a submission job's thread (submissions.py), never the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from papertide.clock import Clock
from papertide.community.ratelimit import DEFAULT_RATE_LIMITS, RateLimits, enforce
from papertide.community.submissions import LISTED, Submission, SubmissionJobs
from papertide.errors import AuthError, ConflictError, InputError, PaperNotFoundError
from papertide.ids import canonical_paper_id, check_org_slug, parse_arxiv_id
from papertide.models import (
    FOLLOW_KINDS,
    Comment,
    Follow,
    Listing,
    Paper,
    Record,
    User,
    VoteState,
)
from papertide.store.base import Store

COMMENT_MAX_CHARS = 10_000
EDIT_WINDOW_MINUTES = 15
EDIT_WINDOW = timedelta(minutes=EDIT_WINDOW_MINUTES)
REPORT_REASON_MAX_CHARS = 500
COLLECTION_NAME_MAX_CHARS = 100
FOLLOW_VALUE_MAX_CHARS = 200
DEFAULT_COLLECTION = "Reading list"

FetchPapers = Callable[[list[str]], list[Paper]]


class CommunityService:
    """What signed-in users change. Every method raises RateLimitError past its limit.

    `limits` is public so that the web's per-address limits (signup, login) come from the
    same configuration.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        fetch_papers: FetchPapers,
        limits: RateLimits = DEFAULT_RATE_LIMITS,
    ) -> None:
        self._store = store
        self._clock = clock
        self._fetch_papers = fetch_papers
        self.limits = limits
        self.submissions = SubmissionJobs(self._fetch_and_list)

    def vote(self, user: User, paper_id: str, up: bool) -> VoteState:
        """Upvote (or take back) a paper; idempotent. PaperNotFoundError for unknown papers."""
        key = canonical_paper_id(paper_id)
        self._enforce(user, "vote")
        return self._store.set_vote(user.id, key, up)

    def comment(self, user: User, paper_id: str, body: str) -> Comment:
        """Add a comment (Markdown source, 1 to 10,000 characters after stripping)."""
        key, text = canonical_paper_id(paper_id), _comment_text(body)
        self._enforce(user, "comment")
        return self._store.add_comment(user.id, key, text)

    def reply(self, user: User, parent_id: int, body: str) -> Comment:
        """Reply to a comment; a reply to a reply joins its thread (one level of threading).
        Its authors are notified."""
        text = _comment_text(body)
        self._enforce(user, "comment")
        made = self._store.add_reply(user.id, parent_id, text)
        if made is None:
            raise InputError(f"no comment {parent_id} (it may have been deleted)")
        return made

    def edit_comment(self, user: User, comment_id: int, body: str) -> Comment:
        """Change one's own comment within EDIT_WINDOW of writing it; it shows as edited."""
        text = _comment_text(body)
        comment = self._store.comment_by_id(comment_id)
        if comment is None:
            raise InputError(f"no comment {comment_id} (it may have been deleted)")
        if comment.user_id != user.id:
            raise AuthError("only its author can edit a comment")
        self._enforce(user, "comment")
        edited = self._store.edit_comment(
            comment_id, user.id, text, self._clock.now() - EDIT_WINDOW
        )
        if edited is None:
            raise InputError(f"a comment can be edited for {EDIT_WINDOW_MINUTES} minutes only")
        return edited

    def report_comment(self, user: User, comment_id: int, reason: str) -> bool:
        """Report a comment to the curators; False when this user reported it already."""
        if self._store.comment_by_id(comment_id) is None:
            raise InputError(f"no comment {comment_id} (it may have been deleted)")
        if len(reason) > REPORT_REASON_MAX_CHARS:
            raise InputError(f"a reason is at most {REPORT_REASON_MAX_CHARS} characters")
        self._enforce(user, "comment")
        return self._store.report_comment(comment_id, user.id, reason.strip())

    def delete_comment(self, user: User, comment_id: int) -> None:
        """Soft-delete a comment: its author may, and admins (not rate limited) may."""
        comment = self._store.comment_by_id(comment_id)
        if comment is None:
            raise InputError(f"no comment {comment_id} (it may have been deleted)")
        if not user.is_admin:
            if comment.user_id != user.id:
                raise AuthError("only its author or an admin can delete a comment")
            self._enforce(user, "comment")
        self._store.delete_comment(comment_id)

    def submit(self, user: User, text: str) -> Listing | Submission:
        """List an arXiv paper (id or URL) on today's page: at once when it is stored, else
        as a job that fetches it from arXiv first (its state comes back; see submissions.py).

        ConflictError when it is on today's page already. Today is the clock's date in UTC.
        """
        paper_id = parse_arxiv_id(text).id
        self._enforce(user, "submit")
        if any(listing.paper_id == paper_id for listing, _ in self._today()):
            raise ConflictError(f"{paper_id} is already on today's page")
        if self._store.get_paper(paper_id) is None:
            return self.submissions.queue(user, paper_id)
        return self._list(user, paper_id)

    def submission(self, user: User, paper_id: str) -> Submission | None:
        """The state of this user's submission of `paper_id`: the job's, or listed when the
        paper is on today's page (put there by any worker); None when neither."""
        key = canonical_paper_id(paper_id)
        job = self.submissions.state(user, key)
        if job is not None and job.state != LISTED:
            return job
        if any(listing.paper_id == key for listing, _ in self._today()):
            return Submission(key, LISTED)
        return job

    def _fetch_and_list(self, user: User, paper_id: str) -> Listing:
        """A submission job's work (off the request's thread): fetch, store, list."""
        if self._store.get_paper(paper_id) is None:
            self._store.write_batch([Record(self._fetch(paper_id))], [])
        return self._list(user, paper_id)

    def _today(self) -> list[tuple[Listing, Paper]]:
        return self._store.listings_for(self._clock.now().date())

    def _list(self, user: User, paper_id: str) -> Listing:
        now = self._clock.now()
        listing = Listing(
            day=now.date(),
            paper_id=paper_id,
            position=max((listing.position for listing, _ in self._today()), default=-1) + 1,
            submitted_by=user.username,
            submitted_at=now,
        )
        if not self._store.add_listing(listing):  # someone else was faster
            raise ConflictError(f"{paper_id} is already on today's page")
        return listing

    def bookmark(
        self, user: User, paper_id: str, collection: str = DEFAULT_COLLECTION, on: bool = True
    ) -> None:
        """Add the paper to the named collection (created when new), or take it out; idempotent."""
        key, name = canonical_paper_id(paper_id), collection.strip()
        if not 1 <= len(name) <= COLLECTION_NAME_MAX_CHARS:
            raise InputError(f"a collection name is 1 to {COLLECTION_NAME_MAX_CHARS} characters")
        self._enforce(user, "bookmark")
        if on:
            self._store.add_to_collection(user.id, name, key)
            return
        for found in self._store.collections_of(user.id):
            if found.name.casefold() == name.casefold():
                self._store.remove_from_collection(user.id, found.id, key)

    def follow(self, user: User, follow: Follow, on: bool) -> None:
        """Follow (or stop following) an author, category, keyword or organisation (by its
        slug); idempotent."""
        value = " ".join(follow.value.split())
        if follow.kind not in FOLLOW_KINDS:
            raise InputError(f"can follow only {', '.join(FOLLOW_KINDS)}, not {follow.kind!r}")
        if follow.kind == "org":
            check_org_slug(value)
        if not 1 <= len(value) <= FOLLOW_VALUE_MAX_CHARS:
            raise InputError(
                f"a followed {follow.kind} is 1 to {FOLLOW_VALUE_MAX_CHARS} characters"
            )
        self._enforce(user, "follow")
        self._store.set_follow(user.id, Follow(follow.kind, value), on)

    def _fetch(self, paper_id: str) -> Paper:
        for paper in self._fetch_papers([paper_id]):
            if paper.id == paper_id:
                return paper
        raise PaperNotFoundError(f"arXiv has no paper {paper_id}")

    def _enforce(self, user: User, action: str) -> None:
        enforce(self._store, f"user:{user.id}", action, self.limits)


def _comment_text(body: str) -> str:
    """A comment's Markdown source stripped: InputError unless 1 to COMMENT_MAX_CHARS long."""
    text = body.strip()
    if not 1 <= len(text) <= COMMENT_MAX_CHARS:
        raise InputError(f"a comment is 1 to {COMMENT_MAX_CHARS:,} characters")
    return text
