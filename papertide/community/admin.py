"""What curators do to run a site for a group: find users, give or take the curator role,
suspend (and restore), delete, invite; moderate comments and daily pages; set a paper's
organisation. Every action is written to the audit log (who, what, when, on what); the
undoable ones (suspend, comment delete, unlist) keep in it what undoing needs.

`actor` is the curator acting, or None for the command line (logged as "cli").
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from papertide.clock import Clock
from papertide.community.accounts import AccountService, hash_token
from papertide.errors import AuthError, ConflictError, InputError, PaperNotFoundError
from papertide.ids import ORG_NAME_MAX_CHARS, canonical_paper_id, check_org_slug, org_slug
from papertide.models import (
    AuditEntry,
    Comment,
    CommentReport,
    Invite,
    Listing,
    Organization,
    Paper,
    QuarantineEntry,
    User,
)
from papertide.store.base import Store
from papertide.store.digest_base import DigestSend
from papertide.store.org_base import CURATOR_ORG

CLI_ACTOR = "cli"
INVITE_MAX_USES = 1000
INVITE_MAX_DAYS = 365
USERS_PAGE = 200
REPORTS_READ = 500  # the newest reports grouped by comment on the moderation page
QUARANTINE_PAGE = 50
QUARANTINE_EXCERPT = 2000  # characters of each raw record shown
QUARANTINE_REASONS = 50
SENDS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class ReportedComment:
    """A comment not deleted and its reports, newest first."""

    comment: Comment
    reports: list[CommentReport]


@dataclass(frozen=True, slots=True)
class QuarantinePage:
    """One page of quarantined records (raw text cut to QUARANTINE_EXCERPT characters) and
    the rows per reason; `reason` is the filter, None for all."""

    entries: list[QuarantineEntry]
    reasons: list[tuple[str, int]]
    reason: str | None
    page: int
    has_next: bool


@dataclass(frozen=True, slots=True)
class DigestStatus:
    """Subscriptions by state and the newest sends and failed sends of the send log."""

    subscriptions: dict[str, int]
    sends: list[DigestSend]
    failures: list[DigestSend]


def invite_state(invite: Invite, now: datetime) -> str:
    """revoked, expired, used (up), or open."""
    if invite.revoked_at is not None:
        return "revoked"
    if now >= invite.expires_at:
        return "expired"
    return "used" if invite.uses >= invite.max_uses else "open"


def invite_link(site_url: str, token: str) -> str:
    """The sign-up link of an invite token on the site at `site_url`."""
    return f"{site_url.rstrip('/')}/signup?invite={token}"


def _actor_name(actor: User | None) -> str:
    return CLI_ACTOR if actor is None else actor.username


def _require_curator(actor: User | None) -> None:
    if actor is not None and not actor.is_admin:
        raise AuthError("only a curator can do this")


class AdminService:
    """Curator actions over a store; each checks its actor and writes one audit entry."""

    def __init__(self, store: Store, clock: Clock, accounts: AccountService) -> None:
        self._store = store
        self._clock = clock
        self._accounts = accounts

    def users(self, query: str = "", limit: int = USERS_PAGE) -> list[User]:
        return self._store.find_users(query, limit)

    def user(self, username: str) -> User:
        """The user of this username (any case); InputError when there is none."""
        found = self._store.user_login(username.strip())
        if found is None or found[0].username.lower() != username.strip().lower():
            raise InputError(f"no user named {username.strip()[:40]!r}")
        return found[0]

    def add_user(
        self, actor: User | None, username: str, password: str, email: str | None = None
    ) -> User:
        _require_curator(actor)
        user = self._accounts.add_user(username, password, email)
        self._audit(actor, "add-user", f"user:{user.username}")
        return user

    def set_role(self, actor: User | None, username: str, curator: bool) -> User:
        """Make a user curator or member; a site always keeps one curator."""
        _require_curator(actor)
        user = self.user(username)
        if not curator and user.is_admin:
            curators = [found for found in self.users() if found.is_admin]
            if len(curators) <= 1:
                raise ConflictError("this is the last curator; make another one first")
        self._store.set_admin(user.id, curator)
        self._audit(actor, "role-curator" if curator else "role-member", f"user:{user.username}")
        return self.user(username)

    def suspend(self, actor: User | None, username: str, suspended: bool = True) -> User:
        """Suspend a user (its sessions end at once, its tokens stop working) or undo it."""
        _require_curator(actor)
        user = self.user(username)
        if actor is not None and user.id == actor.id:
            raise InputError("you cannot suspend yourself")
        self._store.set_suspended(user.id, suspended)
        self._audit(actor, "suspend" if suspended else "unsuspend", f"user:{user.username}")
        return self.user(username)

    def delete_user(self, actor: User | None, username: str) -> None:
        """Delete a user and what it made (comments included); cannot be undone."""
        _require_curator(actor)
        user = self.user(username)
        if actor is not None and user.id == actor.id:
            raise InputError("delete your own account from your account page")
        if user.is_admin and len([found for found in self.users() if found.is_admin]) <= 1:
            raise ConflictError("this is the last curator; make another one first")
        self._store.delete_user(user.id)
        self._audit(actor, "delete-user", f"user:{user.username}")

    def create_invite(
        self, actor: User | None, max_uses: int = 1, days: int = 7
    ) -> tuple[Invite, str]:
        """A new invite and its token (shown once; only its sha256 is stored)."""
        _require_curator(actor)
        if not 1 <= max_uses <= INVITE_MAX_USES:
            raise InputError(f"an invite is good for 1 to {INVITE_MAX_USES} sign-ups")
        if not 1 <= days <= INVITE_MAX_DAYS:
            raise InputError(f"an invite lasts 1 to {INVITE_MAX_DAYS} days")
        token = secrets.token_urlsafe(24)
        expires = self._now() + timedelta(days=days)
        creator = None if actor is None else actor.id
        invite = self._store.create_invite(hash_token(token), creator, expires, max_uses)
        self._audit(actor, "invite", f"invite:{invite.id}", f"{max_uses} use(s), {days} day(s)")
        return invite, token

    def invites(self, limit: int = 100) -> list[Invite]:
        return self._store.invites(limit)

    def invite_states(self, limit: int = 100) -> list[tuple[Invite, str]]:
        """The newest invites with their state (see invite_state) now."""
        now = self._now()
        return [(invite, invite_state(invite, now)) for invite in self.invites(limit)]

    def revoke_invite(self, actor: User | None, invite_id: int) -> bool:
        _require_curator(actor)
        revoked = self._store.revoke_invite(invite_id)
        if revoked:
            self._audit(actor, "revoke-invite", f"invite:{invite_id}")
        return revoked

    def comment(self, comment_id: int) -> Comment:
        """A comment not deleted; InputError when there is none."""
        comment = self._store.comment_by_id(comment_id)
        if comment is None:
            raise InputError(f"no comment {comment_id} (it may have been deleted)")
        return comment

    def delete_comment(self, actor: User | None, comment_id: int) -> Comment:
        """Hide a comment (undo with restore_comment); the comment as it was."""
        _require_curator(actor)
        comment = self.comment(comment_id)
        self._store.delete_comment(comment_id)
        self._audit(actor, "delete-comment", f"comment:{comment_id}", comment.paper_id)
        return comment

    def restore_comment(self, actor: User | None, comment_id: int) -> bool:
        _require_curator(actor)
        restored = self._store.restore_comment(comment_id)
        if restored:
            self._audit(actor, "restore-comment", f"comment:{comment_id}")
        return restored

    def unlist(self, actor: User | None, day: date, paper_id: str) -> AuditEntry | None:
        """Take a paper off a day's page; the listing is kept in the audit entry (returned),
        so restore_listing(entry.id) can put it back. None when it was not listed that day."""
        _require_curator(actor)
        key = canonical_paper_id(paper_id)
        listing = next((found for found in self._store.listings_of(key) if found.day == day), None)
        if listing is None or not self._store.remove_listing(day, key):
            return None
        target = f"paper:{key}@{day.isoformat()}"
        return self._audit(actor, "unlist", target, _listing_json(listing))

    def unlisted(self, limit: int = 50) -> list[tuple[AuditEntry, Listing]]:
        """Papers curators took off a daily page that are still off it, newest first."""
        off = []
        for entry in self._store.audit_log(limit, action="unlist"):
            listing = _listing_of(entry.detail)
            still_off = all(
                day.day != listing.day for day in self._store.listings_of(listing.paper_id)
            )
            if still_off:
                off.append((entry, listing))
        return off

    def restore_listing(self, actor: User | None, entry_id: int) -> Listing:
        """Put back the listing an "unlist" audit entry took off (audited only when it was
        still off: an Undo sent twice changes nothing the second time)."""
        _require_curator(actor)
        entry = next((e for e in self._store.audit_log(500, "unlist") if e.id == entry_id), None)
        if entry is None:
            raise InputError("no such unlisting in the audit log")
        listing = _listing_of(entry.detail)
        if self._store.add_listing(listing):
            self._audit(actor, "relist", entry.target)
        return listing

    def set_paper_org(
        self, actor: User | None, paper_id: str, name: str = "", slug: str = ""
    ) -> Organization:
        """Make an organisation the paper's only one: an existing one by `slug`, else the one
        `name` makes (its slug by org_slug; an organisation of that slug keeps its name).
        The audit entry says which organisations it replaced."""
        _require_curator(actor)
        key = self._stored_paper(paper_id)
        if slug:
            found = self._store.org_by_slug(check_org_slug(slug))
            if found is None:
                raise InputError(f"no organisation {slug} here")
            name = found.org.name
        else:
            name = " ".join(name.split())
            if not 1 <= len(name) <= ORG_NAME_MAX_CHARS:
                raise InputError(f"an organisation name is 1 to {ORG_NAME_MAX_CHARS} characters")
            slug = org_slug(name)
        before = ", ".join(link.org.slug for link in self._store.paper_orgs(key)) or "none"
        org = self._store.replace_paper_org(key, slug, name, CURATOR_ORG + _actor_name(actor))
        self._audit(actor, "set-org", f"paper:{key}", f"{org.slug} (was {before})")
        return org

    def unlink_paper_org(self, actor: User | None, paper_id: str, slug: str) -> bool:
        """Take an organisation off a paper; False when it was not the paper's."""
        _require_curator(actor)
        key = self._stored_paper(paper_id)
        if not self._store.unlink_paper_org(key, check_org_slug(slug)):
            return False
        self._audit(actor, "unset-org", f"paper:{key}", slug)
        return True

    def _stored_paper(self, paper_id: str) -> str:
        key = canonical_paper_id(paper_id)
        if self._store.get_paper(key) is None:
            raise PaperNotFoundError(f"no paper {key} here")
        return key

    def audit_log(self, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
        """The newest entries first; only those of `action` when given."""
        return self._store.audit_log(limit, action)

    def reported_comments(self, limit: int = 50) -> list[ReportedComment]:
        """Comments not deleted that were reported, the most recently reported first."""
        grouped: dict[int, list[CommentReport]] = {}
        for report in self._store.comment_reports(REPORTS_READ):
            grouped.setdefault(report.comment.id, []).append(report)
        return [ReportedComment(reports[0].comment, reports) for reports in grouped.values()][
            :limit
        ]

    def deleted_comments(self, limit: int = 50) -> list[Comment]:
        """Deleted comments, newest comment first (restore_comment brings one back)."""
        return self._store.recent_comments(limit, deleted=True)

    def submissions(self, limit: int = 50) -> list[tuple[Listing, Paper]]:
        """Papers this site's users submitted, newest first, as listed now."""
        return self._store.recent_submissions(limit)

    def quarantine(self, page: int = 0, reason: str | None = None) -> QuarantinePage:
        """Page `page` (0-based) of the quarantine, of one reason or all."""
        if page < 0:
            raise InputError("page must be 0 or more")
        rows = self._store.quarantine_page(
            QUARANTINE_PAGE + 1, page * QUARANTINE_PAGE, reason, QUARANTINE_EXCERPT
        )
        reasons = self._store.quarantine_reasons(QUARANTINE_REASONS)
        has_next = len(rows) > QUARANTINE_PAGE
        return QuarantinePage(rows[:QUARANTINE_PAGE], reasons, reason, page, has_next)

    def digest_status(self) -> DigestStatus:
        return DigestStatus(
            self._store.subscription_counts(),
            self._store.recent_sends(SENDS_SHOWN),
            self._store.recent_sends(SENDS_SHOWN, failed=True),
        )

    def _audit(self, actor: User | None, action: str, target: str, detail: str = "") -> AuditEntry:
        return self._store.add_audit(_actor_name(actor), action, target, detail)

    def _now(self) -> datetime:
        return self._clock.now()


def _listing_json(listing: Listing) -> str:
    return json.dumps(
        {
            "day": listing.day.isoformat(),
            "paper_id": listing.paper_id,
            "position": listing.position,
            "submitted_by": listing.submitted_by,
            "submitted_at": listing.submitted_at.isoformat() if listing.submitted_at else None,
            "upvotes": listing.upvotes,
            "num_comments": listing.num_comments,
            "github_stars": listing.github_stars,
        }
    )


def _listing_of(detail: str) -> Listing:
    data = json.loads(detail)
    submitted = data["submitted_at"]
    return Listing(
        day=date.fromisoformat(data["day"]),
        paper_id=data["paper_id"],
        position=int(data["position"]),
        submitted_by=data["submitted_by"],
        submitted_at=datetime.fromisoformat(submitted) if submitted else None,
        upvotes=int(data["upvotes"]),
        num_comments=int(data["num_comments"]),
        github_stars=data["github_stars"],
    )
