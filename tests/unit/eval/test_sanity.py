"""The reference rankers: seeded chance and the qrels oracle."""

from papertide.eval.base import EvalQuery
from papertide.eval.sanity import OracleRanker, RandomRanker
from tests.unit.eval.synthetic import doc

POOL = tuple(doc(f"d{i}") for i in range(30))


def test_random_ranker_is_deterministic_per_seed_and_query():
    query = EvalQuery("q", "text")
    first = RandomRanker(seed=7).rank(query, POOL, 30)
    assert first == RandomRanker(seed=7).rank(query, POOL, 30)
    assert sorted(first) == sorted(d.id for d in POOL)
    assert first != RandomRanker(seed=8).rank(query, POOL, 30)
    assert first != RandomRanker(seed=7).rank(EvalQuery("other", "text"), POOL, 30)


def test_random_ranker_cuts_at_k():
    assert len(RandomRanker().rank(EvalQuery("q", "t"), POOL, 5)) == 5


def test_oracle_ranks_by_grade_then_id_and_unjudged_last():
    oracle = OracleRanker({"q": {"d2": 1, "d1": 3, "d3": 1, "d0": 0}})
    ranking = oracle.rank(EvalQuery("q", "t"), POOL[:5], 5)
    assert ranking == ["d1", "d2", "d3", "d0", "d4"]
