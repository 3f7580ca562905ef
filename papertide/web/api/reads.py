"""The reads every API module makes beside the papers themselves: a page's community figures
(one query each, however many papers) and a paper's latest listing."""

from __future__ import annotations

from collections.abc import Sequence

from papertide.models import Listing
from papertide.web.api.shapes import Counts
from papertide.web.services import WebServices


def counts_of(services: WebServices, paper_ids: Sequence[str]) -> dict[str, Counts]:
    """Upvotes, comments and author participation of these papers in three queries."""
    ids = list(dict.fromkeys(paper_ids))
    if not ids:
        return {}
    upvotes = services.store.upvotes(ids)
    comments = services.store.comment_counts(ids)
    participating = services.store.author_commented(ids)
    return {
        pid: Counts(upvotes.get(pid, 0), comments.get(pid, 0), pid in participating) for pid in ids
    }


def latest_listing(services: WebServices, paper_id: str) -> Listing | None:
    listings = services.store.listings_of(paper_id)
    return listings[0] if listings else None
