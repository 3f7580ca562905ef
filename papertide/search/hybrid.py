"""Fuse ranked lists from different retrievers into one ranking. Pure: no I/O.

Two forms, chosen by measurement on the CSFCube dev fold (BENCHMARKS.md):
- reciprocal-rank fusion, score = sum_r w_r / (k + rank_r) (Cormack, Clarke & Buettcher,
  "Reciprocal Rank Fusion outperforms Condorcet and individual rank learning methods",
  SIGIR 2009), rank 1-based, k = RRF_K by default;
- a convex mix of min-max normalised scores, score = sum_r w_r * norm_r (Bruch, Gai &
  Ingber, "An Analysis of Fusion Functions for Hybrid Retrieval", TOIS 2023).
Every fused item keeps its parts (rank and score per retriever), so a hit can say why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

RRF_K = 60

Ranking = Sequence[tuple[str, float]]  # (item id, retriever score), best first


@dataclass(frozen=True, slots=True)
class Part:
    """One retriever's view of an item: 1-based rank and raw score."""

    rank: int
    score: float


@dataclass(frozen=True, slots=True)
class Fused:
    id: str
    score: float
    parts: Mapping[str, Part] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Fusion:
    """How to fuse: method "rrf" or "convex", a weight per retriever, and RRF's k."""

    method: str = "rrf"
    weights: Mapping[str, float] = field(default_factory=dict)
    k: int = RRF_K

    def weight(self, retriever: str) -> float:
        return self.weights.get(retriever, 1.0)


Contribution = Callable[[str, Part, Fusion], float]


# Chosen on the CSFCube dev fold by `papertide eval --skip-contextual` (BM25 + the static
# embedder, BENCHMARKS.md): for query text, RRF with k=30 and equal weights.
DEFAULT_FUSION = Fusion("rrf", {"bm25": 1.0, "dense": 1.0}, k=30)
# `similar` with the static vectors (issue #16): more-like-this, the dense neighbours' cosines,
# the same neighbours' cosines to the paper centered on their mean ("centered") and their tf-idf
# rows' cosines centered alike ("centered_terms", search/centered.py); weights chosen on the
# CSFCube fold1_dev queries by `papertide eval` (eval/rankers.py, similar_grid; fold2_dev chose
# the same, BENCHMARKS.md "Search quality")
SIMILAR_FUSION = Fusion(
    "convex", {"bm25": 0.1, "dense": 0.5, "centered": 0.2, "centered_terms": 0.2}
)
# Faceted similar papers (issue #16): the facet sentences' match score ("facet") mixed into
# SIMILAR_FUSION with this weight, chosen per facet on the CSFCube fold1 dev queries by
# `papertide eval`; only facets that beat `similar` on their test queries (MAP and NDCG%20) are
# offered (BENCHMARKS.md, "Faceted similar papers"): background did not (dev weight 0.2 on
# fold1, 0 on fold2; test MAP 0.08 below), nor method (dev weight 0 on both folds).
SimilarFacet = Literal["result"]  # FACET_WEIGHTS keys, for typed surfaces
FACET_WEIGHTS: Mapping[str, float] = {"result": 0.2}


def facet_fusion(weight: float) -> Fusion:
    """SIMILAR_FUSION times 1 - weight, plus the facet score ("facet") times weight."""
    return Fusion(
        "convex",
        {retriever: w * (1 - weight) for retriever, w in SIMILAR_FUSION.weights.items()}
        | {"facet": weight},
    )


# with the contextual MiniLM as the dense side, dev chose lexical 0.1 / dense 0.9 (BENCHMARKS.md,
# "Search quality": test nDCG@20 0.621 against 0.528 with the static embedder then, 0.586 with
# the centered cosines)
CONTEXTUAL_SIMILAR_FUSION = Fusion("convex", {"bm25": 0.1, "dense": 0.9})


def fuse_rankings(rankings: Mapping[str, Ranking], fusion: Fusion = DEFAULT_FUSION) -> list[Fused]:
    """One ranking from several, best first; ties broken by id for a stable order."""
    if fusion.method not in ("rrf", "convex"):
        raise ValueError(f"unknown fusion method {fusion.method!r}")
    parts: dict[str, dict[str, Part]] = {}
    for retriever, ranking in rankings.items():
        for rank, (item, score) in enumerate(ranking, start=1):
            parts.setdefault(item, {}).setdefault(retriever, Part(rank, score))
    contribution = _rrf if fusion.method == "rrf" else _convex(rankings)
    fused = [
        Fused(item, sum(contribution(r, p, fusion) for r, p in seen.items()), seen)
        for item, seen in parts.items()
    ]
    return sorted(fused, key=lambda f: (-f.score, f.id))


def _rrf(retriever: str, part: Part, fusion: Fusion) -> float:
    return fusion.weight(retriever) / (fusion.k + part.rank)


def _convex(rankings: Mapping[str, Ranking]) -> Contribution:
    bounds = {
        r: (min(s for _, s in ranking), max(s for _, s in ranking))
        for r, ranking in rankings.items()
        if ranking
    }

    def contribution(retriever: str, part: Part, fusion: Fusion) -> float:
        low, high = bounds[retriever]
        normal = 1.0 if high == low else (part.score - low) / (high - low)
        return fusion.weight(retriever) * normal

    return contribution
