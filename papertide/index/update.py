"""Bring a model's stored embeddings up to date: embed papers that are new or whose text
changed, record the new content hash for papers whose embedded text did not change.

Idempotent and resumable: each batch commits on its own, and a re-run finds only what is
still missing. Vectors of different models never mix (each row is keyed by model name).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from papertide.index.embed import Embedder, paper_text
from papertide.index.vectors import EXACT_LIMIT, HnswIndex, load_exact, to_stored
from papertide.store.base import EmbeddingRow, EmbedTask, Store

EMBED_BATCH_SIZE = 512


@dataclass(frozen=True, slots=True)
class EmbedCounts:
    embedded: int = 0
    unchanged: int = 0

    def __add__(self, other: EmbedCounts) -> EmbedCounts:
        return EmbedCounts(self.embedded + other.embedded, self.unchanged + other.unchanged)


def embed_missing(
    store: Store,
    embedder: Embedder,
    on_progress: Callable[[EmbedCounts, int], None] | None = None,
    batch_size: int = EMBED_BATCH_SIZE,
) -> EmbedCounts:
    """Embed every paper whose `embedder.name` vector is missing or stale; report progress
    as (counts so far, total to do)."""
    total = store.count_embed_tasks(embedder.name)
    counts = EmbedCounts()
    after = 0
    while tasks := store.embed_tasks(embedder.name, after, batch_size):
        counts += embed_batch(store, embedder, tasks)
        after = tasks[-1].paper_pk
        if on_progress:
            on_progress(counts, total)
    return counts


def embed_batch(store: Store, embedder: Embedder, tasks: list[EmbedTask]) -> EmbedCounts:
    texts = [paper_text(task.title, task.abstract) for task in tasks]
    hashes = [text_hash(text) for text in texts]
    changed = [i for i, task in enumerate(tasks) if task.text_hash != hashes[i]]
    embedded = to_stored(embedder.embed([texts[i] for i in changed])) if changed else []
    vectors = dict(zip(changed, embedded, strict=True))
    rows = [
        EmbeddingRow(task.paper_pk, task.content_hash, hashes[i], vectors.get(i))
        for i, task in enumerate(tasks)
    ]
    store.save_embeddings(embedder.name, rows)
    return EmbedCounts(embedded=len(changed), unchanged=len(tasks) - len(changed))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def refresh_graph(
    store: Store, embedder: Embedder, path: Path, exact_limit: int = EXACT_LIMIT
) -> int:
    """Rebuild the saved HNSW graph of `embedder`'s vectors when it no longer matches the
    store (or remove it when the store is small enough for exact search); the vector count."""
    vectors = load_exact(store, embedder.name, embedder.dim)
    if len(vectors) < exact_limit:
        path.unlink(missing_ok=True)
        return len(vectors)
    graph = HnswIndex.create(embedder.name, embedder.dim, len(vectors))
    graph.add(vectors.keys, vectors.matrix)
    graph.save(path)
    return len(vectors)
