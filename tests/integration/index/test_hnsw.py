import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from papertide.clock import FixedClock
from papertide.index.embed import HashEmbedder
from papertide.index.update import embed_missing
from papertide.index.vectors import ExactIndex, HnswIndex, to_stored
from papertide.models import Record
from papertide.sources.tabular import JsonlSource
from papertide.store.sqlite import SqliteStore


def test_hnsw_index_finds_the_exact_neighbours_on_small_data(tmp_path):
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(500, 16)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    keys = np.arange(1000, 1500)
    exact = ExactIndex("m", keys, matrix)
    index = HnswIndex.create("m", 16)  # grows as needed
    index.add(keys, matrix)
    query = matrix[7]
    assert [pk for pk, _ in index.search(query, 5)] == [pk for pk, _ in exact.search(query, 5)]
    assert index.search(query, 1, exclude=frozenset({1007}))[0][0] != 1007
    path = tmp_path / "m.usearch"
    index.save(path)
    loaded = HnswIndex.load("m", 16, path)
    assert len(loaded) == 500
    assert loaded.search(query, 3) == index.search(query, 3)
    viewed = HnswIndex.view("m", 16, path)  # memory-mapped, as serve workers open it
    found = viewed.vectors_of([1003, 99, 1007])
    assert list(found) == [1003, 1007]  # a key not in the graph is left out
    assert found[1007] == pytest.approx(matrix[7], abs=2e-3)  # float16 in the graph


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
    path = tmp_path / "g.usearch"
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
    from papertide.store.vectors_base import EmbeddingRow

    embedder = HashEmbedder(dim=32)
    store = _store_with_vectors(tmp_path, embedder)
    path = tmp_path / "g.usearch"
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
    path = tmp_path / "g.usearch"
    refresh_graph(store, embedder, path, exact_limit=10)
    state = tmp_path / "g.usearch.json"
    state.write_text("{not json")
    assert refresh_graph(store, embedder, path, exact_limit=10).rebuilt
    state.unlink()
    assert refresh_graph(store, embedder, path, exact_limit=10).rebuilt
    assert not refresh_graph(store, embedder, path, exact_limit=10).rebuilt
    store.close()


def _mapped(path: Path) -> bool:
    """Whether this process memory-maps the file at `path` (the inode that is there now)."""
    return str(path) in Path("/proc/self/maps").read_text()


def test_a_viewed_graph_is_the_file_mapped_and_two_processes_get_the_same_answers(tmp_path):
    from papertide.index.update import refresh_graph
    from papertide.index.vectors import load_exact

    embedder = HashEmbedder(dim=32)
    store = _store_with_vectors(tmp_path, embedder)
    path = tmp_path / "g.usearch"
    refresh_graph(store, embedder, path, exact_limit=10)
    query = load_exact(store, embedder.name, 32).matrix[5]
    loaded = HnswIndex.load(embedder.name, 32, path)
    assert not _mapped(path)  # load reads the file into this process's memory
    viewed = HnswIndex.view(embedder.name, 32, path)
    assert _mapped(path)  # view maps it: its pages are the page cache's, shared by processes
    assert viewed.search(query, 5) == loaded.search(query, 5)
    np.save(tmp_path / "q.npy", query)
    other = subprocess.run(
        [sys.executable, "-c", _OTHER_WORKER, str(path), str(tmp_path / "q.npy")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    mapped, hits = json.loads(other.stdout)
    assert mapped
    assert [tuple(hit) for hit in hits] == viewed.search(query, 5)
    store.close()


_OTHER_WORKER = """
import json, sys
from pathlib import Path
import numpy as np
from papertide.index.vectors import HnswIndex
graph = HnswIndex.view("m", 32, Path(sys.argv[1]))
mapped = sys.argv[1] in Path("/proc/self/maps").read_text()
print(json.dumps([mapped, graph.search(np.load(sys.argv[2]), 5)]))
"""


def test_a_refresh_renames_a_new_file_in_and_leaves_an_open_view_on_the_old_one(tmp_path):
    from papertide.index.update import refresh_graph
    from papertide.store.vectors_base import EmbeddingRow

    embedder = HashEmbedder(dim=32)
    store = _store_with_vectors(tmp_path, embedder)
    path = tmp_path / "g.usearch"
    refresh_graph(store, embedder, path, exact_limit=10)
    before = path.stat().st_ino
    old = HnswIndex.view(embedder.name, 32, path)
    moved = np.zeros(32, dtype=np.float32)
    moved[3] = 1.0
    pk = next(iter(store.iter_vectors(embedder.name)))[0][0]
    was = old.search(moved, 1)
    store.save_embeddings(embedder.name, [EmbeddingRow(pk, "h", "t", to_stored(moved[None])[0])])
    assert refresh_graph(store, embedder, path, exact_limit=10).added == 1
    assert path.stat().st_ino != before  # a new file renamed in, never written in place
    assert not path.with_name("g.usearch.partial").exists()
    assert old.search(moved, 1) == was  # the open view still reads the whole old graph
    assert HnswIndex.view(embedder.name, 32, path).search(moved, 1)[0][0] == pk
    store.close()


def test_a_crash_while_writing_the_graph_leaves_the_old_file_and_state_usable(
    tmp_path, monkeypatch
):
    from usearch.index import Index

    from papertide.index.update import read_graph_state, refresh_graph
    from papertide.store.vectors_base import EmbeddingRow

    embedder = HashEmbedder(dim=32)
    store = _store_with_vectors(tmp_path, embedder)
    path = tmp_path / "g.usearch"
    refresh_graph(store, embedder, path, exact_limit=10)
    state = read_graph_state(tmp_path / "g.usearch.json")
    saved = path.read_bytes()
    moved = np.zeros(32, dtype=np.float32)
    moved[3] = 1.0
    pk = next(iter(store.iter_vectors(embedder.name)))[0][0]
    store.save_embeddings(embedder.name, [EmbeddingRow(pk, "h", "t", to_stored(moved[None])[0])])

    def dies_half_way(_index: Index, target: str) -> None:
        Path(target).write_bytes(saved[: len(saved) // 2])
        raise KeyboardInterrupt  # the process is killed mid-write

    monkeypatch.setattr(Index, "save", dies_half_way)
    with pytest.raises(KeyboardInterrupt):
        refresh_graph(store, embedder, path, exact_limit=10)
    monkeypatch.undo()
    assert path.read_bytes() == saved
    assert read_graph_state(tmp_path / "g.usearch.json") == state
    assert len(HnswIndex.view(embedder.name, 32, path)) == 50  # workers still open it
    redone = refresh_graph(store, embedder, path, exact_limit=10)  # the next run redoes it
    assert (redone.added, redone.rebuilt) == (1, False)
    assert HnswIndex.view(embedder.name, 32, path).search(moved, 1)[0][0] == pk
    store.close()
