import math

import numpy as np
import pytest

from papertide.index.bert import gelu, layer_norm, mean_pool, softmax_numerators
from papertide.index.contextual import length_batches
from papertide.index.static import mean_rows


def test_gelu_is_within_5e_4_of_the_erf_form():
    x = np.linspace(-8, 8, 4001, dtype=np.float32)
    exact = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()])
    assert np.abs(gelu(x.copy()) - exact).max() < 5e-4


def test_layer_norm_gives_zero_mean_unit_variance_then_applies_gain_and_bias():
    x = np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32)
    gain, bias = np.full(4, 2.0, np.float32), np.full(4, 1.0, np.float32)
    out = layer_norm(x.copy(), (gain, bias), 1e-12)
    assert out.mean() == pytest.approx(1.0, abs=1e-6)
    assert ((out - 1.0) / 2.0).std() == pytest.approx(1.0, abs=1e-5)


def test_softmax_numerators_divide_to_softmax_and_underflow_to_tiny_normal_numbers():
    scores = np.array([[0.0, 1.0, -200.0]], dtype=np.float32)
    weights, sums = softmax_numerators(scores.copy())
    expected = np.exp([0.0, 1.0]) / np.exp([0.0, 1.0]).sum()
    assert np.allclose((weights / sums)[0, :2], expected)
    assert 0 < weights[0, 2] < 1e-30  # floored, so never a (slow) subnormal
    assert weights[0, 2] >= np.finfo(np.float32).tiny


def test_mean_pool_ignores_padding():
    hidden = np.array([[[1.0, 1.0], [3.0, 5.0], [100.0, 100.0]]], dtype=np.float32)
    mask = np.array([[True, True, False]])
    assert np.allclose(mean_pool(hidden, mask), [[2.0, 3.0]])


def test_length_batches_groups_similar_lengths_within_a_token_budget():
    lengths = [5, 100, 7, 90, 6, 300]
    batches = length_batches(lengths, max_tokens=200)
    assert sorted(i for batch in batches for i in batch) == list(range(6))
    assert batches == [[0, 4, 2], [3, 1], [5]]  # 300 alone exceeds the budget: still embedded
    assert length_batches([], 100) == []


def test_mean_rows_averages_each_texts_rows_and_zeroes_texts_without_ids():
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [4.0, 4.0]], dtype=np.float32)
    ids = np.array([0, 1, 2, 2], dtype=np.int64)
    lengths = np.array([2, 0, 2], dtype=np.int64)
    assert np.allclose(mean_rows(vectors, ids, lengths), [[0.5, 0.5], [0.0, 0.0], [4.0, 4.0]])
