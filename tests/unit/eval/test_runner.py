"""run_eval on hand-made collections: scores, facets, pools passed once, bad rankings refused."""

import pytest

from papertide.eval.datasets import EvalData, Split
from papertide.eval.runner import MRR_DEPTH, RankingError, run_eval, score_queries
from papertide.eval.sanity import OracleRanker, RandomRanker
from tests.unit.eval.synthetic import FixedRanker, faceted_collection, title_collection


def test_run_eval_oracle_scores_one_everywhere():
    data = EvalData(faceted_collection(), title_collection())
    qrels = {**data.csfcube.qrels, **title_collection().qrels}
    (oracle,) = run_eval([OracleRanker(qrels)], data).results
    assert set(oracle.ndcg) == {"background", "method", "result", "overall"}
    assert all(value == pytest.approx(1.0) for value in oracle.ndcg.values())
    assert oracle.mean_ap["overall"] == pytest.approx(1.0)
    assert oracle.mrr == pytest.approx(1.0)


def test_run_eval_averages_per_facet_and_over_queries():
    # q2 (method): its one relevant doc "a" first -> 1; q4 (method): "f" last of e, f, g
    ranker = FixedRanker({"q2": ["a", "b", "c", "d"], "q4": ["e", "g", "f"]})
    (result,) = run_eval([ranker], EvalData(faceted_collection())).results
    q4_ap = 1 / 3
    assert result.mean_ap["method"] == pytest.approx((1 + q4_ap) / 2)
    per_query = {s.query_id: s.ap for s in result.queries}
    assert result.mean_ap["overall"] == pytest.approx(sum(per_query.values()) / 4)
    assert result.mrr is None


def test_run_eval_reports_test_queries_only():
    split = Split("fold1", dev=("q1", "q2"), test=("q3", "q4"))
    ranker = FixedRanker()
    report = run_eval([ranker], EvalData(faceted_collection(split)))
    assert {query for query, _, _ in ranker.seen} == {"q3", "q4"}
    assert set(report.results[0].ndcg) == {"method", "result", "overall"}
    assert report.setup.csfcube_split == "fold1_test"
    assert report.setup.csfcube_test_queries == 2


def test_run_eval_asks_for_whole_pools_and_mrr_depth_on_titles():
    ranker = FixedRanker()
    run_eval([ranker], EvalData(faceted_collection(), title_collection()))
    asked = {query: k for query, _, k in ranker.seen}
    assert asked["q1"] == 4
    assert asked["q3"] == 3
    assert asked["p1"] == min(MRR_DEPTH, 3)


def test_queries_sharing_a_pool_get_the_same_candidates_object():
    ranker = FixedRanker()
    collection = title_collection()
    score_queries(ranker, collection, collection.queries)
    assert len({pool for _, pool, _ in ranker.seen}) == 1


def test_mrr_is_mean_reciprocal_rank_of_each_title_own_paper():
    # p1 first (1), p2 second (1/2), p3 third (1/3)
    ranker = FixedRanker({"p1": ["p1", "p2"], "p2": ["p1", "p2"], "p3": ["p1", "p2", "p3"]})
    (result,) = run_eval([ranker], EvalData(faceted_collection(), title_collection())).results
    assert result.mrr == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)


def test_random_ranker_scores_between_zero_and_the_oracle():
    collection = faceted_collection()
    (result,) = run_eval([RandomRanker(seed=3)], EvalData(collection)).results
    assert 0.0 < result.ndcg["overall"] < 1.0


@pytest.mark.parametrize(
    ("ranking", "message"),
    [
        (["a", "a"], "twice"),
        (["a", "zzz"], "outside the pool"),
        (["a", "b", "c", "d", "a"], "asked for 4"),
    ],
)
def test_run_eval_refuses_rankings_that_are_not_rankings_of_the_pool(ranking, message):
    ranker = FixedRanker({"q1": ranking}, name="broken", cut=False)
    with pytest.raises(RankingError, match=message):
        run_eval([ranker], EvalData(faceted_collection()))


def test_run_eval_refuses_duplicate_ranker_names():
    with pytest.raises(ValueError, match="unique"):
        run_eval([RandomRanker(1), RandomRanker(2)], EvalData(faceted_collection()))


def test_run_eval_keeps_the_rankers_order():
    report = run_eval(
        [RandomRanker(name="r1"), FixedRanker(name="f"), RandomRanker(name="r0")],
        EvalData(faceted_collection()),
    )
    assert [r.name for r in report.results] == ["r1", "f", "r0"]
