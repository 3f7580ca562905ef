"""Our TL;DR and keywords (papertide/index/summaries.py) on a hand-written abstract."""

from __future__ import annotations

import pytest

from papertide.index.static import StaticEmbedder
from papertide.index.summaries import (
    KEYWORDS_MAX,
    KEYWORDS_MIN,
    Summariser,
    candidate_phrases,
    compress,
    sentences,
)

TITLE = "Sparse Mixture Routing for Efficient Speech Recognition"
ABSTRACT = """Speech recognition systems are widely deployed. However, large acoustic models
are slow at inference time. In this paper, we propose sparse mixture routing, a method that
sends each audio frame to a few expert layers of the acoustic model. Sparse mixture routing
cuts inference cost by half on LibriSpeech while keeping the word error rate. We release our
code."""


@pytest.fixture(scope="module")
def summariser() -> Summariser:
    return Summariser(StaticEmbedder.load())


def test_the_tldr_is_the_contribution_sentence_without_its_framing(summariser: Summariser):
    assert summariser.tldr(TITLE, ABSTRACT) == (
        "We propose sparse mixture routing, a method that sends each audio frame to a few "
        "expert layers of the acoustic model."
    )


def test_keywords_are_phrases_of_the_paper_title_terms_first(summariser: Summariser):
    keywords = summariser.keywords(TITLE, ABSTRACT)
    assert KEYWORDS_MIN <= len(keywords) <= KEYWORDS_MAX
    assert keywords[0] == "Sparse Mixture Routing"
    text = f"{TITLE} {' '.join(ABSTRACT.split())}".lower()
    assert all(keyword.lower() in text for keyword in keywords)
    lowered = [k.lower() for k in keywords]
    assert not any(a != b and a in b for a in lowered for b in lowered)  # no phrase inside another


def test_a_paper_without_an_abstract_gets_its_title_and_no_keywords_from_nothing(
    summariser: Summariser,
):
    assert summariser.summarise("A Title", "").tldr == "A Title"
    assert summariser.keywords("", "") == ()


def test_sentences_and_clauses():
    assert sentences("One thing. Two things (e.g. this). three") == [
        "One thing.",
        "Two things (e.g. this). three",
    ]
    assert compress("To address this issue, we build X.") == "We build X."
    assert compress("Here, we show Y.") == "We show Y."
    assert compress("We show Z.") == "We show Z."
    assert compress("To close the gap between A and B, we build C.") == "We build C."
    assert compress("For A, B and C, we build D.") == "For A, B and C, we build D."
    assert (
        candidate_phrases("", "the large language models of the world")["large language models"]
        == 1
    )


def test_many_papers_at_once_get_the_summaries_each_gets_alone(summariser: Summariser):
    """summarise_many embeds every text of every paper in one call, each distinct text once."""
    papers = [
        (TITLE, ABSTRACT),
        ("Graph Transformers for Molecules", "We propose a graph transformer. It predicts energy."),
        (TITLE, ABSTRACT),  # a paper twice: its texts are shared, not mixed up
        ("Only a Title", ""),
        ("", "the of and"),  # nothing but stop words: no phrase, one sentence
    ]
    alone = [
        (summariser.tldr(title, abstract), summariser.keywords(title, abstract))
        for title, abstract in papers
    ]
    together = summariser.summarise_many(papers)
    assert [(s.tldr, s.keywords) for s in together] == alone
    assert together[1].tldr == "We propose a graph transformer."
    assert summariser.summarise_many([]) == []
