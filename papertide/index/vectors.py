"""Nearest-neighbour search over stored paper vectors. Vectors are keyed by paper pk and belong
to one embedding model; an index never mixes models. No SQL here: vectors come from the Store.

Exact search (a float32 matrix product) serves small stores; see BENCHMARKS.md for where an
approximate (HNSW) index takes over.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
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
HNSW_EF_SEARCH = 384
EXACT_LIMIT = 50_000  # below this many vectors exact search is fast enough (< 5 ms)


class HnswIndex:
    """An HNSW graph (hnswlib) over one model's vectors, saved beside the database.

    Labels are paper pks. Rebuildable from the store at any time; `add` takes new and changed
    vectors (an existing label is overwritten in place).
    """

    def __init__(self, model: str, dim: int, graph: Any) -> None:
        self.model = model
        self.dim = dim
        self._index = graph
        self._index.set_ef(HNSW_EF_SEARCH)

    @classmethod
    def create(cls, model: str, dim: int, capacity: int) -> HnswIndex:
        """An empty graph with room for `capacity` vectors (it grows when needed)."""
        import hnswlib

        graph = hnswlib.Index(space="ip", dim=dim)
        graph.init_index(
            max_elements=max(capacity, 1), ef_construction=HNSW_EF_CONSTRUCTION, M=HNSW_M
        )
        return cls(model, dim, graph)

    def __len__(self) -> int:
        return int(self._index.get_current_count())

    def add(self, keys: npt.NDArray[np.int64], vectors: Matrix) -> None:
        needed = len(self) + len(keys)
        if needed > self._index.get_max_elements():
            self._index.resize_index(max(needed, 2 * self._index.get_max_elements()))
        self._index.add_items(vectors, keys.astype(np.uint64), num_threads=2)

    def search(
        self, query: Matrix, k: int, exclude: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        wanted = min(k + len(exclude), len(self))
        if wanted == 0 or k <= 0:
            return []
        labels, distances = self._index.knn_query(query.astype(np.float32), k=wanted)
        hits = [(int(pk), 1.0 - float(d)) for pk, d in zip(labels[0], distances[0], strict=True)]
        return [hit for hit in hits if hit[0] not in exclude][:k]

    def save(self, path: Path) -> None:
        """Write the graph to `path` atomically (a reader sees the old or the new graph)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        self._index.save_index(str(partial))
        os.replace(partial, path)

    @classmethod
    def load(cls, model: str, dim: int, path: Path) -> HnswIndex:
        """A graph saved by `save`."""
        import hnswlib

        graph = hnswlib.Index(space="ip", dim=dim)
        graph.load_index(str(path))
        return cls(model, dim, graph)
