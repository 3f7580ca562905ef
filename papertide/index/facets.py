"""Faceted similarity: which sentences of an abstract state its background, method or result,
and how alike two papers are in one facet (issue #16 point 2).

Pure functions over text and vectors; no store, no embedder. A paper's abstract is split into
sentences (`split_sentences`), each sentence labelled with a facet by cue phrases and its
position (`label_sentences`), and a candidate is scored for a facet by how close each of the
query's facet sentences comes to its nearest sentence of the candidate (`facet_similarity`,
the "max-sim, then mean" reading of the Aspire paper's sentence matching, Mysore et al. 2022).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FACETS = ("background", "method", "result")
BACKGROUND, METHOD, RESULT = FACETS

# A sentence ends at . ! or ? followed by white space and an upper-case letter, a digit or an
# opening quote/bracket; "e.g." / "i.e." / "et al." / "vs." / "Fig." do not end one.
_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")
_NO_END = re.compile(r"(?:\b(?:e\.g|i\.e|et al|vs|Fig|Eq|cf|resp|approx|Sec|No)\.)$", re.IGNORECASE)
MIN_SENTENCE_CHARS = 12  # shorter pieces ("2." of a list) join the sentence before them

# Cue phrases (lower case, matched as whole words at any place of the sentence). Each hit adds
# one to its facet's score; the position prior below breaks ties and labels cue-less sentences.
CUES: dict[str, tuple[str, ...]] = {
    BACKGROUND: (
        "however",
        "recent",
        "recently",
        "has been",
        "have been",
        "remains",
        "challenge",
        "challenging",
        "problem",
        "important",
        "widely",
        "existing",
        "limited",
        "despite",
        "little",
        "lack",
        "difficult",
        "is a",
        "are a",
        "task of",
        "we study",
        "we investigate",
        "we address",
        "we consider",
        "this paper",
        "in this work",
        "goal",
        "aim",
    ),
    METHOD: (
        "we propose",
        "we present",
        "we introduce",
        "we develop",
        "we describe",
        "we use",
        "we train",
        "we apply",
        "we design",
        "we extend",
        "we model",
        "we formulate",
        "our approach",
        "our method",
        "our model",
        "approach",
        "method",
        "model",
        "framework",
        "algorithm",
        "architecture",
        "based on",
        "using",
        "leverage",
        "learn",
        "learns",
        "trained",
        "network",
        "encoder",
        "decoder",
        "attention",
        "feature",
        "features",
        "annotated",
        "corpus",
    ),
    RESULT: (
        "results",
        "result",
        "show",
        "shows",
        "showed",
        "demonstrate",
        "demonstrates",
        "outperform",
        "outperforms",
        "achieve",
        "achieves",
        "improve",
        "improves",
        "improvement",
        "improvements",
        "experiments",
        "experimental",
        "evaluation",
        "evaluate",
        "accuracy",
        "state-of-the-art",
        "state of the art",
        "significantly",
        "we find",
        "we found",
        "we observe",
        "performance",
        "f1",
        "bleu",
        "baseline",
        "baselines",
        "gains",
        "competitive",
        "effective",
        "analysis",
    ),
}
_CUE_PATTERNS = {
    facet: re.compile(r"\b(?:" + "|".join(re.escape(c) for c in cues) + r")\b")
    for facet, cues in CUES.items()
}
# Position prior by relative place in the abstract (0 = first sentence, 1 = last).
FIRST_SENTENCE_BACKGROUND = 1.5  # the first sentence nearly always sets the problem
LAST_SENTENCE_RESULT = 1.0
POSITION_WEIGHT = 1.0  # weight of the linear prior: background early, result late


def split_sentences(abstract: str) -> list[str]:
    """The abstract's sentences in order, stripped; [] for an empty abstract."""
    pieces = [p.strip() for p in _END.split(" ".join(abstract.split()))]
    sentences: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if sentences and (len(piece) < MIN_SENTENCE_CHARS or _NO_END.search(sentences[-1])):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def label_sentences(sentences: Sequence[str]) -> list[str]:
    """A facet per sentence: the facet with the most cue hits plus the position prior."""
    count = len(sentences)
    labels = []
    for index, sentence in enumerate(sentences):
        place = index / (count - 1) if count > 1 else 0.0
        text = sentence.lower()
        scores = {facet: float(len(_CUE_PATTERNS[facet].findall(text))) for facet in FACETS}
        scores[BACKGROUND] += POSITION_WEIGHT * (1 - 2 * place)
        scores[RESULT] += POSITION_WEIGHT * (2 * place - 1)
        if index == 0:
            scores[BACKGROUND] += FIRST_SENTENCE_BACKGROUND
        if index == count - 1 and count > 2:
            scores[RESULT] += LAST_SENTENCE_RESULT
        labels.append(max(FACETS, key=lambda facet: scores[facet]))
    return labels


def facet_sentences(labels: Sequence[str], facet: str) -> list[int]:
    """Indexes of the sentences labelled `facet`; every index when none is (so a query always
    has something to match)."""
    chosen = [i for i, label in enumerate(labels) if label == facet]
    return chosen or list(range(len(labels)))


def facet_similarity(
    query: npt.NDArray[np.float32],
    candidates: npt.NDArray[np.float32],
    owners: npt.NDArray[np.int64],
) -> npt.NDArray[np.float32]:
    """Per candidate: the mean over the query's facet sentences of the cosine to the nearest
    sentence of that candidate.

    `query` holds the query's facet sentence vectors (n, dim), `candidates` all candidates'
    sentence vectors (m, dim), unit length, and `owners` (m,) the candidate index 0..c-1 each
    sentence belongs to, ascending; a candidate without sentences scores 0.
    """
    count = int(owners[-1]) + 1 if len(owners) else 0
    if not len(query) or not count:
        return np.zeros(count, np.float32)
    # (m, n) without BLAS: for a product this small OpenBLAS's threaded gemm waits for the
    # other core, 12-16 ms at p50 on a busy 2-core machine against 0.2 ms here
    cosines = np.einsum("md,nd->mn", candidates, query)
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    best = np.maximum.reduceat(cosines, starts, axis=0)  # (candidates with sentences, n)
    scores = np.zeros(count, np.float32)
    scores[owners[starts]] = best.mean(axis=1)
    return scores
