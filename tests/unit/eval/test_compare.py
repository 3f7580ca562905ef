"""compare_rankers: tunes on dev, reports every row on test, and states the issue's figure."""

import json
from dataclasses import replace

import pytest

from papertide.eval.compare import (
    BM25_NAME,
    HYBRID_NAME,
    SVM_NAME,
    compare_rankers,
    facet_row,
    hybrid_gains,
    relative_gain,
    similar_row,
)
from papertide.eval.datasets import EvalData, Split
from papertide.eval.rankers import describe_fusion, product_fusion, similar_grid
from papertide.eval.report import RankerResult
from papertide.index.embed import HashEmbedder
from papertide.search.hybrid import SIMILAR_FUSION, Fusion
from tests.unit.eval.synthetic import faceted_collection

SPLIT = Split("fold1", dev=("q1", "q2"), test=("q3", "q4"))


def result(name: str, overall: float) -> RankerResult:
    return RankerResult(name, {"overall": overall}, {"overall": overall}, None, 0.0)


def test_relative_gain():
    assert relative_gain(0.55, 0.5) == pytest.approx(0.1)
    assert relative_gain(0.0, 0.0) == 0.0
    assert relative_gain(0.1, 0.0) == float("inf")


def test_hybrid_gains_compare_with_bm25_and_the_best_dense_row():
    rows = [result(BM25_NAME, 0.4), result("a", 0.5), result("b", 0.45), result(HYBRID_NAME, 0.55)]
    gains = hybrid_gains(rows, ["a", "b"])
    assert gains == pytest.approx({"over BM25": 0.375, "over best dense": 0.1})


def test_compare_rankers_reports_every_row_on_test():
    embedders = {"dense-a": HashEmbedder(dim=32), "dense-b": HashEmbedder(dim=64)}
    logged: list[str] = []
    comparison = compare_rankers(EvalData(faceted_collection(SPLIT)), embedders, logged.append)
    names = [r.name for r in comparison.report.results]
    assert names == [BM25_NAME, SVM_NAME, "dense-a", "dense-b", HYBRID_NAME]
    assert {s.query_id for s in comparison.report.results[0].queries} == {"q3", "q4"}
    assert set(comparison.dense_dev) == {"dense-a", "dense-b"}
    assert comparison.dense_for_hybrid in comparison.dense_dev
    assert len(comparison.fusion.scores) == 19
    data = json.loads(json.dumps(comparison.to_dict()))
    assert data["fusion"]["method"] in {"rrf", "convex"}
    assert set(data["hybrid_gain"]) == {"over BM25", "over best dense"}
    assert data["figure_holds"] == comparison.figure_holds
    assert logged


def test_compare_rankers_scores_the_shipped_similar_and_the_official_protocol():
    folds = (SPLIT, Split("fold2", dev=SPLIT.test, test=SPLIT.dev))
    data = EvalData(replace(faceted_collection(SPLIT), folds=folds))
    similar = {"dense-a": Fusion("convex", {"lexical": 0.2, "dense": 0.8})}
    comparison = compare_rankers(data, {"dense-a": HashEmbedder(dim=32)}, similar=similar)
    names = [BM25_NAME, SVM_NAME, "dense-a", similar_row("dense-a"), HYBRID_NAME]
    assert [r.name for r in comparison.report.results] == names
    assert [r.name for r in comparison.official] == [*names, facet_row("dense-a")]
    hybrid = comparison.official[-1]
    assert {(s.query_id, s.fold) for s in hybrid.queries} == {
        ("q3", "fold1"),
        ("q4", "fold1"),
        ("q1", "fold2"),
        ("q2", "fold2"),
    }
    assert set(comparison.fold_fusions) == {"fold1", "fold2"}
    # fold1's dev queries are q1 (background) and q2 (method): result has nothing to tune on
    weights = comparison.facet_weights[f"{facet_row('dense-a')} fold1"]
    assert set(weights) == {"background", "method"}
    assert all(0.0 <= weight <= 1.0 for weight in weights.values())
    faceted = comparison.official[-1]
    assert {s.query_id for s in faceted.queries} == {"q1", "q2", "q3", "q4"}
    data_dict = json.loads(json.dumps(comparison.to_dict()))
    assert set(data_dict["official"][0]["mean_ap"]) == {
        "background",
        "method",
        "result",
        "aggregated",
    }


def test_compare_rankers_tunes_a_similar_row_per_fold_from_its_grid():
    folds = (SPLIT, Split("fold2", dev=SPLIT.test, test=SPLIT.dev))
    data = EvalData(replace(faceted_collection(SPLIT), folds=folds))
    shipped = product_fusion(SIMILAR_FUSION)
    comparison = compare_rankers(
        data,
        {"dense-a": HashEmbedder(dim=32)},
        similar={"dense-a": shipped},
        similar_grids={"dense-a": similar_grid()},
    )
    row = similar_row("dense-a")
    assert set(comparison.similar_fusions) == {f"{row} fold1", f"{row} fold2"}
    described = {describe_fusion(fusion) for fusion in similar_grid()}
    assert set(comparison.similar_fusions.values()) <= described
    [official] = [r for r in comparison.official if r.name == row]
    assert {(s.query_id, s.fold) for s in official.queries} == {
        ("q3", "fold1"),
        ("q4", "fold1"),
        ("q1", "fold2"),
        ("q2", "fold2"),
    }
    assert comparison.to_dict()["official_similar_fusions"] == dict(comparison.similar_fusions)


def test_compare_rankers_needs_an_embedder():
    with pytest.raises(ValueError, match="embedder"):
        compare_rankers(EvalData(faceted_collection(SPLIT)), {})
