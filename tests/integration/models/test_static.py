import json

import numpy as np
import pytest

from papertide.index.embed import Embedder
from papertide.index.static import StaticEmbedder, packaged_assets

from .samples import GNN_CHEMISTRY, SPEECH, expected


def test_static_embedder_matches_model2vec_vectors(static_embedder):
    texts, vectors = expected("static_expected.json")
    cosines = np.sum(static_embedder.embed(texts) * vectors, axis=1) / np.linalg.norm(
        vectors, axis=1
    )
    assert cosines.min() >= 0.9999


def test_static_embedder_returns_unit_float32_rows(static_embedder):
    vectors = static_embedder.embed([GNN_CHEMISTRY, SPEECH, "x"])
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, static_embedder.dim) == (3, 256)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_static_embedder_gives_empty_matrix_and_zero_rows_for_nothing(static_embedder):
    assert static_embedder.embed([]).shape == (0, 256)
    vectors = static_embedder.embed(["", GNN_CHEMISTRY, "\u2603"])  # a snowman is [UNK]
    assert not vectors[0].any() and not vectors[2].any()
    assert np.linalg.norm(vectors[1]) == pytest.approx(1.0, abs=1e-5)


def test_static_embedder_batch_equals_one_by_one(static_embedder):
    texts = [GNN_CHEMISTRY, SPEECH, "", "retrieval"] * 300  # spans several tokenizer batches
    together = static_embedder.embed(texts)
    alone = np.concatenate([static_embedder.embed([text]) for text in texts[:4]])
    assert np.allclose(together[:4], alone, atol=1e-6)
    assert np.allclose(together[-4:], alone, atol=1e-6)


def test_static_embedder_truncates_very_long_text(static_embedder):
    sentence = "Graph neural networks predict molecular properties. "
    long = static_embedder.embed([sentence * 5000, sentence * 200])
    assert long[0] @ long[1] == pytest.approx(1.0, abs=1e-4)


def test_static_embedder_ranks_related_abstract_first(static_embedder):
    query, chemistry, speech = static_embedder.embed(
        ["graph neural networks for molecules", GNN_CHEMISTRY, SPEECH]
    )
    assert query @ chemistry > query @ speech + 0.1


def test_static_assets_are_small_and_name_the_model(static_embedder):
    embedder: Embedder = static_embedder
    folder = packaged_assets()
    meta = json.loads((folder / "model.json").read_text())
    assert embedder.name == meta["name"] == "minilm-static-v1"
    assert sum(f.stat().st_size for f in folder.iterdir()) < 20_000_000


def test_static_embedder_rejects_unnormalised_model(tmp_path):
    for name in ("embeddings.npy", "tokenizer.json"):
        (tmp_path / name).write_bytes((packaged_assets() / name).read_bytes())
    meta = json.loads((packaged_assets() / "model.json").read_text())
    (tmp_path / "model.json").write_text(json.dumps({**meta, "normalize": False}))
    with pytest.raises(ValueError, match="normalize"):
        StaticEmbedder.load(tmp_path)
