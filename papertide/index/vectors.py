"""Nearest-neighbour search over stored paper vectors. Vectors are keyed by paper pk and belong
to one embedding model; an index never mixes models. No SQL here: vectors come from the Store.

Exact search (a float32 matrix product) serves small stores; see BENCHMARKS.md for where an
approximate (HNSW) index takes over.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from papertide.store.base import Store

STORED_DTYPE = np.dtype("<f2")  # vectors are stored as little-endian float16
Matrix = npt.NDArray[np.float32]


def to_stored(vectors: Matrix) -> list[bytes]:
    """Rows as the bytes the store keeps."""
    return [row.tobytes() for row in vectors.astype(STORED_DTYPE)]


def from_stored(blobs: Iterable[bytes], dim: int) -> Matrix:
    """Stored rows back to a float32 matrix."""
    joined = b"".join(blobs)
    return np.frombuffer(joined, dtype=STORED_DTYPE).reshape(-1, dim).astype(np.float32)


@dataclass(frozen=True)
class ExactIndex:
    """Every vector in one matrix; cosine similarity = dot product of unit vectors."""

    model: str
    keys: npt.NDArray[np.int64]
    matrix: Matrix

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def search(
        self, query: Matrix, k: int, exclude: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        """The k nearest (pk, cosine) pairs, best first, skipping the pks in `exclude`."""
        if len(self) == 0 or k <= 0:
            return []
        scores = self.matrix @ query.astype(np.float32)
        wanted = min(k + len(exclude), len(self))
        top = np.argpartition(-scores, wanted - 1)[:wanted]
        ranked = top[np.argsort(-scores[top], kind="stable")]
        hits = [(int(self.keys[i]), float(scores[i])) for i in ranked]
        return [hit for hit in hits if hit[0] not in exclude][:k]

    def vectors_of(self, keys: Sequence[int]) -> dict[int, Matrix]:
        """The vectors of the keys held here, by key."""
        return {key: self.matrix[self._rows[key]] for key in keys if key in self._rows}

    @cached_property
    def _rows(self) -> dict[int, int]:
        return {int(key): row for row, key in enumerate(self.keys)}


def load_exact(store: Store, model: str, dim: int) -> ExactIndex:
    """All of `model`'s vectors from the store."""
    keys: list[int] = []
    blobs: list[bytes] = []
    for batch in store.iter_vectors(model):
        for pk, blob in batch:
            keys.append(pk)
            blobs.append(blob)
    matrix = from_stored(blobs, dim) if blobs else np.zeros((0, dim), dtype=np.float32)
    return ExactIndex(model, np.asarray(keys, dtype=np.int64), matrix)


HNSW_M = 32  # links per node; M=16 stayed below recall@10 0.95 (BENCHMARKS.md)
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 768  # f16 graph: ef 512 gave recall@10 0.960 at 200k papers, 1024 gave 0.976
HNSW_DTYPE = "f16"  # half the file of f32 for the same recall (BENCHMARKS.md, "Vector index")
EXACT_LIMIT = 50_000  # below this many vectors exact search is fast enough (< 5 ms)


class HnswIndex:
    """An HNSW graph (usearch, float16) over one model's vectors, saved in one file beside
    the database.

    Labels are paper pks. Rebuildable from the store at any time. A graph opened with `view`
    is the saved file memory-mapped read-only: every worker process on a host shares its
    pages through the page cache instead of holding its own copy. A graph from `create` or
    `load` is in this process's memory and takes `add` (an existing label is replaced).
    """

    def __init__(self, model: str, dim: int, graph: Any) -> None:
        self.model = model
        self.dim = dim
        self._index = graph
        self._index.expansion_search = HNSW_EF_SEARCH

    @classmethod
    def create(cls, model: str, dim: int) -> HnswIndex:
        """An empty graph (it grows as vectors are added)."""
        from usearch.index import Index

        graph = Index(
            ndim=dim,
            metric="ip",
            dtype=HNSW_DTYPE,
            connectivity=HNSW_M,
            expansion_add=HNSW_EF_CONSTRUCTION,
        )
        return cls(model, dim, graph)

    def __len__(self) -> int:
        return len(self._index)

    def add(self, keys: npt.NDArray[np.int64], vectors: Matrix) -> None:
        labels = keys.astype(np.uint64)
        present = labels[np.asarray(self._index.contains(labels), dtype=bool).reshape(-1)]
        if len(present):
            self._index.remove(present)
        self._index.add(labels, vectors.astype(np.float32), threads=2)

    def search(
        self, query: Matrix, k: int, exclude: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        wanted = min(k + len(exclude), len(self))
        if wanted == 0 or k <= 0:
            return []
        found = self._index.search(query.astype(np.float32), wanted, threads=1)
        hits = [
            (int(pk), 1.0 - float(d)) for pk, d in zip(found.keys, found.distances, strict=True)
        ]
        return [hit for hit in hits if hit[0] not in exclude][:k]

    def vectors_of(self, keys: Sequence[int]) -> dict[int, Matrix]:
        """The vectors of the keys held here, by key (float16 in the graph, float32 here)."""
        if not keys:
            return {}
        rows = self._index.get(np.asarray(keys, dtype=np.uint64), dtype=np.float32)
        return {key: row for key, row in zip(keys, rows, strict=True) if row is not None}

    def save(self, path: Path) -> None:
        """Write the graph to `path` atomically: it is written aside, flushed to disk and
        renamed in, so a reader (or a worker's view of the old file, which the rename leaves
        intact) sees the old or the new graph, never a part of one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        self._index.save(str(partial))
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, path)

    @classmethod
    def load(cls, model: str, dim: int, path: Path) -> HnswIndex:
        """A graph saved by `save`, read into this process's memory (to add to it)."""
        return cls._open(model, dim, path, view=False)

    @classmethod
    def view(cls, model: str, dim: int, path: Path) -> HnswIndex:
        """A graph saved by `save`, memory-mapped read-only and shared with every other
        process viewing the same file; searches only."""
        return cls._open(model, dim, path, view=True)

    @classmethod
    def _open(cls, model: str, dim: int, path: Path, view: bool) -> HnswIndex:
        from usearch.index import Index

        graph = Index.restore(str(path), view=view)
        if graph is None or graph.ndim != dim:
            raise ValueError(f"{path} is no {dim}-dimension vector graph saved by papertide")
        return cls(model, dim, graph)
