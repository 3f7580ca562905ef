"""What the store keeps of vectors: papers due an embedding, the embeddings to save, and each
paper's per-sentence vectors (the faceted similar papers). No SQL here."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class EmbedTask:
    """A paper whose embedding for some model is missing or stale."""

    paper_pk: int
    paper_id: str
    title: str
    abstract: str
    content_hash: str
    text_hash: str | None  # of the text embedded last time; None if never embedded


@dataclass(frozen=True, slots=True)
class EmbeddingRow:
    """What to store for one paper; `vector` None means the text is unchanged, keep the old."""

    paper_pk: int
    content_hash: str
    text_hash: str
    vector: bytes | None


@dataclass(frozen=True, slots=True)
class SentenceRow:
    """A paper's abstract sentences for faceted similarity (index/facets.py): `labels` has one
    facet letter per sentence, `vectors` their little-endian float16 vectors back to back."""

    paper_pk: int
    content_hash: str
    labels: str
    vectors: bytes


def sentence_pages(
    fetch: Callable[[int], Sequence[Sequence[Any]]],
) -> Iterator[list[tuple[str, SentenceRow]]]:
    """iter_sentence_vectors of either engine: `fetch(after_pk)` gives the next page of (paper
    id, paper_pk, content_hash, labels, vectors) rows by pk, empty at the end."""
    last = 0
    while rows := fetch(last):
        yield [(str(r[0]), SentenceRow(int(r[1]), str(r[2]), str(r[3]), bytes(r[4]))) for r in rows]
        last = int(rows[-1][1])


class SentenceStore(Protocol):
    """Per-sentence vectors of each paper's abstract, per model (faceted similar papers)."""

    def sentence_tasks(self, model: str, after_pk: int = 0, limit: int = 1000) -> list[EmbedTask]:
        """Papers after `after_pk` (by pk) whose sentence vectors for `model` are missing or
        older than their content; `text_hash` is always None."""
        ...

    def count_sentence_tasks(self, model: str) -> int: ...

    def save_sentence_vectors(self, model: str, rows: Sequence[SentenceRow]) -> None:
        """Insert or replace each paper's row, in one transaction."""
        ...

    def iter_sentence_vectors(
        self, model: str, batch_size: int = 1000
    ) -> Iterator[list[tuple[str, SentenceRow]]]:
        """(paper id, row) of every paper with `model` sentence vectors, by pk, in batches
        (what `papertide index` writes the sentence index file from)."""
        ...
