"""Choose a ranker family's parameters on the dev queries only (e.g. hybrid fusion weights).

Never looks at test queries: `tune` scores the grid on `collection.dev_queries()` and returns
the best parameters; report them with run_eval, which scores test queries only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Generic, Literal, TypeVar

from papertide.eval.base import Ranker
from papertide.eval.datasets import EvalCollection
from papertide.eval.runner import score_queries

P = TypeVar("P")
TuneMetric = Literal["ndcg", "ap"]


@dataclass(frozen=True, slots=True)
class TuneResult(Generic[P]):
    """The best parameters, their dev score and every (parameters, dev score) in grid order."""

    best: P
    score: float
    metric: TuneMetric
    scores: tuple[tuple[P, float], ...]


def tune(
    family: Callable[[P], Ranker],
    grid: Sequence[P],
    collection: EvalCollection,
    metric: TuneMetric = "ndcg",
) -> TuneResult[P]:
    """Score `family(p)` for each `p` in `grid` on the dev queries; the first best one wins.

    The score is the mean over all dev queries of nDCG@20 ("ndcg") or average precision
    ("ap"); ties go to the earlier grid entry, so list the simpler settings first.
    """
    if not grid:
        raise ValueError("the parameter grid is empty")
    queries = collection.dev_queries()
    if not queries:
        raise ValueError(f"{collection.name} has no dev queries to tune on")
    scores = []
    for params in grid:
        found = score_queries(family(params), collection, queries)
        scores.append((params, fmean(getattr(s, metric) for s in found)))
    best, score = scores[0]
    for params, value in scores[1:]:
        if value > score:
            best, score = params, value
    return TuneResult(best, score, metric, tuple(scores))
