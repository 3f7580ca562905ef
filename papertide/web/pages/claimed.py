"""What the paper, author and account pages show of claimed authorship, each in one query
per kind (never one per author or per comment). The routes that change claims are in claims.py.
"""

from __future__ import annotations

from typing import Any

from papertide.models import AuthorClaim, Paper, User
from papertide.web.auth import Viewer
from papertide.web.services import WebServices


def titles(services: WebServices, found: list[AuthorClaim]) -> dict[str, Paper]:
    """The papers of these claims, by id, in one query."""
    return services.store.get_papers(sorted({claim.paper_id for claim in found}))


def paper_claims_context(services: WebServices, who: Viewer, paper: Paper) -> dict[str, Any]:
    """What the paper page shows of claims: author name -> approved claim, the user ids of the
    claimed authors (their comments get an "author" badge), and the viewer's own claim."""
    claimed = services.claims.on_papers([paper.id]).get(paper.id, {})
    mine = _own_claim(services, who.user, paper.id)
    return {
        "claimed": claimed,
        "author_ids": {claim.user_id for claim in claimed.values()},
        "my_claim": mine,
    }


def _own_claim(services: WebServices, user: User | None, paper_id: str) -> AuthorClaim | None:
    if user is None:
        return None
    return next((c for c in services.claims.mine(user) if c.paper_id == paper_id), None)


def author_claims_context(services: WebServices, name: str) -> dict[str, Any]:
    """What an author page shows of claims: each account that claimed this name, with the
    papers it claimed it on (two people may share a name)."""
    found = services.claims.of_author(name)
    papers = titles(services, found)
    claimed_by: dict[str, list[Paper]] = {}
    for claim in found:
        if claim.paper_id in papers:
            claimed_by.setdefault(claim.username, []).append(papers[claim.paper_id])
    return {"claimed_by": claimed_by}


def account_claims_context(services: WebServices, user: User) -> dict[str, Any]:
    """The account page's "My papers": the user's claims with their papers, and whether the
    user's email is confirmed (rules trust only confirmed addresses)."""
    mine = services.claims.mine(user)
    return {
        "my_claims": mine,
        "claim_papers": titles(services, mine),
        "email_confirmed": services.store.confirmed_email(user.id) is not None,
        "can_mail": services.digests.can_mail,
    }
