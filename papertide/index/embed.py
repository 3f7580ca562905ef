"""The Embedder protocol (text -> unit vectors), the text of a paper that gets embedded, and
HashEmbedder, the deterministic test double. No model loading here: real embedders live in
static.py and contextual.py; no storage either (vectors are keyed by `Embedder.name` upstream).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
SENTENCE_END = (".", "!", "?")
WORD = re.compile(r"\w+")


class Embedder(Protocol):
    """Turns texts into vectors comparable by dot product.

    `embed` returns a float32 array of shape (len(texts), dim), in input order; each row has
    unit L2 norm, except an all-zero row for a text with nothing the model knows (empty text).
    `name` identifies the model and its settings: stored vectors are keyed by it, so it must
    change whenever the vectors would.
    """

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...


def paper_text(title: str, abstract: str) -> str:
    """The text embedded for a paper: its title as a sentence, then its abstract.

    Whitespace runs (arXiv abstracts keep their line breaks) collapse to one space, so the
    same paper always gives the same text and the same content hash.
    """
    title = " ".join(title.split())
    abstract = " ".join(abstract.split())
    if title and abstract and not title.endswith(SENTENCE_END):
        title += "."
    return f"{title} {abstract}".strip()


def normalize_rows(vectors: Vectors) -> Vectors:
    """Rows scaled to unit L2 norm; all-zero rows stay zero."""
    norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), np.finfo(np.float32).tiny)
    scaled: Vectors = (vectors / norms).astype(np.float32)
    return scaled


def hashed_features(text: str, dim: int) -> Vectors:
    """Signed feature hashing of the lower-cased words of `text` (Weinberger et al., ICML 2009).

    blake2b rather than hash(): Python salts str hashes per process, and vectors must be stable.
    """
    row = np.zeros(dim, dtype=np.float32)
    for word in WORD.findall(text.lower()):
        digest = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        row[digest % dim] += 1.0 if (digest >> 63) & 1 else -1.0
    return row


@dataclass(frozen=True, slots=True)
class HashEmbedder:
    """Deterministic stand-in for a real model, after llm's EmbedDemo: texts sharing words get
    close vectors. Records the size of every `embed` call in `calls`."""

    dim: int = 64
    calls: list[int] = field(default_factory=list, compare=False)

    @property
    def name(self) -> str:
        return f"hash-{self.dim}"

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(len(texts))
        rows = [hashed_features(text, self.dim) for text in texts]
        matrix = np.stack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)
        return normalize_rows(matrix)
