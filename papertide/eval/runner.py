"""Run rankers over the evaluation collections and score them side by side.

CSFCube: every test query's whole pool is ranked (AP needs the full ranking); nDCG@20 and AP
are averaged per facet and over all test queries. Daily Papers: each title ranks the whole
sampled corpus down to MRR_DEPTH. Loads nothing (datasets.py does), keeps no state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from statistics import fmean

from papertide.eval.base import FACETS, EvalQuery, Ranker
from papertide.eval.datasets import EvalCollection, EvalData
from papertide.eval.metrics import average_precision, ndcg_at_k, reciprocal_rank
from papertide.eval.report import OVERALL, EvalReport, EvalSetup, QueryScore, RankerResult

NDCG_K = 20
MRR_DEPTH = 100  # a title's own paper ranked below 100 adds 0 (it would add < 0.01)

MetricOf = Callable[[QueryScore], float]


class RankingError(ValueError):
    """A ranker returned ids that are not a ranking of its candidates."""


def run_eval(rankers: Sequence[Ranker], data: EvalData) -> EvalReport:
    """Score every ranker on the CSFCube test queries and the Daily Papers titles."""
    names = [ranker.name for ranker in rankers]
    if len(set(names)) != len(names):
        raise ValueError(f"ranker names must be unique, got {names}")
    results = tuple(evaluate_ranker(ranker, data) for ranker in rankers)
    return EvalReport(describe(data), results)


def evaluate_ranker(ranker: Ranker, data: EvalData) -> RankerResult:
    """One ranker's row of the report."""
    started = time.perf_counter()
    csfcube = data.csfcube
    scores = score_queries(ranker, csfcube, csfcube.test_queries())
    mrr = None
    if data.daily_papers is not None:
        daily = data.daily_papers
        found = score_queries(ranker, daily, daily.test_queries(), depth=MRR_DEPTH)
        mrr = fmean(s.rr for s in found)
    return RankerResult(
        name=ranker.name,
        ndcg=by_facet(scores, lambda s: s.ndcg),
        mean_ap=by_facet(scores, lambda s: s.ap),
        mrr=mrr,
        seconds=round(time.perf_counter() - started, 3),
        queries=scores,
    )


def score_queries(
    ranker: Ranker,
    collection: EvalCollection,
    queries: Iterable[EvalQuery],
    depth: int | None = None,
) -> tuple[QueryScore, ...]:
    """Rank each query's pool (all of it, or its first `depth`) and score the ranking."""
    pool_ids: dict[int, frozenset[str]] = {}  # per pool object, computed once per call
    scores = []
    for query in queries:
        pool = collection.pools[query.id]
        if id(pool) not in pool_ids:
            pool_ids[id(pool)] = frozenset(doc.id for doc in pool)
        k = len(pool) if depth is None else min(depth, len(pool))
        ranking = ranker.rank(query, pool, k)
        check_ranking(ranker.name, query.id, ranking, pool_ids[id(pool)], k)
        scores.append(score_ranking(query, ranking, collection))
    return tuple(scores)


def score_ranking(query: EvalQuery, ranking: list[str], collection: EvalCollection) -> QueryScore:
    """nDCG@NDCG_K, AP and RR of one ranking against the query's qrels."""
    judged = collection.qrels.get(query.id, {})
    grade = collection.relevant_grade
    return QueryScore(
        query_id=query.id,
        facet=query.facet,
        ndcg=ndcg_at_k(ranking, judged, NDCG_K),
        ap=average_precision(ranking, judged, grade),
        rr=reciprocal_rank(ranking, judged, grade),
    )


def check_ranking(
    name: str, query_id: str, ranking: Sequence[str], candidates: frozenset[str], k: int
) -> None:
    """Refuse rankings longer than k, with repeats or with ids outside the pool."""
    if len(ranking) > k:
        raise RankingError(f"{name} returned {len(ranking)} ids for {query_id}, asked for {k}")
    if len(set(ranking)) != len(ranking):
        raise RankingError(f"{name} returned an id twice for {query_id}")
    if stray := [doc for doc in ranking if doc not in candidates][:3]:
        raise RankingError(f"{name} returned ids outside the pool of {query_id}: {stray}")


def by_facet(scores: Sequence[QueryScore], metric: MetricOf) -> dict[str, float]:
    """The metric's mean per facet present and over all queries ("overall")."""
    means = {}
    for facet in FACETS:
        values = [metric(s) for s in scores if s.facet == facet]
        if values:
            means[facet] = fmean(values)
    if scores:
        means[OVERALL] = fmean(metric(s) for s in scores)
    return means


def describe(data: EvalData) -> EvalSetup:
    """The setup block of a report."""
    split = data.csfcube.split
    daily = data.daily_papers
    return EvalSetup(
        csfcube_split="all queries" if split is None else f"{split.name}_test",
        csfcube_test_queries=len(data.csfcube.test_queries()),
        ndcg_k=NDCG_K,
        relevant_grade=data.csfcube.relevant_grade,
        daily_papers_queries=None if daily is None else len(daily.queries),
        daily_papers_seed=None if daily is None else daily.seed,
        mrr_depth=MRR_DEPTH,
    )
