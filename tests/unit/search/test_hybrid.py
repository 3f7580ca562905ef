import pytest

from papertide.search.hybrid import (
    DEFAULT_FUSION,
    RRF_K,
    SIMILAR_FUSION,
    Fusion,
    Part,
    fuse_rankings,
)


def test_fuse_ranks_doc_in_both_lists_first():
    rankings = {"bm25": [("a", 9.0), ("b", 5.0)], "dense": [("c", 0.9), ("a", 0.8)]}
    fused = fuse_rankings(rankings, Fusion("rrf"))
    assert fused[0].id == "a"
    assert fused[0].parts == {"bm25": Part(1, 9.0), "dense": Part(2, 0.8)}
    assert fused[0].score == pytest.approx(1 / (RRF_K + 1) + 1 / (RRF_K + 2))


def test_default_fusions_are_the_tuned_ones():
    assert (DEFAULT_FUSION.method, DEFAULT_FUSION.k) == ("rrf", 30)
    assert (SIMILAR_FUSION.method, dict(SIMILAR_FUSION.weights)) == (
        "convex",
        {"bm25": 0.1, "dense": 0.5, "centered": 0.2, "centered_terms": 0.2},
    )
    [fused] = fuse_rankings({"bm25": [("a", 1.0)]})
    assert fused.score == pytest.approx(1 / 31)


def test_fuse_rrf_weights_favour_a_retriever():
    rankings = {"bm25": [("a", 1.0)], "dense": [("b", 1.0)]}
    fused = fuse_rankings(rankings, Fusion("rrf", {"dense": 2.0}))
    assert [f.id for f in fused] == ["b", "a"]


def test_fuse_convex_uses_normalised_scores():
    rankings = {"bm25": [("a", 10.0), ("b", 9.0), ("c", 0.0)], "dense": [("c", 0.9), ("b", 0.5)]}
    fused = fuse_rankings(rankings, Fusion("convex", {"bm25": 0.5, "dense": 0.5}))
    scores = {f.id: round(f.score, 3) for f in fused}
    assert scores == {"a": 0.5, "b": 0.45, "c": 0.5}
    assert [f.id for f in fused] == ["a", "c", "b"]  # ties broken by id


def test_fuse_single_item_lists_and_empty_input():
    assert fuse_rankings({}) == []
    [only] = fuse_rankings({"bm25": [("x", 3.0)], "dense": []}, Fusion("convex"))
    assert only.score == 1.0


def test_fuse_keeps_the_first_rank_of_a_repeated_item():
    [fused] = fuse_rankings({"bm25": [("a", 2.0), ("a", 1.0)]})
    assert fused.parts["bm25"] == Part(1, 2.0)


def test_fuse_rejects_unknown_method():
    with pytest.raises(ValueError, match="unknown fusion method 'max'"):
        fuse_rankings({"bm25": []}, Fusion("max"))
