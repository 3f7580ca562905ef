"""Bring every search index up to date with the store in one call (`papertide index`, and the
lexical part before `papertide serve` starts its workers): the lexical (BM25) index, an
embedder's stored vectors, and the saved HNSW graph over them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from papertide.config import Settings
from papertide.index.embed import Embedder
from papertide.index.lexical import SyncResult, sync_index
from papertide.index.paths import graph_file, index_paths, sentence_file, term_file
from papertide.index.sentences import refresh_sentences
from papertide.index.summaries import Summariser
from papertide.index.tantivy_lexical import TantivyLexicalIndex, build_lock
from papertide.index.term_index import refresh_terms
from papertide.index.update import (
    EmbedCounts,
    GraphRefresh,
    embed_missing,
    refresh_graph,
    summarise_missing,
)
from papertide.store.base import Store


@dataclass(frozen=True, slots=True)
class IndexRefresh:
    """What refresh_indexes did; embeddings and graph are None when no embedder was given
    (graph also for in-memory indexes, which save none), summarised when no summariser was."""

    lexical: SyncResult
    embeddings: EmbedCounts | None = None
    graph: GraphRefresh | None = None
    sentences: int | None = None  # papers whose sentence vectors were (re)stored
    summarised: int | None = None
    terms: int | None = None  # papers whose word counts were (re)written to the file


def open_lexical(settings: Settings, store: Store) -> TantivyLexicalIndex:
    """The lexical index in its folder (index_paths), or in memory for ":memory:"."""
    paths = index_paths(settings)
    return TantivyLexicalIndex(paths[0] if paths else None, store)


def refresh_lexical(settings: Settings, store: Store) -> SyncResult:
    """Bring the lexical index up to date with the store, one process at a time per folder
    (two processes opening an unfinished index would wipe each other's build)."""
    paths = index_paths(settings)
    with build_lock(paths[0] if paths else None):
        return sync_index(open_lexical(settings, store), store)


def refresh_indexes(
    settings: Settings,
    store: Store,
    embedder: Embedder | None = None,
    on_embedded: Callable[[EmbedCounts, int], None] | None = None,
    summariser: Summariser | None = None,
    sentences: Embedder | None = None,
) -> IndexRefresh:
    """The lexical index; with `embedder`, also its vectors of new or changed papers
    (`on_embedded` sees the progress), the HNSW graph saved beside the indexes and the word
    counts of new or changed papers in their file beside it (similar papers' centered tf-idf
    cosine); with `summariser`, also the TL;DR and keywords of new or changed papers; with
    `sentences`, the per-sentence vectors of new or changed papers and the sentence index file
    beside the graph (faceted similar papers)."""
    lexical = refresh_lexical(settings, store)
    summarised = summarise_missing(store, summariser) if summariser is not None else None
    if embedder is None:
        return IndexRefresh(lexical, summarised=summarised)
    embedded = embed_missing(store, embedder, on_embedded)
    graph = graph_file(settings, embedder.name)
    refreshed = refresh_graph(store, embedder, graph) if graph is not None else None
    stored = (
        refresh_sentences(store, sentences, sentence_file(settings, sentences.name))
        if sentences is not None
        else None
    )
    words = term_file(settings)
    counted = refresh_terms(store, words) if words is not None else None
    return IndexRefresh(lexical, embedded, refreshed, stored, summarised, counted)
