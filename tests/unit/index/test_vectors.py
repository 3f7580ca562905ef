import numpy as np
import pytest

from papertide.index.vectors import ExactIndex, from_stored, to_stored


def unit(rows: list[list[float]]) -> np.ndarray:
    matrix = np.asarray(rows, dtype=np.float32)
    normed: np.ndarray = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    return normed


def test_exact_index_returns_nearest_first_with_cosines():
    index = ExactIndex("m", np.array([10, 20, 30]), unit([[1, 0], [0.8, 0.6], [0, 1]]))
    hits = index.search(unit([[1, 0.1]])[0], k=2)
    assert [pk for pk, _ in hits] == [10, 20]
    assert hits[0][1] == pytest.approx(0.995, abs=1e-3)


def test_exact_index_skips_excluded_and_handles_small_and_empty():
    index = ExactIndex("m", np.array([10, 20, 30]), unit([[1, 0], [0.8, 0.6], [0, 1]]))
    assert [pk for pk, _ in index.search(unit([[1, 0]])[0], k=5, exclude=frozenset({10}))] == [
        20,
        30,
    ]
    empty = ExactIndex("m", np.zeros(0, dtype=np.int64), np.zeros((0, 2), dtype=np.float32))
    assert empty.search(unit([[1, 0]])[0], k=3) == []


def test_stored_round_trip_is_float16_close():
    matrix = unit([[0.3, 0.4, 0.5], [1, 2, 3]])
    back = from_stored(to_stored(matrix), 3)
    assert back.dtype == np.float32
    assert np.allclose(back, matrix, atol=1e-3)


def test_exact_index_gives_the_vectors_of_the_keys_it_holds():
    matrix = unit([[1, 0], [0.8, 0.6], [0, 1]])
    index = ExactIndex("m", np.array([10, 20, 30]), matrix)
    found = index.vectors_of([30, 99, 10])
    assert list(found) == [30, 10]
    assert found[30] == pytest.approx(matrix[2])
    assert found[10] == pytest.approx(matrix[0])
    assert index.vectors_of([]) == {}
