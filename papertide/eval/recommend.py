"""Recommendation quality (issue #5): precision@10 of simulated users' monthly digests for
trending-only, the arxiv-sanity-style tf-idf SVM and papertide's model, side by side.

Each user likes papers of one topic in month N; their digest ranks the papers listed in month
N+1; a digest paper is relevant when it is in the user's topic. recommend_data.py builds the
users; this module ranks and scores. Loads no model and prints nothing (the CLI does).
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from papertide.eval.baselines import TfidfSvmConfig, import_sklearn, make_vectorizer
from papertide.eval.recommend_data import (
    ArchivePaper,
    Simulation,
    SimUser,
    load_archive,
    simulate,
)
from papertide.eval.recommend_report import RankerScores, RecommendReport, summarise
from papertide.index.embed import Embedder, Vectors, paper_text
from papertide.models import PaperSignals
from papertide.rank.pool import prepare_pool
from papertide.rank.recommend import (
    Candidate,
    CandidatePool,
    Feedback,
    RecommendParams,
    prepare_candidates,
    recommend,
    train_profile,
)
from papertide.rank.trending import rank_trending

DIGEST_SIZE = 10
# arxiv-sanity-lite's default C (serve.py: svm_c = 0.01); on the dev months it also beat
# C = 0.1 (0.641) and C = 1 (0.623), docs/recommend.md
SVM_C = 0.01
TRENDING_NAME = "trending only"
SVM_NAME = "tf-idf SVM (arxiv-sanity style)"
OURS_NAME = "papertide"
STATIC_ROW = "papertide (static vectors)"
CONTEXTUAL_ROW = "papertide (contextual vectors)"

Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Period:
    """A digest period: the papers of month N (what users rated) and of month N+1 (the
    candidates)."""

    month: str
    next_month: str
    history: tuple[ArchivePaper, ...]
    candidates: tuple[ArchivePaper, ...]


class DigestRanker(Protocol):
    """Ranks a period's candidates for one user."""

    @property
    def name(self) -> str: ...

    def rank(self, user: SimUser, period: Period, k: int) -> list[str]:
        """Up to k candidate ids, best first."""
        ...


class TrendingDigest:
    """Everyone gets the same digest: the period's papers by papertide's trending score, as
    of the end of month N+1 (imported upvotes and comments; no vote times are known)."""

    name = TRENDING_NAME

    def __init__(self) -> None:
        self._ranked: dict[str, list[str]] = {}

    def rank(self, user: SimUser, period: Period, k: int) -> list[str]:
        del user  # not personal
        if period.next_month not in self._ranked:
            signals = [
                PaperSignals(p.id, p.categories[0], p.listed_at, p.upvotes, (), p.comments)
                for p in period.candidates
            ]
            now = month_end(period.next_month)
            self._ranked[period.next_month] = [s.paper_id for s in rank_trending(signals, now)]
        return self._ranked[period.next_month][:k]


class SvmDigest:
    """arxiv-sanity's svm_rank (karpathy/arxiv-sanity-lite, serve.py): tf-idf over every paper
    it knows (months N and N+1), a LinearSVC with the user's likes as positives and every other
    paper as a negative (arxiv-sanity has no dislikes), candidates by decision value."""

    name = SVM_NAME

    def __init__(self, c: float = SVM_C) -> None:
        self.c = c
        self._fitted: dict[str, tuple[list[str], Any]] = {}

    def rank(self, user: SimUser, period: Period, k: int) -> list[str]:
        ids, rows = self._rows(period)
        liked = set(user.likes)
        labels = np.asarray([1 if i in liked else 0 for i in ids])
        svm_module, _ = import_sklearn()
        svm = svm_module.LinearSVC(
            C=self.c, class_weight="balanced", max_iter=10_000, tol=1e-6, dual=True
        )
        scores = svm.fit(rows, labels).decision_function(rows)
        first = len(period.history)
        order = np.argsort(-scores[first:], kind="stable")[:k]
        return [ids[first + i] for i in order.tolist()]

    def _rows(self, period: Period) -> tuple[list[str], Any]:
        if period.month not in self._fitted:
            papers = [*period.history, *period.candidates]
            vectorizer = make_vectorizer(TfidfSvmConfig())
            rows = vectorizer.fit_transform([f"{p.title} {p.abstract}" for p in papers])
            self._fitted = {period.month: ([p.id for p in papers], rows.astype(np.float64))}
        return self._fitted[period.month]


class PapertideDigest:
    """papertide's model: a profile trained on the user's likes and dislikes, then `recommend`
    over the candidates. The background is the papers of both months, as when the digest
    sender trains at sending time; `history_only` keeps month N's alone (the papers known
    before the period)."""

    def __init__(
        self,
        vectors: Mapping[str, Vectors],
        name: str = OURS_NAME,
        params: RecommendParams | None = None,
        seed: int = 0,
        history_only: bool = False,
    ) -> None:
        self.vectors = vectors
        self.name = name
        self.params = params or RecommendParams()
        self.seed = seed
        self.history_only = history_only
        self._periods: dict[str, tuple[dict[str, Candidate], CandidatePool, CandidatePool]] = {}

    def rank(self, user: SimUser, period: Period, k: int) -> list[str]:
        history, background, pool = self._prepared(period)
        feedback = [Feedback(p, "up") for p in user.likes]
        feedback += [Feedback(p, "down") for p in user.dislikes]
        rng = random.Random(f"{self.seed}/{user.id}")
        profile = train_profile(feedback, history, (), background, rng=rng, params=self.params)
        return [r.paper_id for r in recommend(profile, pool, k, params=self.params)]

    def _prepared(
        self, period: Period
    ) -> tuple[dict[str, Candidate], CandidatePool, CandidatePool]:
        if period.month not in self._periods:
            history = {p.id: self.candidate(p) for p in period.history}
            upcoming = [self.candidate(p) for p in period.candidates]
            background = prepare_pool([*history.values(), *([] if self.history_only else upcoming)])
            pool = prepare_candidates(upcoming, self.params)
            self._periods = {period.month: (history, background, pool)}
        return self._periods[period.month]

    def candidate(self, paper: ArchivePaper) -> Candidate:
        """No categories: the topics are categories, and no ranker may read the answer."""
        return Candidate(paper.id, self.vectors[paper.id], paper_text(paper.title, paper.abstract))


def compare_recommenders(
    data_dir: Path,
    embedders: Mapping[str, Embedder],
    log: Log | None = None,
    simulation: Simulation | None = None,
) -> RecommendReport:
    """Load the archive, simulate the users and run trending, the SVM baseline and papertide
    once per embedder (`embedders` maps a row name to its embedder), in one report."""
    say = log or (lambda _: None)
    simulation = simulation or simulate(load_archive(data_dir))
    say(f"{len(simulation.users)} simulated users over {len(simulation.papers)} months")
    rankers: list[DigestRanker] = [TrendingDigest(), SvmDigest()]
    for name, embedder in embedders.items():
        say(f"embedding {sum(map(len, simulation.papers.values()))} papers with {name}")
        rankers.append(PapertideDigest(embed_archive(simulation, embedder), name))
    return run_recommend_eval(simulation, rankers, log=say)


def one_blas_thread() -> AbstractContextManager[object]:
    """One BLAS thread while the per-user models fit: their small products and solves ran 3x
    slower with OpenBLAS's two threads on a busy machine. threadpoolctl comes with the
    `eval` extra (scikit-learn needs it); without it, nothing changes."""
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:
        return nullcontext()
    limits: AbstractContextManager[object] = threadpool_limits(limits=1, user_api="blas")
    return limits


def embed_archive(simulation: Simulation, embedder: Embedder) -> dict[str, Vectors]:
    """Every kept paper's vector, embedded from paper_text(title, abstract)."""
    papers = [p for month in simulation.papers.values() for p in month]
    matrix = embedder.embed([paper_text(p.title, p.abstract) for p in papers])
    return {p.id: matrix[i] for i, p in enumerate(papers)}


def run_recommend_eval(
    simulation: Simulation,
    rankers: Sequence[DigestRanker],
    k: int = DIGEST_SIZE,
    log: Log | None = None,
) -> RecommendReport:
    """Every ranker's precision@k for every user; the report puts them side by side."""
    say = log or (lambda _: None)
    periods = make_periods(simulation)
    rows = []
    for ranker in rankers:
        started = time.perf_counter()
        with one_blas_thread():
            precision = [
                precision_at_k(ranker.rank(user, periods[user.month], k), user, k)
                for user in simulation.users
            ]
        seconds = time.perf_counter() - started
        rows.append(RankerScores(ranker.name, tuple(precision), round(seconds, 2)))
        say(f"{ranker.name}: {seconds:.1f} s")
    return summarise(simulation, tuple(rows), k)


def precision_at_k(ranking: Sequence[str], user: SimUser, k: int) -> float:
    """The share of the first k ranked papers that are relevant (k in the denominator)."""
    if len(ranking) > k or len(set(ranking)) != len(ranking):
        raise ValueError(f"a ranking for {user.id} repeats papers or exceeds {k}")
    return sum(1 for paper in ranking if paper in user.relevant) / k


def make_periods(simulation: Simulation) -> dict[str, Period]:
    """Each month with a following month, keyed by the first month."""
    months = sorted(simulation.papers)
    return {
        month: Period(month, following, simulation.papers[month], simulation.papers[following])
        for month, following in itertools.pairwise(months)
    }


def month_end(month: str) -> datetime:
    """Midnight UTC at the start of the month after `month` ("YYYY-MM")."""
    year, number = map(int, month.split("-"))
    return datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
