"""The lexical (BM25) search contract, and keeping a derived lexical index in step with the store.

The store is the system of record; a lexical index is a file beside it, rebuildable at any
time. This module owns the protocol, the hit type and the sync rule; the engine lives in
tantivy_lexical.py. No SQL and no engine calls here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from papertide.errors import PapertideError
from papertide.index.query import Query
from papertide.models import Paper
from papertide.store.base import StoreWatermark

MORE_LIKE_THIS_TERMS = 25
SYNC_BATCH_SIZE = 2000


class IndexBusyError(PapertideError):
    """Another process is writing the search index (e.g. a second `papertide index`)."""


@dataclass(frozen=True, slots=True)
class FieldWeights:
    """BM25 multipliers per field: a title match counts most, then authors, then abstract."""

    title: float = 3.0
    authors: float = 2.0
    abstract: float = 1.0


@dataclass(frozen=True, slots=True)
class LexicalHit:
    """One ranked paper. `matched_terms` are the query's words (as typed) found in the paper;
    `field_scores` splits `score` by field, e.g. (("title", 4.1), ("abstract", 1.3)), when the
    hit was explained. Filter-only queries rank newest first with score 0."""

    paper_id: str
    score: float
    matched_terms: tuple[str, ...] = ()
    field_scores: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class IndexState:
    """What the index last read from the store, saved beside it: the store's watermark then
    and how many papers the index held."""

    papers: int
    modified_at: str | None


@dataclass(frozen=True, slots=True)
class SyncResult:
    added: int
    rebuilt: bool


class PaperLookup(Protocol):
    def get_paper(self, paper_id: str) -> Paper | None: ...


class PaperFeed(PaperLookup, Protocol):
    """What a derived index reads from the store (SqliteStore implements it)."""

    def lexical_watermark(self) -> StoreWatermark: ...

    def iter_papers_modified_since(
        self, since: str | None, batch_size: int = 1000
    ) -> Iterator[Paper]:
        """Papers with modified_at >= since (every paper when None), in pk order."""
        ...


class LexicalIndex(Protocol):
    """BM25 search over title, authors and abstract with field weights."""

    def search(self, query: Query, limit: int, explain: bool = True) -> list[LexicalHit]:
        """The best `limit` papers for `query`, best first; never raises on any parsed query.

        With `explain`, hits carry matched terms and field scores (costs a little per hit).
        """
        ...

    def more_like_this(
        self,
        paper_id: str | None = None,
        text: str | None = None,
        limit: int = 10,
        explain: bool = True,
    ) -> list[LexicalHit]:
        """Papers sharing the most informative terms of a paper (itself excluded) or a text."""
        ...

    def explain(self, query: Query, paper_ids: Iterable[str]) -> list[LexicalHit]:
        """Matched terms and field scores of these papers for `query` (a page of fused hits,
        after a search with explain=False)."""
        ...

    def normalize_word(self, word: str) -> str:
        """The index's comparison key for a word (for make_snippet's `normalize`)."""
        ...

    def add(self, papers: Iterable[Paper]) -> int:
        """Insert or replace papers (keyed by id), committed when it returns; the count."""
        ...

    def remove(self, paper_ids: Iterable[str]) -> None: ...

    def rebuild(self, papers: Iterable[Paper]) -> int:
        """Replace the whole index with `papers`; the count."""
        ...

    def count(self) -> int: ...

    def read_state(self) -> IndexState | None:
        """The saved state, None for a new or incompatible index."""
        ...

    def write_state(self, state: IndexState) -> None: ...


def is_in_step(index: LexicalIndex, feed: PaperFeed) -> bool:
    """Whether the index has everything the store has, as of the last sync."""
    mark, state = feed.lexical_watermark(), index.read_state()
    return state == IndexState(mark.papers, mark.modified_at) and index.count() == mark.papers


def sync_index(index: LexicalIndex, feed: PaperFeed) -> SyncResult:
    """Bring the index in step with the store: add what changed since the last sync, or
    rebuild when there is no usable state or the counts disagree (papers were deleted).

    The watermark is read before the papers, so a paper written during the sync is read
    again next time (re-adding is idempotent) rather than missed.
    """
    mark, state = feed.lexical_watermark(), index.read_state()
    rebuilt = False
    if state is None:
        added = index.rebuild(feed.iter_papers_modified_since(None, SYNC_BATCH_SIZE))
        rebuilt = True
    elif state.modified_at == mark.modified_at and state.papers == mark.papers:
        added = 0
    else:
        added = 0
        for batch in _batches(feed.iter_papers_modified_since(state.modified_at), SYNC_BATCH_SIZE):
            added += index.add(batch)
    if index.count() != mark.papers and not rebuilt:
        added = index.rebuild(feed.iter_papers_modified_since(None, SYNC_BATCH_SIZE))
        rebuilt = True
    index.write_state(IndexState(mark.papers, mark.modified_at))
    return SyncResult(added, rebuilt)


def _batches(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    batch: list[Paper] = []
    for paper in papers:
        batch.append(paper)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def informative_terms(
    tokens: Sequence[str],
    doc_freq: Callable[[str], int],
    total_docs: int,
    limit: int = MORE_LIKE_THIS_TERMS,
    min_doc_freq: int = 1,
) -> list[tuple[str, float]]:
    """The `limit` tokens with the highest tf * idf, with that weight, best first.

    idf as in BM25, ln(1 + (N - n + 0.5) / (n + 0.5)) (Robertson & Zaragoza, "The Probabilistic
    Relevance Framework: BM25 and Beyond", 2009, eq. 3.3 with the +1 of Lucene and tantivy).
    Tokens in fewer than `min_doc_freq` documents are left out: they can match nothing else.
    """
    weights = []
    for token, tf in Counter(tokens).items():
        n = doc_freq(token)
        if n >= min_doc_freq and n > 0:
            idf = math.log(1 + (total_docs - n + 0.5) / (n + 0.5))
            weights.append((token, tf * idf))
    weights.sort(key=lambda pair: (-pair[1], pair[0]))
    return weights[:limit]
