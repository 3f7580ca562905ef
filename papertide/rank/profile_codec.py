"""UserProfile to and from JSON-ready dicts, for storing a trained profile. Pure.

Vectors travel as base64 of little-endian float16 (as stored embeddings do: index/vectors.py),
so a profile is about 40 kB of JSON plus 0.7 kB per liked paper of 256 dimensions.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

import numpy as np

from papertide.errors import InputError
from papertide.index.embed import Vectors
from papertide.models import Follow
from papertide.rank.profile import UserProfile

PROFILE_FORMAT = 1
WIRE_DTYPE = np.dtype("<f2")


def profile_to_dict(profile: UserProfile) -> dict[str, Any]:
    """Everything a profile holds, as JSON-ready values."""
    return {
        "format": PROFILE_FORMAT,
        "kind": profile.kind,
        "dim": profile.dim,
        "embedding_weights": pack(profile.embedding_weights),
        "bias": profile.bias,
        "term_weights": [[term, weight] for term, weight in profile.term_weights],
        "liked": [[paper, weight] for paper, weight in profile.liked],
        "disliked": [[paper, weight] for paper, weight in profile.disliked],
        "liked_vectors": pack(profile.liked_vectors),
        "follows": [[follow.kind, follow.value] for follow in profile.follows],
    }


def profile_from_dict(data: Mapping[str, Any]) -> UserProfile:
    """The profile profile_to_dict wrote; InputError for anything else."""
    try:
        if data["format"] != PROFILE_FORMAT:
            raise InputError(f"unknown profile format {data['format']!r}")
        dim = int(data["dim"])
        liked = tuple((str(p), float(w)) for p, w in data["liked"])
        return UserProfile(
            kind=str(data["kind"]),
            embedding_weights=unpack(data["embedding_weights"], dim).reshape(dim),
            bias=float(data["bias"]),
            term_weights=tuple((str(t), float(w)) for t, w in data["term_weights"]),
            liked=liked,
            disliked=tuple((str(p), float(w)) for p, w in data["disliked"]),
            liked_vectors=unpack(data["liked_vectors"], dim),
            follows=tuple(Follow(str(kind), str(value)) for kind, value in data["follows"]),
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise InputError(f"not a stored recommendation profile ({error})") from error


def pack(vectors: Vectors) -> str:
    return base64.b64encode(vectors.astype(WIRE_DTYPE).tobytes()).decode("ascii")


def unpack(text: str, dim: int) -> Vectors:
    raw = np.frombuffer(base64.b64decode(text, validate=True), dtype=WIRE_DTYPE)
    return raw.reshape(-1, dim).astype(np.float32) if dim else np.zeros((0, 0), np.float32)
