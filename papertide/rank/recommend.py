"""Personal recommendations: rank candidate papers with a user's profile, each with its reasons
(nearest liked papers, contributing terms, matched follows). Pure numpy.

Training lives in profile.py, candidates in pool.py (both re-exported here): a CandidatePool is
prepared once per period and shared by every user's ranking.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from papertide.index.embed import Vectors
from papertide.models import Follow
from papertide.rank.follows import follow_reason, matches_follow
from papertide.rank.pool import Candidate, CandidatePool, IntArray, prepare_pool
from papertide.rank.profile import (
    DEFAULT_PARAMS,
    EMPTY,
    SIGNAL_WEIGHTS,
    Feedback,
    RecommendParams,
    UserProfile,
    empty_profile,
    reset_profile,
    train_profile,
)
from papertide.rank.terms import column_weights, score_rows, top_terms

__all__ = [
    "SIGNAL_WEIGHTS",
    "Candidate",
    "CandidatePool",
    "Feedback",
    "LearnedModel",
    "RecommendParams",
    "Recommendation",
    "UserProfile",
    "describe_profile",
    "empty_profile",
    "prepare_candidates",
    "recommend",
    "reset_profile",
    "score_pool",
    "train_profile",
]

Scores = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A recommended paper. `score` is the model's score in standard deviations over the
    candidates plus follow boosts; `nearest` are (liked paper id, cosine) pairs, most similar
    first; `terms` the terms adding most to the score; `reasons` says all of it in words."""

    paper_id: str
    score: float
    reasons: tuple[str, ...]
    nearest: tuple[tuple[str, float], ...] = ()
    terms: tuple[str, ...] = ()
    follows: tuple[Follow, ...] = ()


@dataclass(frozen=True, slots=True)
class LearnedModel:
    """What a user can see of their model: its kind, the terms it likes and dislikes most,
    the papers it learned from and what the user follows."""

    kind: str
    positive_terms: tuple[tuple[str, float], ...]
    negative_terms: tuple[tuple[str, float], ...]
    liked: tuple[str, ...]
    disliked: tuple[str, ...]
    follows: tuple[Follow, ...]


def prepare_candidates(
    candidates: Sequence[Candidate], params: RecommendParams = DEFAULT_PARAMS
) -> CandidatePool:
    """A pool of a period's candidates with the neighbour lists that smoothing needs."""
    return prepare_pool(candidates, params.neighbours)


def score_pool(
    profile: UserProfile,
    pool: CandidatePool,
    params: RecommendParams = DEFAULT_PARAMS,
    lookup: npt.NDArray[np.float64] | None = None,
) -> Scores:
    """Every candidate's score: z(embedding score) + term_mix x z(term score), mixed with its
    neighbours' mean by `smoothing`, plus `follow_boost` per matched follow. `lookup` is the
    profile's column_weights over the pool's terms, if the caller has them."""
    scores = np.zeros(len(pool), dtype=np.float64)
    if profile.kind != EMPTY and len(pool):
        weights = profile.embedding_weights.astype(np.float64)
        scores = standardise(pool.matrix.astype(np.float64) @ weights + profile.bias)
        if lookup is None:
            lookup = column_weights(pool.terms, dict(profile.term_weights))
        terms = score_rows(pool.terms, lookup).astype(np.float64)
        scores += params.term_mix * standardise(terms)
        scores = spread(scores, pool.neighbours, params.smoothing, params.smoothing_steps)
    for follow in profile.follows:
        matched = [matches_follow(follow, key) for key in pool.keys]
        scores += params.follow_boost * np.asarray(matched, dtype=np.float64)
    return scores


def spread(scores: Scores, neighbours: IntArray, gamma: float, steps: int) -> Scores:
    """Label spreading over the candidates' neighbour graph (Zhou et al., "Learning with local
    and global consistency", NIPS 2003): s <- (1 - gamma) s0 + gamma * mean of the neighbours'
    s, `steps` times. Papers amid liked-looking papers rise; isolated high scores fall."""
    if not gamma or not steps or neighbours.shape[1] == 0:
        return scores
    spread_scores = scores
    for _ in range(steps):
        spread_scores = (1 - gamma) * scores + gamma * spread_scores[neighbours].mean(axis=1)
    return spread_scores


def standardise(values: Scores) -> Scores:
    """(x - mean) / standard deviation; all zeros when the values do not vary."""
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def recommend(
    profile: UserProfile,
    candidates: CandidatePool | Sequence[Candidate],
    k: int,
    *,
    exclude: Collection[str] = (),
    params: RecommendParams = DEFAULT_PARAMS,
) -> list[Recommendation]:
    """The k best candidates with their reasons, best first; ties keep the candidates' order.

    Papers the user rated and the ids in `exclude` (e.g. already sent) are left out. An empty
    profile recommends nothing: the caller shows trending instead.
    """
    if profile.is_empty or k <= 0:
        return []
    pool = (
        candidates
        if isinstance(candidates, CandidatePool)
        else prepare_candidates(candidates, params)
    )
    lookup = column_weights(pool.terms, dict(profile.term_weights))
    scores = score_pool(profile, pool, params, lookup)
    skip = {p for p, _ in profile.liked} | {p for p, _ in profile.disliked} | set(exclude)
    picked: list[int] = []
    for i in np.argsort(-scores, kind="stable").tolist():
        if pool.candidates[i].paper_id not in skip:
            picked.append(i)
            if len(picked) == k:
                break
    return [explain(profile, pool, i, float(scores[i]), lookup, params) for i in picked]


def explain(
    profile: UserProfile,
    pool: CandidatePool,
    i: int,
    score: float,
    lookup: npt.NDArray[np.float64],
    params: RecommendParams,
) -> Recommendation:
    """Candidate i as a Recommendation with its nearest liked papers, terms and follows."""
    nearest = nearest_liked(profile, pool.matrix[i], params.nearest)
    terms = tuple(top_terms(pool.terms, i, lookup, params.reason_terms))
    follows = tuple(f for f in profile.follows if matches_follow(f, pool.keys[i]))
    reasons = [f"similar to {paper}, which you liked ({cosine:.2f})" for paper, cosine in nearest]
    if terms:
        reasons.append("shares terms you like: " + ", ".join(terms))
    reasons += [follow_reason(follow) for follow in follows]
    paper_id = pool.candidates[i].paper_id
    return Recommendation(paper_id, score, tuple(reasons), nearest, terms, follows)


def nearest_liked(profile: UserProfile, vector: Vectors, n: int) -> tuple[tuple[str, float], ...]:
    """The n liked papers most similar to `vector` (cosine), most similar first."""
    if n <= 0 or profile.liked_vectors.shape[0] == 0:
        return ()
    similarities = profile.liked_vectors @ vector.astype(np.float32)
    order = np.argsort(-similarities, kind="stable")[:n]
    return tuple((profile.liked[j][0], round(float(similarities[j]), 4)) for j in order.tolist())


def describe_profile(profile: UserProfile, n: int = 10) -> LearnedModel:
    """The n most positive and most negative terms, the rated papers and the follows."""
    positive = tuple((t, round(w, 4)) for t, w in profile.term_weights if w > 0)[:n]
    negative = tuple((t, round(w, 4)) for t, w in reversed(profile.term_weights) if w < 0)[:n]
    return LearnedModel(
        kind=profile.kind,
        positive_terms=positive,
        negative_terms=negative,
        liked=tuple(paper for paper, _ in profile.liked),
        disliked=tuple(paper for paper, _ in profile.disliked),
        follows=profile.follows,
    )
