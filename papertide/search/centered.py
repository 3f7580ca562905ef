"""Similar papers scored relative to their neighbourhood: the cosine between the query paper's
vector and each candidate's, both taken from the candidates' mean (issue #16).

Static (averaged word) vectors of papers on one topic share a large common direction, so the
plain cosine ranks a candidate high for being on the topic at all. Centering on the candidates'
mean removes that direction and keeps what the query paper has that its neighbours do not;
the idea of an exemplar model with the candidates as negatives (Malisiewicz, Gupta & Efros,
"Ensemble of Exemplar-SVMs", ICCV 2011; arxiv-sanity's per-paper SVM) in closed form. Chosen
on the CSFCube dev folds (docs/search.md, "CSFCube beside the published models"). The same
centering on the candidates' tf-idf rows (CENTERED_TERMS: words, sublinear tf, idf over the
candidates) gives the lexical exemplar signal arxiv-sanity's tf-idf SVM has. Pure.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from papertide.index.words import tokenize
from papertide.search.hybrid import Ranking

CENTERED = "centered"  # the retriever name of this score in a fusion
CENTERED_TERMS = "centered_terms"  # and of the centered tf-idf cosine
Floats = npt.NDArray[np.floating[Any]]  # vectors as stored (float16), loaded or embedded


def centered_cosines(query: Floats, candidates: Floats) -> npt.NDArray[np.float32]:
    """Per candidate row: cos(query - mean, candidate - mean), mean over the candidate rows.

    0 where either difference is zero (a candidate equal to the mean, or a single candidate).
    """
    if not len(candidates):
        return np.zeros(0, np.float32)
    rows = candidates.astype(np.float64)
    mean = rows.mean(axis=0)
    centred = rows - mean
    target = query.astype(np.float64) - mean
    # elementwise, not BLAS: OpenBLAS's threaded product of small matrices waits for the
    # other core on a busy 2-core machine (index/facets.py measured 12-16 ms against 0.2 ms)
    dots = np.einsum("cd,d->c", centred, target)
    norms = np.sqrt(np.einsum("cd,cd->c", centred, centred)) * np.sqrt(target @ target)
    safe = np.where(norms > 0, norms, 1.0)
    return np.where(norms > 0, dots / safe, 0.0).astype(np.float32)


def centered_ranking(query: Floats, candidates: Mapping[str, Floats]) -> Ranking:
    """(id, centered cosine) of every candidate, best first (ties keep the mapping's order):
    how `similar` scores its dense neighbours, and `papertide eval` an evaluation pool."""
    if not candidates:
        return []
    ids = list(candidates)
    return _best_first(ids, centered_cosines(query, np.stack([candidates[i] for i in ids])))


def centered_term_ranking(query: str, candidates: Mapping[str, str]) -> Ranking:
    """(id, centered cosine) of every candidate text by their unit tf-idf rows (unigrams,
    tf = 1 + ln(count), idf = ln((1 + n) / (1 + df)) + 1 over the n candidates), best first."""
    if not candidates:
        return []
    ids = list(candidates)
    counts = [Counter(tokenize(candidates[i])) for i in ids]
    wanted = Counter(tokenize(query))
    columns: dict[str, int] = {}
    for row in (*counts, wanted):
        for term in row:
            columns.setdefault(term, len(columns))
    df = np.zeros(len(columns))
    for row in counts:
        df[[columns[term] for term in row]] += 1
    idf = np.log((1.0 + len(ids)) / (1.0 + df)) + 1.0
    matrix = np.zeros((len(ids) + 1, len(columns)))
    for r, row in enumerate((*counts, wanted)):
        for term, count in row.items():
            matrix[r, columns[term]] = 1.0 + math.log(count)
    matrix *= idf
    norms = np.sqrt(np.einsum("rc,rc->r", matrix, matrix))
    matrix /= np.where(norms > 0, norms, 1.0)[:, None]
    return _best_first(ids, centered_cosines(matrix[-1], matrix[:-1]))


def _best_first(ids: list[str], scores: npt.NDArray[np.float32]) -> Ranking:
    order = np.argsort(-scores, kind="stable")
    return [(ids[i], float(scores[i])) for i in order]
