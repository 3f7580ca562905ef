"""The per-user model of rank/recommend.py as the digests' PersonalRanker: a period's papers
become one candidate pool (prepared once); each subscriber's ratings, and an account's follows,
train a profile that ranks the pool. Vectors are the stored ones of one embedding model.

The model's many small linear solves run on one BLAS thread: with OpenBLAS's own threads they
wait on each other whenever another thread or process holds a core (measured in a digest run
on 2 busy cores: 18 ms a solve against 0.7 ms; as index/contextual.py found for the embedder).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence

import numpy as np
from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

from papertide.digest.compose import Ranked
from papertide.digest.service import PeriodRanker
from papertide.models import Follow, Paper
from papertide.rank.foryou import stored_candidates
from papertide.rank.profile import DEFAULT_PARAMS
from papertide.rank.recommend import (
    Candidate,
    CandidatePool,
    Feedback,
    RecommendParams,
    prepare_candidates,
    recommend,
    train_profile,
)
from papertide.store.base import Store
from papertide.store.digest_base import Rating, Subscription

RATED_CACHE_SIZE = 20_000  # rated papers' candidates kept per period (many share likes)
_MODEL_ERRORS = (ArithmeticError, ValueError, np.linalg.LinAlgError)


class RecommendRanker:
    """Builds a period's pool from `store` vectors of embedding `model` (dimension `dim`);
    papers without a vector are left out of the personal ranking (trending still has them)."""

    def __init__(
        self,
        store: Store,
        model: str,
        dim: int,
        params: RecommendParams = DEFAULT_PARAMS,
        log: logging.Logger | None = None,
    ) -> None:
        self.store = store
        self.model = model
        self.dim = dim
        self.params = params
        self.log = log or logging.getLogger("papertide.digest")
        self.blas = ThreadpoolController()

    def for_period(self, candidates: Sequence[Paper]) -> PeriodRanker:
        with self.blas.limit(limits=1, user_api="blas"):
            pool = prepare_candidates(self.candidates(candidates), self.params)
        return PoolRanker(self, pool)

    def candidates(self, papers: Sequence[Paper]) -> list[Candidate]:
        """The papers that have a stored vector, as the recommender sees them."""
        return stored_candidates(self.store, self.model, self.dim, papers)


class PoolRanker:
    """One period's pool; ranks it for each subscriber (profiles are trained on the spot)."""

    def __init__(self, owner: RecommendRanker, pool: CandidatePool) -> None:
        self.owner = owner
        self.pool = pool
        self._rated: dict[str, Candidate | None] = {c.paper_id: c for c in pool.candidates}

    def rank(
        self,
        subscription: Subscription,
        ratings: Sequence[Rating],
        exclude: Collection[str],
        limit: int,
    ) -> list[Ranked] | None:
        """Best first, with the model's reasons; None when nothing is known (cold start)."""
        follows: list[Follow] = []
        if subscription.user_id is not None:
            follows = self.owner.store.follows_of(subscription.user_id)
        if (not ratings and not follows) or not self.pool.candidates:
            return None
        feedback = [Feedback(r.paper_id, "up" if r.value > 0 else "down") for r in ratings]
        papers = self._candidates_of([r.paper_id for r in ratings])
        params = self.owner.params
        try:
            with self.owner.blas.limit(limits=1, user_api="blas"):
                profile = train_profile(feedback, papers, follows, self.pool, params=params)
                if profile.is_empty:
                    return None
                found = recommend(profile, self.pool, limit, exclude=exclude, params=params)
        except _MODEL_ERRORS as error:  # a digest still goes out, with trending papers
            self.owner.log.warning("personal ranking failed for %s: %s", subscription.id, error)
            return None
        return [Ranked(r.paper_id, r.score, r.reasons) for r in found]

    def _candidates_of(self, paper_ids: Sequence[str]) -> dict[str, Candidate]:
        """The rated papers as candidates, read once per period (many subscribers share)."""
        missing = [pid for pid in paper_ids if pid not in self._rated]
        loaded: dict[str, Candidate] = {}
        if missing:
            papers = list(self.owner.store.get_papers(missing).values())
            loaded = {c.paper_id: c for c in self.owner.candidates(papers)}
            if len(self._rated) < RATED_CACHE_SIZE:
                self._rated.update({pid: loaded.get(pid) for pid in missing})
        found = {pid: self._rated.get(pid) or loaded.get(pid) for pid in paper_ids}
        return {pid: c for pid, c in found.items() if c is not None}
