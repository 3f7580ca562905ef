"""CSFCube's own metrics on hand-computed examples (definitions in papertide/eval/official.py)."""

import math
from dataclasses import replace

import pytest

from papertide.eval.base import EvalDoc
from papertide.eval.datasets import Split
from papertide.eval.official import (
    AGGREGATED,
    PUBLISHED,
    OfficialQueryScore,
    OfficialResult,
    aggregate,
    gap_lines,
    official_dcg,
    official_table,
    pool_average_precision,
    pool_cutoff,
    pool_ndcg,
    score_official,
)
from tests.unit.eval.synthetic import FixedRanker, faceted_collection

FOLDS = (
    Split("fold1", dev=("q1", "q2"), test=("q3", "q4")),
    Split("fold2", dev=("q3", "q4"), test=("q1", "q2")),
)


def test_pool_cutoff_truncates_a_fifth_of_the_pool():
    assert [pool_cutoff(n) for n in (4, 5, 10, 88, 253)] == [0, 1, 2, 17, 50]


def test_official_dcg_leaves_ranks_one_and_two_undiscounted():
    # 3 + 2/log2(2) + 1/log2(3)
    assert official_dcg([3, 2, 1]) == pytest.approx(5 + 1 / math.log2(3))
    assert official_dcg([]) == 0.0


def test_pool_ndcg_of_ten_candidates_reads_the_top_two():
    # k = 2: DCG = 3 + 0 = 3; ideal 3, 2: 3 + 2/log2(2) = 5
    assert pool_ndcg([3, 0, 2, 1, 0, 0, 0, 0, 0, 0]) == pytest.approx(0.6)


def test_pool_ndcg_hand_computed_example():
    # 15 candidates, k = 3: DCG = 0 + 3/1 + 2/log2(3) = 4.26186; ideal 3, 2, 1 = 5.63093
    grades = [0, 3, 2, 1] + [0] * 11
    assert pool_ndcg(grades) == pytest.approx(0.75687, abs=1e-5)


def test_pool_ndcg_is_zero_without_gain_in_the_ideal_top_k():
    assert pool_ndcg([1, 0, 0, 0]) == 0.0  # k = 0
    assert pool_ndcg([0] * 10) == 0.0


def test_pool_average_precision_counts_grades_two_and_up():
    # relevant at ranks 2 and 3 (grade 1 is not): (1/2 + 2/3) / 2
    assert pool_average_precision([0, 3, 2, 1, 0]) == pytest.approx(7 / 12)
    assert pool_average_precision([1, 1, 0]) == 0.0


def score(query_id: str, facet: str, fold: str, ap: float) -> OfficialQueryScore:
    return OfficialQueryScore(query_id, facet, fold, ap, ap)


def test_aggregate_averages_the_fold_means_not_the_queries():
    scores = [
        score("a", "background", "fold1", 1.0),
        score("b", "method", "fold1", 0.0),
        score("c", "method", "fold1", 0.0),
        score("d", "background", "fold2", 0.5),
    ]
    figures = aggregate(scores, lambda s: s.ap)
    assert figures[AGGREGATED] == pytest.approx((1 / 3 + 0.5) / 2)  # pooled mean would be 0.375
    assert figures["background"] == pytest.approx(0.75)
    assert figures["method"] == 0.0  # a facet missing from a fold averages the folds it is in
    assert "result" not in figures


def test_score_official_ranks_each_fold_with_its_own_ranker():
    collection = replace(faceted_collection(FOLDS[0]), folds=FOLDS)
    fold1 = FixedRanker({"q3": ["g", "e", "f"], "q4": ["f", "e", "g"]}, name="tuned on fold1")
    fold2 = FixedRanker({"q1": ["b", "d", "c", "a"], "q2": ["b", "c", "d", "a"]})
    result = score_official("ours", {"fold1": fold1, "fold2": fold2}, collection)
    assert {q for q, _, _ in fold1.seen} == {"q3", "q4"}
    assert {q for q, _, _ in fold2.seen} == {"q1", "q2"}
    by_query = {s.query_id: s for s in result.queries}
    assert by_query["q1"].ap == 1.0  # b (3) and d (2) first
    assert by_query["q2"].ap == pytest.approx(0.25)  # a (2) last of four
    assert by_query["q3"].fold == "fold1"
    # pools of 3 and 4 give k = 0: NDCG%20 is 0 by the script's rounding
    assert result.ndcg[AGGREGATED] == 0.0
    assert result.mean_ap["method"] == pytest.approx((1.0 + 0.25) / 2)


def test_score_official_leaves_the_query_paper_out_of_its_own_pool():
    collection = replace(faceted_collection(FOLDS[0]), folds=FOLDS)
    queries = tuple(
        replace(q, paper=EvalDoc("a", "", "")) if q.id == "q1" else q for q in collection.queries
    )
    collection = replace(collection, queries=queries)
    ranker = FixedRanker(cut=False)
    score_official("ours", dict.fromkeys(("fold1", "fold2"), ranker), collection)
    sizes = {q: k for q, _, k in ranker.seen}
    assert sizes["q1"] == 3 and sizes["q2"] == 4


def test_score_official_refuses_a_partial_ranking():
    collection = replace(faceted_collection(FOLDS[0]), folds=FOLDS)
    ranker = FixedRanker({"q1": ["b"]})
    with pytest.raises(ValueError, match="whole pool"):
        score_official("ours", dict.fromkeys(("fold1", "fold2"), ranker), collection)


def test_official_table_prints_percent_and_marks_missing_figures():
    table = official_table(PUBLISHED)
    assert "34.23" in table and "53.28" in table and "61.41" in table
    lines = table.splitlines()
    assert lines[1].split()[:2] == ["ranker", "background"]
    assert lines[4].split()[-1] == "58.16" and " - " in lines[4]


def test_gap_lines_compare_with_specter_and_the_best_published_row():
    ours = OfficialResult("ours", {AGGREGATED: 0.35}, {AGGREGATED: 0.55})
    (line,) = gap_lines([ours], ["ours"])
    assert "SPECTER (published) MAP +0.77, NDCG%20 +1.72" in line
    assert "otAspire (published) MAP -5.79, NDCG%20 -6.41" in line
