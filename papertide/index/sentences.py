"""Bring a model's stored per-sentence vectors up to date (faceted similar papers): split and
label each new or changed paper's abstract (index/facets.py), embed its sentences, store them.

Idempotent and resumable like update.py: each batch commits on its own, so memory stays at one
batch of papers whatever the store's size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from papertide.index.embed import Embedder
from papertide.index.facets import FACETS, label_sentences, split_sentences
from papertide.index.vectors import Matrix, from_stored, to_stored
from papertide.store.base import EmbedTask, SentenceRow, Store

SENTENCE_BATCH_PAPERS = 256
LETTERS = {facet: facet[0] for facet in FACETS}  # stored labels: b, m, r
FACET_OF = {letter: facet for facet, letter in LETTERS.items()}


@dataclass(frozen=True, slots=True)
class PaperSentences:
    """One paper's sentences as faceted similarity reads them: a facet per sentence and the
    sentences' unit vectors (one row each)."""

    labels: tuple[str, ...]
    vectors: Matrix


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


def to_row(task: EmbedTask, sentences: PaperSentences) -> SentenceRow:
    """What the store keeps of a paper's sentences."""
    letters = "".join(LETTERS[label] for label in sentences.labels)
    return SentenceRow(
        task.paper_pk, task.content_hash, letters, b"".join(to_stored(sentences.vectors))
    )


def from_row(row: SentenceRow, dim: int) -> PaperSentences:
    """A stored row back to labels and float32 vectors."""
    labels = tuple(FACET_OF[letter] for letter in row.labels)
    return PaperSentences(labels, from_stored([row.vectors], dim))


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
