"""The lexical engine's BM25 checked against a small pure-Python reference, as bm25s does.

Reference: Robertson, Walker, Jones, Hancock-Beaulieu & Gatford, "Okapi at TREC-3" (1994), in
the notation of Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond"
(2009), with the non-negative idf of Lucene and tantivy:

    score(D, Q) = sum over q in Q of  idf(q) * f(q, D) * (k1 + 1) / (f(q, D) + k1 * (1 - b + b * l_d / l_avg))
    idf(q) = ln(1 + (N - n(q) + 0.5) / (n(q) + 0.5))

Both sides tokenise with the index's analyzer: this checks scoring, not tokenising. Documented
differences: tantivy stores a field's length l_d in one byte (exact below about 40 tokens,
coarser above), so abstract scores agree to a few percent and only clearly separated ranks
are compared; the engine sums per-field BM25 with weights, so each check uses one field.
"""  # noqa: E501

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest

from papertide.index.lexical import FieldWeights
from papertide.index.query import parse_query
from papertide.index.tantivy_lexical import TantivyLexicalIndex
from papertide.models import Paper

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "golden" / "papers.jsonl"
QUERIES = [
    "retrieval augmented generation",
    "diffusion transformers",
    "speech translation",
    "graph neural networks",
    "robot perception",
    "large language models hallucination",
    "segmentation",
]


@dataclass(frozen=True)
class ReferenceBM25:
    """Okapi BM25 over pre-tokenised documents (k1 = 1.2, b = 0.75 as in tantivy)."""

    docs: dict[str, list[str]]
    k1: float = 1.2
    b: float = 0.75

    def idf(self, term: str) -> float:
        N = len(self.docs)  # noqa: N806 (the paper's notation)
        n = sum(1 for tokens in self.docs.values() if term in tokens)
        return math.log(1 + (N - n + 0.5) / (n + 0.5))

    def score(self, doc_id: str, query: list[str]) -> float:
        tokens = self.docs[doc_id]
        l_d = len(tokens)
        l_avg = sum(len(t) for t in self.docs.values()) / len(self.docs)
        f = Counter(tokens)
        k1, b = self.k1, self.b
        return sum(
            self.idf(q) * f[q] * (k1 + 1) / (f[q] + k1 * (1 - b + b * l_d / l_avg))
            for q in query
            if f[q]
        )

    def rank(self, query: list[str]) -> list[tuple[str, float]]:
        scored = [(doc_id, self.score(doc_id, query)) for doc_id in self.docs]
        return sorted((pair for pair in scored if pair[1] > 0), key=lambda p: (-p[1], p[0]))


class PapersInMemory:
    def __init__(self, papers: list[Paper]) -> None:
        self.papers = {paper.id: paper for paper in papers}

    def get_paper(self, paper_id: str) -> Paper | None:
        return self.papers.get(paper_id)


def load_golden() -> list[Paper]:
    papers = []
    for line in GOLDEN.read_text().splitlines():
        raw = json.loads(line)
        day = date.fromisoformat(raw["first_listed"])
        papers.append(
            Paper(
                id=raw["id"],
                title=raw["title"],
                abstract=raw["abstract"],
                authors=tuple(raw["authors"]),
                categories=tuple(raw["categories"]),
                published=datetime.combine(day, time(), tzinfo=timezone.utc),  # noqa: UP017
            )
        )
    return papers


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    return load_golden()


def engine(papers: list[Paper], weights: FieldWeights) -> TantivyLexicalIndex:
    index = TantivyLexicalIndex(None, PapersInMemory(papers), weights)
    index.add(papers)
    return index


@pytest.fixture(scope="module")
def title_only(papers: list[Paper]) -> TantivyLexicalIndex:
    return engine(papers, FieldWeights(title=1.0, authors=0.0, abstract=0.0))


@pytest.fixture(scope="module")
def abstract_only(papers: list[Paper]) -> TantivyLexicalIndex:
    return engine(papers, FieldWeights(title=0.0, authors=0.0, abstract=1.0))


@pytest.fixture(scope="module")
def weighted(papers: list[Paper]) -> TantivyLexicalIndex:
    return engine(papers, FieldWeights())


def positive(index: TantivyLexicalIndex, text: str) -> list[tuple[str, float]]:
    hits = index.search(parse_query(text), 50, explain=False)
    return [(hit.paper_id, hit.score) for hit in hits if hit.score > 0]


@pytest.mark.parametrize("text", QUERIES)
def test_bm25_title_only_matches_reference_exactly(
    papers: list[Paper], title_only: TantivyLexicalIndex, text: str
):
    index = title_only
    reference = ReferenceBM25({p.id: index.analyze(p.title) for p in papers})
    expected = reference.rank(index.analyze(text))
    got = sorted(positive(index, text), key=lambda pair: (-round(pair[1], 4), pair[0]))
    assert [doc for doc, _ in got] == [doc for doc, _ in expected]  # ties in id order
    for (_, mine), (_, theirs) in zip(got, expected, strict=True):
        assert mine == pytest.approx(theirs, rel=1e-4)


@pytest.mark.parametrize("text", QUERIES)
def test_bm25_abstract_only_agrees_with_reference(
    papers: list[Paper], abstract_only: TantivyLexicalIndex, text: str
):
    index = abstract_only
    reference = ReferenceBM25({p.id: index.analyze(p.abstract) for p in papers})
    expected = dict(reference.rank(index.analyze(text)))
    got = positive(index, text)
    assert {doc for doc, _ in got} == set(expected)
    for doc, mine in got:
        assert mine == pytest.approx(expected[doc], rel=0.05)  # one-byte field lengths
    position = {doc: n for n, (doc, _) in enumerate(got)}
    for a, score_a in expected.items():
        for b, score_b in expected.items():
            if score_a > score_b * 1.1:  # clearly separated in the reference
                assert position[a] < position[b], (a, b)


def test_bm25_field_weights_are_a_weighted_sum(papers: list[Paper], weighted: TantivyLexicalIndex):
    weights, index = FieldWeights(), weighted
    title = ReferenceBM25({p.id: index.analyze(p.title) for p in papers})
    abstract = ReferenceBM25({p.id: index.analyze(p.abstract) for p in papers})
    query = index.analyze("diffusion transformers")
    for hit in index.search(parse_query("diffusion transformers"), 5):
        expected = weights.title * title.score(hit.paper_id, query)
        expected += weights.abstract * abstract.score(hit.paper_id, query)
        assert hit.score == pytest.approx(expected, rel=0.05)
        assert sum(score for _, score in hit.field_scores) == pytest.approx(hit.score, rel=1e-3)


EXPECTED_TOP = {
    # hand-checked: exactly these golden papers have all the words in their titles
    "retrieval augmented generation": [
        "2509.03768", "2510.24003", "2601.02917", "2601.22777", "2602.12287"
    ],
    "speech translation": ["2510.03093", "2601.16618", "2601.22777"],
    "graph neural networks": ["2507.00105"],
    "diffusion transformers": ["2602.18093", "2503.14487"],
    "robot perception": ["2506.22034", "2503.19330"],
}  # fmt: skip


@pytest.mark.parametrize(("text", "top"), EXPECTED_TOP.items())
def test_golden_expected_top_k(weighted: TantivyLexicalIndex, text: str, top: list[str]):
    hits = weighted.search(parse_query(text), len(top))
    assert sorted(hit.paper_id for hit in hits) == sorted(top)
