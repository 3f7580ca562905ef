"""ListingsService: the one answer, for every surface, to what the daily lists show.

It owns which day is "the daily" and how old it is, what a day, week or month lists (each paper
once, in one sort vocabulary), trending over a window of listings and votes with one fallback
rule, and category filters. The HTML pages, the JSON API, the feeds, the MCP tools, the CLI and
the digests all ask it; none decides these on its own. Built once in wiring.py.

The rules (docs/trending.md has the formula):
- The daily is the latest listed day on or before today, unless that day is still filling: a
  day with fewer than THIN_DAY_SHARE of the papers its preceding listed days typically had (one
  submission on a day without a list) is offered as a link, not shown in place of the list.
- A period lists each paper once, at its newest listing in the period; ties in any sort keep
  that order (newest day first, then page position).
- Trending scores the papers listed from `days` before the daily up to today. When the daily is
  older than the window (listings stopped, as in the demo), the scores are as they stood at the
  end of the daily's day; one new submission never shrinks the window to itself.
- A paper is new for 24 hours after its first listing ever: listed again, it is not new.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, Protocol

from papertide.clock import Clock
from papertide.errors import InputError
from papertide.models import Listing, Paper, PaperSignals
from papertide.rank.trending import (
    TRENDING_WINDOW_DAYS,
    TrendingParams,
    TrendingScore,
    rank_trending,
)

Sort = Literal["trending", "upvotes", "newest"]
SORTS: tuple[Sort, ...] = ("trending", "upvotes", "newest")
TRENDING_MAX_DAYS = 365
TRENDING_MAX_LIMIT = 1000
THIN_DAY_SHARE = 0.5  # a day with fewer papers than this share of a typical day is filling
TYPICAL_DAYS = 7  # listed days before a day that say how many papers a day has
LOOKBACK_DAYS = 31  # days read from the store at a time to find them
NEAR_DAYS = 14  # days read first: most days are decided by about ten listed days before them
NEW_BADGE_S = 24 * 3600
_OLDEST = datetime.min.replace(tzinfo=UTC)
_DAY = timedelta(days=1)


class ListingStore(Protocol):
    """The store methods the listings need (Store has them)."""

    def latest_listing_day(self, on_or_before: date | None = None) -> date | None: ...

    def listing_days(self, since: date, until: date) -> list[tuple[date, int]]: ...

    def listing_rows_between(self, since: date, until: date) -> list[tuple[Listing, Paper]]: ...

    def listings_between(self, since: date, until: date) -> list[tuple[Listing, Paper]]: ...

    def trending_signals(self, since: date, until: date) -> list[PaperSignals]: ...

    def upvotes(self, paper_ids: Sequence[str]) -> dict[str, int]: ...


@dataclass(frozen=True, slots=True)
class DailyDay:
    """The day a daily list shows; `filling` are newer days still too thin to replace it."""

    day: date | None  # None: nothing was ever listed
    today: date
    asked: date | None = None
    filling: tuple[tuple[date, int], ...] = ()  # (day, papers so far), newest first

    @property
    def age_days(self) -> int | None:
        """How many days before today the shown list is (0: today's)."""
        return None if self.day is None else (self.today - self.day).days


@dataclass(frozen=True, slots=True)
class Listed:
    """One paper of a listing period with what every surface shows and sorts it by."""

    listing: Listing
    paper: Paper
    upvotes: int
    first_listed: datetime  # its first listing ever (never later than this listing)
    score: TrendingScore | None  # trending now among the period's papers (sort="trending")
    is_new: bool  # first listed within the last 24 hours


@dataclass(frozen=True, slots=True)
class Trending:
    """Trending papers best first, the listing days they were taken from, and `as_of`: the
    day the scores stand at when the listings stopped before the window (else None: now)."""

    scores: list[TrendingScore]
    first: date
    last: date
    as_of: date | None


def check_sort(sort: str) -> Sort:
    """A sort of the vocabulary (Hugging Face's `publishedAt` is `newest`); InputError else."""
    wanted = "newest" if sort == "publishedAt" else sort
    for name in SORTS:
        if wanted == name:
            return name
    raise InputError(f"sort must be one of {', '.join(SORTS)}, not {sort[:40]!r}")


def in_category(primary: str | None, category: str | None) -> bool:
    """Whether a paper of this primary category passes the filter: cs.CL keeps cs.CL, an
    archive (cs) keeps all of its categories, None keeps everything."""
    if category is None:
        return True
    if primary is None:
        return False
    return primary == category or ("." not in category and primary.split(".")[0] == category)


class ListingsService:
    """The daily, periods and trending over one store; times come from the clock."""

    def __init__(
        self, store: ListingStore, clock: Clock, params: TrendingParams | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.params = params or TrendingParams()

    def today(self) -> date:
        return self.clock.now().astimezone(UTC).date()

    def newest_day(self) -> date | None:
        """The newest listed day, even one after today (a clock behind the data)."""
        return self.store.latest_listing_day()

    def daily(self, asked: date | None = None) -> DailyDay:
        """The daily as of `asked` (default today): that day when it has a list, else the
        latest listed day before it, skipping days still filling (see the module's rules)."""
        today = self.today()
        latest = self.store.latest_listing_day(asked or today)
        if latest is None:
            return DailyDay(None, today, asked)
        if latest == asked:
            return DailyDay(latest, today, asked)
        # most days are not filling: the latest and its typical days, read first, tell
        if not _thin(self._listed_days(latest, TYPICAL_DAYS + 1, NEAR_DAYS), 0):
            return DailyDay(latest, today, asked)
        days = self._listed_days(latest, 2 * TYPICAL_DAYS, LOOKBACK_DAYS)
        filling: list[tuple[date, int]] = []
        for index, (day, papers) in enumerate(days):
            if not _thin(days, index):
                return DailyDay(day, today, asked, tuple(filling))
            filling.append((day, papers))
        return DailyDay(latest, today, asked)  # every day thin: unreachable, the last has none

    def _listed_days(self, latest: date, at_least: int, span: int) -> list[tuple[date, int]]:
        """The listed days up to `latest` with their paper counts, newest first: at least
        `at_least` of them when the store has that many, however far apart they are, read
        `span` days at a time."""
        days = self.store.listing_days(latest - timedelta(days=span), latest)
        while len(days) < at_least:
            earlier = self.store.latest_listing_day(days[-1][0] - _DAY)
            if earlier is None:
                break
            days += self.store.listing_days(earlier - timedelta(days=span), earlier)
        return days

    def period(
        self,
        first: date,
        last: date,
        sort: str | None = "upvotes",
        category: str | None = None,
        brief: bool = False,
    ) -> list[Listed]:
        """The papers listed from `first` to `last`, each once (its newest listing there),
        in `sort` order (None: as listed, newest day first, then page order); `category`
        keeps one primary category or archive; `brief`: each paper only as a list row
        shows it (see the store's listing_rows_between), for the HTML lists."""
        order = None if sort is None else check_sort(sort)
        read = self.store.listing_rows_between if brief else self.store.listings_between
        seen: set[str] = set()
        pairs = []
        for listing, paper in read(first, last):
            if paper.id not in seen and in_category(paper.primary_category, category):
                seen.add(paper.id)
                pairs.append((listing, paper))
        if not pairs:
            return []
        now = self.clock.now()
        # the signals give scores and first listings: needed to sort by trending, or to tell
        # whether a listing of the last 24 hours is a paper's first (else none can be new)
        recent = any(_age_s(now, _listed_at(listing)) < NEW_BADGE_S for listing, _ in pairs)
        signals: dict[str, PaperSignals] = {}
        if order == "trending" or recent:
            signals = {s.paper_id: s for s in self.store.trending_signals(first, last)}
        scores = {s.paper_id: s for s in rank_trending(list(signals.values()), now, self.params)}
        upvotes = self.store.upvotes([paper.id for _, paper in pairs])
        rows = []
        for listing, paper in pairs:
            signal = signals.get(paper.id)
            first_listed = signal.listed_at if signal else _listed_at(listing)
            rows.append(
                Listed(
                    listing=listing,
                    paper=paper,
                    upvotes=upvotes.get(paper.id, 0),
                    first_listed=first_listed,
                    score=scores.get(paper.id),
                    is_new=0 <= _age_s(now, first_listed) < NEW_BADGE_S,
                )
            )
        return rows if order is None else _sorted(rows, order)

    def trending(
        self, limit: int = 50, category: str | None = None, days: int = TRENDING_WINDOW_DAYS
    ) -> Trending:
        """The best `limit` papers of the window, best first. Scores are those of the
        unfiltered list (categories are normalised over the whole window), so a category's
        list is a filter of the main one."""
        if not 1 <= limit <= TRENDING_MAX_LIMIT:
            raise InputError(f"limit must be between 1 and {TRENDING_MAX_LIMIT}, not {limit}")
        if not 1 <= days <= TRENDING_MAX_DAYS:
            raise InputError(f"days must be between 1 and {TRENDING_MAX_DAYS}, not {days}")
        today = self.today()
        anchor = self.daily().day or today
        first = min(anchor, today) - timedelta(days=days - 1)
        live = anchor > today - timedelta(days=days)
        moment = self.clock.now() if live else datetime.combine(anchor, time(0), UTC) + _DAY
        signals = self.store.trending_signals(first, today)
        ranked = rank_trending(signals, moment, self.params)
        wanted = {s.paper_id for s in signals if in_category(s.primary_category, category)}
        scores = [score for score in ranked if score.paper_id in wanted][:limit]
        return Trending(scores, first, today, None if live else anchor)

    def explain(self, paper_id: str) -> TrendingScore | None:
        """The paper's score and its parts on the default trending list; None when it is not
        on that list's window."""
        ranked = self.trending(limit=TRENDING_MAX_LIMIT).scores
        return next((score for score in ranked if score.paper_id == paper_id), None)


def _thin(days: Sequence[tuple[date, int]], index: int) -> bool:
    """Whether listed day `index` of these (newest first) is still filling: fewer papers than
    THIN_DAY_SHARE of the median of the TYPICAL_DAYS listed days before it (none: not thin)."""
    before = [count for _, count in days[index + 1 : index + 1 + TYPICAL_DAYS]]
    return bool(before) and days[index][1] < THIN_DAY_SHARE * statistics.median(before)


def _age_s(now: datetime, then: datetime) -> float:
    return (now - then).total_seconds()


def _listed_at(listing: Listing) -> datetime:
    return listing.submitted_at or datetime.combine(listing.day, time(0), UTC)


def _sorted(rows: list[Listed], sort: Sort) -> list[Listed]:
    """Best first by `sort`; ties keep the order the rows came in."""
    if sort == "trending":
        return sorted(rows, key=lambda row: -(row.score.score if row.score else float("-inf")))
    if sort == "upvotes":
        return sorted(rows, key=lambda row: -row.upvotes)
    return sorted(rows, key=_newness, reverse=True)


def _newness(row: Listed) -> tuple[date, datetime, datetime]:
    listing = row.listing
    return (listing.day, listing.submitted_at or _OLDEST, row.paper.published or _OLDEST)
