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

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from papertide.index.words import STOP_HASHES, TermCounts
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


def centered_term_ranking(query: TermCounts, candidates: Mapping[str, TermCounts]) -> Ranking:
    """(id, centered cosine) of every candidate by their unit tf-idf rows (unigrams,
    tf = 1 + ln(count), idf = ln((1 + n) / (1 + df)) + 1 over the n candidates, 0 for a stop
    word), best first; the counts as term_counts gives them, or `papertide index` stored them.

    In closed form over the sparse rows (x the candidates', q the query's, m their mean):
    (x - m)(q - m) = xq - xm - qm + mm and |x - m|^2 = xx - 2xm + mm, with xx 1 (0 for a text
    without words); 0 where either difference is (about) zero, as centered_cosines. Columns
    are the words in order of first appearance (candidates in turn, then the query)."""
    if not candidates:
        return []
    ids = list(candidates)
    n = len(ids)
    counts = [*candidates.values(), query]
    hashes = np.concatenate([terms.words for terms in counts])
    # np.unique's return_index would cost a second, stable sort; the first places come cheaper
    distinct, inverse = np.unique(hashes, return_inverse=True)
    size = len(distinct)
    first = np.full(size, len(hashes))
    np.minimum.at(first, inverse, np.arange(len(hashes)))
    column = np.empty(size, np.int64)
    column[np.argsort(first)] = np.arange(size)  # the first-seen word first
    row = np.repeat(np.arange(n + 1), [len(terms.words) for terms in counts])
    col = column[inverse]
    tf = np.concatenate([terms.counts for terms in counts]).astype(np.float64)
    ours = row < n
    idf = np.log((1.0 + n) / (1.0 + np.bincount(col[ours], minlength=size))) + 1.0
    idf[column[np.isin(distinct, STOP_HASHES)]] = 0.0  # as if tokenize's
    values = (1.0 + np.log(tf)) * idf[col]
    lengths = np.sqrt(np.bincount(row, values * values, minlength=n + 1))
    values /= np.where(lengths > 0, lengths, 1.0)[row]
    mean = np.bincount(col[ours], values[ours], minlength=size) / n
    wanted = np.zeros(size)
    wanted[col[~ours]] = values[~ours]
    to_query = np.bincount(row, values * wanted[col], minlength=n + 1)[:n]
    to_mean = np.bincount(row, values * mean[col], minlength=n + 1)
    squared = float(mean @ mean)
    unit = (lengths > 0).astype(np.float64)
    dots = to_query - to_mean[:n] - to_mean[n] + squared
    norms = np.sqrt(np.maximum(unit - 2 * to_mean + squared, 0.0))
    norms = norms[:n] * norms[n]
    scores = np.where(norms > 1e-9, dots / np.where(norms > 1e-9, norms, 1.0), 0.0)
    return _best_first(ids, scores.astype(np.float32))


def _best_first(ids: list[str], scores: npt.NDArray[np.float32]) -> Ranking:
    order = np.argsort(-scores, kind="stable")
    return [(ids[i], float(scores[i])) for i in order]
