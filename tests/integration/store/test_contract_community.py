"""The Store contract, community side: users, sessions, tokens, votes (also from 100 threads at
once), comments, collections, follows, browsing and rate limits. Every test runs on SQLite and
on PostgreSQL (the `store` fixture) and must behave the same on both."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from papertide.errors import ConflictError, PaperNotFoundError
from papertide.models import Follow, Link, Listing, Paper, Record, User
from papertide.store.base import Store
from tests.integration.store.conftest import START
from tests.threads import run_threads

DAY = date(2026, 3, 2)
_DAY = timedelta(days=1)
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)


def paper(pid: str, published: datetime | None = None, **fields: object) -> Paper:
    base: dict[str, object] = {
        "id": pid,
        "title": f"Paper {pid}",
        "abstract": "About sparse attention.",
        "authors": ("Ada Lovelace",),
        "categories": ("cs.LG",),
        "published": published,
    }
    return Paper(**{**base, **fields})  # type: ignore[arg-type]


def add_papers(store: Store, *ids: str, listed: date | None = None, **listing: int) -> None:
    records = [
        Record(paper(pid), Listing(listed, pid, n, **listing) if listed else None)  # type: ignore[arg-type]
        for n, pid in enumerate(ids)
    ]
    store.write_batch(records, [])


def users(store: Store, count: int) -> list[User]:
    return [store.create_user(f"user{n}", None, "hash") for n in range(count)]


def column(store: Store, table: str, index: int = 0) -> list[object]:
    """One column of every row of a table, in key order (through the export the copy uses)."""
    return [row[index] for row in store.export_rows(table, None, 10_000)]


def test_create_user_first_is_admin_and_names_unique_in_any_case(store):
    first = store.create_user("Ada", "ada@example.org", "h1")
    second = store.create_user("bob", None, "h2")
    third = store.create_user("carol", None, "h3")
    assert (first.is_admin, second.is_admin, third.is_admin) == (True, False, False)
    assert first.created_at == START
    with pytest.raises(ConflictError, match="username taken"):
        store.create_user("ADA", None, "h")
    with pytest.raises(ConflictError, match="email already registered"):
        store.create_user("dave", "ADA@Example.org", "h")
    assert store.user_by_id(first.id) == first
    assert store.user_by_id(999) is None


def test_create_user_from_many_threads_makes_one_admin_and_clean_conflicts(store):
    made: list[User] = []
    errors = run_threads(20, lambda n: made.append(store.create_user(f"User{n % 10}", None, "h")))
    assert len(made) == 10 and sum(user.is_admin for user in made) == 1
    assert len(errors) == 10 and all(isinstance(error, ConflictError) for error in errors)


def test_user_login_finds_by_username_or_email_in_any_case(store):
    ada = store.create_user("Ada", "ada@example.org", "h1")
    assert store.user_login("ada") == (ada, "h1")
    assert store.user_login("ADA@EXAMPLE.ORG") == (ada, "h1")
    assert store.user_login("nobody") is None
    store.set_password_hash(ada.id, "h2")
    store.set_admin(ada.id, False)
    found = store.user_login("Ada")
    assert found is not None
    assert (found[0].is_admin, found[1]) == (False, "h2")


def test_session_user_until_expiry_and_expired_rows_pruned(store, clock):
    [ada] = users(store, 1)
    store.save_session("s1", ada.id, START + timedelta(hours=1))
    assert store.session_user("s1") == ada
    assert store.session_user("unknown") is None
    clock.current = START + timedelta(hours=1)
    assert store.session_user("s1") is None
    store.save_session("s2", ada.id, START + timedelta(days=30))
    assert column(store, "sessions") == ["s2"]
    store.delete_session("s2")
    assert store.session_user("s2") is None


def test_session_expiry_compares_times_not_text_across_offsets(store, clock):
    [ada] = users(store, 1)
    paris = datetime(2026, 3, 2, 11, 0, tzinfo=UTC).astimezone()  # any offset: same instant
    store.save_session("s", ada.id, paris)
    clock.current = datetime(2026, 3, 2, 10, 59, 59, 999_999, tzinfo=UTC)
    assert store.session_user("s") == ada
    clock.current = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    assert store.session_user("s") is None


def test_api_token_user(store):
    [ada] = users(store, 1)
    store.save_api_token("t1", ada.id, "laptop")
    assert store.api_token_user("t1") == ada
    assert store.api_token_user("t2") is None


def test_set_vote_replay_does_not_double_and_adds_to_imported(store):
    add_papers(store, "2603.00001", listed=DAY, upvotes=7)
    ada, bob = users(store, 2)
    first = store.set_vote(ada.id, "2603.00001", True)
    replay = store.set_vote(ada.id, "2603.00001", True)
    assert (first.upvotes, replay.upvotes, replay.voted) == (8, 8, True)
    assert store.set_vote(bob.id, "2603.00001", True).upvotes == 9
    back = store.set_vote(ada.id, "2603.00001", False)
    assert (back.upvotes, back.voted) == (8, False)
    assert store.set_vote(ada.id, "2603.00001", False).upvotes == 8
    assert store.voted(bob.id, ["2603.00001", "2603.00009"]) == {"2603.00001"}
    assert store.voted(ada.id, ["2603.00001"]) == set()


def test_upvotes_counts_every_id_given_with_max_imported_listing(store):
    add_papers(store, "2603.00001", listed=DAY, upvotes=3)
    add_papers(store, "2603.00001", listed=DAY + timedelta(days=1), upvotes=5)
    add_papers(store, "2603.00002")
    [ada] = users(store, 1)
    store.set_vote(ada.id, "2603.00002", True)
    counts = store.upvotes(["2603.00001", "2603.00002", "2603.00003"])
    assert counts == {"2603.00001": 5, "2603.00002": 1, "2603.00003": 0}
    assert store.upvotes([]) == {}


def test_set_vote_on_unknown_paper_is_not_found(store):
    [ada] = users(store, 1)
    with pytest.raises(PaperNotFoundError, match=r"2603\.99999"):
        store.set_vote(ada.id, "2603.99999", True)


def test_set_vote_from_100_threads_through_one_store_counts_exactly_100(store):
    add_papers(store, "2603.00001", listed=DAY, upvotes=0)
    voters = users(store, 100)
    states = []

    def vote(n: int) -> None:
        states.append(store.set_vote(voters[n].id, "2603.00001", True))
        store.set_vote(voters[n].id, "2603.00001", True)  # a replay from the same thread

    assert run_threads(100, vote) == []
    assert store.upvotes(["2603.00001"]) == {"2603.00001": 100}
    # each count was read inside its own transaction: all of 1..100 were seen, once each
    assert sorted(state.upvotes for state in states) == list(range(1, 101))


def test_comments_oldest_first_soft_deleted_and_counted_apart_from_imported(store, clock):
    add_papers(store, "2603.00001", listed=DAY, num_comments=4)
    add_papers(store, "2603.00002")
    ada, bob = users(store, 2)
    first = store.add_comment(ada.id, "2603.00001", "Nice **result**")
    clock.current += timedelta(minutes=1)
    second = store.add_comment(bob.id, "2603.00001", "Agreed")
    assert (first.username, first.body, first.created_at) == ("user0", "Nice **result**", START)
    assert store.comments_for("2603.00001") == [first, second]
    # what comments_for returns; the 4 of the imported listing are Hugging Face's, not counted
    assert store.comment_counts(["2603.00001", "2603.00002"]) == {"2603.00001": 2, "2603.00002": 0}
    store.delete_comment(first.id)
    store.delete_comment(first.id)
    assert store.comment_by_id(first.id) is None
    assert store.comment_by_id(second.id) == second
    assert store.comments_for("2603.00001") == [second]
    assert store.comment_counts(["2603.00001"]) == {"2603.00001": 1}
    with pytest.raises(PaperNotFoundError):
        store.add_comment(ada.id, "2603.99999", "?")


def test_collections_idempotent_newest_first_and_private(store, clock):
    add_papers(store, "2603.00001", "2603.00002", "2603.00003")
    ada, bob = users(store, 2)
    store.add_to_collection(ada.id, "Reading list", "2603.00001")
    clock.current += timedelta(seconds=1)
    store.add_to_collection(ada.id, "reading LIST", "2603.00002")
    again = store.add_to_collection(ada.id, "Reading list", "2603.00002")
    other = store.add_to_collection(ada.id, "Theory", "2603.00003")
    assert (again.name, again.size) == ("Reading list", 2)
    assert store.collections_of(ada.id) == [again, other]
    ids = [p.id for p in store.collection_papers(ada.id, again.id)]
    assert ids == ["2603.00002", "2603.00001"]
    assert store.collection_papers(bob.id, again.id) == []
    store.remove_from_collection(bob.id, again.id, "2603.00001")  # not bob's: no effect
    assert store.bookmarked(ada.id, ["2603.00001", "2603.00003", "x"]) == {
        "2603.00001",
        "2603.00003",
    }
    store.remove_from_collection(ada.id, again.id, "2603.00001")
    assert store.bookmarked(ada.id, ["2603.00001"]) == set()
    assert store.bookmarked(bob.id, ["2603.00003"]) == set()
    with pytest.raises(PaperNotFoundError):
        store.add_to_collection(ada.id, "Reading list", "2603.99999")


def test_set_follow_idempotent_and_undone(store):
    [ada] = users(store, 1)
    store.set_follow(ada.id, Follow("category", "cs.LG"), True)
    store.set_follow(ada.id, Follow("author", "Ada Lovelace"), True)
    store.set_follow(ada.id, Follow("author", "Ada Lovelace"), True)
    assert store.follows_of(ada.id) == [
        Follow("author", "Ada Lovelace"),
        Follow("category", "cs.LG"),
    ]
    store.set_follow(ada.id, Follow("author", "ada lovelace"), False)  # same author, any case
    assert store.follows_of(ada.id) == [Follow("category", "cs.LG")]
    with pytest.raises(INTEGRITY_ERRORS):
        store.set_follow(ada.id, Follow("planet", "Mars"), True)


def test_add_listing_once_per_day_and_paper(store):
    add_papers(store, "2603.00001")
    listing = Listing(DAY, "2603.00001", 0, "ada", START)
    assert store.add_listing(listing) is True
    assert store.add_listing(listing) is False
    assert store.listings_for(DAY)[0][0] == listing
    with pytest.raises(PaperNotFoundError):
        store.add_listing(Listing(DAY, "2603.99999", 1))


def test_listings_between_and_listing_days_newest_day_first(store):
    add_papers(store, "2603.00001", "2603.00002", listed=DAY)
    add_papers(store, "2603.00003", listed=DAY + timedelta(days=2))
    add_papers(store, "2603.00004", listed=DAY + timedelta(days=9))
    got = store.listings_between(DAY, DAY + timedelta(days=3))
    assert [(lst.day, p.id) for lst, p in got] == [
        (DAY + timedelta(days=2), "2603.00003"),
        (DAY, "2603.00001"),
        (DAY, "2603.00002"),
    ]
    assert store.listing_days(DAY, DAY + timedelta(days=9)) == [
        (DAY + timedelta(days=9), 1),
        (DAY + timedelta(days=2), 1),
        (DAY, 2),
    ]
    assert store.listings_between(DAY + timedelta(days=3), DAY + timedelta(days=8)) == []


def test_listing_rows_between_gives_the_listings_with_the_fields_a_row_shows(store):
    full = paper(
        "2603.00001",
        START,
        authors=("Zoë Ångström", "Ada Lovelace"),
        categories=("cs.CL", "cs.LG"),
        version=2,
        comment="10 pages",
        links=(Link("code", "https://github.com/a/p"),),
    )
    listing = Listing(DAY, full.id, 0, "ada", START, upvotes=3, num_comments=1, github_stars=9)
    store.write_batch([Record(full, listing)], [])
    add_papers(store, "2603.00002", listed=DAY + _DAY)
    got = store.listing_rows_between(DAY, DAY + _DAY)
    assert [lst for lst, _ in got] == [lst for lst, _ in store.listings_between(DAY, DAY + _DAY)]
    assert got[1] == (
        listing,
        Paper(full.id, full.title, "", full.authors, full.categories, published=START),
    )
    assert store.listing_rows_between(DAY + 2 * _DAY, DAY + 8 * _DAY) == []


def test_trending_signals_of_papers_listed_in_range(store, clock):
    early = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)  # submitted the evening before its day
    store.write_batch(
        [
            Record(paper("2603.00001"), Listing(DAY, "2603.00001", 0, upvotes=4, num_comments=1)),
            Record(
                paper("2603.00001"), Listing(DAY + timedelta(days=1), "2603.00001", 0, upvotes=9)
            ),
            Record(
                paper("2603.00002", categories=("math.AG",)),
                Listing(DAY + timedelta(days=1), "2603.00002", 1, submitted_at=early),
            ),
            Record(paper("2603.00003"), Listing(DAY - timedelta(days=1), "2603.00003", 0)),
        ],
        [],
    )
    ada, bob = users(store, 2)
    store.set_vote(ada.id, "2603.00001", True)
    clock.current += timedelta(hours=2)
    store.set_vote(bob.id, "2603.00001", True)
    store.add_comment(ada.id, "2603.00001", "good")
    gone = store.add_comment(bob.id, "2603.00001", "spam")
    store.delete_comment(gone.id)
    first, second = store.trending_signals(DAY, DAY + timedelta(days=1))
    assert (first.paper_id, second.paper_id) == ("2603.00002", "2603.00001")
    assert (first.primary_category, first.listed_at, first.imported_upvotes) == (
        "math.AG",
        datetime(2026, 3, 1, 22, 0, tzinfo=UTC),
        0,
    )
    assert first.vote_times == () and first.comments == 0
    assert second.listed_at == datetime(2026, 3, 2, tzinfo=UTC)
    assert (second.imported_upvotes, second.comments) == (9, 2)
    assert second.vote_times == (START, START + timedelta(hours=2))
    assert store.trending_signals(DAY + timedelta(days=5), DAY + timedelta(days=6)) == []


def test_papers_by_author_and_in_category_newest_first_with_paging(store):
    t = datetime(2026, 1, 1, tzinfo=UTC)
    store.write_batch(
        [
            Record(paper("2601.00001", t, authors=("Ada Lovelace", "Bob"))),
            Record(paper("2601.00002", t + timedelta(days=2), categories=("cs.CL", "cs.LG"))),
            Record(paper("2601.00003", t + timedelta(days=1), authors=("Bob",))),
            Record(paper("2601.00004", None, categories=("math.AG",))),
        ],
        [],
    )
    by_ada = [p.id for p in store.papers_by_author("ada lovelace", 10)]
    assert by_ada == ["2601.00002", "2601.00001", "2601.00004"]  # unknown dates last
    assert [p.id for p in store.papers_by_author("Bob", 1, offset=1)] == ["2601.00001"]
    in_lg = [p.id for p in store.papers_in_category("cs.LG", 10)]
    assert in_lg == ["2601.00002", "2601.00003", "2601.00001"]
    assert [p.id for p in store.papers_in_category("cs.LG", 2, offset=2)] == ["2601.00001"]
    assert store.papers_in_category("cs.XX", 10) == []


def test_papers_in_category_both_plans_give_the_same_newest_first_order(store):
    """Small pages of a big category walk the published index; big pages sort the members."""
    rng = random.Random(7)
    t = datetime(2025, 1, 1, tzinfo=UTC)
    made = [
        paper(
            f"2601.{n:05d}",
            None if n % 17 == 0 else t + timedelta(days=rng.randrange(40)),
            categories=tuple(rng.sample(["cs.LG", "cs.CL", "math.AG"], rng.randint(1, 2))),
        )
        for n in range(1, 301)
    ]
    store.write_batch([Record(p) for p in made], [])
    for category in ("cs.LG", "math.AG"):
        members = [p for p in reversed(made) if category in p.categories]  # later pk first
        members.sort(key=lambda p: -p.published.timestamp() if p.published else float("inf"))
        expected = [p.id for p in members]
        for limit, offset in [(1, 0), (5, 3), (20, 0), (200, 0), (50, 150), (10, 400)]:
            got = [p.id for p in store.papers_in_category(category, limit, offset)]
            assert got == expected[offset : offset + limit], (category, limit, offset)


def test_record_write_limits_per_actor_and_frees_slots_as_the_window_slides(store, clock):
    assert [store.record_write("user:1", "vote", 3, 60) for _ in range(3)] == [None] * 3
    clock.current += timedelta(seconds=20)
    assert store.record_write("user:1", "vote", 3, 60) == 40
    assert store.record_write("user:2", "vote", 3, 60) is None  # other actors count apart
    assert store.record_write("user:1", "comment", 3, 60) is None  # and other actions
    clock.current += timedelta(seconds=39, microseconds=500_000)
    assert store.record_write("user:1", "vote", 3, 60) == 1
    clock.current += timedelta(seconds=1)
    assert store.record_write("user:1", "vote", 3, 60) is None


def test_record_write_prunes_events_older_than_the_window(store, clock):
    for n in range(50):
        store.record_write(f"ip:{n}", "signup", 5, 3600)
    clock.current += timedelta(hours=1)
    store.record_write("ip:other", "signup", 5, 3600)
    assert column(store, "write_events", 1) == ["ip:other"]


def test_record_write_from_many_threads_admits_exactly_the_limit(store):
    admitted: list[int | None] = []
    errors = run_threads(
        40, lambda _: admitted.append(store.record_write("ip:1", "login", 15, 300))
    )
    assert errors == []
    assert admitted.count(None) == 15
    assert all(wait == 300 for wait in admitted if wait is not None)
