"""The arxiv-sanity-style baseline, written for papertide: tf-idf plus a one-positive linear SVM.

After Karpathy's arxiv-sanity (github.com/karpathy/arxiv-sanity-lite, compute.py and
serve.py:svm_rank): tf-idf over word unigrams and bigrams with sublinear tf (1 + log tf) and
l2 norm; per query a LinearSVC (class_weight "balanced", C = 0.1 as arxiv-sanity-preserver
used) trained with the query as the single positive and every candidate as a negative;
candidates ranked by the SVM's decision function. Needs the `eval` extra (scikit-learn).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from papertide.errors import PapertideError
from papertide.eval.base import EvalDoc, EvalQuery

POOL_CACHE_SIZE = 64  # fitted pools kept per ranker; CSFCube has 50 pools, Daily Papers one
# arxiv-sanity's token pattern: words of 2+ characters that start with a letter or underscore
TOKEN_PATTERN = r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b"
SVM_MAX_ITER = 10_000
SVM_TOL = 1e-6  # as arxiv-sanity; the one positive needs a tight solution to be ranked well

QueryField = Literal["text", "paper"]


class ExtraMissingError(PapertideError):
    """An optional dependency group is not installed."""


@dataclass(frozen=True, slots=True)
class TfidfSvmConfig:
    """Settings of the baseline.

    `query_field` picks the positive: "text" is the query text (a CSFCube query's facet
    sentences, a title), "paper" is the query paper's title and whole abstract when the query
    is a paper, else its text. "paper" is the default because it won on the CSFCube dev fold
    (fold1_dev nDCG@20 0.511 against 0.421 for the facet sentences, C = 0.1, stop words
    removed; C = 0.01 scored 0.512, C = 1 0.496). tf-idf statistics come from the query's
    candidate pool, fitted once per pool (arxiv-sanity fits them on its whole corpus, which
    here is the pool).
    """

    c: float = 0.1
    query_field: QueryField = "paper"
    max_ngram: int = 2
    min_df: int = 1
    stop_words: bool = True


@dataclass(frozen=True, slots=True)
class FittedPool:
    """A pool's ids, its fitted vectorizer and its tf-idf rows (float64, as liblinear wants)."""

    ids: tuple[str, ...]
    vectorizer: Any
    rows: Any


class TfidfSvmRanker:
    """Ranks candidates by a linear SVM trained on the query against the candidates."""

    def __init__(
        self,
        config: TfidfSvmConfig | None = None,
        name: str = "tfidf-svm",
        cache_size: int = POOL_CACHE_SIZE,
    ) -> None:
        self.config = config or TfidfSvmConfig()
        self.name = name
        self.cache_size = cache_size
        self._pools: OrderedDict[tuple[str, ...], FittedPool] = OrderedDict()

    @property
    def cached_pools(self) -> int:
        """How many fitted pools are kept (least recently used ones are dropped first)."""
        return len(self._pools)

    def rank(self, query: EvalQuery, candidates: Sequence[EvalDoc], k: int) -> list[str]:
        """The candidates' ids by decreasing SVM score (ties keep the candidates' order)."""
        pool = self._fitted(candidates)
        positive = pool.vectorizer.transform([positive_text(query, self.config.query_field)])
        if positive.nnz == 0:  # no word in common with the pool: nothing to learn from
            return list(pool.ids[:k])
        scores = svm_scores(positive.astype(np.float64), pool.rows, self.config.c)
        order = np.argsort(-scores, kind="stable")
        return [pool.ids[i] for i in order[:k]]

    def _fitted(self, candidates: Sequence[EvalDoc]) -> FittedPool:
        key = tuple(doc.id for doc in candidates)
        if key in self._pools:
            self._pools.move_to_end(key)
            return self._pools[key]
        vectorizer = make_vectorizer(self.config)
        rows = vectorizer.fit_transform([doc_text(doc) for doc in candidates])
        fitted = FittedPool(key, vectorizer, rows.astype(np.float64).tocsr())
        self._pools[key] = fitted
        if len(self._pools) > self.cache_size:
            self._pools.popitem(last=False)
        return fitted


def svm_scores(positive: Any, negatives: Any, c: float) -> npt.NDArray[np.float64]:
    """Decision values on `negatives` of a LinearSVC trained on one positive row vs them."""
    svm_module, sparse = import_sklearn()
    labels = np.zeros(negatives.shape[0] + 1)
    labels[0] = 1
    svm = svm_module.LinearSVC(
        C=c, class_weight="balanced", max_iter=SVM_MAX_ITER, tol=SVM_TOL, dual=True
    )
    svm.fit(sparse.vstack([positive, negatives], format="csr"), labels)
    return np.asarray(svm.decision_function(negatives), dtype=np.float64)


def make_vectorizer(config: TfidfSvmConfig) -> Any:
    """A TfidfVectorizer set up as arxiv-sanity's (minus its corpus-size document cut-offs)."""
    import_sklearn()
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    return TfidfVectorizer(
        strip_accents="unicode",
        lowercase=True,
        analyzer="word",
        stop_words="english" if config.stop_words else None,
        token_pattern=TOKEN_PATTERN,
        ngram_range=(1, config.max_ngram),
        min_df=config.min_df,
        norm="l2",
        use_idf=True,
        smooth_idf=True,
        sublinear_tf=True,
        dtype=np.float32,
    )


def import_sklearn() -> tuple[Any, Any]:
    """sklearn.svm and scipy.sparse, or an error saying which extra to install."""
    try:
        from scipy import sparse  # type: ignore[import-untyped]
        from sklearn import svm  # type: ignore[import-untyped]
    except ImportError as error:
        raise ExtraMissingError(
            "the tf-idf baseline needs scikit-learn: pip install 'papertide[eval]'"
        ) from error
    return svm, sparse


def positive_text(query: EvalQuery, field: QueryField) -> str:
    """The text the SVM learns as its positive example."""
    if field == "paper" and query.paper is not None:
        return doc_text(query.paper)
    return query.text


def doc_text(doc: EvalDoc) -> str:
    """Title and abstract as one text (arxiv-sanity also adds authors, which we do not have)."""
    return f"{doc.title} {doc.abstract}".strip()
