"""tune() picks parameters on the dev queries and never ranks a test query."""

import pytest

from papertide.eval.base import Ranker
from papertide.eval.datasets import Split
from papertide.eval.tuning import tune
from tests.unit.eval.synthetic import FixedRanker, faceted_collection

SPLIT = Split("fold1", dev=("q1", "q2"), test=("q3", "q4"))
IDEAL = {"q1": ["b", "d", "c", "a"], "q2": ["a", "b", "c", "d"], "q3": ["g", "e", "f"]}
WORST = {"q1": ["a", "c", "d", "b"], "q2": ["d", "c", "b", "a"], "q3": ["f", "e", "g"]}
CHOICES = {
    # good on dev (q1, q2), bad on test (q3, q4)
    "dev-best": {**IDEAL, "q3": WORST["q3"], "q4": ["e", "g", "f"]},
    # bad on dev, perfect on test: a tuner that peeks at test would choose it
    "test-best": {"q1": WORST["q1"], "q2": WORST["q2"], "q3": IDEAL["q3"], "q4": ["f"]},
    "middle": {"q1": IDEAL["q1"], "q2": WORST["q2"]},
}


def test_tune_picks_the_best_parameters_on_dev():
    seen: list[tuple[str, int, int]] = []

    def family(choice: str) -> Ranker:
        return FixedRanker(CHOICES[choice], name=choice, seen=seen)

    result = tune(family, ["test-best", "middle", "dev-best"], faceted_collection(SPLIT))
    assert result.best == "dev-best"
    assert result.score == pytest.approx(1.0)
    assert [choice for choice, _ in result.scores] == ["test-best", "middle", "dev-best"]
    assert result.scores[0][1] < result.scores[1][1] < result.scores[2][1]
    assert {query for query, _, _ in seen} == {"q1", "q2"}


def test_tune_by_average_precision():
    result = tune(
        lambda choice: FixedRanker(CHOICES[choice]),
        ["middle", "dev-best"],
        faceted_collection(SPLIT),
        metric="ap",
    )
    assert result.best == "dev-best"
    assert result.metric == "ap"


def test_tune_breaks_ties_in_favour_of_the_earlier_parameters():
    result = tune(lambda _: FixedRanker(IDEAL), ["first", "second"], faceted_collection(SPLIT))
    assert result.best == "first"


def test_tune_needs_dev_queries_and_a_grid():
    with pytest.raises(ValueError, match="no dev queries"):
        tune(lambda _: FixedRanker(), ["x"], faceted_collection())
    with pytest.raises(ValueError, match="grid is empty"):
        tune(lambda _: FixedRanker(), [], faceted_collection(SPLIT))
