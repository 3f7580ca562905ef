"""EvalReport renders one aligned table and round-trips through JSON."""

import json

from papertide.eval.report import (
    EvalReport,
    EvalSetup,
    QueryScore,
    RankerResult,
    group_spans,
    render_table,
)

SETUP = EvalSetup("fold1_test", 26, 20, 2, 2000, 42, 100)
FULL = {"background": 0.5, "method": 0.25, "result": 0.125, "overall": 0.3}


def report() -> EvalReport:
    return EvalReport(
        SETUP,
        (
            RankerResult("tfidf-svm", FULL, {"overall": 0.2}, 0.945, 1.5),
            RankerResult("a-much-longer-ranker-name", {"overall": 1.0}, {}, None, 0.1),
        ),
    )


def test_table_has_group_heading_labels_rule_and_one_row_per_ranker():
    lines = report().table().splitlines()
    assert len(lines) == 5
    assert "nDCG@20 on CSFCube test" in lines[0]
    assert lines[1].split() == [
        "ranker", "background", "method", "result", "overall", "CSFCube", "test", "Daily", "Papers"
    ]  # fmt: skip
    assert set(lines[2].replace(" ", "")) == {"-"}
    assert lines[3].split() == ["tfidf-svm", "0.500", "0.250", "0.125", "0.300", "0.200", "0.945"]


def test_table_right_aligns_each_value_under_its_label():
    _, labels, rule, first, second = report().table().splitlines()
    for label in ("background", "overall", "Daily Papers"):
        end = labels.index(label) + len(label)
        assert first[end - 1] != " "
        assert rule[end - 1] == "-"
    assert second.startswith("a-much-longer-ranker-name  ")


def test_table_marks_missing_scores():
    second = report().table().splitlines()[4]
    assert second.split() == ["a-much-longer-ranker-name", "-", "-", "-", "1.000", "-", "-"]


def test_table_widens_a_column_to_fit_its_group_heading():
    table = render_table([("", "x"), ("a long group heading", "y")], [["1", "2"]])
    heading, labels, rule, row = table.splitlines()
    assert heading.endswith("a long group heading")
    assert len(labels) == len(heading) == len(row)
    assert rule.endswith("-" * len("a long group heading"))


def test_group_spans_merge_equal_neighbours():
    assert group_spans(["", "a", "a", "b", "a"]) == [
        ("", 0, 1), ("a", 1, 3), ("b", 3, 4), ("a", 4, 5)
    ]  # fmt: skip


def test_to_json_holds_setup_scores_and_per_query_scores():
    result = RankerResult("r", FULL, FULL, None, 2.0, (QueryScore("q1", "method", 0.5, 0.25, 1.0),))
    loaded = json.loads(EvalReport(SETUP, (result,)).to_json())
    assert loaded["setup"]["csfcube_split"] == "fold1_test"
    assert loaded["setup"]["daily_papers_seed"] == 42
    (ranker,) = loaded["rankers"]
    assert ranker["ndcg"]["overall"] == 0.3
    assert ranker["mrr"] is None
    assert ranker["queries"] == [
        {"query_id": "q1", "facet": "method", "ndcg": 0.5, "ap": 0.25, "rr": 1.0}
    ]
