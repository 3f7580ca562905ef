"""The papers a recommender works on: Candidate values, and CandidatePool, the vectors,
tf-idf rows, neighbour lists and follow keys of a set of candidates computed once. Pure numpy.

A pool serves twice: as the background a profile is trained against, and as the candidates
of a period that every user's ranking shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from papertide.index.embed import Vectors
from papertide.rank.follows import FollowKeys, follow_keys
from papertide.rank.terms import TermMatrix, build_term_matrix

NEIGHBOUR_BLOCK_ROWS = 1024  # candidates per block of the pool's similarity product
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class Candidate:
    """A paper as the recommender sees it: its unit vector (one embedding model for every
    paper of a call) and its title + abstract; authors, categories and organisations match
    follows."""

    paper_id: str
    vector: Vectors
    text: str
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()  # slugs of its organisations


@dataclass(frozen=True, slots=True, eq=False)
class CandidatePool:
    """Candidates with what training and ranking need, computed once.

    `matrix[i]` is candidate i's vector, `terms` its tf-idf rows (idf over the pool),
    `neighbours[i]` the indexes of its nearest other candidates by vector, `keys[i]` its
    folded text, authors, categories and organisations for matching follows.
    """

    candidates: tuple[Candidate, ...]
    matrix: Vectors
    terms: TermMatrix
    neighbours: IntArray
    keys: tuple[FollowKeys, ...]

    def __len__(self) -> int:
        return len(self.candidates)

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])


def prepare_pool(candidates: Sequence[Candidate], neighbours: int = 0) -> CandidatePool:
    """Stack the vectors, build the tf-idf rows, and find each candidate's `neighbours`."""
    dims = {int(c.vector.shape[0]) for c in candidates}
    if len(dims) > 1:
        raise ValueError(f"candidates' vectors differ in dimension: {sorted(dims)}")
    matrix = (
        np.stack([c.vector for c in candidates]).astype(np.float32)
        if candidates
        else np.zeros((0, 0), np.float32)
    )
    terms = build_term_matrix([c.text for c in candidates])
    keys = tuple(follow_keys(c.text, c.authors, c.categories, c.orgs) for c in candidates)
    return CandidatePool(
        tuple(candidates), matrix, terms, nearest_neighbours(matrix, neighbours), keys
    )


def nearest_neighbours(matrix: Vectors, k: int) -> IntArray:
    """For each row, the indexes of its k most similar other rows (fewer in a small pool)."""
    n = matrix.shape[0]
    k = min(k, n - 1)
    if k <= 0:
        return np.zeros((n, 0), dtype=np.int64)
    out = np.zeros((n, k), dtype=np.int64)
    for start in range(0, n, NEIGHBOUR_BLOCK_ROWS):
        block = matrix[start : start + NEIGHBOUR_BLOCK_ROWS] @ matrix.T
        rows = np.arange(block.shape[0])
        block[rows, rows + start] = -np.inf
        out[start : start + block.shape[0]] = np.argpartition(-block, k - 1, axis=1)[:, :k]
    return out
