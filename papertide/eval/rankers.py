"""The product's own rankers over an evaluation pool: BM25 (tantivy), dense (an Embedder) and
their fusion (search/hybrid.py), as `Ranker`s for the harness.

Builds in-memory indexes only: never reads the store or writes a file. Per-pool and per-doc
work is cached on the ranker instance (pools repeat across queries and across a tuning grid).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from papertide.eval.base import EvalDoc, EvalQuery
from papertide.eval.datasets import EvalCollection
from papertide.index.embed import Embedder, Vectors, paper_text
from papertide.index.lexical import LexicalHit
from papertide.index.query import parse_query
from papertide.index.sentence_index import SentenceIndex
from papertide.index.sentences import embed_paper_sentences, index_papers
from papertide.index.tantivy_lexical import TantivyLexicalIndex
from papertide.index.words import TermCounts, term_counts
from papertide.models import Paper
from papertide.search.centered import (
    CENTERED,
    CENTERED_TERMS,
    centered_ranking,
    centered_term_ranking,
)
from papertide.search.hybrid import Fusion, Ranking, fuse_rankings
from papertide.search.hybrid import facet_fusion as product_facet_fusion

LEXICAL = "lexical"
DENSE = "dense"
EMBED_BATCH_TEXTS = 256  # docs embedded per call, so a slow embedder shows steady progress

PoolKey = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PoolPapers:
    """The pool's docs as Papers, looked up by id (what TantivyLexicalIndex reads for MLT)."""

    papers: Mapping[str, Paper]

    def get_paper(self, paper_id: str) -> Paper | None:
        return self.papers.get(paper_id)


def pool_key(candidates: Sequence[EvalDoc]) -> PoolKey:
    """The cache key of a pool: its ids in order."""
    return tuple(doc.id for doc in candidates)


def as_paper(doc: EvalDoc) -> Paper:
    """An eval doc as a Paper with the doc id as paper id (the index stores ids as raw text)."""
    return Paper(id=doc.id, title=doc.title, abstract=doc.abstract)


def complete_ranking(ranked: Sequence[str], candidates: Sequence[EvalDoc], k: int) -> list[str]:
    """`ranked` (deduplicated, pool ids only) followed by the other candidates in pool order."""
    pool = {doc.id for doc in candidates}
    ids = [doc_id for doc_id in dict.fromkeys(ranked) if doc_id in pool]
    seen = set(ids)
    ids += [doc.id for doc in candidates if doc.id not in seen]
    return ids[:k]


class Bm25Ranker:
    """BM25 in an in-memory tantivy index of the pool.

    A query paper's facet text (CSFCube) is searched as more-like-this of its informative
    terms, or with `whole_paper` the whole query paper (title twice, then abstract, as
    `papertide similar` does); a typed query (a Daily Papers title) through parse_query, as
    `papertide search` does. Candidates not retrieved follow in pool order.
    """

    def __init__(self, name: str = "BM25", whole_paper: bool = False) -> None:
        self.name = name
        self.whole_paper = whole_paper
        self._indexes: dict[PoolKey, TantivyLexicalIndex] = {}
        self._results: dict[tuple[str, str, PoolKey], list[tuple[str, float]]] = {}

    @property
    def cached_pools(self) -> int:
        """How many pool indexes are kept (one per distinct pool)."""
        return len(self._indexes)

    def rank(self, query: EvalQuery, candidates: Sequence[EvalDoc], k: int) -> list[str]:
        """The retrieved candidates by BM25 score, then the rest in pool order."""
        return complete_ranking([i for i, _ in self.scored(query, candidates)], candidates, k)

    def scored(self, query: EvalQuery, candidates: Sequence[EvalDoc]) -> Ranking:
        """(id, BM25 score) of the retrieved candidates, best first; cached per query and pool."""
        if self.whole_paper and query.paper is not None:
            paper = query.paper
            query = replace(query, text=f"{paper.title}\n{paper.title}\n{paper.abstract}")
        key = pool_key(candidates)
        cache_key = (query.id, query.text, key)
        if cache_key not in self._results:
            hits = self._search(self._index(key, candidates), query, len(candidates))
            self._results[cache_key] = [(hit.paper_id, hit.score) for hit in hits]
        return self._results[cache_key]

    def _index(self, key: PoolKey, candidates: Sequence[EvalDoc]) -> TantivyLexicalIndex:
        if key not in self._indexes:
            papers = {doc.id: as_paper(doc) for doc in candidates}
            index = TantivyLexicalIndex(None, PoolPapers(papers))
            index.add(papers.values())
            self._indexes[key] = index
        return self._indexes[key]

    @staticmethod
    def _search(index: TantivyLexicalIndex, query: EvalQuery, limit: int) -> list[LexicalHit]:
        if query.facet is None:
            return index.search(parse_query(query.text), limit, explain=False)
        return index.more_like_this(text=query.text, limit=limit, explain=False)


class DenseRanker:
    """Cosine similarity between the embedded query text and the embedded docs.

    Each distinct doc (`paper_text` of title and abstract) is embedded once per ranker, and each
    distinct query text once; vectors are unit length, so cosine is a dot product. With
    `whole_paper`, a query paper is embedded whole (title and abstract, as its stored vector
    is) instead of its facet text, as `papertide similar` does.
    """

    def __init__(self, embedder: Embedder, name: str | None = None, whole_paper: bool = False):
        self.embedder = embedder
        self.name = name or f"dense-{embedder.name}"
        self.whole_paper = whole_paper
        self._docs: dict[str, Vectors] = {}
        self._pools: dict[PoolKey, Vectors] = {}
        self._queries: dict[str, Vectors] = {}
        self._counted: dict[str, TermCounts] = {}

    def whole_paper_view(self, name: str) -> DenseRanker:
        """A `whole_paper` ranker sharing this one's vectors (nothing is embedded twice)."""
        view = DenseRanker(self.embedder, name, whole_paper=True)
        view._docs, view._pools, view._queries = self._docs, self._pools, self._queries
        view._counted = self._counted
        return view

    def counted(self, text: str) -> TermCounts:
        """term_counts of a doc's or query's text, once per text (the centered tf-idf cosine
        of whole_paper_rankings; a tuning grid scores each pool once per fusion tried)."""
        if text not in self._counted:
            self._counted[text] = term_counts(text)
        return self._counted[text]

    def rank(self, query: EvalQuery, candidates: Sequence[EvalDoc], k: int) -> list[str]:
        """The candidates by decreasing cosine (ties keep pool order)."""
        return [doc_id for doc_id, _ in self.scored(query, candidates)][:k]

    def scored(self, query: EvalQuery, candidates: Sequence[EvalDoc]) -> Ranking:
        """(id, cosine) of every candidate, best first."""
        key = pool_key(candidates)
        if key not in self._pools:
            self.embed_docs(candidates)
            self._pools[key] = np.stack([self._docs[doc.id] for doc in candidates])
        text = self.query_text(query)
        if text not in self._queries:
            self._queries[text] = self.embedder.embed([text])[0]
        scores = self._pools[key] @ self._queries[text]
        order = np.argsort(-scores, kind="stable")
        return [(candidates[i].id, float(scores[i])) for i in order]

    def centered(self, query: EvalQuery, candidates: Sequence[EvalDoc]) -> Ranking:
        """(id, centered cosine) of every candidate, as `similar` scores its dense neighbours
        (search/centered.py); the query embedded as `scored` embeds it."""
        self.scored(query, candidates)  # embeds the docs and the query text
        docs = {doc.id: self._docs[doc.id] for doc in candidates}
        return centered_ranking(self._queries[self.query_text(query)], docs)

    def query_text(self, query: EvalQuery) -> str:
        """The text embedded for `query`: the whole query paper with `whole_paper`."""
        if self.whole_paper and query.paper is not None:
            return paper_text(query.paper.title, query.paper.abstract)
        return query.text

    def embed_docs(self, docs: Sequence[EvalDoc]) -> int:
        """Embed the docs not embedded yet; how many were embedded."""
        missing = list({doc.id: doc for doc in docs if doc.id not in self._docs}.values())
        for start in range(0, len(missing), EMBED_BATCH_TEXTS):
            batch = missing[start : start + EMBED_BATCH_TEXTS]
            vectors = self.embedder.embed([paper_text(d.title, d.abstract) for d in batch])
            self._docs.update(zip((d.id for d in batch), vectors, strict=True))
        return len(missing)


class HybridRanker:
    """BM25 and dense rankings fused by `fusion` (weights keyed LEXICAL and DENSE, and
    CENTERED / CENTERED_TERMS when it weighs the centered cosines of the dense vectors / of
    the tf-idf rows as `similar` does)."""

    def __init__(
        self, lexical: Bm25Ranker, dense: DenseRanker, fusion: Fusion, name: str = "hybrid"
    ) -> None:
        self.lexical = lexical
        self.dense = dense
        self.fusion = fusion
        self.name = name

    def rank(self, query: EvalQuery, candidates: Sequence[EvalDoc], k: int) -> list[str]:
        """The fused ranking, then any candidate neither retriever returned, in pool order."""
        rankings = whole_paper_rankings(self.lexical, self.dense, self.fusion, query, candidates)
        fused = fuse_rankings(rankings, self.fusion)
        return complete_ranking([item.id for item in fused], candidates, k)


def whole_paper_rankings(
    lexical: Bm25Ranker,
    dense: DenseRanker,
    fusion: Fusion,
    query: EvalQuery,
    candidates: Sequence[EvalDoc],
) -> dict[str, Ranking]:
    """The rankings `fusion` weighs of LEXICAL, DENSE, CENTERED and CENTERED_TERMS."""
    rankings = {
        LEXICAL: lexical.scored(query, candidates),
        DENSE: dense.scored(query, candidates),
    }
    if CENTERED in fusion.weights:
        rankings[CENTERED] = dense.centered(query, candidates)
    if CENTERED_TERMS in fusion.weights:
        counts = {doc.id: dense.counted(paper_text(doc.title, doc.abstract)) for doc in candidates}
        rankings[CENTERED_TERMS] = centered_term_ranking(
            dense.counted(dense.query_text(query)), counts
        )
    return rankings


def fusion_grid() -> list[Fusion]:
    """The fusions tried on the dev fold, simplest first (tune keeps the first best).

    RRF with k in {10, 30, 60} and dense weight in {0.5, 1, 2, 3} (lexical 1); convex with
    dense weight 0.3 to 0.9 (lexical 1 - dense).
    """
    rrf = [
        Fusion("rrf", {LEXICAL: 1.0, DENSE: weight}, k)
        for k in (60, 30, 10)
        for weight in (1.0, 0.5, 2.0, 3.0)
    ]
    convex = [
        Fusion("convex", {LEXICAL: round(1 - w, 1), DENSE: w})
        for w in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    ]
    return rrf + convex


def similar_grid() -> list[Fusion]:
    """The fusions of `similar` with the static vectors tried on each fold's dev queries,
    simplest first: convex, the centered tf-idf cosines 0 to 0.3, the centered dense cosines
    0 (the plain BM25 / dense mix) to 0.4, BM25 0.2 or 0.1, the dense cosines the rest."""
    return [
        Fusion(
            "convex",
            {LEXICAL: lexical, DENSE: round(1 - lexical - centered - terms, 1)}
            | ({CENTERED: centered} if centered else {})
            | ({CENTERED_TERMS: terms} if terms else {}),
        )
        for terms in (0.0, 0.1, 0.2, 0.3)
        for centered in (0.0, 0.2, 0.3, 0.4)
        for lexical in (0.2, 0.1)
    ]


def product_fusion(fusion: Fusion) -> Fusion:
    """A fusion of the search service (retrievers "bm25", "dense" and maybe CENTERED and
    CENTERED_TERMS) keyed as the rankers here."""
    weights = {LEXICAL: fusion.weight("bm25"), DENSE: fusion.weight("dense")}
    for centered in (CENTERED, CENTERED_TERMS):
        if centered in fusion.weights:
            weights[centered] = fusion.weight(centered)
    return Fusion(fusion.method, weights, fusion.k)


def describe_fusion(fusion: Fusion) -> str:
    """One line, e.g. "rrf k=60, weights lexical 1, dense 2"."""
    weights = ", ".join(f"{name} {value:g}" for name, value in fusion.weights.items())
    head = f"rrf k={fusion.k}" if fusion.method == "rrf" else "convex (min-max scores)"
    return f"{head}, weights {weights}"


FACET = "facet"


class FacetRanker:
    """Faceted similar papers as `similar(..., facet=)` ranks them (search/service.py): the
    candidates' sentence match to the query paper's facet sentences, from `sentences` (built
    by `pool_sentences` with the dense ranker's embedder) and scored by the product's own
    SentenceIndex.facet_ranking, fused (convex, weights keyed as HybridRanker's and FACET) with
    the whole-paper scores of `similar`.
    """

    def __init__(
        self,
        lexical: Bm25Ranker,
        dense: DenseRanker,
        sentences: SentenceIndex,
        fusions: Mapping[str, Fusion],
        name: str,
    ) -> None:
        self.lexical = lexical
        self.dense = dense
        self.sentences = sentences
        self.fusions = fusions  # per facet; a facet not in it is ranked with SIMILAR_FUSION
        self.name = name

    def rank(self, query: EvalQuery, candidates: Sequence[EvalDoc], k: int) -> list[str]:
        """The fused ranking of the whole pool."""
        fusion = self.fusions.get(query.facet or "", facet_fusion(0.0))
        rankings = whole_paper_rankings(self.lexical, self.dense, fusion, query, candidates)
        rankings[FACET] = self.facet_scored(query, candidates)
        fused = fuse_rankings(rankings, fusion)
        return complete_ranking([item.id for item in fused], candidates, k)

    def facet_scored(self, query: EvalQuery, candidates: Sequence[EvalDoc]) -> Ranking:
        """(id, facet similarity) of every candidate, best first; the whole abstract for a
        query without a facet, the query text for one without a paper."""
        paper = query.paper or EvalDoc(query.id, "", query.text)
        sentences = (
            self.sentences.paper(paper.id)
            or embed_paper_sentences(self.dense.embedder, [(paper.title, paper.abstract)])[0]
        )
        return self.sentences.facet_ranking(sentences, query.facet, [d.id for d in candidates])


def pool_sentences(embedder: Embedder, collection: EvalCollection) -> SentenceIndex:
    """The sentence index of every candidate and query paper of the collection."""
    docs: dict[str, EvalDoc] = {}
    for pool in collection.pools.values():
        docs.update((doc.id, doc) for doc in pool)
    docs.update((q.paper.id, q.paper) for q in collection.queries if q.paper is not None)
    return index_papers(embedder, [(d.id, d.title, d.abstract) for d in docs.values()])


def facet_grid() -> list[Fusion]:
    """The facet fusions tried on the dev fold: convex, the whole-paper part as `similar`
    ships it (SIMILAR_FUSION), the facet score's weight from 0 (the whole-paper ranker) up."""
    return [facet_fusion(w) for w in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)]


def facet_fusion(weight: float) -> Fusion:
    """The product's fusion of faceted similar papers (search/hybrid.py) keyed as here."""
    fusion = product_facet_fusion(weight)
    return Fusion(fusion.method, {**product_fusion(fusion).weights, FACET: fusion.weight(FACET)})
