"""The Store contract for the reads every list page repeats (listing rows and days, upvotes,
comment counts, summaries, organisations): asked again, they see every write since, made
through this store, from another thread or through another store on the same database (another
process), and what they return is the caller's to change. Runs on SQLite and on PostgreSQL;
SQLite keeps these reads between commits (store/sqlite/connection.py), which this guards."""

from __future__ import annotations

import threading
from datetime import date
from typing import NamedTuple

import pytest

from papertide.models import Listing, Organization, Paper, PaperSummary, Record
from papertide.store.sqlite import SqliteStore
from tests.integration.store.conftest import another

DAY = date(2026, 3, 2)
IDS = ["2603.00001", "2603.00002"]


class PageReads(NamedTuple):
    rows: list[tuple[Listing, Paper]]
    days: list[tuple[date, int]]
    upvotes: dict[str, int]
    comments: dict[str, int]
    summaries: dict[str, list[PaperSummary]]
    orgs: dict[str, list[Organization]]


def page_reads(store) -> PageReads:
    """What the daily page reads of the store."""
    return PageReads(
        store.listing_rows_between(DAY, DAY),
        store.listing_days(DAY, DAY),
        store.upvotes(IDS),
        store.comment_counts(IDS),
        store.summaries_for(IDS),
        store.orgs_for(IDS),
    )


@pytest.fixture
def listed(store):
    """The store with two papers listed on DAY (one imported upvote on the first), a user."""
    store.write_batch(
        [
            Record(Paper(pid, f"Paper {n}", "About attention."), Listing(DAY, pid, n, upvotes=1))
            for n, pid in enumerate(IDS, 1)
        ],
        [],
    )
    store.create_user("ada", None, "hash")
    return store


def write_all(store, user_id: int) -> None:
    """A vote, a comment, a listing, a summary and an organisation."""
    store.set_vote(user_id, IDS[0], True)
    store.add_comment(user_id, IDS[1], "Nice")
    store.write_batch(
        [Record(Paper("2603.00003", "Paper 3", "More."), Listing(DAY, "2603.00003", 3))], []
    )
    store.put_summaries([PaperSummary(IDS[0], "huggingface", "Fast.", ("attention",))])
    store.set_paper_org(IDS[1], "deep-lab", "Deep Lab", "huggingface")


def assert_written(reads: PageReads) -> None:
    rows, days, upvotes, comments, summaries, orgs = reads
    assert [paper.id for _, paper in rows] == [*IDS, "2603.00003"]
    assert days == [(DAY, 3)]
    assert upvotes == {IDS[0]: 2, IDS[1]: 1}
    assert comments == {IDS[0]: 0, IDS[1]: 1}
    assert [s.tldr for s in summaries[IDS[0]]] == ["Fast."]
    assert [org.slug for org in orgs[IDS[1]]] == ["deep-lab"]


def test_page_reads_asked_again_see_writes_through_the_same_store(listed):
    before = page_reads(listed)
    assert before[2] == {IDS[0]: 1, IDS[1]: 1} and before[4] == {}
    write_all(listed, 1)
    assert_written(page_reads(listed))


def test_page_reads_asked_again_see_writes_through_another_store(listed, clock):
    page_reads(listed)
    other = another(listed, clock)
    try:
        write_all(other, 1)
    finally:
        other.close()
    assert_written(page_reads(listed))


def test_page_reads_asked_again_see_writes_from_another_thread(listed):
    page_reads(listed)
    writer = threading.Thread(target=write_all, args=(listed, 1))
    writer.start()
    writer.join()
    assert_written(page_reads(listed))


def test_page_reads_give_what_the_caller_may_change(listed):
    write_all(listed, 1)
    rows, days, upvotes, comments, summaries, orgs = page_reads(listed)
    rows.clear()
    days.append((DAY, 99))
    upvotes[IDS[0]] = 99
    comments.clear()
    summaries[IDS[0]].clear()
    orgs.clear()
    assert_written(page_reads(listed))


def test_sqlite_read_inside_a_write_rolled_back_is_not_kept(tmp_path, clock):
    store = SqliteStore(tmp_path / "t.db", clock)
    store.migrate()
    store.write_batch([Record(Paper(IDS[0], "Paper", "About."), Listing(DAY, IDS[0], 1))], [])
    user = store.create_user("ada", None, "hash")
    with pytest.raises(RuntimeError), store._transaction() as conn:
        conn.execute("INSERT INTO votes VALUES (?, ?, '2026-03-02')", (user.id, IDS[0]))
        assert store.upvotes([IDS[0]]) == {IDS[0]: 1}
        raise RuntimeError("rolled back")
    assert store.upvotes([IDS[0]]) == {IDS[0]: 0}
    store.close()
