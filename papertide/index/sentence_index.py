"""Every paper's sentence vectors in one matrix, and the file `papertide index` keeps them in
beside the vector graph, memory-mapped by every `serve` worker (faceted similar papers).

A faceted query reads no row from the store: the candidates' sentence rows are one gather from
the matrix and one matrix product (`SentenceIndex.facet_ranking`). The same index, built in
memory, ranks the evaluation pools, so the product and `papertide eval` score alike.

The file is one flat run of float16 sentence vectors (the store's bytes as they are), then,
each 64-byte aligned, .npy arrays: the dimension, the paper ids sorted, each sorted id's slot,
each slot's first sentence row (and the end), each sentence's facet letter
(index/mapped_file.py's layout). Written aside and renamed in, like the graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from papertide.index.facets import FACETS, facet_sentences, facet_similarity
from papertide.index.mapped_file import (
    FollowedFile,
    mapped,
    view_mapped_arrays,
    write_mapped_file,
)
from papertide.index.vectors import STORED_DTYPE, Matrix

LETTERS = {facet: facet[0] for facet in FACETS}  # stored labels: b, m, r
FACET_OF = {letter: facet for facet, letter in LETTERS.items()}
MAGIC = b"PTSENT01"

# (paper id, facet letters, float16 vectors as bytes): one paper's sentences as stored
SentenceBytes = tuple[str, str, bytes]
Ranking = list[tuple[str, float]]


@dataclass(frozen=True, slots=True)
class PaperSentences:
    """One paper's sentences as faceted similarity reads them: a facet per sentence and the
    sentences' unit vectors (one row each)."""

    labels: tuple[str, ...]
    vectors: Matrix


@dataclass(frozen=True)
class SentenceIndex:
    """Sentence vectors of many papers: `vectors` (sentences, dim) float16, paper by paper;
    `starts[s]` is the first row of the paper in slot s (and `starts[-1]` the row count);
    `ids` the paper ids sorted, `slots` the slot of each; `labels` a facet letter per row."""

    dim: int
    ids: npt.NDArray[np.str_]
    slots: npt.NDArray[np.int64]
    starts: npt.NDArray[np.int64]
    labels: npt.NDArray[np.uint8]
    vectors: npt.NDArray[np.float16]

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def current(self) -> SentenceIndex:
        """Itself (a SentenceSource whose index never changes)."""
        return self

    def paper(self, paper_id: str) -> PaperSentences | None:
        """One paper's sentences, None when it has none here."""
        _, slots = self._lookup([paper_id])
        if not len(slots):
            return None
        first, end = int(self.starts[slots[0]]), int(self.starts[slots[0] + 1])
        letters = bytes(self.labels[first:end]).decode()
        return PaperSentences(
            tuple(FACET_OF[letter] for letter in letters),
            self.vectors[first:end].astype(np.float32),
        )

    def facet_ranking(
        self, query: PaperSentences, facet: str | None, candidates: Sequence[str]
    ) -> Ranking:
        """(id, facet_similarity) of the candidates held here, best first (ties keep the
        candidates' order): the query's `facet` sentences (every sentence without a facet)
        against each candidate's nearest sentence."""
        held, slots = self._lookup(candidates)
        if not len(held):
            return []
        first = self.starts[slots]
        counts = self.starts[slots + 1] - first
        # every candidate's rows in one gather: first[c] .. first[c] + counts[c] - 1, in turn
        rows = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        owners = np.repeat(np.arange(len(held), dtype=np.int64), counts)
        chosen = facet_sentences(query.labels, facet) if facet else range(len(query.labels))
        scores = facet_similarity(
            query.vectors[list(chosen)], self.vectors[rows].astype(np.float32), owners
        )
        scores = np.pad(scores, (0, len(held) - len(scores)))
        order = np.argsort(-scores, kind="stable")
        return [(candidates[held[i]], float(scores[i])) for i in order]

    def _lookup(
        self, paper_ids: Sequence[str]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]:
        """The indexes into `paper_ids` of the ids held here, and their slots."""
        if not len(paper_ids) or not len(self):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
        wanted = np.asarray(paper_ids, dtype=np.str_)
        places = np.minimum(np.searchsorted(self.ids, wanted), len(self) - 1)
        held = np.flatnonzero(self.ids[places] == wanted)
        return held, self.slots[places[held]]


class SentenceSource(Protocol):
    """What the search service reads sentence vectors from: an index, or a file that
    `papertide index` may replace while the service runs."""

    def current(self) -> SentenceIndex: ...


class _Layout:
    """The small arrays of an index, gathered paper by paper."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.ids: list[str] = []
        self.counts: list[int] = []
        self.letters: list[str] = []

    def add(self, paper_id: str, letters: str, vectors: bytes) -> None:
        if len(vectors) != len(letters) * self.dim * STORED_DTYPE.itemsize:
            raise ValueError(f"{paper_id}: {len(letters)} labels for {len(vectors)} vector bytes")
        self.ids.append(paper_id)
        self.counts.append(len(letters))
        self.letters.append(letters)

    def arrays(self) -> tuple[npt.NDArray[Any], ...]:
        """dim, sorted ids, slots, starts, labels: the file's arrays in order."""
        ids = np.asarray(self.ids, dtype=np.str_)
        order = np.argsort(ids, kind="stable").astype(np.int64)
        if len(ids) != len(np.unique(ids)):
            raise ValueError("a paper id appears twice among the sentence rows")
        starts = np.concatenate([[0], np.cumsum(self.counts, dtype=np.int64)]).astype(np.int64)
        labels = np.frombuffer("".join(self.letters).encode(), dtype=np.uint8)
        return (np.asarray([self.dim], np.int64), ids[order], order, starts, labels)

    def index(self, vectors: npt.NDArray[np.float16]) -> SentenceIndex:
        _, ids, slots, starts, labels = self.arrays()
        return SentenceIndex(self.dim, ids, slots, starts, labels, vectors)


def build_sentence_index(dim: int, papers: Iterable[SentenceBytes]) -> SentenceIndex:
    """An index in memory (an in-memory store, an evaluation pool)."""
    layout = _Layout(dim)
    blobs = []
    for paper_id, letters, vectors in papers:
        layout.add(paper_id, letters, vectors)
        blobs.append(vectors)
    matrix = np.frombuffer(b"".join(blobs), dtype=STORED_DTYPE).reshape(-1, dim)
    return layout.index(matrix)


def write_sentence_file(path: Path, dim: int, papers: Iterable[SentenceBytes]) -> int:
    """Write the index file of `papers` (streamed: the vectors go straight to disk) atomically;
    how many papers it holds."""
    layout = _Layout(dim)

    def vectors() -> Iterator[bytes]:
        for paper_id, letters, blob in papers:
            layout.add(paper_id, letters, blob)
            yield blob

    write_mapped_file(path, MAGIC, vectors(), layout.arrays)
    return len(layout.ids)


def view_sentence_file(path: Path) -> SentenceIndex:
    """The index in a file written by write_sentence_file, memory-mapped read-only."""
    dim_array, ids, slots, starts, labels = view_mapped_arrays(path, MAGIC, 5, "sentence index")
    dim = int(dim_array[0])
    vectors = mapped(path, STORED_DTYPE, 0, (int(starts[-1]), dim))
    return SentenceIndex(dim, ids, slots, starts, labels, vectors)


class SentenceFile(FollowedFile[SentenceIndex]):
    """The index file of one model, viewed as it is now (FollowedFile); an empty index before
    the first one is written."""

    def __init__(self, path: Path, dim: int) -> None:
        super().__init__(path, view_sentence_file, build_sentence_index(dim, []))
