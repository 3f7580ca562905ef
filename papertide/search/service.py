"""Hybrid search and similar papers: lexical (BM25) and dense (embedding) rankings fused.

Owns how a query string becomes ranked, explained hits. Storage, indexes and the embedder are
injected (built in wiring.py); no SQL and no engine details here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, TypeVar

import numpy as np

from papertide.errors import InputError, PaperNotFoundError
from papertide.index.embed import Embedder, paper_text
from papertide.index.lexical import LexicalHit, LexicalIndex
from papertide.index.query import Query, parse_query
from papertide.index.sentence_index import SentenceSource
from papertide.index.sentences import embed_paper_sentences
from papertide.index.term_index import TermSource, build_term_index
from papertide.index.vectors import Matrix, from_stored
from papertide.index.words import TermCounts, term_counts
from papertide.models import Paper
from papertide.search.centered import (
    CENTERED,
    CENTERED_TERMS,
    centered_ranking,
    centered_term_ranking,
)
from papertide.search.filters import passes
from papertide.search.hybrid import (
    DEFAULT_FUSION,
    FACET_WEIGHTS,
    SIMILAR_FUSION,
    Fused,
    Fusion,
    Part,
    Ranking,
    facet_fusion,
    fuse_rankings,
)
from papertide.search.snippet import Snippet, make_snippet
from papertide.store.base import Store

CANDIDATES = 100  # per retriever, before fusion
MAX_PAGE_SIZE = 100  # hits per page of search results
POOL = 2 * CANDIDATES  # fusion never yields more; pages stop there
NEGATIVE_WEIGHT = 0.5  # Rocchio's gamma for "similar to this set" (Rocchio 1971)
# Threads per service for the dense retrieval (vector search, then the store's ids for its
# hits), which runs beside BM25: tantivy and usearch both release the GIL while they search
# (measured: a Python thread kept running at full speed beside either), so with a core free
# a search costs the slower of the two, not their sum (1M papers: BM25 top 100 11.5 ms,
# dense 7.5 ms). Bounded: a search waits for a thread when all are busy.
SEARCH_THREADS = 2
T = TypeVar("T")


class VectorSearcher(Protocol):
    def search(
        self, query: Matrix, k: int, exclude: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]: ...

    def vectors_of(self, keys: Sequence[int]) -> dict[int, Matrix]: ...


@dataclass(frozen=True, slots=True)
class VectorSpace:
    """An embedder, the index over its stored vectors, and how its neighbours fuse with BM25's
    more-like-this when finding similar papers."""

    embedder: Embedder
    vectors: VectorSearcher
    fusion: Fusion


@dataclass(frozen=True, slots=True)
class SearchHit:
    paper: Paper
    score: float
    reasons: tuple[str, ...]
    snippet: Snippet
    parts: dict[str, Part] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: Query
    hits: list[SearchHit]


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits (page counts from 0) and whether another page follows. No total: the
    dense retriever ranks every paper, so the only honest count is "more" or "no more"."""

    result: SearchResult
    page: int
    size: int
    more: bool


def check_paging(page: int, size: int, first: int = 0) -> None:
    """The one paging rule of every search surface: size 1..MAX_PAGE_SIZE, pages within POOL.
    `page` counts from 0; `first` is the number the surface shows its first page as (the JSON
    API 0, as Hugging Face counts; the HTML pages 1), for the message."""
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InputError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
    if page < 0 or page * size >= POOL:
        raise InputError(f"page must be between {first} and {(POOL - 1) // size + first}")


@dataclass
class SearchService:
    store: Store
    lexical: LexicalIndex
    embedder: Embedder
    vectors: VectorSearcher
    sentences: SentenceSource  # the query embedder's sentence vectors (faceted similar)
    # every paper's word counts (the centered tf-idf cosine of similar); a paper not held is
    # counted from its text, so an empty index only costs time
    terms: TermSource = field(default_factory=lambda: build_term_index([]))
    fusion: Fusion = DEFAULT_FUSION
    similar_fusion: Fusion = SIMILAR_FUSION
    paper_space: VectorSpace | None = None  # when set, similar papers use it (e.g. contextual)
    threads: int = SEARCH_THREADS  # 0: the dense retrieval runs in the caller, after BM25
    _pool: ThreadPoolExecutor | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        if self.threads > 0:  # its threads start with the first search
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="search")

    def close(self) -> None:
        """Stop the service's threads once the searches under way are done; searches after
        this run in the caller."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown()

    def search(self, text: str, limit: int = 20) -> SearchResult:
        """Hits for a query string, best first; never raises for any input text. Words rank
        only when some paper has one of them (filters aside): then BM25 and the embedding are
        fused, and the embedding may find papers within the filters that lack the words."""
        query = parse_query(text)
        if query.paper_id is not None:
            paper = self.store.get_paper(query.paper_id)
            hits = (
                [SearchHit(paper, 1.0, ("the arXiv id you gave",), _plain(paper))] if paper else []
            )
            return SearchResult(query, hits)
        if query.is_empty:
            return SearchResult(query, [])
        dense = self._dense(query) if query.has_text else None  # under way beside BM25
        lexical = self.lexical.search(query, CANDIDATES, explain=False)
        if query.has_text and not lexical and not self._has_any_word(query):
            # no paper has any of the words: the embedding would still rank the nearest
            # neighbours of gibberish, so nothing matches rather than noise
            return SearchResult(query, [])
        rankings = {"bm25": [(h.paper_id, h.score) for h in lexical]}
        if dense is not None:
            rankings["dense"] = dense()
        fused = fuse_rankings(rankings, self.fusion)[:limit]
        explained = self.lexical.explain(query, [f.id for f in fused if "bm25" in f.parts])
        terms = (*query.terms, *query.phrases, *query.prefixes)
        return SearchResult(query, self._hits(fused, {h.paper_id: h for h in explained}, terms))

    def search_page(self, text: str, page: int = 0, size: int = 20) -> SearchPage:
        """Page `page` (from 0) of `size` hits; InputError when outside check_paging's bounds."""
        check_paging(page, size)
        result = self.search(text, (page + 1) * size + 1)
        start = page * size
        hits = result.hits[start : start + size]
        more = len(result.hits) > start + size
        return SearchPage(SearchResult(result.query, hits), page, size, more)

    def similar(self, paper_id: str, limit: int = 10, facet: str | None = None) -> list[SearchHit]:
        """Papers like this one (itself excluded): dense neighbours and more-like-this fused;
        with `facet` (one of FACET_WEIGHTS), re-scored by how its facet sentences match theirs.

        Works for a paper ingested a minute ago: without a stored vector its text is embedded
        on the spot (candidates' sentence vectors are only read, never embedded)."""
        if facet is not None and facet not in FACET_WEIGHTS:
            offered = ", ".join(FACET_WEIGHTS)
            raise InputError(f"similar in {facet!r} is not offered; choose one of {offered}")
        paper = self._paper(paper_id)
        # a facet re-ranks the static neighbours, as measured (docs/search.md)
        space = self.similar_space if facet is None else self.static_space
        vector = self._vector_of(paper, space.embedder)
        text = paper_text(paper.title, paper.abstract)
        found = partial(self._dense_ranked, space, vector, text, CANDIDATES + 1, {paper.id})
        dense = self._later(found)
        lexical = self.lexical.more_like_this(paper.id, None, CANDIDATES, explain=False)
        faceted = None if facet is None else (paper, facet)
        return self._neighbours(space, dense(), lexical, {paper.id}, limit, faceted)

    def similar_to_set(
        self, positive: Sequence[str], negative: Sequence[str] = (), limit: int = 10
    ) -> list[SearchHit]:
        """Papers like the positive ones and unlike the negative ones (Rocchio's centroid)."""
        liked = [self._paper(pid) for pid in positive]
        disliked = [self._paper(pid) for pid in negative]
        if not liked:
            raise PaperNotFoundError("give at least one paper to find similar ones")
        space = self.similar_space
        centroid = np.mean([self._vector_of(p, space.embedder) for p in liked], axis=0)
        if disliked:
            unliked = [self._vector_of(p, space.embedder) for p in disliked]
            centroid -= NEGATIVE_WEIGHT * np.mean(unliked, axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-9)
        seen = {p.id for p in (*liked, *disliked)}
        vector = centroid.astype(np.float32)
        k = CANDIDATES + len(seen)
        text = " ".join(paper_text(p.title, p.abstract) for p in liked)
        dense = self._later(partial(self._dense_ranked, space, vector, text, k, seen))
        lexical = self.lexical.more_like_this(None, text, CANDIDATES, explain=False)
        return self._neighbours(space, dense(), lexical, seen, limit)

    @property
    def similar_space(self) -> VectorSpace:
        """The vectors similar papers are found with: `paper_space`, else the query embedder's."""
        return self.paper_space or self.static_space

    @property
    def static_space(self) -> VectorSpace:
        """The query embedder's vectors, fused as `similar_fusion`."""
        return VectorSpace(self.embedder, self.vectors, self.similar_fusion)

    def _neighbours(
        self,
        space: VectorSpace,
        dense: Mapping[str, Ranking],
        lexical: list[LexicalHit],
        exclude: set[str],
        limit: int,
        faceted: tuple[Paper, str] | None = None,
    ) -> list[SearchHit]:
        rankings: dict[str, Ranking] = {
            "bm25": [(h.paper_id, h.score) for h in lexical if h.paper_id not in exclude],
            "dense": dense["dense"],
        }
        fusion = space.fusion
        if faceted is not None:
            paper, facet = faceted
            rankings["facet"] = self._facet_ranking(paper, facet, rankings)
            fusion = facet_fusion(FACET_WEIGHTS[facet])
        rankings |= {name: dense[name] for name in (CENTERED, CENTERED_TERMS) if name in dense}
        fused = fuse_rankings(rankings, fusion)[:limit]
        return self._hits(fused, {h.paper_id: h for h in lexical}, ())

    def _facet_ranking(self, paper: Paper, facet: str, rankings: Mapping[str, Ranking]) -> Ranking:
        """The candidates of `rankings` by how their sentences match the paper's `facet`
        sentences (SentenceIndex.facet_ranking); candidates without sentences are left out."""
        index = self.sentences.current()
        candidates = list(dict.fromkeys(pid for ranking in rankings.values() for pid, _ in ranking))
        query = (
            index.paper(paper.id)
            or embed_paper_sentences(self.embedder, [(paper.title, paper.abstract)])[0]
        )
        return index.facet_ranking(query, facet, candidates)

    def _has_any_word(self, query: Query) -> bool:
        """Whether any paper in the index has one of the query's words, phrases or prefixes."""
        words = Query(
            query.text,
            terms=query.terms,
            phrases=query.phrases,
            prefixes=query.prefixes,
            is_long_text=query.is_long_text,
        )
        return bool(self.lexical.search(words, 1, explain=False))

    def _dense(self, query: Query) -> Callable[[], list[tuple[str, float]]]:
        """The papers nearest the query that pass its filters, found on the service's threads."""
        text = query.text if query.is_long_text else " ".join((*query.terms, *query.phrases))
        return self._later(partial(self._nearest, query, self.embedder.embed([text])[0]))

    def _nearest(self, query: Query, vector: Matrix) -> list[tuple[str, float]]:
        hits = self._dense_ids(self.vectors, vector, CANDIDATES)
        if not (query.has_filters or query.not_terms or query.not_phrases or query.not_prefixes):
            return hits
        papers = self.store.get_papers([pid for pid, _ in hits])
        return [(pid, s) for pid, s in hits if pid in papers and passes(papers[pid], query)]

    def _dense_ranked(
        self, space: VectorSpace, vector: Matrix, text: str, k: int, exclude: set[str]
    ) -> dict[str, Ranking]:
        """The paper's nearest neighbours in `space` but those in `exclude` ("dense"), and,
        when the space's fusion weighs them, the same neighbours by their cosine to the paper
        centered on their mean (CENTERED), and by the same of their tf-idf rows to the tf-idf
        row of `text`, the paper's (CENTERED_TERMS; search/centered.py)."""
        found = space.vectors.search(vector, k)
        ids = self.store.ids_for([pk for pk, _ in found])
        kept = [(pk, score) for pk, score in found if pk in ids and ids[pk] not in exclude]
        rankings: dict[str, Ranking] = {"dense": [(ids[pk], score) for pk, score in kept]}
        if CENTERED in space.fusion.weights:
            held = space.vectors.vectors_of([pk for pk, _ in kept])
            rankings[CENTERED] = centered_ranking(
                vector, {ids[pk]: held[pk] for pk, _ in kept if pk in held}
            )
        if CENTERED_TERMS in space.fusion.weights:
            counts = self._term_counts([pid for pid, _ in rankings["dense"]])
            rankings[CENTERED_TERMS] = centered_term_ranking(term_counts(text), counts)
        return rankings

    def _term_counts(self, paper_ids: Sequence[str]) -> dict[str, TermCounts]:
        """The word counts of these papers, in their order: read from `terms`, or for a paper
        it does not hold (ingested since the last `papertide index`) counted from its text."""
        held = self.terms.current().counts(paper_ids)
        missing = [pid for pid in paper_ids if pid not in held]
        if missing:
            papers = self.store.get_papers(missing)
            held |= {pid: term_counts(paper_text(p.title, p.abstract)) for pid, p in papers.items()}
        return {pid: held[pid] for pid in paper_ids if pid in held}

    def _dense_ids(
        self, vectors: VectorSearcher, vector: Matrix, k: int
    ) -> list[tuple[str, float]]:
        found = vectors.search(vector, k)
        ids = self.store.ids_for([pk for pk, _ in found])
        return [(ids[pk], score) for pk, score in found if pk in ids]

    def _later(self, work: Callable[[], T]) -> Callable[[], T]:
        """`work` started on the service's threads; what waits for its result. Without
        threads, `work` itself: it runs in the caller when the result is wanted."""
        if self._pool is None:
            return work
        return self._pool.submit(work).result

    def _vector_of(self, paper: Paper, embedder: Embedder) -> Matrix:
        stored = self.store.vector_of(embedder.name, paper.id)
        if stored is not None:
            return np.asarray(from_stored([stored], embedder.dim)[0], dtype=np.float32)
        vectors = embedder.embed([paper_text(paper.title, paper.abstract)])
        return np.asarray(vectors[0], dtype=np.float32)

    def _paper(self, paper_id: str) -> Paper:
        paper = self.store.get_paper(paper_id)
        if paper is None:
            raise PaperNotFoundError(f"no paper {paper_id} in the store")
        return paper

    def _hits(
        self, fused: list[Fused], lexical: dict[str, LexicalHit], terms: Sequence[str]
    ) -> list[SearchHit]:
        papers = self.store.get_papers([f.id for f in fused])
        return [
            SearchHit(
                papers[f.id],
                f.score,
                explain(f, lexical.get(f.id)),
                make_snippet(papers[f.id].abstract, (*terms, *_matched(lexical.get(f.id)))),
                dict(f.parts),
            )
            for f in fused
            if f.id in papers
        ]


def explain(fused: Fused, lexical: LexicalHit | None) -> tuple[str, ...]:
    """Why a hit ranks where it does, in words: matched terms and each retriever's part."""
    reasons = []
    if lexical is not None and lexical.matched_terms:
        fields = ", ".join(name for name, score in lexical.field_scores if score > 0)
        where = f" in {fields}" if fields else ""
        reasons.append(f"matched {', '.join(lexical.matched_terms)}{where}")
    if "bm25" in fused.parts:
        part = fused.parts["bm25"]
        reasons.append(f"BM25 rank {part.rank} (score {part.score:.2f})")
    if "dense" in fused.parts:
        part = fused.parts["dense"]
        reasons.append(f"meaning: rank {part.rank} (cosine {part.score:.2f})")
    if CENTERED in fused.parts:
        part = fused.parts[CENTERED]
        reasons.append(f"centered on the neighbours: rank {part.rank} (cosine {part.score:.2f})")
    if CENTERED_TERMS in fused.parts:
        part = fused.parts[CENTERED_TERMS]
        reasons.append(
            f"words, centered on the neighbours': rank {part.rank} (cosine {part.score:.2f})"
        )
    if "facet" in fused.parts:
        part = fused.parts["facet"]
        reasons.append(f"facet sentences: rank {part.rank} (match {part.score:.2f})")
    return tuple(reasons)


def _matched(hit: LexicalHit | None) -> tuple[str, ...]:
    return hit.matched_terms if hit else ()


def _plain(paper: Paper) -> Snippet:
    return make_snippet(paper.abstract, ())
