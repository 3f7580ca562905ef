"""The comparison behind `papertide eval`: the product's rankers and the tf-idf SVM baseline side
by side, the hybrid's fusion chosen on the CSFCube dev fold and reported on the test fold.

Takes loaded data and ready embedders; loads no model and prints nothing (the CLI does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from statistics import fmean
from typing import Any

from papertide.eval.base import FACETS, EvalDoc, Ranker
from papertide.eval.baselines import TfidfSvmRanker
from papertide.eval.datasets import EvalCollection, EvalData
from papertide.eval.official import OfficialResult, score_official
from papertide.eval.rankers import (
    FACET,
    Bm25Ranker,
    DenseRanker,
    FacetRanker,
    HybridRanker,
    describe_fusion,
    facet_grid,
    fusion_grid,
    pool_sentences,
)
from papertide.eval.report import OVERALL, EvalReport, RankerResult
from papertide.eval.runner import run_eval, score_queries
from papertide.eval.tuning import TuneResult, tune
from papertide.index.embed import Embedder
from papertide.index.sentence_index import SentenceIndex
from papertide.search.hybrid import Fusion

FIGURE_GAIN = 0.05  # issue #3: hybrid beats BM25 and the best dense ranker by 5% relative
BM25_NAME = "BM25"
BM25_WHOLE_NAME = "BM25 (whole query paper)"
SVM_NAME = "tf-idf SVM (arxiv-sanity style)"
HYBRID_NAME = "hybrid"
SIMILAR_PREFIX = "similar ("

Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Comparison:
    """The test report, what was chosen on dev, and the issue's figure.

    `dense_dev` maps each dense ranker to its dev nDCG@20; `gains` maps "over BM25" and
    "over best dense" to the hybrid's relative gain in test nDCG@20 (overall). `official`
    scores every row by CSFCube's own protocol (official.py), the hybrid tuned per fold:
    `fold_fusions` names the hybrid chosen on each fold's dev queries, `facet_weights` the
    facet score's weight per facet chosen on each fold's dev queries for the faceted rows,
    `similar_fusions` the fusion of a tuned `similar` row chosen on each fold's dev queries.
    """

    report: EvalReport
    dense_for_hybrid: str
    dense_dev: Mapping[str, float]
    fusion: TuneResult[Fusion]
    gains: Mapping[str, float]
    lexical_for_hybrid: str = BM25_NAME
    official: tuple[OfficialResult, ...] = ()
    fold_fusions: Mapping[str, str] = field(default_factory=dict)
    facet_weights: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    similar_fusions: Mapping[str, str] = field(default_factory=dict)

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
            "official": [asdict(result) for result in self.official],
            "official_fold_hybrids": dict(self.fold_fusions),
            "official_facet_weights": {k: dict(v) for k, v in self.facet_weights.items()},
            "official_similar_fusions": dict(self.similar_fusions),
        }


def compare_rankers(
    data: EvalData,
    embedders: Mapping[str, Embedder],
    log: Log | None = None,
    similar: Mapping[str, Fusion] | None = None,
    similar_grids: Mapping[str, Sequence[Fusion]] | None = None,
) -> Comparison:
    """Tune the hybrid on dev, then score every ranker on test in one run.

    `embedders` maps a row name (e.g. "dense-fast") to its embedder, in row order. The hybrid's
    dense part is the dense ranker with the best dev nDCG@20 (the first on ties). `similar`
    maps dense row names to a fixed fusion (keyed as rankers.py keys it): each adds the row
    "similar (<name>)", BM25 and that embedder on the whole query paper, as `papertide similar`
    ranks with its shipped settings. A row named in `similar_grids` is scored by CSFCube's
    protocol with the fusion of its grid chosen on each fold's dev queries (the shipped one
    is fold1_dev's choice).
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
    chosen, dense_dev, lexical, tuned = choose_hybrid(bm25, dense, data)
    hybrid = HybridRanker(lexical, chosen, tuned.best, HYBRID_NAME)
    whole = Bm25Ranker(BM25_WHOLE_NAME, whole_paper=True)
    by_name = {r.name: r for r in dense}
    shipped = [
        HybridRanker(whole, by_name[name].whole_paper_view(name), fusion, similar_row(name))
        for name, fusion in (similar or {}).items()
    ]
    say("scoring every ranker on the test queries")
    rankers: list[Ranker] = [bm25, TfidfSvmRanker(name=SVM_NAME), *dense, *shipped, hybrid]
    report = run_eval(rankers, data)
    gains = hybrid_gains(report.results, [r.name for r in dense])
    comparison = Comparison(report, chosen.name, dense_dev, tuned, gains, lexical.name)
    if not data.csfcube.folds:
        return comparison
    say("scoring every ranker by CSFCube's own protocol, the hybrid tuned on each fold")
    per_fold: dict[str, HybridRanker] = {}
    for fold in data.csfcube.folds:
        if data.csfcube.split is not None and fold.name == data.csfcube.split.name:
            per_fold[fold.name] = hybrid
            continue
        fold_data = replace(data, csfcube=data.csfcube.with_fold(fold.name))
        fold_dense, _, fold_lexical, fold_tuned = choose_hybrid(bm25, dense, fold_data)
        per_fold[fold.name] = HybridRanker(fold_lexical, fold_dense, fold_tuned.best, HYBRID_NAME)
    by_row: dict[str, Mapping[str, Ranker]] = {hybrid.name: per_fold}
    similar_fusions: dict[str, str] = {}
    for name, grid in (similar_grids or {}).items():
        say(f"choosing the fusion of {similar_row(name)} on each fold's dev queries")
        family = similar_family(whole, by_name[name].whole_paper_view(name), similar_row(name))
        tuned_similar = {}
        for fold in data.csfcube.folds:
            collection = data.csfcube.with_fold(fold.name)
            tuned_similar[fold.name] = family(tune(family, grid, collection).best)
            described = describe_fusion(tuned_similar[fold.name].fusion)
            similar_fusions[f"{similar_row(name)} {fold.name}"] = described
        by_row[similar_row(name)] = tuned_similar
    official = tuple(
        score_official(r.name, by_row.get(r.name, dict.fromkeys(per_fold, r)), data.csfcube)
        for r in rankers
    )
    fold_fusions = {
        fold: f"{r.lexical.name} + {r.dense.name}, {describe_fusion(r.fusion)}"
        for fold, r in per_fold.items()
    }
    faceted: list[OfficialResult] = []
    facet_weights: dict[str, dict[str, float]] = {}
    for name in similar or {}:
        say(f"choosing the facet weights of {facet_row(name)} on each fold's dev queries")
        per_fold_facets = {}
        view = by_name[name].whole_paper_view(name)
        sentences = pool_sentences(view.embedder, data.csfcube)
        for fold in data.csfcube.folds:
            collection = data.csfcube.with_fold(fold.name)
            fusions = tune_facets(whole, view, sentences, collection)
            per_fold_facets[fold.name] = FacetRanker(
                whole, view, sentences, fusions, facet_row(name)
            )
            facet_weights[f"{facet_row(name)} {fold.name}"] = {
                facet: fusion.weight(FACET) for facet, fusion in fusions.items()
            }
        faceted.append(score_official(facet_row(name), per_fold_facets, data.csfcube))
    return replace(
        comparison,
        official=(*official, *faceted),
        fold_fusions=fold_fusions,
        facet_weights=facet_weights,
        similar_fusions=similar_fusions,
    )


def similar_family(
    lexical: Bm25Ranker, dense: DenseRanker, name: str
) -> Callable[[Fusion], HybridRanker]:
    """`similar`'s ranker (whole query paper on both sides) for one fusion, for tune."""
    return lambda fusion: HybridRanker(lexical, dense, fusion, name)


def facet_row(dense_name: str) -> str:
    """The row name of faceted similar papers over a dense row's embedder."""
    return f"faceted {similar_row(dense_name)}"


def facet_family(
    lexical: Bm25Ranker, dense: DenseRanker, sentences: SentenceIndex, facet: str
) -> Callable[[Fusion], Ranker]:
    """The FacetRanker of one facet's fusion, for tune."""
    return lambda fusion: FacetRanker(lexical, dense, sentences, {facet: fusion}, "facet")


def tune_facets(
    lexical: Bm25Ranker, dense: DenseRanker, sentences: SentenceIndex, collection: EvalCollection
) -> dict[str, Fusion]:
    """Per facet, the facet_grid fusion with the best nDCG@20 on the collection's dev queries
    of that facet (weight 0, the whole-paper ranker, wins ties); none for a facet without
    dev queries."""
    if collection.split is None:
        raise ValueError(f"{collection.name} has no split to tune the facets on")
    facets = {q.id: q.facet for q in collection.queries}
    chosen = {}
    for facet in FACETS:
        dev = tuple(i for i in collection.split.dev if facets[i] == facet)
        if not dev:
            continue  # ranked by the whole-paper fusion (FacetRanker's default)
        facet_dev = replace(collection, split=replace(collection.split, dev=dev))
        family = facet_family(lexical, dense, sentences, facet)
        chosen[facet] = tune(family, facet_grid(), facet_dev).best
    return chosen


def similar_row(dense_name: str) -> str:
    """The row name of the shipped `similar` ranker over a dense row's embedder."""
    return f"{SIMILAR_PREFIX}{dense_name})"


def choose_hybrid(
    bm25: Bm25Ranker, dense: Sequence[DenseRanker], data: EvalData
) -> tuple[DenseRanker, dict[str, float], Bm25Ranker, TuneResult[Fusion]]:
    """The dense ranker with the best dev nDCG@20 (the first on ties) in the query form
    tune_hybrid picks, each dense ranker's dev nDCG@20, and the lexical form and fusion."""
    dense_dev = {r.name: dev_ndcg(r, data) for r in dense}
    chosen = next(r for r in dense if dense_dev[r.name] == max(dense_dev.values()))
    lexical, side, tuned = tune_hybrid(bm25, chosen, data)
    return side, dense_dev, lexical, tuned


def tune_hybrid(
    bm25: Bm25Ranker, dense: DenseRanker, data: EvalData
) -> tuple[Bm25Ranker, DenseRanker, TuneResult[Fusion]]:
    """The query forms of each side (facet text, or the whole query paper) and the fusion with
    the best dev nDCG@20; facet text wins ties, lexical side first."""

    def family(lexical: Bm25Ranker, dense: DenseRanker) -> Callable[[Fusion], Ranker]:
        return lambda fusion: HybridRanker(lexical, dense, fusion, HYBRID_NAME)

    whole = Bm25Ranker(BM25_WHOLE_NAME, whole_paper=True)
    options = [
        (lexical, side, tune(family(lexical, side), fusion_grid(), data.csfcube))
        for lexical in (bm25, whole)
        for side in (dense, dense.whole_paper_view(f"{dense.name} (whole query paper)"))
    ]
    return max(options, key=lambda option: option[2].score)


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
