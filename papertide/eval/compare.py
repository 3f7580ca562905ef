"""The comparison behind `papertide eval`: the product's rankers and the tf-idf SVM baseline side
by side, the hybrid's fusion chosen on the CSFCube dev fold and reported on the test fold.

Takes loaded data and ready embedders; loads no model and prints nothing (the CLI does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from statistics import fmean
from typing import Any

from papertide.eval.base import EvalDoc, Ranker
from papertide.eval.baselines import TfidfSvmRanker
from papertide.eval.datasets import EvalData
from papertide.eval.rankers import Bm25Ranker, DenseRanker, HybridRanker, fusion_grid
from papertide.eval.report import OVERALL, EvalReport, RankerResult
from papertide.eval.runner import run_eval, score_queries
from papertide.eval.tuning import TuneResult, tune
from papertide.index.embed import Embedder
from papertide.search.hybrid import Fusion

FIGURE_GAIN = 0.05  # issue #3: hybrid beats BM25 and the best dense ranker by 5% relative
BM25_NAME = "BM25"
BM25_WHOLE_NAME = "BM25 (whole query paper)"
SVM_NAME = "tf-idf SVM (arxiv-sanity style)"
HYBRID_NAME = "hybrid"

Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Comparison:
    """The test report, what was chosen on dev, and the issue's figure.

    `dense_dev` maps each dense ranker to its dev nDCG@20; `gains` maps "over BM25" and
    "over best dense" to the hybrid's relative gain in test nDCG@20 (overall).
    """

    report: EvalReport
    dense_for_hybrid: str
    dense_dev: Mapping[str, float]
    fusion: TuneResult[Fusion]
    gains: Mapping[str, float]
    lexical_for_hybrid: str = BM25_NAME

    @property
    def figure_holds(self) -> bool:
        """Whether every gain reaches FIGURE_GAIN."""
        return all(gain >= FIGURE_GAIN for gain in self.gains.values())

    def to_dict(self) -> dict[str, Any]:
        """The report plus the choices and the figure, JSON-ready."""
        grid = [{"fusion": asdict(f), "dev_ndcg": s} for f, s in self.fusion.scores]
        return {
            **self.report.to_dict(),
            "dense_for_hybrid": self.dense_for_hybrid,
            "lexical_for_hybrid": self.lexical_for_hybrid,
            "dense_dev_ndcg": dict(self.dense_dev),
            "fusion": {**asdict(self.fusion.best), "dev_ndcg": self.fusion.score},
            "fusion_grid": grid,
            "hybrid_gain": dict(self.gains),
            "figure_holds": self.figure_holds,
        }


def compare_rankers(
    data: EvalData, embedders: Mapping[str, Embedder], log: Log | None = None
) -> Comparison:
    """Tune the hybrid on dev, then score every ranker on test in one run.

    `embedders` maps a row name (e.g. "dense-fast") to its embedder, in row order. The hybrid's
    dense part is the dense ranker with the best dev nDCG@20 (the first on ties).
    """
    say = log or (lambda _: None)
    bm25 = Bm25Ranker(BM25_NAME)
    dense = [DenseRanker(embedder, name) for name, embedder in embedders.items()]
    if not dense:
        raise ValueError("compare_rankers needs at least one embedder")
    for ranker in dense:
        say(f"embedding the CSFCube corpus with {ranker.embedder.name}")
        ranker.embed_docs(unique_docs(data))
    say("choosing the dense part and the fusion on the CSFCube dev fold")
    dense_dev = {r.name: dev_ndcg(r, data) for r in dense}
    chosen = next(r for r in dense if dense_dev[r.name] == max(dense_dev.values()))
    lexical, tuned = tune_hybrid(bm25, chosen, data)
    hybrid = HybridRanker(lexical, chosen, tuned.best, HYBRID_NAME)
    say("scoring every ranker on the test queries")
    rankers: list[Ranker] = [bm25, TfidfSvmRanker(name=SVM_NAME), *dense, hybrid]
    report = run_eval(rankers, data)
    gains = hybrid_gains(report.results, [r.name for r in dense])
    return Comparison(report, chosen.name, dense_dev, tuned, gains, lexical.name)


def tune_hybrid(
    bm25: Bm25Ranker, dense: DenseRanker, data: EvalData
) -> tuple[Bm25Ranker, TuneResult[Fusion]]:
    """The lexical query form (facet text, or the whole query paper) and the fusion with the
    best dev nDCG@20; the facet text wins ties."""

    def family(lexical: Bm25Ranker) -> Callable[[Fusion], Ranker]:
        return lambda fusion: HybridRanker(lexical, dense, fusion, HYBRID_NAME)

    options = [
        (lexical, tune(family(lexical), fusion_grid(), data.csfcube))
        for lexical in (bm25, Bm25Ranker(BM25_WHOLE_NAME, whole_paper=True))
    ]
    return max(options, key=lambda option: option[1].score)


def unique_docs(data: EvalData) -> list[EvalDoc]:
    """Every distinct CSFCube candidate, in first-seen order (one embedding pass)."""
    seen: dict[str, EvalDoc] = {}
    for pool in data.csfcube.pools.values():
        for doc in pool:
            seen.setdefault(doc.id, doc)
    return list(seen.values())


def dev_ndcg(ranker: Ranker, data: EvalData) -> float:
    """Mean nDCG@20 over the CSFCube dev queries."""
    csfcube = data.csfcube
    return fmean(s.ndcg for s in score_queries(ranker, csfcube, csfcube.dev_queries()))


def hybrid_gains(results: Sequence[RankerResult], dense_names: Sequence[str]) -> dict[str, float]:
    """Relative test nDCG@20 (overall) gain of the hybrid over BM25 and the best dense row."""
    overall = {r.name: r.ndcg[OVERALL] for r in results}
    best_dense = max(overall[name] for name in dense_names)
    hybrid = overall[HYBRID_NAME]
    return {
        "over BM25": relative_gain(hybrid, overall[BM25_NAME]),
        "over best dense": relative_gain(hybrid, best_dense),
    }


def relative_gain(value: float, baseline: float) -> float:
    """(value - baseline) / baseline; infinite when the baseline is 0 and value is above it."""
    if baseline == 0:
        return 0.0 if value == 0 else float("inf")
    return (value - baseline) / baseline
