from datetime import date

import pytest

from papertide.digest.compose import (
    PERSONAL,
    TRENDING,
    DigestItem,
    Ranked,
    compose_digest,
    current_period,
    digest_entries,
    period_of_key,
    preview_period,
)
from papertide.models import Paper

MONDAY = date(2026, 1, 5)


def ranked(*ids: str) -> list[Ranked]:
    return [Ranked(pid, float(len(ids) - n), (f"why {pid}",)) for n, pid in enumerate(ids)]


def test_current_period_daily_monday_covers_the_weekend():
    period = current_period("daily", MONDAY)
    assert period is not None
    assert (period.key, period.since, period.until) == (
        "2026-01-05",
        date(2026, 1, 2),
        date(2026, 1, 4),
    )


def test_current_period_daily_tuesday_covers_monday():
    period = current_period("daily", date(2026, 1, 6))
    assert period is not None
    assert (period.since, period.until) == (MONDAY, MONDAY)


def test_current_period_daily_is_none_at_weekends():
    assert current_period("daily", date(2026, 1, 10)) is None
    assert current_period("daily", date(2026, 1, 11)) is None


def test_current_period_weekly_covers_the_previous_iso_week_all_week_long():
    for day in range(5, 12):
        period = current_period("weekly", date(2026, 1, day))
        assert period is not None
        assert (period.key, period.since, period.until) == (
            "2026-W02",
            date(2025, 12, 29),
            date(2026, 1, 4),
        )


def test_current_period_rejects_unknown_cadences():
    with pytest.raises(ValueError, match="unknown cadence"):
        current_period("hourly", MONDAY)


def test_period_of_key_inverts_the_keys():
    for cadence, day in (("daily", MONDAY), ("daily", date(2026, 1, 9)), ("weekly", MONDAY)):
        period = current_period(cadence, day)
        assert period is not None
        assert period_of_key(period.key) == period


def test_period_of_key_rejects_a_weekend_day():
    with pytest.raises(ValueError, match="weekend"):
        period_of_key("2026-01-10")


def test_preview_period_falls_back_to_friday_at_weekends():
    period = preview_period("daily", date(2026, 1, 11))
    assert period.key == "2026-01-09"
    assert preview_period("weekly", date(2026, 1, 11)).key == "2026-W02"


def test_compose_trending_takes_the_best_unsent():
    items = compose_digest(TRENDING, ranked("a", "b", "c", "d"), None, {"b"}, limit=2)
    assert [(i.paper_id, i.section) for i in items] == [("a", TRENDING), ("c", TRENDING)]
    assert items[0].reasons == ("why a",)


def test_compose_personal_without_a_model_falls_back_to_trending():
    items = compose_digest(PERSONAL, ranked("a", "b"), None, set(), limit=5)
    assert [(i.paper_id, i.section) for i in items] == [("a", TRENDING), ("b", TRENDING)]


def test_compose_personal_uses_only_the_personal_ranking():
    items = compose_digest(PERSONAL, ranked("a"), ranked("x", "y"), {"y"}, limit=5)
    assert [(i.paper_id, i.section) for i in items] == [("x", PERSONAL)]


def test_compose_both_splits_places_and_never_repeats_a_paper():
    items = compose_digest(
        "both", ranked("t1", "p1", "t2", "t3"), ranked("p1", "p2", "p3"), set(), 4
    )
    assert [(i.paper_id, i.section) for i in items] == [
        ("p1", PERSONAL),
        ("p2", PERSONAL),
        ("t1", TRENDING),
        ("t2", TRENDING),
    ]


def test_compose_both_fills_with_personal_when_trending_runs_out():
    items = compose_digest("both", ranked("t1"), ranked("p1", "p2", "p3", "p4"), {"p2"}, 4)
    assert [i.paper_id for i in items] == ["p1", "p3", "t1", "p4"]


def test_compose_returns_nothing_when_everything_was_sent():
    assert compose_digest("both", ranked("a"), ranked("a"), {"a"}) == ()


def test_digest_entries_drop_unknown_papers():
    paper = Paper(id="a", title="A", abstract="x")
    items = [DigestItem("a", TRENDING, 1.0), DigestItem("gone", TRENDING, 0.5)]
    entries = digest_entries(items, {"a": paper})
    assert [e.paper for e in entries] == [paper]
