"""Claimed authorship, as on Hugging Face: a signed-in user says "I am this author" of a paper
(one author name per paper, exactly as the paper lists it). The claim waits for a curator, who
approves or rejects it; or it is approved at once when the user's email is confirmed (a link
sent there was followed) and at a domain a curator trusts. An approved author slot belongs to
one account: another user's claim of it is refused, and a curator must reject the holder's
claim before approving someone else's. Curator decisions and rules go to the audit log.
"""

from __future__ import annotations

import re

from papertide.community.admin import _actor_name, _require_curator
from papertide.community.ratelimit import DEFAULT_RATE_LIMITS, RateLimits, enforce
from papertide.errors import InputError, PaperNotFoundError
from papertide.models import AuthorClaim, ClaimRule, User
from papertide.store.base import Store

REVIEW_PAGE = 200
AUTHOR_CLAIMS = 100
RULE_ACTOR = "rule"
_DOMAIN = re.compile(
    r"(?=.{4,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+"
)


def check_domain(text: str) -> str:
    """An email domain as rules keep it: lower case, without "@"; InputError unless it looks
    like a domain with a dot (example.edu, cs.example.edu)."""
    domain = text.strip().lower().removeprefix("@")
    if not _DOMAIN.fullmatch(domain):
        raise InputError("give a domain such as example.edu or cs.example.edu")
    return domain


def rule_for(email: str, rules: list[ClaimRule]) -> ClaimRule | None:
    """The rule an address falls under: its domain is the rule's domain or below it."""
    domain = email.rpartition("@")[2].lower()
    return next(
        (rule for rule in rules if domain == rule.domain or domain.endswith("." + rule.domain)),
        None,
    )


class ClaimService:
    """Claims of users and the decisions of curators, over a store."""

    def __init__(self, store: Store, limits: RateLimits = DEFAULT_RATE_LIMITS) -> None:
        self._store = store
        self._limits = limits

    def claim(self, user: User, paper_id: str, author_name: str) -> AuthorClaim:
        """File `user`'s claim to be `author_name` of the paper: approved at once when their
        confirmed email falls under a rule, else pending. InputError when the paper does not
        list that name; ConflictError when the user has a claim on the paper already or the
        author is held by another account."""
        paper = self._store.get_paper(paper_id)
        if paper is None:
            raise PaperNotFoundError(f"no paper {paper_id[:80]!r} here")
        if author_name not in paper.authors:
            raise InputError("that name is not among this paper's authors")
        enforce(self._store, f"user:{user.id}", "claim", self._limits)
        confirmed = self._store.confirmed_email(user.id)
        rule = rule_for(confirmed, self._store.claim_rules()) if confirmed else None
        approved_by = None if rule is None else f"{RULE_ACTOR}:{rule.domain}"
        made = self._store.add_claim(user.id, paper.id, author_name, approved_by)
        if approved_by is not None:
            self._store.add_audit(approved_by, "claim-approve", f"claim:{made.id}", _about(made))
        return made

    def withdraw(self, user: User, claim_id: int) -> None:
        """Take back one's own pending or approved claim; InputError when there is none."""
        if not self._store.withdraw_claim(claim_id, user.id):
            raise InputError("no such claim of yours (a rejected claim stays)")

    def mine(self, user: User) -> list[AuthorClaim]:
        """The user's claims, newest first (all states)."""
        return self._store.claims_of(user.id)

    def on_papers(self, paper_ids: list[str]) -> dict[str, dict[str, AuthorClaim]]:
        """paper id -> author name -> its approved claim, in one query."""
        found = self._store.approved_claims(paper_ids)
        return {pid: {c.author_name: c for c in claims} for pid, claims in found.items()}

    def profile(self, username: str) -> list[AuthorClaim]:
        """The approved claims of the active account `username` (any case), newest first;
        empty for an unknown or suspended account (nothing tells them apart)."""
        found = self._store.user_login(username.strip())
        user = None if found is None else found[0]  # user_login also matches emails
        if user is None or user.username.lower() != username.strip().lower():
            return []
        if user.suspended_at is not None:
            return []
        return [claim for claim in self._store.claims_of(user.id) if claim.state == "approved"]

    def of_author(self, author_name: str) -> list[AuthorClaim]:
        """The approved claims of an author name, newest first."""
        return self._store.claims_by_author(author_name, AUTHOR_CLAIMS)

    def get(self, claim_id: int) -> AuthorClaim:
        found = self._store.claim_by_id(claim_id)
        if found is None:
            raise InputError(f"no claim {claim_id}")
        return found

    def pending(self, limit: int = REVIEW_PAGE) -> list[AuthorClaim]:
        """Claims waiting for a curator, newest first."""
        return self._store.claims_in_state("pending", limit)

    def approved(self, limit: int = REVIEW_PAGE) -> list[AuthorClaim]:
        """Approved claims, newest first (a curator can take one back)."""
        return self._store.claims_in_state("approved", limit)

    def approve(self, actor: User | None, claim_id: int) -> AuthorClaim:
        """ConflictError when another account holds the author (reject theirs first)."""
        return self._decide(actor, claim_id, "approved")

    def reject(self, actor: User | None, claim_id: int) -> AuthorClaim:
        """Reject a pending claim, or take back an approved one."""
        return self._decide(actor, claim_id, "rejected")

    def reopen(self, actor: User | None, claim_id: int) -> AuthorClaim:
        """Put a decided claim back to waiting (the Undo of a decision)."""
        return self._decide(actor, claim_id, "pending")

    def rules(self) -> list[ClaimRule]:
        return self._store.claim_rules()

    def add_rule(self, actor: User | None, domain: str) -> ClaimRule:
        _require_curator(actor)
        rule = self._store.add_claim_rule(check_domain(domain), _actor_name(actor))
        self._store.add_audit(_actor_name(actor), "claim-rule-add", f"domain:{rule.domain}")
        return rule

    def remove_rule(self, actor: User | None, domain: str) -> bool:
        _require_curator(actor)
        name = domain.strip().lower().removeprefix("@")
        removed = self._store.remove_claim_rule(name)
        if removed:
            self._store.add_audit(_actor_name(actor), "claim-rule-remove", f"domain:{name}")
        return removed

    def _decide(self, actor: User | None, claim_id: int, state: str) -> AuthorClaim:
        _require_curator(actor)
        decided = self._store.decide_claim(claim_id, state, _actor_name(actor))
        if decided is None:
            raise InputError(f"no claim {claim_id}")
        action = {"approved": "claim-approve", "rejected": "claim-reject"}.get(
            state, "claim-reopen"
        )
        self._store.add_audit(_actor_name(actor), action, f"claim:{claim_id}", _about(decided))
        return decided


def _about(claim: AuthorClaim) -> str:
    return f"{claim.username} as {claim.author_name} on {claim.paper_id}"
