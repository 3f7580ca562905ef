"""The tf-idf + one-positive SVM baseline on a tiny hand-made pool."""

from papertide.eval.base import EvalDoc, EvalQuery
from papertide.eval.baselines import TfidfSvmConfig, TfidfSvmRanker, positive_text

POOL = (
    EvalDoc("cook", "Baking bread", "We bake sourdough bread with a long fermentation."),
    EvalDoc("gnn", "Graph neural networks", "Message passing graph neural networks for molecules."),
    EvalDoc("mt", "Machine translation", "Neural machine translation with attention models."),
    EvalDoc("ship", "Shipping routes", "Optimising container shipping routes across oceans."),
)
PAPER = EvalDoc("q", "Graph networks for chemistry", "Graph neural networks predict molecules.")


def test_svm_ranks_the_most_similar_candidate_first():
    query = EvalQuery("q_method", "message passing on molecules", "method", PAPER)
    ranking = TfidfSvmRanker().rank(query, POOL, 4)
    assert ranking[0] == "gnn"
    assert sorted(ranking) == sorted(d.id for d in POOL)


def test_svm_ranking_is_cut_at_k_and_repeatable():
    ranker = TfidfSvmRanker(TfidfSvmConfig(query_field="text"))
    query = EvalQuery("t", "neural machine translation attention")
    first = ranker.rank(query, POOL, 2)
    assert first == ranker.rank(query, POOL, 2)
    assert first[0] == "mt"
    assert len(first) == 2


def test_query_without_a_known_word_keeps_the_candidates_order():
    ranking = TfidfSvmRanker().rank(EvalQuery("t", "zzz qqq"), POOL, 3)
    assert ranking == ["cook", "gnn", "mt"]


def test_positive_text_uses_the_query_paper_only_when_asked_and_present():
    faceted = EvalQuery("q", "facet sentences", "method", PAPER)
    assert positive_text(faceted, "text") == "facet sentences"
    assert positive_text(faceted, "paper") == f"{PAPER.title} {PAPER.abstract}"
    assert positive_text(EvalQuery("t", "a title"), "paper") == "a title"


def test_fitted_pools_are_cached_and_bounded():
    ranker = TfidfSvmRanker(name="svm", cache_size=2)
    query = EvalQuery("t", "graph neural networks")
    for end in (2, 3, 2, 4, 2):
        ranker.rank(query, POOL[:end], end)
        assert ranker.cached_pools <= 2
    assert ranker.cached_pools == 2
    assert ranker.name == "svm"
