import numpy as np

from papertide.index.vectors import ExactIndex, HnswIndex


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


def test_refresh_graph_saves_a_graph_that_agrees_with_exact_search(tmp_path):
    from papertide.clock import FixedClock
    from papertide.index.embed import HashEmbedder
    from papertide.index.update import embed_missing, refresh_graph
    from papertide.index.vectors import load_exact
    from papertide.models import Record
    from papertide.sources.tabular import JsonlSource
    from papertide.store.sqlite import SqliteStore

    store = SqliteStore(tmp_path / "t.db", FixedClock())
    store.migrate()
    golden = "tests/data/golden/papers.jsonl"
    store.write_batch([r for r in JsonlSource(golden).records() if isinstance(r, Record)], [])
    embedder = HashEmbedder(dim=32)
    embed_missing(store, embedder)
    path = tmp_path / "g.hnsw"
    assert refresh_graph(store, embedder, path, exact_limit=10) == 50
    graph = HnswIndex.load(embedder.name, 32, path)
    exact = load_exact(store, embedder.name, 32)
    query = exact.matrix[5]
    assert graph.search(query, 3)[0][0] == exact.search(query, 3)[0][0]
    assert refresh_graph(store, embedder, path, exact_limit=100) == 50
    assert not path.exists()  # small enough for exact search: the graph is removed
    store.close()
