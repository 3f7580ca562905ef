import numpy as np
import pytest

from papertide.index.embed import Embedder, HashEmbedder, normalize_rows, paper_text


def test_hash_embedder_is_deterministic_across_instances():
    texts = ["sparse attention for long documents", "graph neural networks"]
    assert np.array_equal(HashEmbedder().embed(texts), HashEmbedder().embed(texts))


def test_hash_embedder_returns_unit_float32_rows_of_its_dim():
    vectors = HashEmbedder(dim=16).embed(["one text", "another, longer text about retrieval"])
    assert vectors.dtype == np.float32
    assert vectors.shape == (2, 16)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)


def test_hash_embedder_gives_zero_row_for_text_without_words_and_empty_matrix_for_no_text():
    embedder = HashEmbedder(dim=8)
    assert not embedder.embed(["  ... "]).any()
    empty = embedder.embed([])
    assert empty.shape == (0, 8)
    assert empty.dtype == np.float32


def test_hash_embedder_puts_texts_sharing_words_closer():
    query, near, far = HashEmbedder(dim=256).embed(
        ["graph neural networks", "neural networks on graphs", "speech recognition"]
    )
    assert query @ near > query @ far


def test_hash_embedder_records_call_sizes_and_names_its_dim():
    embedder = HashEmbedder(dim=32)
    embedder.embed(["a", "b", "c"])
    embedder.embed([])
    assert embedder.calls == [3, 0]
    assert embedder.name == "hash-32"
    assert embedder.dim == 32


def test_hash_embedder_satisfies_the_embedder_protocol():
    embedder: Embedder = HashEmbedder()
    assert embedder.embed(["x"]).shape == (1, embedder.dim)


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [
        ("Attention", "We propose\n  the Transformer.", "Attention. We propose the Transformer."),
        ("What is a graph?", "A question.", "What is a graph? A question."),
        ("  Only a\ntitle ", "", "Only a title"),
        ("", " Only an abstract. ", "Only an abstract."),
        ("", "", ""),
    ],
)  # fmt: skip
def test_paper_text_joins_title_and_abstract_with_collapsed_whitespace(title, abstract, expected):
    assert paper_text(title, abstract) == expected


def test_normalize_rows_scales_to_unit_and_keeps_zero_rows():
    rows = normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32))
    assert np.allclose(rows, [[0.6, 0.8], [0.0, 0.0]])
