"""ListingsService over a real SqliteStore: the daily, periods and trending from listings,
imported counts, local votes and comments."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from papertide.clock import FixedClock
from papertide.errors import InputError
from papertide.models import Listing, Paper, Record
from papertide.rank.listings import ListingsService
from papertide.store.sqlite import SqliteStore

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "t.db", clock)
    opened.migrate()
    yield opened
    opened.close()


def list_paper(
    store: SqliteStore,
    pid: str,
    day: date,
    upvotes: int = 0,
    comments: int = 0,
    category: str = "cs.CV",
) -> None:
    paper = Paper(pid, f"Paper {pid}", "An abstract.", ("A. Author",), (category,))
    listing = Listing(day, pid, position=0, upvotes=upvotes, num_comments=comments)
    store.write_batch([Record(paper, listing)], [])


def vote(store: SqliteStore, clock: FixedClock, pid: str, voters: int, when: datetime) -> None:
    saved, clock.current = clock.current, when
    for i in range(voters):
        name = f"{pid}-voter{i}"
        user = store.create_user(name, None, "hash")
        store.set_vote(user.id, pid, up=True)
    clock.current = saved


def ids(service: ListingsService, **options: object) -> list[str]:
    return [score.paper_id for score in service.trending(**options).scores]  # type: ignore[arg-type]


def test_listings_trending_top_ranks_the_window_by_votes_and_age(store, clock):
    list_paper(store, "2603.00001", TODAY, upvotes=10)
    list_paper(store, "2603.00002", TODAY - timedelta(days=3), upvotes=10)
    list_paper(store, "2603.00003", TODAY - timedelta(days=2), upvotes=40)
    list_paper(store, "2603.00004", TODAY - timedelta(days=10), upvotes=100)  # outside the window
    service = ListingsService(store, clock)
    assert ids(service) == ["2603.00003", "2603.00001", "2603.00002"]
    assert ids(service, limit=1) == ["2603.00003"]
    assert ids(service, days=1) == ["2603.00001"]
    assert "2603.00004" in ids(service, days=11)


def test_listings_trending_counts_local_votes_at_their_time(store, clock):
    day = TODAY - timedelta(days=3)
    list_paper(store, "2603.00010", day)
    list_paper(store, "2603.00011", day)
    vote(store, clock, "2603.00010", 3, NOW - timedelta(minutes=30))
    vote(store, clock, "2603.00011", 3, NOW - timedelta(days=2))
    service = ListingsService(store, clock)
    fresh, stale = service.trending().scores
    assert (fresh.paper_id, stale.paper_id) == ("2603.00010", "2603.00011")
    assert dict(fresh.parts)["votes"] == dict(stale.parts)["votes"] == 3
    assert dict(fresh.parts)["velocity"] > dict(stale.parts)["velocity"]


def test_listings_trending_adds_local_comments_to_imported_ones(store, clock):
    list_paper(store, "2603.00020", TODAY, comments=2)
    user = store.create_user("reader", None, "hash")
    store.add_comment(user.id, "2603.00020", "Nice result.")
    explained = ListingsService(store, clock).explain("2603.00020")
    assert explained is not None
    weight = ListingsService(store, clock).params.comment_weight
    assert dict(explained.parts)["comments"] == pytest.approx(3 * weight)


def test_listings_trending_category_page_filters_the_main_page(store, clock):
    for i, votes in enumerate([30, 20, 10, 25]):
        list_paper(store, f"2603.0003{i}", TODAY, upvotes=votes, category="cs.CV")
    list_paper(store, "2603.00040", TODAY, upvotes=15, category="math.NT")
    service = ListingsService(store, clock)
    main = service.trending().scores
    # the best of a small field passes the middle of a big one (cs.CV's median is 20 votes)
    assert ids(service) == ["2603.00030", "2603.00033", "2603.00040", "2603.00031", "2603.00032"]
    only = service.trending(category="cs.CV").scores
    assert only == [s for s in main if s.paper_id != "2603.00040"]
    assert service.trending(category="q-bio.GN").scores == []


def test_listings_trending_explain_returns_the_breakdown_or_none(store, clock):
    list_paper(store, "2603.00050", TODAY - timedelta(days=1), upvotes=7)
    list_paper(store, "2603.00051", TODAY - timedelta(days=20), upvotes=7)
    service = ListingsService(store, clock)
    explained = service.explain("2603.00050")
    assert explained is not None and explained == service.trending().scores[0]
    assert [name for name, _ in explained.parts][:3] == ["votes", "velocity", "comments"]
    assert service.explain("2603.00051") is None
    assert service.explain("9999.99999") is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"limit": 0}, "limit must be between 1 and"),
        ({"days": 0}, "days must be between 1 and"),
        ({"days": 10_000}, "days must be between 1 and"),
    ],
)
def test_listings_trending_rejects_bad_limit_and_days(store, clock, options, message):
    with pytest.raises(InputError, match=message):
        ListingsService(store, clock).trending(**options)


def test_listings_trending_empty_store_has_no_trending_papers(store, clock):
    service = ListingsService(store, clock)
    assert service.trending().scores == []
    assert service.explain("2603.00001") is None


def list_day(store: SqliteStore, day: date, papers: int, start: int, upvotes: int = 5) -> None:
    for i in range(papers):
        list_paper(store, f"2601.{start + i:05d}", day, upvotes=upvotes + i)


def test_listings_daily_is_today_when_today_has_a_full_list(store, clock):
    list_day(store, TODAY - timedelta(days=1), 10, 0)
    list_day(store, TODAY, 8, 100)
    daily = ListingsService(store, clock).daily()
    assert (daily.day, daily.age_days, daily.filling) == (TODAY, 0, ())


def test_listings_daily_skips_a_day_that_is_still_filling(store, clock):
    old = TODAY - timedelta(days=106)
    for back in range(5):
        list_day(store, old - timedelta(days=back), 17, 100 * back)
    list_paper(store, "2603.09999", TODAY)  # one submission on a day without a list
    daily = ListingsService(store, clock).daily()
    assert daily.day == old
    assert daily.age_days == 106
    assert daily.filling == ((TODAY, 1),)


def test_listings_daily_judges_a_day_by_its_typical_days_however_far_apart(store, clock):
    # listed days a week apart: the seven before a day span more than the first read of days,
    # whose two thin weeks alone would make today's five papers a full list
    weeks = [TODAY - timedelta(days=7 * week) for week in range(10)]
    for week, day in enumerate(weeks[1:], start=1):
        list_day(store, day, 2 if week <= 2 else 20, 100 * week)
    list_day(store, TODAY, 5, 0)  # under half of the median (20) of the seven weeks before
    daily = ListingsService(store, clock).daily()
    assert daily.day == weeks[3]
    assert daily.filling == ((TODAY, 5), (weeks[1], 2), (weeks[2], 2))
    list_day(store, TODAY, 5, 5)  # ten: half of the median, a full list
    assert ListingsService(store, clock).daily().day == TODAY


def test_listings_daily_of_an_asked_day_is_that_day_or_the_latest_before(store, clock):
    list_day(store, TODAY - timedelta(days=3), 4, 0)
    service = ListingsService(store, clock)
    assert service.daily(TODAY - timedelta(days=3)).day == TODAY - timedelta(days=3)
    assert service.daily(TODAY - timedelta(days=1)).day == TODAY - timedelta(days=3)
    assert service.daily(TODAY - timedelta(days=9)).day is None


def test_listings_trending_does_not_collapse_on_one_new_submission(store, clock):
    old = TODAY - timedelta(days=106)
    for back in range(5):
        list_day(store, old - timedelta(days=back), 17, 100 * back)
    service = ListingsService(store, clock)
    before = service.trending(limit=100)
    assert len(before.scores) == 85 and before.as_of == old
    list_paper(store, "2603.09999", TODAY)
    after = service.trending(limit=100)
    assert after.as_of == old
    assert len(after.scores) == 86
    assert [s.paper_id for s in after.scores if s.paper_id != "2603.09999"] == [
        s.paper_id for s in before.scores
    ]


def test_listings_a_paper_listed_again_is_not_new_and_brings_no_velocity(store, clock):
    list_paper(store, "2511.00001", TODAY - timedelta(days=120), upvotes=18)
    list_paper(store, "2511.00001", TODAY)  # re-submitted four months later
    list_paper(store, "2603.00002", TODAY, upvotes=2)
    service = ListingsService(store, clock)
    rows = {row.paper.id: row for row in service.period(TODAY, TODAY)}
    assert rows["2511.00001"].is_new is False
    assert rows["2603.00002"].is_new is True
    assert rows["2511.00001"].first_listed.date() == TODAY - timedelta(days=120)
    scores = {s.paper_id: s for s in service.trending().scores}
    assert dict(scores["2511.00001"].parts)["velocity"] == pytest.approx(0.0, abs=1e-9)
    # it ages from its first listing, not from the re-submission
    assert (
        dict(scores["2511.00001"].parts)["age_decay"]
        < dict(scores["2603.00002"].parts)["age_decay"]
    )


def test_listings_period_lists_each_paper_once_in_one_sort_vocabulary(store, clock):
    monday = TODAY - timedelta(days=TODAY.weekday())
    list_paper(store, "2603.00001", monday, upvotes=3)
    list_paper(store, "2603.00001", monday + timedelta(days=1), upvotes=9)
    list_paper(store, "2603.00002", monday, upvotes=5, category="cs.CL")
    service = ListingsService(store, clock)
    week = service.period(monday, monday + timedelta(days=6), "upvotes")
    assert [(r.paper.id, r.listing.day) for r in week] == [
        ("2603.00001", monday + timedelta(days=1)),
        ("2603.00002", monday),
    ]
    assert [r.paper.id for r in service.period(monday, TODAY, "newest")] == [
        "2603.00001",
        "2603.00002",
    ]
    assert service.period(monday, TODAY, "publishedAt")[0].paper.id == "2603.00001"
    assert [r.paper.id for r in service.period(monday, TODAY, category="cs.CV")] == ["2603.00001"]
    assert [r.paper.id for r in service.period(monday, TODAY, category="cs.CL")] == ["2603.00002"]
    assert len(service.period(monday, TODAY, category="cs")) == 2
    with pytest.raises(InputError, match="sort must be one of"):
        service.period(monday, TODAY, "random")
