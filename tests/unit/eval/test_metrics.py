"""Metrics on hand-computed examples (see the formulas in papertide/eval/metrics.py)."""

import math

import pytest

from papertide.eval.metrics import average_precision, dcg, ndcg_at_k, reciprocal_rank

# grades: b 3, d 2, c 1, a 0 and e unjudged
JUDGED = {"a": 0, "b": 3, "c": 1, "d": 2}


def test_dcg_uses_linear_gain_and_log2_of_rank_plus_one():
    # 3/log2(2) + 2/log2(3) + 0/log2(4) + 1/log2(5) = 3 + 1.26186 + 0 + 0.43068
    assert dcg([3, 2, 0, 1]) == pytest.approx(4.69254, abs=1e-5)


def test_dcg_of_nothing_is_zero():
    assert dcg([]) == 0.0


def test_ndcg_of_ideal_ranking_is_one():
    assert ndcg_at_k(["b", "d", "c", "a"], JUDGED, 20) == pytest.approx(1.0)


def test_ndcg_hand_computed_example():
    # ranking a, b, c at k = 3: DCG = 0 + 3/log2(3) + 1/log2(4) = 1.89279 + 0.5
    # ideal b, d, c:       IDCG = 3 + 2/log2(3) + 1/log2(4) = 3 + 1.26186 + 0.5
    expected = (3 / math.log2(3) + 0.5) / (3 + 2 / math.log2(3) + 0.5)
    assert ndcg_at_k(["a", "b", "c"], JUDGED, 3) == pytest.approx(expected)
    assert expected == pytest.approx(0.50249, abs=1e-5)


def test_ndcg_ideal_counts_relevant_documents_not_retrieved():
    # only b retrieved, at rank 1: DCG@2 = 3; ideal b, d: 3 + 2/log2(3)
    assert ndcg_at_k(["b"], JUDGED, 2) == pytest.approx(3 / (3 + 2 / math.log2(3)))


def test_ndcg_ignores_ranks_after_k_and_unjudged_documents():
    assert ndcg_at_k(["e", "b", "d"], JUDGED, 1) == 0.0
    assert ndcg_at_k(["e", "b"], JUDGED, 2) == pytest.approx(
        (3 / math.log2(3)) / (3 + 2 / math.log2(3))
    )


def test_ndcg_without_any_gain_is_zero():
    assert ndcg_at_k(["a"], {"a": 0}, 20) == 0.0


def test_ndcg_refuses_k_below_one():
    with pytest.raises(ValueError, match="k must be"):
        ndcg_at_k(["a"], JUDGED, 0)


def test_average_precision_hand_computed_example():
    # threshold 2: relevant b and d (R = 2). Ranking b, a, d: (1/1 + 2/3) / 2
    assert average_precision(["b", "a", "d"], JUDGED) == pytest.approx((1 + 2 / 3) / 2)


def test_average_precision_counts_unretrieved_relevant_as_zero():
    # R = 2 but only d is ranked, at rank 2: (1/2) / 2
    assert average_precision(["a", "d"], JUDGED) == pytest.approx(0.25)


def test_average_precision_threshold_decides_relevance():
    # threshold 1: b, c, d relevant. Ranking c, a, b, d: (1/1 + 2/3 + 3/4) / 3
    assert average_precision(["c", "a", "b", "d"], JUDGED, 1) == pytest.approx(
        (1 + 2 / 3 + 3 / 4) / 3
    )


def test_average_precision_without_relevant_documents_is_zero():
    assert average_precision(["a", "c"], {"a": 0, "c": 1}) == 0.0


def test_reciprocal_rank_of_first_relevant_document():
    assert reciprocal_rank(["a", "c", "d", "b"], JUDGED) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a", "c", "d"], JUDGED, 1) == pytest.approx(1 / 2)


def test_reciprocal_rank_is_zero_when_nothing_relevant_is_ranked():
    assert reciprocal_rank(["a", "c", "e"], JUDGED) == 0.0
    assert reciprocal_rank([], JUDGED) == 0.0


def test_binary_metrics_refuse_thresholds_below_one():
    with pytest.raises(ValueError, match="threshold"):
        average_precision(["a"], JUDGED, 0)
    with pytest.raises(ValueError, match="threshold"):
        reciprocal_rank(["a"], JUDGED, 0)
