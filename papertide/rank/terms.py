"""Term features for recommendations: tokens, unigrams and bigrams, sublinear tf-idf rows.

Pure numpy (no scikit-learn at run time). Follows arxiv-sanity's tf-idf (github.com/karpathy/
arxiv-sanity-lite, compute.py): words of 2+ characters starting with a letter, English stop words
removed before bigrams are formed, tf = 1 + ln(count), idf = ln((1 + n) / (1 + df)) + 1,
each row scaled to unit L2 norm.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from papertide.index.words import tokenize

OUTSIDE_ROWS = 5_000  # term_row rows kept per matrix (a few KB each)
FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


def count_terms(text: str) -> Counter[str]:
    """Counts of the text's unigrams and bigrams (bigrams of neighbouring kept words)."""
    words = tokenize(text)
    counts = Counter(words)
    counts.update(f"{first} {second}" for first, second in pairwise(words))
    return counts


@dataclass(frozen=True, slots=True, eq=False)
class IdRow:
    """A unit tf-idf row as term ids (TermMatrix.term_name names them) and values, in the
    order of the row's terms."""

    ids: IntArray
    values: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class TermMatrix:
    """Unit-norm tf-idf rows in compressed sparse row form.

    Row i holds `columns[indptr[i]:indptr[i + 1]]` with `values` at the same positions;
    `vocabulary[column]` is the term, `index` the reverse map, `idf[column]` its idf over the
    rows' own documents (a candidate pool); `owners[k]` is the row of `values[k]`. `outside`
    keeps term_row's rows of texts outside the matrix (a kept pool meets the same rated
    papers again and again); terms the vocabulary lacks get ids from len(vocabulary) on, in
    `extra`. trim() empties both beyond OUTSIDE_ROWS rows, between uses of their ids. Those
    caches make a matrix unsafe to share between threads without a lock (foryou.py holds one).
    """

    vocabulary: tuple[str, ...]
    index: Mapping[str, int]
    indptr: IntArray
    columns: IntArray
    values: FloatArray
    idf: npt.NDArray[np.float64]
    owners: IntArray
    outside: dict[str, IdRow] = field(default_factory=dict)
    extra: dict[str, int] = field(default_factory=dict)
    extra_names: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return int(self.indptr.shape[0]) - 1

    @property
    def term_ids(self) -> int:
        """How many term ids are in use: the vocabulary's and the extra ones."""
        return len(self.vocabulary) + len(self.extra_names)

    def row_of(self, i: int) -> dict[str, float]:
        """Row i as {term: value}."""
        start, end = int(self.indptr[i]), int(self.indptr[i + 1])
        terms = (self.vocabulary[c] for c in self.columns[start:end].tolist())
        return dict(zip(terms, self.values[start:end].tolist(), strict=True))

    def id_row(self, i: int) -> IdRow:
        """Row i as term ids and values."""
        start, end = int(self.indptr[i]), int(self.indptr[i + 1])
        return IdRow(self.columns[start:end], self.values[start:end].astype(np.float64))

    def term_name(self, term_id: int) -> str:
        """The term of a vocabulary or extra id."""
        size = len(self.vocabulary)
        return self.vocabulary[term_id] if term_id < size else self.extra_names[term_id - size]

    def term_id(self, term: str) -> int:
        """The id of a term: its column, else an extra id (given on first sight)."""
        found = self.index.get(term)
        if found is None:
            found = self.extra.get(term)
            if found is None:
                found = self.extra[term] = len(self.vocabulary) + len(self.extra_names)
                self.extra_names.append(term)
        return found

    def trim(self) -> None:
        """Forget the outside rows and extra ids once there are more than OUTSIDE_ROWS rows."""
        if len(self.outside) > OUTSIDE_ROWS:
            self.outside.clear()
            self.extra.clear()
            self.extra_names.clear()


def build_term_matrix(texts: Sequence[str]) -> TermMatrix:
    """The tf-idf rows of `texts`, with idf fitted on these same texts."""
    index: dict[str, int] = {}
    columns: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for text in texts:
        for term, count in count_terms(text).items():
            columns.append(index.setdefault(term, len(index)))
            counts.append(count)
        indptr.append(len(columns))
    cols = np.asarray(columns, dtype=np.int64)
    df = np.bincount(cols, minlength=len(index)).astype(np.float64)
    idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
    raw = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * idf[cols]
    pointers = np.asarray(indptr, dtype=np.int64)
    owners = np.repeat(np.arange(len(texts), dtype=np.int64), np.diff(pointers))
    norms = np.sqrt(np.bincount(owners, weights=raw * raw, minlength=len(texts)))
    values = (raw / np.maximum(norms, 1e-12)[owners]).astype(np.float32)
    return TermMatrix(tuple(index), index, pointers, cols, values, idf, owners)


def term_row(text: str, space: TermMatrix) -> IdRow:
    """The unit tf-idf row of a text outside `space`, with the space's idf; a term the space
    has never seen gets the idf of document frequency 0. Kept in `space.outside`."""
    kept = space.outside.get(text)
    if kept is None:
        unseen = math.log(1.0 + space.rows) + 1.0
        row = {
            term: (1.0 + math.log(count))
            * (float(space.idf[space.index[term]]) if term in space.index else unseen)
            for term, count in count_terms(text).items()
        }
        norm = math.sqrt(sum(v * v for v in row.values())) or 1.0
        ids = np.asarray([space.term_id(term) for term in row], dtype=np.int64)
        values = np.asarray([value / norm for value in row.values()], dtype=np.float64)
        kept = space.outside[text] = IdRow(ids, values)
    return kept


def mean_columns(terms: TermMatrix, rows: IntArray) -> tuple[IntArray, npt.NDArray[np.float64]]:
    """The mean of the chosen rows as its columns (increasing) and their values."""
    if len(rows) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    starts, lengths = terms.indptr[rows], np.diff(terms.indptr)[rows]
    # positions of every chosen row's values, one row after another
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    positions = np.arange(int(lengths.sum())) + offsets
    # per vocabulary column (bincount adds in position order): no sort of the columns needed
    chosen = terms.columns[positions]
    size = len(terms.vocabulary)
    columns = np.flatnonzero(np.bincount(chosen, minlength=size))
    sums = np.bincount(chosen, weights=terms.values[positions], minlength=size)[columns]
    return columns, sums / len(rows)


def column_weights(terms: TermMatrix, weights: Mapping[str, float]) -> npt.NDArray[np.float64]:
    """The {term: weight} map as one weight per vocabulary column (0 for terms absent)."""
    lookup = np.zeros(len(terms.vocabulary), dtype=np.float64)
    for term, weight in weights.items():
        column = terms.index.get(term)
        if column is not None:
            lookup[column] = weight
    return lookup


def score_rows(terms: TermMatrix, lookup: npt.NDArray[np.float64]) -> FloatArray:
    """Each row's dot product with the column weights `lookup` (see column_weights)."""
    products = terms.values * lookup.astype(np.float32)[terms.columns]
    return np.bincount(terms.owners, weights=products, minlength=terms.rows).astype(np.float32)


def top_terms(terms: TermMatrix, i: int, lookup: npt.NDArray[np.float64], n: int) -> list[str]:
    """The n terms adding most to row i's score (value x column weight > 0), largest first,
    ties by term."""
    start, end = int(terms.indptr[i]), int(terms.indptr[i + 1])
    columns = terms.columns[start:end]
    parts = terms.values[start:end].astype(np.float64) * lookup[columns]
    kept = parts > 0  # most of a row's terms have no weight: leave them out in numpy
    positive = [(part, terms.vocabulary[c]) for part, c in zip(
        parts[kept].tolist(), columns[kept].tolist(), strict=True)]  # fmt: skip
    positive.sort(key=lambda p: (-p[0], p[1]))
    return [term for _, term in positive[:n]]
