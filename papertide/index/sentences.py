"""Bring a model's stored per-sentence vectors up to date (faceted similar papers): split and
label each new or changed paper's abstract (index/facets.py), embed its sentences, store them,
and write the sentence index file the search service memory-maps (index/sentence_index.py).

Idempotent and resumable like update.py: each batch commits on its own, so memory stays at one
batch of papers whatever the store's size. The store's rows are the durable copy (updated per
changed paper, copied by `papertide migrate`); the file is derived from them, like the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from papertide.index.embed import Embedder
from papertide.index.facets import label_sentences, split_sentences
from papertide.index.sentence_index import (
    LETTERS,
    PaperSentences,
    SentenceBytes,
    SentenceIndex,
    build_sentence_index,
    write_sentence_file,
)
from papertide.index.vectors import to_stored
from papertide.store.base import Store
from papertide.store.vectors_base import EmbedTask, SentenceRow

SENTENCE_BATCH_PAPERS = 256


def sentences_of(title: str, abstract: str) -> list[str]:
    """The sentences a paper is matched by: its abstract's, or its title when it has none."""
    return split_sentences(abstract) or [title]


def embed_paper_sentences(
    embedder: Embedder, papers: Sequence[tuple[str, str]]
) -> list[PaperSentences]:
    """Split, label and embed (title, abstract) pairs in one embedder call."""
    split = [sentences_of(title, abstract) for title, abstract in papers]
    vectors = embedder.embed([sentence for sentences in split for sentence in sentences])
    found, start = [], 0
    for sentences in split:
        rows = vectors[start : start + len(sentences)]
        found.append(PaperSentences(tuple(label_sentences(sentences)), rows))
        start += len(sentences)
    return found


def encode(sentences: PaperSentences) -> tuple[str, bytes]:
    """A paper's facet letters and float16 vector bytes, as the store and the index keep them."""
    letters = "".join(LETTERS[label] for label in sentences.labels)
    return letters, b"".join(to_stored(sentences.vectors))


def to_row(task: EmbedTask, sentences: PaperSentences) -> SentenceRow:
    """What the store keeps of a paper's sentences."""
    return SentenceRow(task.paper_pk, task.content_hash, *encode(sentences))


def embed_sentences_missing(
    store: Store,
    embedder: Embedder,
    on_progress: Callable[[int, int], None] | None = None,
    batch_size: int = SENTENCE_BATCH_PAPERS,
) -> int:
    """Store the sentence vectors of every paper whose `embedder.name` row is missing or
    stale; report progress as (papers done, total to do); return how many were done."""
    total = store.count_sentence_tasks(embedder.name)
    done = after = 0
    while tasks := store.sentence_tasks(embedder.name, after, batch_size):
        embedded = embed_paper_sentences(embedder, [(t.title, t.abstract) for t in tasks])
        store.save_sentence_vectors(
            embedder.name, [to_row(t, s) for t, s in zip(tasks, embedded, strict=True)]
        )
        done += len(tasks)
        after = tasks[-1].paper_pk
        if on_progress:
            on_progress(done, total)
    return done


def stored_sentences(store: Store, model: str) -> Iterator[SentenceBytes]:
    """Every paper's stored sentences of `model`, by pk."""
    for batch in store.iter_sentence_vectors(model):
        for paper_id, row in batch:
            yield paper_id, row.labels, row.vectors


def load_sentences(store: Store, model: str, dim: int) -> SentenceIndex:
    """The stored sentences of `model` as an index in memory (a store without index files)."""
    return build_sentence_index(dim, stored_sentences(store, model))


def refresh_sentences(store: Store, embedder: Embedder, path: Path | None) -> int:
    """Embed and store the sentences of new or changed papers, then rewrite the index file at
    `path` (when given) if any were, or if it is missing; how many papers were embedded."""
    stored = embed_sentences_missing(store, embedder)
    if path is not None and (stored or not path.exists()):
        write_sentence_file(path, embedder.dim, stored_sentences(store, embedder.name))
    return stored


def index_papers(embedder: Embedder, papers: Sequence[tuple[str, str, str]]) -> SentenceIndex:
    """(id, title, abstract) papers split, labelled, embedded and indexed in memory, through
    the bytes the store keeps (an evaluation pool scored as the product scores)."""
    encoded: list[SentenceBytes] = []
    for start in range(0, len(papers), SENTENCE_BATCH_PAPERS):
        batch = papers[start : start + SENTENCE_BATCH_PAPERS]
        embedded = embed_paper_sentences(embedder, [(title, text) for _, title, text in batch])
        encoded += [(paper[0], *encode(s)) for paper, s in zip(batch, embedded, strict=True)]
    return build_sentence_index(embedder.dim, encoded)
