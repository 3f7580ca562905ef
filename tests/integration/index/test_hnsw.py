from pathlib import Path

import numpy as np

from papertide.clock import FixedClock
from papertide.index.embed import HashEmbedder
from papertide.index.update import embed_missing
from papertide.index.vectors import ExactIndex, HnswIndex
from papertide.models import Record
from papertide.sources.tabular import JsonlSource
from papertide.store.sqlite import SqliteStore


def test_hnsw_index_finds_the_exact_neighbours_on_small_data(tmp_path):
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(500, 16)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    keys = np.arange(1000, 1500)
    exact = ExactIndex("m", keys, matrix)
    index = HnswIndex.create("m", 16, capacity=100)  # grows as needed
    index.add(keys, matrix)
    query = matrix[7]
    assert [pk for pk, _ in index.search(query, 5)] == [pk for pk, _ in exact.search(query, 5)]
    assert index.search(query, 1, exclude=frozenset({1007}))[0][0] != 1007
    path = tmp_path / "m.hnsw"
    index.save(path)
    loaded = HnswIndex.load("m", 16, path)
    assert len(loaded) == 500
    assert loaded.search(query, 3) == index.search(query, 3)


def _store_with_vectors(tmp_path: Path, embedder: HashEmbedder) -> SqliteStore:
    store = SqliteStore(tmp_path / "t.db", FixedClock())
    store.migrate()
    golden = "tests/data/golden/papers.jsonl"
    store.write_batch([r for r in JsonlSource(golden).records() if isinstance(r, Record)], [])
    embed_missing(store, embedder)
    return store


def test_refresh_graph_saves_a_graph_that_agrees_with_exact_search(tmp_path):
    from papertide.index.update import refresh_graph
    from papertide.index.vectors import load_exact

    embedder = HashEmbedder(dim=32)
    store = _store_with_vectors(tmp_path, embedder)
    path = tmp_path / "g.hnsw"
    refreshed = refresh_graph(store, embedder, path, exact_limit=10)
    assert (refreshed.vectors, refreshed.added, refreshed.rebuilt) == (50, 50, True)
    graph = HnswIndex.load(embedder.name, 32, path)
    exact = load_exact(store, embedder.name, 32)
    query = exact.matrix[5]
    assert graph.search(query, 3)[0][0] == exact.search(query, 3)[0][0]
    small = refresh_graph(store, embedder, path, exact_limit=100)
    assert (small.vectors, small.exact) == (50, True)
    assert "exact search" in small.describe()
    assert not path.exists()  # small enough for exact search: the graph is removed
    store.close()


def test_refresh_graph_adds_only_vectors_written_since_the_saved_graph(tmp_path):
    from papertide.index.update import refresh_graph
    from papertide.store.base import EmbeddingRow

    embedder = HashEmbedder(dim=32)
    store = _store_with_vectors(tmp_path, embedder)
    path = tmp_path / "g.hnsw"
    refresh_graph(store, embedder, path, exact_limit=10)
    again = refresh_graph(store, embedder, path, exact_limit=10)
    assert (again.added, again.rebuilt) == (0, False)
    assert again.describe() == "50 vectors (0 added to the graph)"
    # one paper's vector changes: only it goes into the graph, and search sees the change
    moved = np.zeros(32, dtype=np.float32)
    moved[3] = 1.0
    pk = next(iter(store.iter_vectors(embedder.name)))[0][0]
    row = EmbeddingRow(pk, "h", "t", moved.astype("<f2").tobytes())
    store.save_embeddings(embedder.name, [row])
    changed = refresh_graph(store, embedder, path, exact_limit=10)
    assert (changed.added, changed.rebuilt) == (1, False)
    graph = HnswIndex.load(embedder.name, 32, path)
    assert graph.search(moved, 1)[0][0] == pk
    assert len(graph) == 50
    store.close()


def test_refresh_graph_rebuilds_when_its_state_is_lost_or_unreadable(tmp_path):
    from papertide.index.update import refresh_graph

    embedder = HashEmbedder(dim=32)
    store = _store_with_vectors(tmp_path, embedder)
    path = tmp_path / "g.hnsw"
    refresh_graph(store, embedder, path, exact_limit=10)
    state = tmp_path / "g.hnsw.json"
    state.write_text("{not json")
    assert refresh_graph(store, embedder, path, exact_limit=10).rebuilt
    state.unlink()
    assert refresh_graph(store, embedder, path, exact_limit=10).rebuilt
    assert not refresh_graph(store, embedder, path, exact_limit=10).rebuilt
    store.close()
