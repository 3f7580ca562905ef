"""Trending: score recently listed papers from votes, their timing, age and comments. Pure.

No I/O and no clock: the caller passes `now` and the signals (see rank/service.py). The formula,
its constants and their measured validation are in docs/trending.md (bench/trending.py).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from papertide.models import PaperSignals

TRENDING_WINDOW_DAYS = 7
HOUR_S = 3600.0
PART_NAMES = ("votes", "velocity", "comments", "age_decay", "category_norm")


@dataclass(frozen=True, slots=True)
class TrendingParams:
    """The constants of the trending formula; docs/trending.md says why each has its value.

    score = (votes + velocity + comments) * age_decay * category_norm, where
    - votes = upvotes (imported + local), each counting 1;
    - velocity = velocity_bonus * sum over votes of 2^(-vote_age_h / velocity_half_life_h)
      (imported votes carry no time: they count as cast when the paper was listed);
    - comments = comment_weight * comments;
    - age_decay = (listing_age_h + age_offset_h)^(-gravity), Hacker News' gravity;
    - category_norm = scale^(-category_strength), scale = max(category_floor, median activity
      of the paper's primary category, with category_prior_papers pseudo-papers at the floor).
    """

    gravity: float = 0.2
    age_offset_h: float = 2.0
    velocity_bonus: float = 2.0
    velocity_half_life_h: float = 3.0
    comment_weight: float = 0.25
    category_strength: float = 0.5
    category_floor: float = 3.0
    category_prior_papers: int = 1

    def __post_init__(self) -> None:
        if min(self.gravity, self.velocity_bonus, self.comment_weight) < 0:
            raise ValueError("gravity, velocity_bonus and comment_weight must be >= 0")
        if self.age_offset_h <= 0 or self.velocity_half_life_h <= 0 or self.category_floor <= 0:
            raise ValueError("age_offset_h, velocity_half_life_h and category_floor must be > 0")
        if not 0 <= self.category_strength <= 1:
            # above 1 a paper could lose score by gaining votes (it raises its own median)
            raise ValueError("category_strength must be within [0, 1]")
        if self.category_prior_papers < 0:
            raise ValueError("category_prior_papers must be >= 0")


@dataclass(frozen=True, slots=True)
class TrendingScore:
    """A paper's trending score and its named parts; combine_parts(parts) == score exactly."""

    paper_id: str
    score: float
    parts: tuple[tuple[str, float], ...]


def combine_parts(parts: Sequence[tuple[str, float]]) -> float:
    """The score the parts make: (votes + velocity + comments) * age_decay * category_norm."""
    part = dict(parts)
    return (
        (part["votes"] + part["velocity"] + part["comments"])
        * part["age_decay"]
        * (part["category_norm"])
    )


def rank_trending(
    signals: Sequence[PaperSignals], now: datetime, params: TrendingParams = TrendingParams()
) -> list[TrendingScore]:
    """Score every paper and return them best first.

    Ties (e.g. papers without votes) go to the more recently listed paper, then by paper id,
    so the order is deterministic. Times in the future count as `now`.
    """
    activities = [_activity(signal, now, params) for signal in signals]
    norms = _category_norms(signals, [sum(a) for a in activities], params)
    ranked = []
    for signal, (votes, velocity, comments) in zip(signals, activities, strict=True):
        parts = (
            ("votes", votes),
            ("velocity", velocity),
            ("comments", comments),
            ("age_decay", age_decay(_hours(now, signal.listed_at), params)),
            ("category_norm", norms[signal.primary_category]),
        )
        score = TrendingScore(signal.paper_id, combine_parts(parts), parts)
        ranked.append((score, signal.listed_at))
    ranked.sort(key=lambda pair: (-pair[0].score, -pair[1].timestamp(), pair[0].paper_id))
    return [score for score, _ in ranked]


def age_decay(age_h: float, params: TrendingParams) -> float:
    """(T + 2)^-G from Hacker News' news.arc, T in hours.

    Source: A. Salihefendic, "How Hacker News ranking algorithm works" (2010),
    https://medium.com/hacking-and-gonzo/how-hacker-news-ranking-algorithm-works-1d9b0cf2c08d
    (score = (P - 1) / (T + 2)^G with G = 1.8 there; our G is tuned on Daily Papers).
    """
    return float((age_h + params.age_offset_h) ** -params.gravity)


def _activity(
    signal: PaperSignals, now: datetime, params: TrendingParams
) -> tuple[float, float, float]:
    """(votes, velocity, comments) before age decay; each vote's bonus halves every half-life."""
    half_life = params.velocity_half_life_h
    listed_weight = 2.0 ** (-_hours(now, signal.listed_at) / half_life)
    fresh = signal.imported_upvotes * listed_weight
    fresh += sum(2.0 ** (-_hours(now, voted_at) / half_life) for voted_at in signal.vote_times)
    votes = float(signal.imported_upvotes + len(signal.vote_times))
    return votes, params.velocity_bonus * fresh, params.comment_weight * signal.comments


def _category_norms(
    signals: Sequence[PaperSignals], activities: Sequence[float], params: TrendingParams
) -> dict[str | None, float]:
    """scale^-strength per primary category (None is a category too).

    The scale is the median activity of the category's papers in the window, so a paper is
    compared with its own field: a quiet field's best paper can beat a busy field's average.
    `category_prior_papers` pseudo-papers at the floor join each median, so that a lone paper
    is not its own yardstick; the floor keeps a field where nobody votes from turning one
    vote into a huge ratio (and a median of 0 from dividing by zero).
    """
    members: dict[str | None, list[float]] = {}
    for signal, activity in zip(signals, activities, strict=True):
        members.setdefault(signal.primary_category, []).append(activity)
    prior = [params.category_floor] * params.category_prior_papers
    norms = {}
    for category, values in members.items():
        scale = max(params.category_floor, statistics.median(values + prior))
        norms[category] = float(scale**-params.category_strength)
    return norms


def _hours(now: datetime, then: datetime) -> float:
    return max(0.0, (now - then).total_seconds() / HOUR_S)
