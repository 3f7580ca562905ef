"""Term features: tokens, n-grams, tf-idf rows and their products, against hand computations."""

import math

import numpy as np
import pytest

from papertide.index.words import tokenize
from papertide.rank import terms
from papertide.rank.terms import (
    IdRow,
    TermMatrix,
    build_term_matrix,
    column_weights,
    count_terms,
    mean_columns,
    score_rows,
    term_row,
    top_terms,
)


def test_tokenize_drops_stop_words_short_words_and_accents():
    assert tokenize("The Café of 3D-GANs is a x-ray model") == ["cafe", "gans", "ray", "model"]


def test_count_terms_counts_unigrams_and_bigrams_of_kept_words():
    counts = count_terms("graph networks for graph networks")
    assert counts == {"graph": 2, "networks": 2, "graph networks": 2, "networks graph": 1}


def test_build_term_matrix_gives_unit_rows_with_smoothed_idf_and_sublinear_tf():
    terms = build_term_matrix(["graph", "graph speech", "", "audio data audio data audio"])
    assert terms.rows == 4
    assert terms.row_of(0) == {"graph": pytest.approx(1.0)}
    graph_idf, speech_idf = math.log(5 / 3) + 1, math.log(5 / 2) + 1
    norm = math.sqrt(graph_idf**2 + 2 * speech_idf**2)
    second = terms.row_of(1)
    assert second["graph"] == pytest.approx(graph_idf / norm)
    assert second["graph speech"] == second["speech"] == pytest.approx(speech_idf / norm)
    assert terms.row_of(2) == {}
    fourth = terms.row_of(3)  # audio x3, data x2, "audio data" x2, "data audio" x2
    assert fourth["audio"] / fourth["data"] == pytest.approx((1 + math.log(3)) / (1 + math.log(2)))


def by_term(space: TermMatrix, row: IdRow) -> dict[str, float]:
    ids, values = row.ids.tolist(), row.values.tolist()
    return {space.term_name(i): v for i, v in zip(ids, values, strict=True)}


def test_term_row_uses_the_spaces_idf_and_the_unseen_idf():
    space = build_term_matrix(["graph", "speech"])
    row = term_row("graph robots", space)
    named = by_term(space, row)
    seen = math.log(3 / 2) + 1
    unseen = math.log(3) + 1
    bigram = unseen
    norm = math.sqrt(seen**2 + unseen**2 + bigram**2)
    assert named == pytest.approx(
        {"graph": seen / norm, "robots": unseen / norm, "graph robots": bigram / norm}
    )
    assert row.ids[0] == space.index["graph"]  # unseen terms get ids after the vocabulary
    assert sorted(row.ids.tolist()[1:]) == [space.term_ids - 2, space.term_ids - 1]
    assert len(term_row("", space).ids) == 0
    assert term_row("graph robots", space) is row  # kept for the matrix's next request


def test_trim_forgets_outside_rows_and_extra_ids_beyond_the_limit(monkeypatch):
    space = build_term_matrix(["graph", "speech"])
    monkeypatch.setattr(terms, "OUTSIDE_ROWS", 1)
    term_row("robots", space)
    space.trim()
    assert space.term_ids == 3
    term_row("drones", space)
    space.trim()
    assert space.term_ids == 2 and not space.outside


def test_id_row_matches_row_of():
    space = build_term_matrix(["graph neural nets", "speech"])
    row = space.id_row(0)
    assert by_term(space, row) == space.row_of(0)


def test_score_rows_and_mean_columns_agree_with_the_dicts():
    terms = build_term_matrix(["graph neural", "speech audio", "graph speech"])
    weights = {"graph": 2.0, "speech": -1.0, "unknown": 5.0}
    expected = [sum(v * weights.get(t, 0.0) for t, v in terms.row_of(i).items()) for i in range(3)]
    scores = score_rows(terms, column_weights(terms, weights))
    assert scores == pytest.approx(np.asarray(expected, np.float32))
    columns, means = mean_columns(terms, np.asarray([0, 2]))
    assert columns.tolist() == sorted(columns.tolist())
    mean = {terms.vocabulary[c]: m for c, m in zip(columns.tolist(), means.tolist(), strict=True)}
    assert set(mean) == set(terms.row_of(0)) | set(terms.row_of(2))
    for term, value in mean.items():
        both = terms.row_of(0).get(term, 0.0) + terms.row_of(2).get(term, 0.0)
        assert value == pytest.approx(both / 2)
    empty = mean_columns(terms, np.asarray([], dtype=np.int64))
    assert len(empty[0]) == len(empty[1]) == 0


def test_top_terms_orders_positive_contributions_ties_by_term():
    terms = build_term_matrix(["alpha beta", "gamma"])  # alpha, beta, "alpha beta": equal values
    lookup = column_weights(terms, {"alpha": 1.0, "beta": 2.0, "alpha beta": -1.0, "zeta": 9.0})
    assert top_terms(terms, 0, lookup, 2) == ["beta", "alpha"]
    assert top_terms(terms, 0, column_weights(terms, {"beta": 1.0, "alpha": 1.0}), 3) == [
        "alpha",
        "beta",
    ]
    assert top_terms(terms, 1, lookup, 3) == []
    assert top_terms(terms, 0, column_weights(terms, {}), 3) == []
