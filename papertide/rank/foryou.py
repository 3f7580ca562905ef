"""The "For you" ranking of the web: a user's ratings, upvotes, bookmarks and follows train the
model of recommend.py over the papers listed in the last days; what it learned; BibTeX seeds.

The candidate pool (vectors, tf-idf rows, neighbour lists of the recent papers) is the same for
every user until the listings or the stored vectors change, so it is prepared once and kept
per store (POOLS), with the candidates of rated papers read so far and the last profiles
trained (a user's model changes only with their feedback or follows). A request checks the
latest listing day, the listings per day of the window and the vectors' change number (three
small queries); text edited since the last `papertide index` waits for its new vector, as the
vectors themselves do. Every request reads the user's feedback from the store, so a rating
made through another worker counts at once; a new rating trains the model again, starting
its fit from the user's last profile (the same minimum in fewer steps).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import TypeVar

from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

from papertide.clock import Clock
from papertide.index.embed import paper_text
from papertide.index.vectors import from_stored
from papertide.models import Follow, Paper
from papertide.rank.bibtex import BibMatch, match_entries, parse_bibtex, title_key
from papertide.rank.profile import DEFAULT_PARAMS
from papertide.rank.recommend import (
    Candidate,
    CandidatePool,
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
RATED_CACHE_SIZE = 5_000  # candidates of rated papers kept per pool (about 2 KB each)
MODEL_MAX_RATINGS = 1_000  # the newest ratings a model learns from: its cost stays bounded
PROFILE_CACHE_SIZE = 64  # trained profiles kept per pool, least recently used dropped first

PoolKey = tuple[object, ...]
Event = tuple[str, str]  # (paper id, signal): a Feedback of weight 1
ProfileKey = tuple[tuple[Event, ...], tuple[Follow, ...]]
K = TypeVar("K")


@dataclass(frozen=True, slots=True, eq=False)
class PreparedPool:
    """The recent papers as prepared under `key`, with the candidates of rated papers looked
    up since (paper id -> candidate, None: no paper or no vector), the profiles trained
    against it (by what they were trained from: feedback and follows) and each user's latest
    one (by user id: where the next fit starts)."""

    key: PoolKey
    papers: tuple[Paper, ...]
    pool: CandidatePool
    rated: dict[str, Candidate | None] = field(default_factory=dict)
    profiles: OrderedDict[ProfileKey, UserProfile] = field(default_factory=OrderedDict)
    latest: OrderedDict[int, UserProfile] = field(default_factory=OrderedDict)

    def trained(self, key: ProfileKey) -> UserProfile | None:
        """The profile trained from `key`, if kept."""
        found = self.profiles.get(key)
        if found is not None:
            self.profiles.move_to_end(key)
        return found

    def keep(self, user_id: int, key: ProfileKey, profile: UserProfile) -> None:
        """Keep a user's trained profile, dropping the least recently used beyond the limit."""
        remember(self.profiles, key, profile)
        remember(self.latest, user_id, profile)


def remember(kept: OrderedDict[K, UserProfile], key: K, profile: UserProfile) -> None:
    """Put `profile` at `key` as the most recently used, dropping the least recently used
    beyond PROFILE_CACHE_SIZE."""
    kept[key] = profile
    kept.move_to_end(key)
    while len(kept) > PROFILE_CACHE_SIZE:
        kept.popitem(last=False)


# per store object (the web shares one per worker), per (model, dim): the last prepared pool;
# LOCK is held while they are read or changed
LOCK = threading.Lock()
POOLS: weakref.WeakKeyDictionary[Store, dict[tuple[str, int], PreparedPool]] = (
    weakref.WeakKeyDictionary()
)


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
        pairs = self.store.listings_between(window_start(latest), latest)
        return list({paper.id: paper for _, paper in reversed(pairs)}.values())[::-1]

    def candidates(self, papers: Sequence[Paper]) -> list[Candidate]:
        """The papers that have a stored vector, as the recommender sees them."""
        return stored_candidates(self.store, self.model, self.dim, papers)

    def feedback(self, user_id: int, pool_ids: Sequence[str]) -> list[Event]:
        """The newest MODEL_MAX_RATINGS ratings, and upvotes and bookmarks among the recent
        papers: however long a user's history, a request reads and trains on a bounded part."""
        found = [
            (paper, "up" if value > 0 else "down")
            for paper, value in self.store.rating_values(user_id, MODEL_MAX_RATINGS)
        ]
        found += [(p, "upvote") for p in sorted(self.store.voted(user_id, pool_ids))]
        found += [(p, "bookmark") for p in sorted(self.store.bookmarked(user_id, pool_ids))]
        return found

    def prepared(self) -> PreparedPool:
        """The pool of the recent papers: the kept one while its key still holds."""
        latest = self.store.latest_listing_day(self.clock.now().date())
        days = (
            () if latest is None else tuple(self.store.listing_days(window_start(latest), latest))
        )
        key = (self.params, latest, days, self.store.vector_seq(self.model))
        kept = POOLS.setdefault(self.store, {})
        found = kept.get((self.model, self.dim))
        if found is None or found.key != key:
            papers = self.recent_papers()
            with blas().limit(limits=1, user_api="blas"):
                pool = prepare_candidates(self.candidates(papers), self.params)
            found = PreparedPool(key, tuple(papers), pool)
            kept[(self.model, self.dim)] = found
        return found

    def rated_candidates(self, prepared: PreparedPool, ids: Sequence[str]) -> dict[str, Candidate]:
        """Candidates of the rated papers `ids` that have a stored vector: from the pool, the
        kept lookups, or the store (then kept)."""
        in_pool = {c.paper_id: c for c in prepared.pool.candidates}
        wanted = [i for i in dict.fromkeys(ids) if i not in in_pool and i not in prepared.rated]
        if wanted:
            papers = self.store.get_papers(wanted)
            found = {c.paper_id: c for c in self.candidates(list(papers.values()))}
            if len(prepared.rated) + len(wanted) > RATED_CACHE_SIZE:
                prepared.rated.clear()
            prepared.rated.update({i: found.get(i) for i in wanted})
        rated = {i: in_pool.get(i) or prepared.rated.get(i) for i in ids}
        return {i: c for i, c in rated.items() if c is not None}

    def profile(self, user_id: int, limit: int = 0) -> tuple[UserProfile, ForYou]:
        """The user's trained profile and (when `limit` > 0) the best `limit` recent papers,
        with the papers they name (themselves and their nearest liked papers)."""
        with LOCK:  # the kept pools, rows and profiles are shared by the web's threads
            return self._profile(user_id, limit)

    def _profile(self, user_id: int, limit: int) -> tuple[UserProfile, ForYou]:
        prepared = self.prepared()
        pool = prepared.pool
        events = self.feedback(user_id, [p.id for p in prepared.papers])
        follows: list[Follow] = self.store.follows_of(user_id)
        key = (tuple(events), tuple(follows))
        with blas().limit(limits=1, user_api="blas"):
            trained = prepared.trained(key)
            if trained is None:
                rated = self.rated_candidates(prepared, [paper for paper, _ in events])
                feedback = [Feedback(paper, signal) for paper, signal in events]
                previous = prepared.latest.get(user_id)
                trained = train_profile(
                    feedback, rated, follows, pool, params=self.params, previous=previous
                )
            prepared.keep(user_id, key, trained)
            if trained.is_empty or not limit:
                return trained, ForYou(None, {})
            found = recommend(trained, pool, limit, params=self.params)
        named = [r.paper_id for r in found] + [p for r in found for p, _ in r.nearest]
        return trained, ForYou(tuple(found), self.store.get_papers(list(dict.fromkeys(named))))

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


def window_start(latest: date) -> date:
    """The first day of the WINDOW_DAYS ending on `latest`."""
    return latest - timedelta(days=WINDOW_DAYS - 1)


@cache
def blas() -> ThreadpoolController:
    """The BLAS libraries, found once: a user's model fits with one BLAS thread (its small
    products and solves ran 5x slower on two threads of a busy machine)."""
    return ThreadpoolController()


def stored_candidates(
    store: Store, model: str, dim: int, papers: Sequence[Paper]
) -> list[Candidate]:
    """`papers` that have a stored `model` vector, as the recommender sees them (with their
    organisations, read in one query)."""
    orgs = store.orgs_for([paper.id for paper in papers]) if papers else {}
    found = []
    for paper in papers:
        blob = store.vector_of(model, paper.id)
        if blob is not None:
            vector = from_stored([blob], dim)[0]
            text = paper_text(paper.title, paper.abstract)
            slugs = tuple(org.slug for org in orgs.get(paper.id, ()))
            found.append(Candidate(paper.id, vector, text, paper.authors, paper.categories, slugs))
    return found
