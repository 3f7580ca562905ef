"""CSFCube scored as its authors score it, so that our figures sit beside the published ones.

Written from the definition in the collection's evaluation script (iesl/CSFCube,
eval_scripts/ranking_eval.py with rank_metrics.py, commit 7ffe012) and the CSFCube paper
(Mysore, O'Gorman, McCallum & Zamani, NeurIPS Datasets and Benchmarks 2021):

- Every query ranks its whole judged pool; a metric reads the adjudicated grades (0-3) of the
  pool in rank order. A query paper judged in its own pool (8781666, graded 3 for two
  queries) is left out of that pool: the SPECTER run shipped with the script leaves it out,
  and `similar` never returns the paper asked about.
- NDCG%20: nDCG at k = int(0.20 * pool size) (their rounding: truncation, so a pool of 88
  gives k = 17). Gain = the grade itself. Discount: rank 1 and rank 2 both weigh 1, rank i >= 2
  weighs 1/log2(i) (rank_metrics "method 0"; trec_eval's 1/log2(i + 1) differs, see
  metrics.py). The ideal DCG sorts the same pool's grades. 0 when the top k of the ideal
  ranking has no gain.
- MAP: binary relevance, grade >= 2; a query's AP is the mean of precision@i over the ranks i
  that hold a relevant candidate (the whole pool is ranked, so that is every relevant one);
  0 for a query without relevant candidates (every CSFCube query has some).
- Which queries count, and the aggregation: test queries come in two folds (fold1_test and
  fold2_test of evaluation_splits.json, 26 and 24 queries; fold2_test is fold1_dev). A
  figure is the mean over folds of the per-fold mean over its queries, per facet (the facet's
  queries of each fold) and "aggregated" (all of each fold's queries). Reported figures are
  these means times 100 (we print fractions).

`score_official` takes one ranker per fold: the ranker whose settings were chosen on that
fold's dev queries scores that fold's test queries, so nothing is scored on the queries it was
tuned on (the script itself leaves this to its user).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

from papertide.eval.base import FACETS, EvalQuery, Ranker
from papertide.eval.datasets import EvalCollection
from papertide.eval.report import render_table

POOL_FRACTION = 0.20
OFFICIAL_RELEVANT_GRADE = 2
AGGREGATED = "aggregated"
GROUPS = (*FACETS, AGGREGATED)


@dataclass(frozen=True, slots=True)
class OfficialQueryScore:
    """One test query's AP and NDCG%20, with the facet and fold it is averaged in."""

    query_id: str
    facet: str
    fold: str
    ap: float
    ndcg: float


@dataclass(frozen=True, slots=True)
class OfficialResult:
    """A ranker's CSFCube figures: `mean_ap` and `ndcg` map each facet and AGGREGATED to a
    fraction. Published rows carry their `source` and no per-query scores; a published
    figure that could not be found is simply absent from its mapping."""

    name: str
    mean_ap: Mapping[str, float]
    ndcg: Mapping[str, float]
    queries: tuple[OfficialQueryScore, ...] = ()
    source: str = ""


def pool_cutoff(pool_size: int) -> int:
    """The k of NDCG%20: 20% of the pool, truncated as the script's int() does."""
    return int(POOL_FRACTION * pool_size)


def official_dcg(gains: Sequence[float]) -> float:
    """DCG with rank 1 undiscounted and gain_i / log2(i) from rank 2 on."""
    if not gains:
        return 0.0
    return gains[0] + sum(gain / math.log2(i) for i, gain in enumerate(gains[1:], start=2))


def pool_ndcg(grades: Sequence[int]) -> float:
    """NDCG%20 of a whole pool's grades in rank order."""
    k = pool_cutoff(len(grades))
    ideal = official_dcg(sorted(grades, reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return official_dcg(grades[:k]) / ideal


def pool_average_precision(grades: Sequence[int]) -> float:
    """AP of a whole pool's grades in rank order, relevant from OFFICIAL_RELEVANT_GRADE."""
    precisions: list[float] = []
    for rank, grade in enumerate(grades, start=1):
        if grade >= OFFICIAL_RELEVANT_GRADE:
            precisions.append((len(precisions) + 1) / rank)
    return fmean(precisions) if precisions else 0.0


def score_official(
    name: str, rankers: Mapping[str, Ranker], collection: EvalCollection
) -> OfficialResult:
    """Rank each fold's test queries with that fold's ranker and aggregate as the script does.

    `rankers` maps each fold name of `collection.folds` to a ranker; give the same ranker for
    every fold when it has nothing tuned.
    """
    queries = {q.id: q for q in collection.queries}
    scores = []
    for fold in collection.folds:
        ranker = rankers[fold.name]
        for query_id in fold.test:
            query = queries[query_id]
            pool = tuple(d for d in collection.pools[query_id] if d.id != paper_id(query))
            ranking = ranker.rank(query, pool, len(pool))
            if sorted(ranking) != sorted(doc.id for doc in pool):
                raise ValueError(f"{ranker.name} did not rank the whole pool of {query_id}")
            judged = collection.qrels[query_id]
            grades = [judged.get(doc_id, 0) for doc_id in ranking]
            facet = query.facet or ""
            scores.append(
                OfficialQueryScore(
                    query_id, facet, fold.name, pool_average_precision(grades), pool_ndcg(grades)
                )
            )
    return OfficialResult(
        name,
        mean_ap=aggregate(scores, lambda s: s.ap),
        ndcg=aggregate(scores, lambda s: s.ndcg),
        queries=tuple(scores),
    )


def paper_id(query: EvalQuery) -> str | None:
    """The id of the query's own paper, if it is a query by example."""
    return None if query.paper is None else query.paper.id


def aggregate(
    scores: Sequence[OfficialQueryScore], metric: Callable[[OfficialQueryScore], float]
) -> dict[str, float]:
    """Per facet and AGGREGATED: the mean over folds of each fold's mean."""
    folds = list(dict.fromkeys(s.fold for s in scores))
    figures = {}
    for group in GROUPS:
        fold_means = []
        for fold in folds:
            values = [
                metric(s) for s in scores if s.fold == fold and group in (AGGREGATED, s.facet)
            ]
            if values:
                fold_means.append(fmean(values))
        if fold_means:
            figures[group] = fmean(fold_means)
    return figures


ASPIRE_PAPER = (
    "Mysore, Cohan & Hope, NAACL 2022 (arXiv 2111.08366); figure as the paper reports it "
    "(mean of 3 runs), restated in the model card of"
)
# Published CSFCube test figures. Per-facet figures of the Aspire paper's table could not be
# read here (only its model cards restate figures, aggregated only), nor any tsAspire or SciNCL
# figure: those are absent, not guessed. SPECTER's per-facet figures are those of the SPECTER
# rankings the authors ship with the script, scored by this module; the same scoring gives
# exactly the published aggregated 34.23 / 53.28, which checks this module against theirs.
PUBLISHED: tuple[OfficialResult, ...] = (
    OfficialResult(
        "SPECTER (published)",
        {"background": 0.4395, "method": 0.2244, "result": 0.3679, AGGREGATED: 0.3423},
        {"background": 0.6670, "method": 0.3741, "result": 0.5667, AGGREGATED: 0.5328},
        source="aggregated: Aspire paper, model card allenai/aspire-biencoder-compsci-spec; "
        "per facet: iesl/CSFCube eval_scripts/sample_ranked_pools (SPECTER run) scored here",
    ),
    OfficialResult(
        "SPECTER-CoCite (published)",
        {AGGREGATED: 0.3790},
        {AGGREGATED: 0.5816},
        source=f"{ASPIRE_PAPER} allenai/aspire-biencoder-compsci-spec",
    ),
    OfficialResult(
        "otAspire (published)",
        {AGGREGATED: 0.4079},
        {AGGREGATED: 0.6141},
        source=f"{ASPIRE_PAPER} allenai/aspire-contextualsentence-multim-compsci",
    ),
)
MISSING = "-"


def official_table(results: Sequence[OfficialResult]) -> str:
    """MAP and NDCG%20 per facet and aggregated, times 100 as the papers print them."""
    columns = [("", "ranker")]
    for metric in ("MAP", "NDCG%20"):
        columns += [(f"{metric} (CSFCube test, x100)", group) for group in GROUPS]
    rows = [
        [
            result.name,
            *(percent(result.mean_ap.get(group)) for group in GROUPS),
            *(percent(result.ndcg.get(group)) for group in GROUPS),
        ]
        for result in results
    ]
    return render_table(columns, rows)


def percent(value: float | None) -> str:
    """Two decimals of value x 100, or MISSING."""
    return MISSING if value is None else f"{100 * value:.2f}"


def gap_lines(results: Sequence[OfficialResult], names: Sequence[str]) -> list[str]:
    """For each named row: its aggregated figures against SPECTER and the best published row."""
    rows = {result.name: result for result in results}
    specter = PUBLISHED[0]
    best = max(PUBLISHED, key=lambda p: p.ndcg[AGGREGATED])
    lines = []
    for name in names:
        ours = rows[name]
        lines.append(
            f"{name}: aggregated MAP {percent(ours.mean_ap[AGGREGATED])}, "
            f"NDCG%20 {percent(ours.ndcg[AGGREGATED])}; against {specter.name} "
            f"{difference(ours, specter)}; against the best, {best.name} {difference(ours, best)}"
        )
    return lines


def difference(ours: OfficialResult, other: OfficialResult) -> str:
    """Points of MAP and NDCG%20 (aggregated) between two rows, signed."""
    ap = 100 * (ours.mean_ap[AGGREGATED] - other.mean_ap[AGGREGATED])
    ndcg = 100 * (ours.ndcg[AGGREGATED] - other.ndcg[AGGREGATED])
    return f"MAP {ap:+.2f}, NDCG%20 {ndcg:+.2f}"
