"""The pure parts of the loaders: facet text, query and pool building, text clean-up."""

import pytest

from papertide.eval.base import EvalDoc
from papertide.eval.datasets import (
    DatasetError,
    EvalCollection,
    Split,
    build_pool,
    facet_text,
    parse_query,
    squeeze,
)

SENTENCES = [
    {"label": "objective", "text": "We aim at X."},
    {"label": "background", "text": "X matters."},
    {"label": "method", "text": "We do Y."},
    {"label": "other", "text": "Code is online."},
]
ROW = {
    "query_id": "7_method",
    "paper_id": "7",
    "facet": "method",
    "title": "A  title",
    "abstract": "We aim at X. X matters. We do Y.",
    "abstract_sentences": SENTENCES,
}


def test_facet_text_takes_the_facet_sentences_and_objective_counts_as_background():
    assert facet_text(SENTENCES, "background", "whole") == "We aim at X. X matters."
    assert facet_text(SENTENCES, "method", "whole") == "We do Y."


def test_facet_text_falls_back_to_the_abstract():
    assert facet_text(SENTENCES, "result", "the whole abstract") == "the whole abstract"
    assert facet_text([], "method", "the whole abstract") == "the whole abstract"


def test_parse_query_keeps_facet_text_and_the_query_paper():
    query = parse_query(ROW)
    assert (query.id, query.facet, query.text) == ("7_method", "method", "We do Y.")
    assert query.paper == EvalDoc("7", "A title", "We aim at X. X matters. We do Y.")


def test_parse_query_refuses_unknown_facets_and_missing_fields():
    with pytest.raises(DatasetError, match="unknown facet"):
        parse_query({**ROW, "facet": "style"})
    with pytest.raises(DatasetError, match="without"):
        parse_query({k: v for k, v in ROW.items() if k != "title"})


def test_build_pool_orders_candidates_by_id_not_by_grade():
    papers = {i: EvalDoc(i, "", "") for i in ("3", "1", "2")}
    pool = build_pool("q", {"3": 3, "1": 0, "2": 1}, papers)
    assert [d.id for d in pool] == ["1", "2", "3"]


def test_build_pool_refuses_empty_pools_and_unknown_candidates():
    with pytest.raises(DatasetError, match="no judged"):
        build_pool("q", {}, {})
    with pytest.raises(DatasetError, match="not in corpus"):
        build_pool("q", {"9": 1}, {})


def test_collection_selects_dev_and_test_queries_in_collection_order():
    queries = tuple(parse_query({**ROW, "query_id": q}) for q in ("a", "b", "c"))
    split = Split("fold1", dev=("c", "a"), test=("b",))
    collection = EvalCollection("x", queries, {}, {}, split)
    assert [q.id for q in collection.dev_queries()] == ["a", "c"]
    assert [q.id for q in collection.test_queries()] == ["b"]
    unsplit = EvalCollection("x", queries, {}, {})
    assert unsplit.dev_queries() == ()
    assert unsplit.test_queries() == queries


def test_squeeze_collapses_whitespace():
    assert squeeze("a\n  b\tc ") == "a b c"
