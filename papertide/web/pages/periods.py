"""Days, ISO weeks and months as the pages name them (2026-01-05, 2026-W02, 2026-01), the month
calendar and the "new" badge. Pure: strings and dates in, dates out; bad text raises InputError.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from papertide.errors import InputError

MIN_YEAR = 1900
MAX_YEAR = 2999
NEW_BADGE_S = 24 * 3600
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive range of days with its name and its neighbours' names."""

    kind: str  # "day", "week" or "month"
    label: str
    first: date
    last: date
    previous: str | None
    next: str | None


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    in_month: bool
    listed: int  # papers listed that day (0: no link)


def parse_day(text: str) -> date:
    """2026-01-05 -> date; InputError for anything else or a year outside MIN_YEAR..MAX_YEAR."""
    match = _DAY.fullmatch(text)
    if match is None:
        raise InputError(f"a day looks like 2026-01-05, not {text[:40]!r}")
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InputError(f"{text} is not a date") from None
    return _in_range(day, text)


def parse_week(text: str) -> Period:
    """2026-W02 -> the ISO week, Monday to Sunday."""
    match = _WEEK.fullmatch(text)
    if match is None:
        raise InputError(f"a week looks like 2026-W02, not {text[:40]!r}")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise InputError(f"{text} is not an ISO week") from None
    return week_of(_in_range(monday, text))


def parse_month(text: str) -> Period:
    """2026-01 -> the calendar month."""
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise InputError(f"a month looks like 2026-01, not {text[:40]!r}")
    return month_of(_in_range(date(int(match[1]), int(match[2]), 1), text))


def week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    sunday = monday + timedelta(days=6)
    return Period(
        "week",
        week_label(monday),
        monday,
        sunday,
        _label_if_in_range(monday - timedelta(days=7), week_label),
        _label_if_in_range(monday + timedelta(days=7), week_label),
    )


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return Period(
        "month",
        month_label(first),
        first,
        last,
        _label_if_in_range(first - timedelta(days=1), month_label),
        _label_if_in_range(last + timedelta(days=1), month_label),
    )


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_label(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def month_calendar(first: date, listed: dict[date, int]) -> list[list[CalendarDay]]:
    """The weeks (Monday first) of `first`'s month, each day with its listing count."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [
        [CalendarDay(day, day.month == first.month, listed.get(day, 0)) for day in week]
        for week in weeks
    ]


def listed_at(day: date, submitted_at: datetime | None) -> datetime:
    """When a paper appeared on a daily page: its submission time, else the day's start (UTC)."""
    return submitted_at or datetime.combine(day, time(0, 0), tzinfo=UTC)


def is_new(day: date, submitted_at: datetime | None, now: datetime) -> bool:
    """Listed within the last 24 hours of `now` (the "new" badge)."""
    age = (now - listed_at(day, submitted_at)).total_seconds()
    return 0 <= age < NEW_BADGE_S


def is_in_range(day: date) -> bool:
    return MIN_YEAR <= day.year <= MAX_YEAR


def _in_range(day: date, text: str) -> date:
    if not is_in_range(day):
        raise InputError(f"{text}: only years {MIN_YEAR} to {MAX_YEAR} are shown")
    return day


def _label_if_in_range(day: date, label: Callable[[date], str]) -> str | None:
    return label(day) if is_in_range(day) else None
