"""Organisations and claimed authorship: what the store keeps of who a paper belongs to.
No SQL here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from papertide.models import (
    AuthorClaim,
    ClaimRule,
    Organization,
    OrgCount,
    Paper,
    PaperOrg,
)

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

    def author_commented(self, paper_ids: Sequence[str]) -> set[str]:
        """Those of these papers on which an author with an approved claim has a comment that
        is not deleted (Hugging Face's `isAuthorParticipating`), in one query."""
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
