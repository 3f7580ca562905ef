"""The product's rankers on a tiny synthetic pool: BM25, dense (HashEmbedder) and the hybrid."""

import pytest

from papertide.eval.base import EvalDoc, EvalQuery
from papertide.eval.rankers import (
    DENSE,
    LEXICAL,
    Bm25Ranker,
    DenseRanker,
    HybridRanker,
    complete_ranking,
    describe_fusion,
    fusion_grid,
    product_fusion,
    similar_grid,
)
from papertide.index.embed import HashEmbedder, paper_text
from papertide.search.centered import CENTERED, centered_ranking
from papertide.search.hybrid import SIMILAR_FUSION, Fusion

POOL = (
    EvalDoc("d1", "Graph neural networks", "Message passing over molecular graphs."),
    EvalDoc("d2", "Protein folding", "Predicting protein structure with attention."),
    EvalDoc("d3", "Speech recognition", "Acoustic models for noisy speech transcription."),
    EvalDoc("d4", "Molecular graphs", "Graph networks predict molecular properties."),
    EvalDoc("d5", "Unrelated", "Tax policy in medieval kingdoms."),
)
FACETED = EvalQuery("q1", "message passing graph networks for molecular properties", "method")
TITLE = EvalQuery("t1", "speech transcription")


def test_complete_ranking_appends_missing_candidates_in_pool_order():
    assert complete_ranking(["d4", "x", "d4", "d2"], POOL, 4) == ["d4", "d2", "d1", "d3"]


def test_bm25_ranks_matching_docs_first_and_keeps_every_candidate():
    ranking = Bm25Ranker().rank(FACETED, POOL, len(POOL))
    assert sorted(ranking) == sorted(d.id for d in POOL)
    assert set(ranking[:2]) == {"d1", "d4"}
    assert ranking[-1] in {"d2", "d3", "d5"}


def test_bm25_searches_a_title_query_and_cuts_at_k():
    ranker = Bm25Ranker()
    assert ranker.rank(TITLE, POOL, 2) == ["d3", "d1"]


def test_bm25_builds_one_index_per_pool():
    ranker = Bm25Ranker()
    ranker.rank(FACETED, POOL, 5)
    ranker.rank(TITLE, POOL, 5)
    ranker.rank(TITLE, POOL[:3], 3)
    assert ranker.cached_pools == 2


def test_dense_ranks_by_cosine_and_embeds_each_doc_once():
    embedder = HashEmbedder(dim=256)
    ranker = DenseRanker(embedder, name="dense-hash")
    first = ranker.rank(FACETED, POOL, 5)
    ranker.rank(TITLE, POOL, 5)
    assert first[0] in {"d1", "d4"}
    assert sorted(first) == sorted(d.id for d in POOL)
    assert embedder.calls == [5, 1, 1]  # docs once, then one query text each
    assert ranker.name == "dense-hash"


def test_dense_scores_are_sorted_cosines():
    scored = DenseRanker(HashEmbedder(dim=256)).scored(FACETED, POOL)
    values = [score for _, score in scored]
    assert values == sorted(values, reverse=True)
    assert all(-1.0 - 1e-6 <= v <= 1.0 + 1e-6 for v in values)


@pytest.fixture(scope="module")
def parts() -> tuple[Bm25Ranker, DenseRanker]:
    return Bm25Ranker(), DenseRanker(HashEmbedder(dim=256))


@pytest.mark.parametrize("fusion", fusion_grid())
def test_hybrid_returns_a_full_ranking_for_every_fusion(parts, fusion):
    lexical, dense = parts
    hybrid = HybridRanker(lexical, dense, fusion)
    ranking = hybrid.rank(FACETED, POOL, len(POOL))
    assert sorted(ranking) == sorted(d.id for d in POOL)
    assert set(ranking[:2]) == {"d1", "d4"}


def test_hybrid_follows_the_heavier_retriever():
    lexical, dense = Bm25Ranker(), DenseRanker(HashEmbedder(dim=256))
    only_dense = HybridRanker(lexical, dense, Fusion("convex", {LEXICAL: 0.0, DENSE: 1.0}))
    only_lexical = HybridRanker(lexical, dense, Fusion("convex", {LEXICAL: 1.0, DENSE: 0.0}))
    assert only_dense.rank(TITLE, POOL, 5) == dense.rank(TITLE, POOL, 5)
    assert only_lexical.rank(TITLE, POOL, 1) == lexical.rank(TITLE, POOL, 1)


def test_fusion_grid_is_the_issue_grid():
    grid = fusion_grid()
    rrf = [f for f in grid if f.method == "rrf"]
    convex = [f for f in grid if f.method == "convex"]
    assert {f.k for f in rrf} == {10, 30, 60}
    assert {f.weights[DENSE] for f in rrf} == {0.5, 1.0, 2.0, 3.0}
    assert [f.weights[DENSE] for f in convex] == [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    assert all(f.weights[LEXICAL] + f.weights[DENSE] == pytest.approx(1) for f in convex)
    assert describe_fusion(rrf[0]) == "rrf k=60, weights lexical 1, dense 1"


def test_similar_grid_holds_the_shipped_fusion_and_the_one_before():
    grid = similar_grid()
    assert product_fusion(SIMILAR_FUSION) in grid
    assert grid[0] == Fusion("convex", {LEXICAL: 0.2, DENSE: 0.8})  # no centered part: simplest
    assert all(sum(f.weights.values()) == pytest.approx(1.0) for f in grid)


def test_dense_ranker_scores_a_pool_by_the_products_centered_cosine():
    embedder = HashEmbedder(dim=32)
    pool = [
        EvalDoc("a", "graph neural networks", "message passing on graphs"),
        EvalDoc("b", "speech translation", "speech to text in real time"),
        EvalDoc("c", "graph transformers", "attention over graph nodes"),
    ]
    paper = EvalDoc("q", "graph learning", "neural message passing for molecules")
    query = EvalQuery("q", "", paper=paper)
    dense = DenseRanker(embedder, whole_paper=True)
    vectors = dict(
        zip("abc", embedder.embed([paper_text(d.title, d.abstract) for d in pool]), strict=True)
    )
    expected = centered_ranking(
        embedder.embed([paper_text(paper.title, paper.abstract)])[0], vectors
    )
    found = dense.centered(query, pool)
    assert [i for i, _ in found] == [i for i, _ in expected]
    assert [score for _, score in found] == pytest.approx([score for _, score in expected])
    fusion = Fusion("convex", {LEXICAL: 0.0, DENSE: 0.0, CENTERED: 1.0})
    ranked = HybridRanker(Bm25Ranker(whole_paper=True), dense, fusion).rank(query, pool, 3)
    assert ranked == [doc_id for doc_id, _ in expected]
