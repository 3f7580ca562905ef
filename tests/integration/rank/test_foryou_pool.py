"""ForYouService keeps the prepared pool and trained profiles between requests, and drops them
when the listings, the vectors or the user's feedback change (a real SQLite store)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from papertide.clock import FixedClock
from papertide.index.embed import HashEmbedder
from papertide.index.update import embed_missing
from papertide.models import Follow, Listing, Paper, Record
from papertide.rank.foryou import WEB, ForYouService
from papertide.store.sqlite import SqliteStore

DAY = date(2026, 3, 2)
CLOCK = FixedClock(datetime(2026, 3, 3, tzinfo=UTC))
TOPICS = {
    "vision": "convolutional image recognition with deep networks for seeing pictures",
    "language": "machine translation of text with transformer language models",
}


def paper(n: int, topic: str) -> Paper:
    return Paper(f"2603.{n:05d}", f"{topic} paper {n}", f"{TOPICS[topic]} number {n}.")


def write(store: SqliteStore, papers: list[Paper], position: int = 0) -> None:
    records = [
        Record(p, Listing(DAY, p.id, position + i, None, None)) for i, p in enumerate(papers)
    ]
    store.write_batch(records, [])
    embed_missing(store, HashEmbedder())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "foryou.db", CLOCK)
    opened.migrate()
    write(opened, [paper(n, "vision" if n % 2 else "language") for n in range(1, 21)])
    yield opened
    opened.close()


def service(store: SqliteStore) -> ForYouService:
    embedder = HashEmbedder()
    return ForYouService(store, CLOCK, embedder.name, embedder.dim)


def test_the_pool_is_kept_across_services_until_a_paper_is_listed(store):
    first = service(store).prepared()
    assert service(store).prepared() is first
    write(store, [paper(99, "vision")], position=50)
    again = service(store).prepared()
    assert again is not first
    assert "2603.00099" in {c.paper_id for c in again.pool.candidates}


def test_a_new_rating_trains_the_profile_again(store):
    user = store.create_user("reader", None, "hash")
    ranker = service(store)
    store.set_rating("2603.00001", 1, WEB, user_id=user.id)
    assert ranker.describe(user.id).liked == ("2603.00001",)
    store.set_rating("2603.00003", 1, WEB, user_id=user.id)
    assert set(ranker.describe(user.id).liked) == {"2603.00001", "2603.00003"}
    ranked = ranker.rank(user.id, 5)
    assert ranked.items is not None
    assert set(ranked.papers) >= {r.paper_id for r in ranked.items}
    assert len(ranker.prepared().profiles) == 2


def test_a_followed_organisation_weighs_its_papers_in_for_you(store):
    user = store.create_user("reader", None, "hash")
    for n in (2, 4, 6):  # language papers
        store.set_paper_org(f"2603.{n:05d}", "lingo-lab", "Lingo Lab", "curator:ann")
    store.set_follow(user.id, Follow("org", "lingo-lab"), True)
    ranked = service(store).rank(user.id, 3)
    assert ranked.items is not None
    assert {r.paper_id for r in ranked.items} == {"2603.00002", "2603.00004", "2603.00006"}
    assert all(Follow("org", "lingo-lab") in r.follows for r in ranked.items)
