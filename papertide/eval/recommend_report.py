"""The recommendation benchmark's report: precision@k per ranker on dev and test months, per
topic, and the gain of papertide over the best baseline with a bootstrap interval. Pure.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from statistics import fmean
from typing import Any

from papertide.eval.recommend_data import DEV, TEST, Simulation, SimUser
from papertide.eval.report import format_score, render_table

BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 7
BASELINE_PREFIXES = ("trending", "tf-idf")  # rows that papertide's rows are compared with


@dataclass(frozen=True, slots=True)
class RankerScores:
    """One ranker's precision@k for each simulated user (in the simulation's user order)."""

    name: str
    precision: tuple[float, ...]
    seconds: float


@dataclass(frozen=True, slots=True)
class RankerSummary:
    """Mean precision@k over the dev users, the test users and the test users of each topic."""

    name: str
    dev: float
    test: float
    test_by_topic: dict[str, float]
    seconds: float


@dataclass(frozen=True, slots=True)
class Gain:
    """A papertide row against the best baseline on test: the difference in mean precision@k
    and its 95% paired bootstrap interval over users."""

    ranker: str
    baseline: str
    difference: float
    low: float
    high: float

    @property
    def holds(self) -> bool:
        return self.low > 0


@dataclass(frozen=True, slots=True)
class RecommendReport:
    """The setup, one summary per ranker (in run order) and the gains of papertide's rows."""

    k: int
    users: dict[str, int]
    dev_months: tuple[str, ...]
    test_months: tuple[str, ...]
    seed: int
    rows: tuple[RankerSummary, ...]
    gains: tuple[Gain, ...]

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(sorted({t for row in self.rows for t in row.test_by_topic}))

    def table(self) -> str:
        """One aligned table: dev and test precision@k, then test per topic and seconds."""
        columns = [
            ("", "ranker"),
            (f"P@{self.k}", "dev"),
            (f"P@{self.k}", "test"),
            *((f"P@{self.k} on test, by topic", topic) for topic in self.topics),
            ("", "seconds"),
        ]
        rows = [
            [
                row.name,
                format_score(row.dev),
                format_score(row.test),
                *(format_score(row.test_by_topic.get(topic)) for topic in self.topics),
                f"{row.seconds:.1f}",
            ]
            for row in self.rows
        ]
        return render_table(columns, rows)

    @property
    def figure_holds(self) -> bool:
        """Whether every papertide row beats every baseline row in mean test precision@k."""
        ours = [r.test for r in self.rows if not is_baseline(r.name)]
        baselines = [r.test for r in self.rows if is_baseline(r.name)]
        return bool(ours and baselines) and min(ours) > max(baselines)

    def summary(self) -> str:
        """The table, the setup and each papertide row's gain over the best baseline."""
        lines = [
            self.table(),
            "",
            f"{self.users[DEV]} dev users (months {span(self.dev_months)}), "
            f"{self.users[TEST]} test users (months {span(self.test_months)}), seed {self.seed}; "
            f"relevant = papers of the user's arXiv category listed in month N+1",
        ]
        lines += [
            f"{g.ranker} - {g.baseline} on test: {g.difference:+.3f} "
            f"(95% cluster bootstrap {g.low:+.3f} to {g.high:+.3f})"
            for g in self.gains
        ]
        verdict = "holds" if self.figure_holds else "does not hold"
        lines.append(f"figure (papertide beats both baselines on test P@{self.k}): {verdict}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "figure_holds": self.figure_holds}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def summarise(simulation: Simulation, rows: Sequence[RankerScores], k: int) -> RecommendReport:
    """Means per split and topic, and each papertide row's gain over the best test baseline."""
    users = simulation.users
    summaries = tuple(summary(row, users) for row in rows)
    baselines = [r for r in rows if is_baseline(r.name)]
    gains: list[Gain] = []
    test = [i for i, u in enumerate(users) if u.split == TEST]
    if baselines and test:
        best = max(baselines, key=lambda r: fmean(r.precision[i] for i in test))
        gains = [gain(row, best, users) for row in rows if not is_baseline(row.name)]
    counts = {split: sum(1 for u in users if u.split == split) for split in (DEV, TEST)}
    return RecommendReport(
        k, counts, simulation.dev_months, simulation.test_months, simulation.seed,
        summaries, tuple(gains),
    )  # fmt: skip


def span(months: Sequence[str]) -> str:
    return f"{months[0]} to {months[-1]}" if months else "none"


def is_baseline(name: str) -> bool:
    return name.startswith(BASELINE_PREFIXES)


def summary(row: RankerScores, users: Sequence[SimUser]) -> RankerSummary:
    def mean_of(split: str, topic: str | None = None) -> float:
        values = [
            p
            for p, u in zip(row.precision, users, strict=True)
            if u.split == split and (topic is None or u.topic == topic)
        ]
        return fmean(values) if values else 0.0

    topics = sorted({u.topic for u in users if u.split == TEST})
    by_topic = {topic: mean_of(TEST, topic) for topic in topics}
    return RankerSummary(row.name, mean_of(DEV), mean_of(TEST), by_topic, row.seconds)


def gain(ours: RankerScores, baseline: RankerScores, users: Sequence[SimUser]) -> Gain:
    """Mean paired difference over the test users, with a 95% cluster bootstrap interval.

    Users of the same topic and month share their relevant papers, so their differences are
    not independent: the bootstrap resamples whole (topic, month) groups.
    """
    groups: dict[tuple[str, str], list[float]] = {}
    for i, user in enumerate(users):
        if user.split == TEST:
            difference = ours.precision[i] - baseline.precision[i]
            groups.setdefault((user.topic, user.month), []).append(difference)
    clusters = list(groups.values())
    rng = random.Random(BOOTSTRAP_SEED)
    means = []
    for _ in range(BOOTSTRAP_SAMPLES):
        drawn = [d for cluster in rng.choices(clusters, k=len(clusters)) for d in cluster]
        means.append(fmean(drawn))
    means.sort()
    low = means[int(0.025 * BOOTSTRAP_SAMPLES)]
    high = means[int(0.975 * BOOTSTRAP_SAMPLES) - 1]
    overall = fmean(d for cluster in clusters for d in cluster)
    return Gain(ours.name, baseline.name, overall, low, high)
