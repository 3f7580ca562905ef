"""index/sentence_index.py: the sentence index in memory and in its memory-mapped file, and
its facet ranking (one gather, one matrix product) against facet_similarity done by hand."""

import os

import numpy as np
import pytest

from papertide.errors import InputError
from papertide.index.facets import facet_similarity
from papertide.index.sentence_index import (
    PaperSentences,
    SentenceFile,
    build_sentence_index,
    view_sentence_file,
    write_sentence_file,
)
from papertide.index.vectors import Matrix

DIM = 4


def unit(rows: list[list[float]]) -> Matrix:
    matrix: Matrix = np.asarray(rows, np.float32)
    norms: Matrix = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / norms


VECTORS = {
    "2501.00003": unit([[1, 0, 0, 0], [0, 1, 0, 0]]),
    "2501.00001": unit([[0, 0, 1, 0]]),
    "hep-th/9901001": unit([[1, 1, 0, 0], [0, 0, 0, 1], [1, 0, 1, 0]]),
}
LABELS = {"2501.00003": "bm", "2501.00001": "r", "hep-th/9901001": "bmr"}


def papers() -> list[tuple[str, str, bytes]]:
    """In store order (not sorted by id)."""
    return [(pid, LABELS[pid], v.astype("<f2").tobytes()) for pid, v in VECTORS.items()]


def test_paper_reads_labels_and_vectors_back():
    index = build_sentence_index(DIM, papers())
    assert len(index) == 3
    found = index.paper("hep-th/9901001")
    assert found is not None
    assert found.labels == ("background", "method", "result")
    assert found.vectors.dtype == np.float32
    assert np.allclose(found.vectors, VECTORS["hep-th/9901001"], atol=1e-3)
    assert index.paper("2501.00002") is None
    assert index.paper("zzz") is None  # after every id


def test_facet_ranking_equals_facet_similarity_of_the_stored_vectors():
    index = build_sentence_index(DIM, papers())
    query = PaperSentences(("background", "result"), unit([[1, 0, 0, 0], [0, 0, 1, 0]]))
    candidates = ["2501.00001", "missing", "hep-th/9901001", "2501.00003"]
    ranking = index.facet_ranking(query, "result", candidates)
    held = ["2501.00001", "hep-th/9901001", "2501.00003"]
    stored = [VECTORS[pid].astype("<f2").astype(np.float32) for pid in held]
    owners = np.repeat(np.arange(3), [len(v) for v in stored])
    expected = facet_similarity(query.vectors[[1]], np.concatenate(stored), owners)
    assert dict(ranking) == pytest.approx(dict(zip(held, expected.tolist(), strict=True)))
    assert [pid for pid, _ in ranking] == ["2501.00001", "hep-th/9901001", "2501.00003"]
    # without a facet every query sentence counts
    overall = dict(index.facet_ranking(query, None, held))
    both = facet_similarity(query.vectors, np.concatenate(stored), owners)
    assert [overall[pid] for pid in held] == pytest.approx(both.tolist())
    assert index.facet_ranking(query, "result", ["missing"]) == []
    assert build_sentence_index(DIM, []).facet_ranking(query, "result", held) == []


def test_the_file_holds_the_same_index_memory_mapped(tmp_path):
    path = tmp_path / "vectors" / "m.sentences"
    assert write_sentence_file(path, DIM, papers()) == 3
    viewed, built = view_sentence_file(path), build_sentence_index(DIM, papers())
    assert isinstance(viewed.vectors, np.memmap)
    assert viewed.dim == DIM
    for field in ("ids", "slots", "starts", "labels", "vectors"):
        assert np.array_equal(getattr(viewed, field), getattr(built, field)), field
    query = PaperSentences(("method",), unit([[0, 1, 0, 0]]))
    assert viewed.facet_ranking(query, "method", list(VECTORS)) == built.facet_ranking(
        query, "method", list(VECTORS)
    )
    assert not path.with_name("m.sentences.partial").exists()


def test_an_empty_file_and_a_foreign_file(tmp_path):
    path = tmp_path / "m.sentences"
    write_sentence_file(path, DIM, [])
    assert len(view_sentence_file(path)) == 0
    path.write_bytes(b"not an index at all")
    with pytest.raises(InputError, match="no sentence index file"):
        view_sentence_file(path)


def test_a_file_with_mismatched_rows_is_refused(tmp_path):
    with pytest.raises(ValueError, match="labels for"):
        write_sentence_file(tmp_path / "m.sentences", DIM, [("a", "bm", b"\0" * 8)])
    with pytest.raises(ValueError, match="twice"):
        build_sentence_index(DIM, [*papers(), papers()[0]])


def test_sentence_file_follows_the_file_as_index_rewrites_it(tmp_path):
    path = tmp_path / "m.sentences"
    view = SentenceFile(path, DIM)
    assert len(view.current()) == 0  # not written yet: nothing to match
    write_sentence_file(path, DIM, papers()[:1])
    first = view.current()
    assert len(first) == 1 and view.current() is first  # not reopened while unchanged
    write_sentence_file(path, DIM, papers())
    os.utime(path, ns=(1, 1))  # a new inode anyway; a coarse clock cannot hide the change
    assert len(view.current()) == 3
    assert len(first) == 1  # the old mapping still reads the old file
