"""The centered cosine `similar` scores its dense neighbours by (search/centered.py)."""

import numpy as np
import pytest

from papertide.search.centered import centered_cosines, centered_ranking


def test_centered_cosines_by_hand():
    # candidates (1,1), (0,1), (1,0): mean (2/3, 2/3); query (1,0) - mean = (1/3, -2/3)
    # (1,1) - mean = (1/3, 1/3): dot -1/9, norms sqrt(2)/3 * sqrt(5)/3 -> -1/sqrt(10)
    # (0,1) - mean = (-2/3, 1/3): dot -4/9, norms sqrt(5)/3 * sqrt(5)/3 -> -0.8
    # (1,0) - mean = the query's difference itself -> 1
    scores = centered_cosines(np.array([1.0, 0.0]), np.array([[1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]))
    assert scores == pytest.approx([-1 / np.sqrt(10), -0.8, 1.0], abs=1e-6)


def test_centering_ranks_by_what_the_query_has_that_the_neighbours_lack():
    # query (3,1); candidates a (3,4), b (1,2), c (2,3), mean (2,3), query - mean (1,-2)
    # plain cosine: a 0.949, c 0.877, b 0.707; centered: a - mean (1,1) -> -1/sqrt(10),
    # b - mean (-1,-1) -> +1/sqrt(10), c - mean (0,0) -> 0
    query = np.array([3.0, 1.0])
    candidates = {"a": np.array([3.0, 4.0]), "b": np.array([1.0, 2.0]), "c": np.array([2.0, 3.0])}
    plain = sorted(candidates, key=lambda i: -candidates[i] @ query / np.linalg.norm(candidates[i]))
    assert plain == ["a", "c", "b"]
    ranked = centered_ranking(query, candidates)
    assert [i for i, _ in ranked] == ["b", "c", "a"]
    assert [s for _, s in ranked] == pytest.approx([1 / np.sqrt(10), 0, -1 / np.sqrt(10)])


def test_degenerate_candidates_score_zero():
    assert centered_cosines(np.array([1.0, 0.0]), np.zeros((0, 2))).shape == (0,)
    assert centered_cosines(np.array([1.0, 0.0]), np.array([[0.5, 0.5]])) == pytest.approx([0])
    assert centered_ranking(np.array([1.0, 0.0]), {}) == []
