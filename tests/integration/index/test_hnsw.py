import numpy as np

from papertide.index.vectors import ExactIndex, HnswIndex


def test_hnsw_index_finds_the_exact_neighbours_on_small_data(tmp_path):
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(500, 16)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    keys = np.arange(1000, 1500)
    exact = ExactIndex("m", keys, matrix)
    index = HnswIndex("m", 16, capacity=100)  # grows as needed
    index.add(keys, matrix)
    query = matrix[7]
    assert [pk for pk, _ in index.search(query, 5)] == [pk for pk, _ in exact.search(query, 5)]
    assert index.search(query, 1, exclude=frozenset({1007}))[0][0] != 1007
    path = tmp_path / "m.hnsw"
    index.save(path)
    loaded = HnswIndex.load("m", 16, path)
    assert len(loaded) == 500
    assert loaded.search(query, 3) == index.search(query, 3)
