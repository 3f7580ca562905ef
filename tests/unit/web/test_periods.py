"""Days, ISO weeks and months as the pages name them, the calendar and the "new" badge."""

from datetime import UTC, date, datetime, timedelta

import pytest

from papertide.errors import InputError
from papertide.web.pages.periods import (
    is_new,
    listed_at,
    month_calendar,
    parse_day,
    parse_month,
    parse_week,
    week_of,
)


def test_parse_day_reads_iso_dates():
    assert parse_day("2026-01-05") == date(2026, 1, 5)


@pytest.mark.parametrize("text", ["2026-1-5", "2026-02-30", "tomorrow", "0001-01-01", "9999-12-31"])
def test_parse_day_refuses_bad_or_out_of_range_dates(text: str):
    with pytest.raises(InputError):
        parse_day(text)


def test_parse_week_gives_monday_to_sunday_and_neighbours():
    week = parse_week("2026-W01")
    assert (week.first, week.last) == (date(2025, 12, 29), date(2026, 1, 4))
    assert (week.previous, week.next) == ("2025-W52", "2026-W02")


@pytest.mark.parametrize("text", ["2026-W54", "2026W01", "2026-W1", "1899-W10"])
def test_parse_week_refuses_bad_weeks(text: str):
    with pytest.raises(InputError):
        parse_week(text)


def test_parse_month_gives_its_days_and_neighbours():
    month = parse_month("2024-02")
    assert (month.first, month.last) == (date(2024, 2, 1), date(2024, 2, 29))
    assert (month.previous, month.next) == ("2024-01", "2024-03")
    assert parse_month("2026-12").next == "2027-01"


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "26-01"])
def test_parse_month_refuses_bad_months(text: str):
    with pytest.raises(InputError):
        parse_month(text)


def test_periods_at_the_edge_of_the_range_have_no_neighbour_outside_it():
    assert parse_month("2999-12").next is None
    assert week_of(date(1900, 1, 3)).previous is None


def test_month_calendar_marks_days_with_listings():
    weeks = month_calendar(date(2026, 1, 1), {date(2026, 1, 5): 7})
    assert weeks[0][0].day == date(2025, 12, 29) and not weeks[0][0].in_month
    cells = {cell.day: cell for week in weeks for cell in week}
    assert cells[date(2026, 1, 5)].listed == 7
    assert cells[date(2026, 1, 6)].listed == 0
    assert all(len(week) == 7 for week in weeks)


def test_is_new_within_24_hours_of_listing():
    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert is_new(date(2026, 1, 15), now - timedelta(hours=23), now)
    assert not is_new(date(2026, 1, 14), now - timedelta(hours=25), now)
    assert is_new(date(2026, 1, 15), None, now)  # the day's start, 12 h ago
    assert not is_new(date(2026, 1, 14), None, now)
    assert not is_new(date(2026, 1, 16), None, now)  # in the future
    assert listed_at(date(2026, 1, 15), None) == datetime(2026, 1, 15, tzinfo=UTC)
