"""Pure parts of papertide.index.lexical: choosing informative terms."""

import math

import pytest

from papertide.index.lexical import informative_terms


def test_informative_terms_rank_by_tf_idf():
    df = {"the": 900, "graph": 40, "sheaf": 2, "never": 0}
    picked = informative_terms(
        ["the"] * 5 + ["graph", "graph", "sheaf", "never"], df.__getitem__, 1000
    )
    assert [token for token, _ in picked] == ["graph", "sheaf", "the"]
    weight = dict(picked)
    assert weight["sheaf"] == pytest.approx(math.log(1 + (1000 - 2 + 0.5) / 2.5))
    assert weight["graph"] == pytest.approx(2 * math.log(1 + (1000 - 40 + 0.5) / 40.5))


def test_informative_terms_limit_and_minimum_frequency():
    df = {"a": 1, "b": 2, "c": 3}
    assert [t for t, _ in informative_terms(["a", "b", "c"], df.__getitem__, 10, limit=1)] == ["a"]
    kept = informative_terms(["a", "b", "c"], df.__getitem__, 10, min_doc_freq=2)
    assert [t for t, _ in kept] == ["b", "c"]
    assert informative_terms([], df.__getitem__, 10) == []
