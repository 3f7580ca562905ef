"""Bring a model's stored embeddings up to date: embed papers that are new or whose text
changed, record the new content hash for papers whose embedded text did not change.

Idempotent and resumable: each batch commits on its own, and a re-run finds only what is
still missing. Vectors of different models never mix (each row is keyed by model name).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from papertide.index.embed import Embedder, paper_text
from papertide.index.summaries import Summariser
from papertide.index.vectors import EXACT_LIMIT, HNSW_M, HnswIndex, from_stored, to_stored
from papertide.models import PaperSummary
from papertide.store.base import Store
from papertide.store.vectors_base import EmbeddingRow, EmbedTask

EMBED_BATCH_SIZE = 512
SUMMARY_BATCH_SIZE = 512
# The source name of the summaries papertide computes itself.
SUMMARY_SOURCE = "papertide"


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


def summarise_missing(
    store: Store,
    summariser: Summariser,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = SUMMARY_BATCH_SIZE,
) -> int:
    """Write our TL;DR and keywords for every paper whose "papertide" summary is missing or was
    made for another content hash, one transaction per batch (a re-run resumes); report the
    papers done so far; return how many were summarised."""
    done = 0
    after = 0
    while tasks := store.summary_tasks(SUMMARY_SOURCE, after, batch_size):
        made = summariser.summarise_many([(t.title, t.abstract) for t in tasks])
        store.put_summaries(
            [
                PaperSummary(t.paper_id, SUMMARY_SOURCE, s.tldr, s.keywords, t.content_hash)
                for t, s in zip(tasks, made, strict=True)
            ]
        )
        done += len(tasks)
        after = tasks[-1].paper_pk
        if on_progress:
            on_progress(done)
    return done


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class GraphRefresh:
    """What `refresh_graph` did: the model's vector count, how many vectors went into the
    graph, whether it was built from scratch, and whether exact search serves instead."""

    vectors: int
    added: int
    rebuilt: bool
    exact: bool = False

    def describe(self) -> str:
        if self.exact:
            return f"{self.vectors:,} vectors (exact search, no graph needed)"
        how = "graph rebuilt" if self.rebuilt else f"{self.added:,} added to the graph"
        return f"{self.vectors:,} vectors ({how})"


def refresh_graph(
    store: Store, embedder: Embedder, path: Path, exact_limit: int = EXACT_LIMIT
) -> GraphRefresh:
    """Bring the saved HNSW graph of `embedder`'s vectors up to date with the store.

    A graph whose state file (beside it) names the last vector change it holds takes only the
    vectors written since; a missing or unreadable graph or state, or other HNSW parameters,
    means a rebuild. A store small enough for exact search has its graph removed. The graph is
    saved before its state, each by an atomic rename, so a crash at any point leaves a state
    no newer than its graph and the next run redoes at most the last additions. Serving
    workers memory-map the graph file: the rename leaves their view of the old file intact
    until they open the new one (search/refresh.py), and the file is never written in place.
    """
    total = dict(store.embedding_models()).get(embedder.name, 0)
    state_path = path.with_name(path.name + ".json")
    if total < exact_limit:
        path.unlink(missing_ok=True)
        state_path.unlink(missing_ok=True)
        return GraphRefresh(total, 0, rebuilt=False, exact=True)
    state = GraphState(embedder.name, embedder.dim, HNSW_M, store.vector_seq(embedder.name))
    saved = read_graph_state(state_path) if path.exists() else None
    if saved is not None and saved.fits(state):
        graph = HnswIndex.load(embedder.name, embedder.dim, path)
        batches = store.iter_changed_vectors(embedder.name, saved.seq)
    else:
        graph = HnswIndex.create(embedder.name, embedder.dim)
        batches = store.iter_vectors(embedder.name)
    added = 0
    for batch in batches:
        keys = np.asarray([pk for pk, _ in batch], dtype=np.int64)
        graph.add(keys, from_stored((blob for _, blob in batch), embedder.dim))
        added += len(batch)
    rebuilt = saved is None or not saved.fits(state)
    if rebuilt or added:
        graph.save(path)
        write_graph_state(state_path, state)
    return GraphRefresh(total, added, rebuilt)


@dataclass(frozen=True, slots=True)
class GraphState:
    """Which vectors a saved graph holds: those of `model` up to change `seq`."""

    model: str
    dim: int
    m: int
    seq: int

    def fits(self, current: GraphState) -> bool:
        """Whether a graph saved with this state can be brought up to `current` by adding."""
        return (self.model, self.dim, self.m) == (current.model, current.dim, current.m)


def read_graph_state(path: Path) -> GraphState | None:
    """The state saved beside a graph; None when missing or unreadable (rebuild)."""
    try:
        data = json.loads(path.read_text())
        return GraphState(str(data["model"]), int(data["dim"]), int(data["m"]), int(data["seq"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_graph_state(path: Path, state: GraphState) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(asdict(state)))
    os.replace(partial, path)
