"""index/facets.py: sentences, their facet labels and the per-facet max-sim score."""

import numpy as np
import pytest

from papertide.index.facets import (
    facet_sentences,
    facet_similarity,
    label_sentences,
    split_sentences,
)

ABSTRACT = (
    "Named entity recognition remains a challenging problem for low-resource languages. "
    "We propose a cross-lingual transfer approach based on multilingual encoders, e.g. "
    "mBERT, trained on annotated English data. "
    "Experiments on 10 languages show that our method outperforms strong baselines by 4 F1."
)


def test_split_sentences_keeps_abbreviations_and_short_pieces_inside_a_sentence():
    sentences = split_sentences(ABSTRACT)
    assert len(sentences) == 3
    assert sentences[1].startswith("We propose") and "e.g. mBERT" in sentences[1]
    assert split_sentences("One claim holds here. 2. And another one follows.") == [
        "One claim holds here. 2.",
        "And another one follows.",
    ]
    assert split_sentences("  \n ") == []


def test_label_sentences_reads_cues_and_position():
    assert label_sentences(split_sentences(ABSTRACT)) == ["background", "method", "result"]
    assert label_sentences(["A single sentence."]) == ["background"]
    assert label_sentences([]) == []


def test_facet_sentences_fall_back_to_every_sentence():
    assert facet_sentences(["background", "method", "method"], "method") == [1, 2]
    assert facet_sentences(["background", "method"], "result") == [0, 1]


def test_facet_similarity_is_the_mean_of_each_query_sentence_best_match():
    query = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    candidates = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], np.float32)
    owners = np.array([0, 0, 2], np.int64)  # candidate 1 has no sentences
    scores = facet_similarity(query, candidates, owners)
    assert scores.tolist() == pytest.approx([(1.0 + 0.8) / 2, 0.0, (0.0 + 1.0) / 2])


def test_facet_similarity_of_nothing_is_empty_or_zero():
    empty = np.zeros((0, 2), np.float32)
    assert facet_similarity(empty, empty, np.zeros(0, np.int64)).shape == (0,)
    one = np.array([[1.0, 0.0]], np.float32)
    assert facet_similarity(empty, one, np.zeros(1, np.int64)).tolist() == [0.0]
