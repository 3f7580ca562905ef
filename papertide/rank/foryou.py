"""The "For you" ranking of the web: a user's ratings, upvotes, bookmarks and follows train the
model of recommend.py over the papers listed in the last days; what it learned; BibTeX seeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from papertide.clock import Clock
from papertide.index.embed import paper_text
from papertide.index.vectors import from_stored
from papertide.models import Follow, Paper
from papertide.rank.bibtex import BibMatch, match_entries, parse_bibtex, title_key
from papertide.rank.profile import DEFAULT_PARAMS
from papertide.rank.recommend import (
    Candidate,
    Feedback,
    LearnedModel,
    Recommendation,
    RecommendParams,
    UserProfile,
    describe_profile,
    prepare_candidates,
    recommend,
    train_profile,
)
from papertide.store.base import Store

WINDOW_DAYS = 30
WEB = "web"
VALUES = {"up": 1, "down": -1}


@dataclass(frozen=True, slots=True)
class ForYou:
    """A user's ranking: None `items` when nothing is known of them yet (cold start)."""

    items: tuple[Recommendation, ...] | None
    papers: dict[str, Paper]


class ForYouService:
    """Ranks recent papers (stored vectors of embedding `model`, dimension `dim`) for a user."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        model: str,
        dim: int,
        params: RecommendParams = DEFAULT_PARAMS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.model = model
        self.dim = dim
        self.params = params

    def recent_papers(self) -> list[Paper]:
        """Papers listed in the WINDOW_DAYS up to the latest listing day (a store whose
        listings stopped, such as the demo, still has its last month), newest first."""
        latest = self.store.latest_listing_day(self.clock.now().date())
        if latest is None:
            return []
        pairs = self.store.listings_between(latest - timedelta(days=WINDOW_DAYS - 1), latest)
        return list({paper.id: paper for _, paper in reversed(pairs)}.values())[::-1]

    def candidates(self, papers: Sequence[Paper]) -> list[Candidate]:
        """The papers that have a stored vector, as the recommender sees them."""
        return stored_candidates(self.store, self.model, self.dim, papers)

    def feedback(self, user_id: int, pool_ids: Sequence[str]) -> list[Feedback]:
        """Ratings (all), and upvotes and bookmarks among the recent papers."""
        found = [
            Feedback(r.paper_id, "up" if r.value > 0 else "down")
            for r in self.store.ratings_of(user_id=user_id)
        ]
        found += [Feedback(p, "upvote") for p in sorted(self.store.voted(user_id, pool_ids))]
        found += [Feedback(p, "bookmark") for p in sorted(self.store.bookmarked(user_id, pool_ids))]
        return found

    def profile(self, user_id: int, limit: int = 0) -> tuple[UserProfile, ForYou]:
        """The user's trained profile and (when `limit` > 0) the best `limit` recent papers."""
        papers = self.recent_papers()
        pool = prepare_candidates(self.candidates(papers), self.params)
        feedback = self.feedback(user_id, [p.id for p in papers])
        follows: list[Follow] = self.store.follows_of(user_id)
        by_id = {p.id: p for p in papers}
        missing = [f.paper_id for f in feedback if f.paper_id not in by_id]
        by_id |= self.store.get_papers(missing) if missing else {}
        rated = {c.paper_id: c for c in self.candidates([by_id[f.paper_id] for f in feedback])}
        trained = train_profile(feedback, rated, follows, pool, params=self.params)
        if trained.is_empty or not limit:
            return trained, ForYou(None, by_id)
        found = recommend(trained, pool, limit, params=self.params)
        return trained, ForYou(tuple(found), by_id)

    def rank(self, user_id: int, limit: int) -> ForYou:
        """The best `limit` recent papers for the user, with their reasons."""
        return self.profile(user_id, limit)[1]

    def describe(self, user_id: int, n: int = 10) -> LearnedModel:
        """What the model learned of the user."""
        return describe_profile(self.profile(user_id)[0], n)

    def rate(self, user_id: int, paper_id: str, value: str) -> int:
        """Thumbs up, down or clear (value 0) on a paper, as a web rating; the value stored."""
        stored = VALUES.get(value, 0)
        if stored:
            self.store.set_rating(paper_id, stored, WEB, user_id=user_id)
        else:
            self.store.clear_ratings(user_id, paper_id)
        return stored

    def reset(self, user_id: int) -> None:
        """Forget every web rating of the user (digest ratings and follows stay)."""
        self.store.clear_ratings(user_id)

    def seed_bibtex(self, user_id: int, data: bytes) -> BibMatch:
        """Match a BibTeX file's entries (by arXiv id, or title among recent papers); matched
        papers become thumbs up."""
        entries = parse_bibtex(data)
        ids = [e.arxiv_id for e in entries if e.arxiv_id is not None]
        known = set(self.store.get_papers(ids)) if ids else set()
        titles = {title_key(p.title): p.id for p in self.recent_papers()}
        matched = match_entries(entries, known, titles)
        for paper_id in dict.fromkeys(matched.paper_ids):
            self.store.set_rating(paper_id, 1, WEB, user_id=user_id)
        return matched


def stored_candidates(
    store: Store, model: str, dim: int, papers: Sequence[Paper]
) -> list[Candidate]:
    """`papers` that have a stored `model` vector, as the recommender sees them."""
    found = []
    for paper in papers:
        blob = store.vector_of(model, paper.id)
        if blob is not None:
            vector = from_stored([blob], dim)[0]
            text = paper_text(paper.title, paper.abstract)
            found.append(Candidate(paper.id, vector, text, paper.authors, paper.categories))
    return found
