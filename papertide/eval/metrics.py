"""Ranking metrics over graded relevance judgments. Pure: a ranking and qrels in, a float out.

Shared conventions: a ranking is a sequence of document ids, best first; `judged` maps a query's
judged document ids to grades (CSFCube 0-3); unjudged documents count as grade 0; a query with
no relevant document scores 0.0 on every metric.

- nDCG@k, Järvelin & Kekäläinen, "Cumulated gain-based evaluation of IR techniques", ACM TOIS
  20(4), 2002: gain = the grade itself (linear, not 2^grade - 1), discount 1/log2(i + 1) at the
  1-based rank i, as in trec_eval's ndcg_cut. The ideal DCG ranks all of the query's judged
  grades, retrieved or not. (CSFCube's own script uses rank_metrics "method 0", which also
  leaves rank 2 undiscounted, so its figures can differ slightly from ours.)
- Average precision (Buckley & Voorhees, "Evaluating evaluation measure stability", SIGIR 2000;
  trec_eval's map): binary relevance, grade >= threshold; AP = sum of precision@i over the ranks
  i holding a relevant document, divided by the number of relevant judged documents R. CSFCube's
  authors use threshold 2 ("similar" or "near-identical on the facet").
- Reciprocal rank (Voorhees, "The TREC-8 question answering track report", 1999): 1/i for the
  rank i of the first relevant document (grade >= threshold), 0 if none is ranked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

RELEVANT_GRADE = 2  # CSFCube: grades 2 and 3 are relevant for binary metrics (AP, RR)


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain of gains in rank order: sum of g_i / log2(i + 1)."""
    return sum(gain / math.log2(i + 1) for i, gain in enumerate(gains, start=1))


def ndcg_at_k(ranking: Sequence[str], judged: Mapping[str, int], k: int) -> float:
    """nDCG of the first `k` ranked documents, in [0, 1]."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    ideal = dcg(sorted(judged.values(), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg([judged.get(doc, 0) for doc in ranking[:k]]) / ideal


def average_precision(
    ranking: Sequence[str], judged: Mapping[str, int], threshold: int = RELEVANT_GRADE
) -> float:
    """AP with relevance = grade >= threshold; relevant documents never ranked add 0."""
    check_threshold(threshold)
    total = sum(1 for grade in judged.values() if grade >= threshold)
    if total == 0:
        return 0.0
    found = 0
    summed = 0.0
    for i, doc in enumerate(ranking, start=1):
        if judged.get(doc, 0) >= threshold:
            found += 1
            summed += found / i
    return summed / total


def reciprocal_rank(
    ranking: Sequence[str], judged: Mapping[str, int], threshold: int = RELEVANT_GRADE
) -> float:
    """1/rank of the first document with grade >= threshold; 0.0 if none is ranked."""
    check_threshold(threshold)
    for i, doc in enumerate(ranking, start=1):
        if judged.get(doc, 0) >= threshold:
            return 1.0 / i
    return 0.0


def check_threshold(threshold: int) -> None:
    """Refuse thresholds that would make unjudged (grade 0) documents relevant."""
    if threshold < 1:
        raise ValueError(f"relevance threshold must be at least 1, got {threshold}")
