"""TrendingService over a real SqliteStore: listings, imported counts, local votes, comments."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from papertide.clock import FixedClock
from papertide.errors import InputError
from papertide.models import Listing, Paper, Record
from papertide.rank.service import TrendingService
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


def ids(service: TrendingService, **options: object) -> list[str]:
    return [score.paper_id for score in service.top(**options)]  # type: ignore[arg-type]


def test_trending_service_top_ranks_the_window_by_votes_and_age(store, clock):
    list_paper(store, "2603.00001", TODAY, upvotes=10)
    list_paper(store, "2603.00002", TODAY - timedelta(days=3), upvotes=10)
    list_paper(store, "2603.00003", TODAY - timedelta(days=2), upvotes=40)
    list_paper(store, "2603.00004", TODAY - timedelta(days=10), upvotes=100)  # outside the window
    service = TrendingService(store, clock)
    assert ids(service) == ["2603.00003", "2603.00001", "2603.00002"]
    assert ids(service, limit=1) == ["2603.00003"]
    assert ids(service, days=1) == ["2603.00001"]
    assert "2603.00004" in ids(service, days=11)


def test_trending_service_counts_local_votes_at_their_time(store, clock):
    day = TODAY - timedelta(days=3)
    list_paper(store, "2603.00010", day)
    list_paper(store, "2603.00011", day)
    vote(store, clock, "2603.00010", 3, NOW - timedelta(minutes=30))
    vote(store, clock, "2603.00011", 3, NOW - timedelta(days=2))
    service = TrendingService(store, clock)
    fresh, stale = service.top()
    assert (fresh.paper_id, stale.paper_id) == ("2603.00010", "2603.00011")
    assert dict(fresh.parts)["votes"] == dict(stale.parts)["votes"] == 3
    assert dict(fresh.parts)["velocity"] > dict(stale.parts)["velocity"]


def test_trending_service_adds_local_comments_to_imported_ones(store, clock):
    list_paper(store, "2603.00020", TODAY, comments=2)
    user = store.create_user("reader", None, "hash")
    store.add_comment(user.id, "2603.00020", "Nice result.")
    explained = TrendingService(store, clock).explain("2603.00020")
    assert explained is not None
    weight = TrendingService(store, clock).params.comment_weight
    assert dict(explained.parts)["comments"] == pytest.approx(3 * weight)


def test_trending_service_category_page_filters_the_main_page(store, clock):
    for i, votes in enumerate([30, 20, 10, 25]):
        list_paper(store, f"2603.0003{i}", TODAY, upvotes=votes, category="cs.CV")
    list_paper(store, "2603.00040", TODAY, upvotes=15, category="math.NT")
    service = TrendingService(store, clock)
    main = service.top()
    # the best of a small field passes the middle of a big one (cs.CV's median is 20 votes)
    assert ids(service) == ["2603.00030", "2603.00033", "2603.00040", "2603.00031", "2603.00032"]
    only = service.top(category="cs.CV")
    assert only == [s for s in main if s.paper_id != "2603.00040"]
    assert service.top(category="q-bio.GN") == []


def test_trending_service_explain_returns_the_breakdown_or_none(store, clock):
    list_paper(store, "2603.00050", TODAY - timedelta(days=1), upvotes=7)
    list_paper(store, "2603.00051", TODAY - timedelta(days=20), upvotes=7)
    service = TrendingService(store, clock)
    explained = service.explain("2603.00050")
    assert explained is not None and explained == service.top()[0]
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
def test_trending_service_rejects_bad_limit_and_days(store, clock, options, message):
    with pytest.raises(InputError, match=message):
        TrendingService(store, clock).top(**options)


def test_trending_service_empty_store_has_no_trending_papers(store, clock):
    service = TrendingService(store, clock)
    assert service.top() == []
    assert service.explain("2603.00001") is None
