"""TrendingService: load the window's signals from the store and rank them with trending.py.

The thin shell around the pure formula: time comes from the clock, data from the store.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Protocol

from papertide.clock import Clock
from papertide.errors import InputError
from papertide.models import PaperSignals
from papertide.rank.trending import (
    TRENDING_WINDOW_DAYS,
    TrendingParams,
    TrendingScore,
    rank_trending,
)

TRENDING_MAX_DAYS = 365
TRENDING_MAX_LIMIT = 1000


class SignalStore(Protocol):
    """The one store method trending needs (Store has it)."""

    def trending_signals(self, since: date, until: date) -> list[PaperSignals]: ...


class TrendingService:
    """Trending papers over the last `days` listing days (today, UTC, included)."""

    def __init__(
        self, store: SignalStore, clock: Clock, params: TrendingParams | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.params = params or TrendingParams()

    def top(
        self, limit: int = 50, category: str | None = None, days: int = TRENDING_WINDOW_DAYS
    ) -> list[TrendingScore]:
        """The best `limit` papers, best first; `category` keeps papers whose primary category
        it is. Scores are the same as on the unfiltered page (categories are normalised over
        the whole window), so a category page is a filter of the main one."""
        if not 1 <= limit <= TRENDING_MAX_LIMIT:
            raise InputError(f"limit must be between 1 and {TRENDING_MAX_LIMIT}, not {limit}")
        signals = self._signals(days)
        ranked = rank_trending(signals, self.clock.now(), self.params)
        if category is not None:
            wanted = {s.paper_id for s in signals if s.primary_category == category}
            ranked = [score for score in ranked if score.paper_id in wanted]
        return ranked[:limit]

    def explain(self, paper_id: str) -> TrendingScore | None:
        """The paper's score and its parts on the default trending page; None when the paper
        was not listed in that window."""
        ranked = rank_trending(self._signals(TRENDING_WINDOW_DAYS), self.clock.now(), self.params)
        return next((score for score in ranked if score.paper_id == paper_id), None)

    def _signals(self, days: int) -> list[PaperSignals]:
        if not 1 <= days <= TRENDING_MAX_DAYS:
            raise InputError(f"days must be between 1 and {TRENDING_MAX_DAYS}, not {days}")
        until = self.clock.now().astimezone(UTC).date()
        return self.store.trending_signals(until - timedelta(days=days - 1), until)
