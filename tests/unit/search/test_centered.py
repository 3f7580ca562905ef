"""The centered cosines `similar` scores its dense neighbours by (search/centered.py)."""

import numpy as np
import pytest

from papertide.index.words import term_counts
from papertide.search.centered import centered_cosines, centered_ranking, centered_term_ranking


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


def test_centered_term_ranking_by_hand():
    # words: a "graph graph", b "graph speech", query "speech"; n = 2, idf graph ln(3/3) + 1 = 1,
    # speech ln(3/2) + 1; unit rows a (1, 0), b (1, s) / |(1, s)| with s = ln(3/2) + 1, query (0, 1)
    # (a's tf 1 + ln 2 is scaled away). Centered on the mean of a and b, a and b sit opposite,
    # b on the query's side: cosines -x and +x with x the cosine of (b - a) / 2 to query - mean
    s = np.log(1.5) + 1
    a, b, q = np.array([1.0, 0.0]), np.array([1.0, s]) / np.hypot(1, s), np.array([0.0, 1.0])
    mean = (a + b) / 2
    x = (b - mean) @ (q - mean) / np.linalg.norm(b - mean) / np.linalg.norm(q - mean)
    texts = {"a": "graph graph", "b": "the graph speech"}
    ranked = centered_term_ranking(
        term_counts("Speech"), {i: term_counts(t) for i, t in texts.items()}
    )
    assert [i for i, _ in ranked] == ["b", "a"]
    assert [score for _, score in ranked] == pytest.approx([x, -x])
    assert centered_term_ranking(term_counts("speech"), {}) == []
