"""The Store contract, digest side: subscriptions, the send log, papers sent, ratings and the
per-shard send lock. Every test runs on SQLite and on PostgreSQL (the `store` fixture)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from papertide.clock import FixedClock
from papertide.errors import PaperNotFoundError
from papertide.models import Paper, Record
from papertide.store.postgres import PostgresStore
from papertide.store.sqlite import SqliteStore
from tests.integration.store.conftest import another

Engine = SqliteStore | PostgresStore


def paper_id(n: int) -> str:
    return f"2601.{n:05d}"


@pytest.fixture
def store(store: Engine) -> Engine:
    """The engine's store with papers 2601.00001..2601.00005 (ratings need real papers)."""
    papers = [Paper(paper_id(n), f"Paper {n}", "About attention.") for n in range(1, 6)]
    store.write_batch([Record(p) for p in papers], [])
    return store


def test_add_subscription_is_pending_and_unique_by_email_in_any_case(store: Engine):
    first = store.add_subscription("Ada@Example.org", "daily", "both")
    again = store.add_subscription("ada@example.ORG", "weekly", "trending")
    assert first == again
    assert (first.state, first.cadence, first.user_id) == ("pending", "daily", None)
    assert store.subscription_for_email("ADA@example.org") == first


def test_confirm_subscription_only_confirms_pending_ones(store: Engine, clock: FixedClock):
    sub = store.add_subscription("ada@example.org", "daily", "both")
    confirmed = store.confirm_subscription(sub.id)
    assert confirmed is not None and confirmed.state == "active"
    assert confirmed.confirmed_at == clock.now()
    ended = store.end_subscription(sub.id)
    assert ended is not None and ended.state == "unsubscribed"
    assert store.confirm_subscription(sub.id) == ended  # an old link cannot resubscribe
    assert store.confirm_subscription(999) is None


def test_add_subscription_restarts_an_ended_one_as_pending(store: Engine):
    sub = store.add_subscription("ada@example.org", "daily", "both")
    store.confirm_subscription(sub.id)
    store.end_subscription(sub.id)
    restarted = store.add_subscription("ada@example.org", "weekly", "personal", user_id=None)
    assert restarted.id == sub.id
    assert (restarted.state, restarted.cadence, restarted.content) == (
        "pending",
        "weekly",
        "personal",
    )


def test_end_subscription_keeps_the_first_time(store: Engine, clock: FixedClock):
    sub = store.add_subscription("ada@example.org", "daily", "both")
    first = store.end_subscription(sub.id)
    clock.current += timedelta(hours=1)
    assert store.end_subscription(sub.id) == first


def test_set_subscription_preferences(store: Engine):
    sub = store.add_subscription("ada@example.org", "daily", "both")
    changed = store.set_subscription_preferences(sub.id, "weekly", "personal")
    assert changed is not None and (changed.cadence, changed.content) == ("weekly", "personal")
    assert store.set_subscription_preferences(999, "weekly", "personal") is None


def active(store: Engine, email: str, cadence: str = "daily") -> int:
    sub = store.add_subscription(email, cadence, "both")
    store.confirm_subscription(sub.id)
    return sub.id


def test_due_subscriptions_are_active_of_the_cadence_shard_and_unclaimed(store: Engine):
    ids = [active(store, f"u{n}@example.org") for n in range(6)]
    store.add_subscription("pending@example.org", "daily", "both")
    active(store, "weekly@example.org", "weekly")
    store.end_subscription(ids[5])
    assert store.claim_send(ids[0], "2026-01-06", "<m@x>", ["a"], "{}")
    due = store.due_subscriptions("daily", "2026-01-06", (0, 1), 0, 100)
    assert [s.id for s in due] == ids[1:5]
    page = store.due_subscriptions("daily", "2026-01-06", (0, 1), ids[1], 2)
    assert [s.id for s in page] == ids[2:4]
    even = store.due_subscriptions("daily", "2026-01-06", (0, 2), 0, 100)
    odd = store.due_subscriptions("daily", "2026-01-06", (1, 2), 0, 100)
    assert {s.id % 2 for s in even} == {0} and {s.id % 2 for s in odd} == {1}
    assert sorted(s.id for s in even + odd) == ids[1:5]


def test_claim_send_claims_a_period_once(store: Engine):
    sid = active(store, "ada@example.org")
    assert store.claim_send(sid, "2026-01-06", "<one@x>", ["a", "b"], '{"items": []}')
    assert not store.claim_send(sid, "2026-01-06", "<two@x>", ["c"], "{}")
    (row,) = store.sends_of(sid)
    assert (row.status, row.message_id, row.paper_ids, row.attempts) == (
        "claimed",
        "<one@x>",
        ("a", "b"),
        1,
    )
    assert json.loads(row.items) == {"items": []}


def test_mark_sent_records_the_papers_and_resets_bounces(store: Engine):
    sid = active(store, "ada@example.org")
    store.claim_send(sid, "2026-01-05", "<m1@x>", [paper_id(1)], "{}")
    store.mark_failed(sid, "2026-01-05", "550 no", retry=False, bounce=True)
    store.claim_send(sid, "2026-01-06", "<m2@x>", [paper_id(2), paper_id(3)], "{}")
    store.mark_sent(sid, "2026-01-06")
    sent = store.sent_paper_ids([sid, 999], [paper_id(n) for n in range(1, 5)])
    assert sent == {sid: {paper_id(2), paper_id(3)}, 999: set()}
    sub = store.subscription(sid)
    assert sub is not None and sub.bounces == 0
    assert store.sends_of(sid)[0].status == "sent"
    store.mark_sent(sid, "2030-01-01")  # no such row: nothing happens
    assert store.sent_paper_ids([], ["x"]) == {}


def test_mark_failed_bounces_pause_at_the_limit(store: Engine, clock: FixedClock):
    sid = active(store, "ada@example.org")
    for day in ("2026-01-05", "2026-01-06", "2026-01-07"):
        store.claim_send(sid, day, f"<{day}@x>", [], "{}")
        sub = store.mark_failed(sid, day, "550 5.1.1 no such user", retry=False, bounce=True)
    assert sub is not None
    assert (sub.bounces, sub.state, sub.paused_at) == (3, "paused", clock.now())
    assert sub.last_error == "550 5.1.1 no such user"


def test_open_sends_lists_stale_claims_and_retryable_failures(store: Engine, clock: FixedClock):
    ids = [active(store, f"u{n}@example.org") for n in range(4)]
    for sid in ids:
        store.claim_send(sid, "2026-01-06", f"<{sid}@x>", [], "{}")
    store.mark_sent(ids[0], "2026-01-06")
    store.mark_failed(ids[1], "2026-01-06", "451 later", retry=True)
    store.mark_failed(ids[2], "2026-01-06", "550 gone", retry=False, bounce=True)
    since = clock.now() - timedelta(days=1)
    assert [r.subscription_id for r in store.open_sends((0, 1), since, 5)] == [ids[1], ids[3]]
    assert store.open_sends((0, 1), clock.now() + timedelta(seconds=1), 5) == []
    assert store.reclaim_send(ids[1], "2026-01-06")
    assert not store.reclaim_send(ids[0], "2026-01-06")  # sent: not open
    row = store.sends_of(ids[1])[0]
    assert (row.status, row.attempts, row.retry) == ("claimed", 2, False)
    assert [r.subscription_id for r in store.open_sends((0, 1), since, 2)] == [ids[1], ids[3]]
    store.mark_failed(ids[1], "2026-01-06", "451 later", retry=True)
    assert [r.subscription_id for r in store.open_sends((0, 1), since, 2)] == [ids[3]]


def test_ratings_belong_to_the_user_or_else_the_subscription(store: Engine):
    user = store.create_user("ada", "ada@example.org", "hash")
    linked = store.add_subscription("ada@example.org", "daily", "both", user_id=user.id)
    anonymous = store.add_subscription("bob@example.org", "daily", "both")
    store.set_rating(paper_id(1), 1, "web", user_id=user.id)
    store.set_rating(paper_id(2), -1, "email", user_id=user.id, subscription_id=linked.id)
    store.set_rating(paper_id(1), -1, "email", subscription_id=anonymous.id)
    store.set_rating(paper_id(1), 1, "email", subscription_id=anonymous.id)  # latest wins
    mine = store.ratings_of(user_id=user.id)
    assert sorted((r.paper_id, r.value, r.source) for r in mine) == [
        (paper_id(1), 1, "web"),
        (paper_id(2), -1, "email"),
    ]
    assert [(r.paper_id, r.value) for r in store.ratings_of(subscription_id=anonymous.id)] == [
        (paper_id(1), 1)
    ]
    both = store.ratings_for([linked, anonymous])
    assert {r.paper_id for r in both[linked.id]} == {paper_id(1), paper_id(2)}
    assert [r.value for r in both[anonymous.id]] == [1]
    assert store.subscriptions_of_user(user.id) == [linked]


def test_clear_ratings_deletes_one_paper_or_all_of_a_user(store: Engine):
    ada = store.create_user("ada", "ada@example.org", "hash")
    bob = store.create_user("bob", "bob@example.org", "hash")
    for n in (1, 2, 3):
        store.set_rating(paper_id(n), 1, "web", user_id=ada.id)
    store.set_rating(paper_id(1), -1, "web", user_id=bob.id)
    assert store.clear_ratings(ada.id, paper_id(2)) == 1
    assert {r.paper_id for r in store.ratings_of(user_id=ada.id)} == {paper_id(1), paper_id(3)}
    assert store.clear_ratings(ada.id) == 2
    assert store.ratings_of(user_id=ada.id) == []
    assert len(store.ratings_of(user_id=bob.id)) == 1  # another user's ratings stay


def test_rating_values_are_a_users_newest_ratings_and_ratings_on_the_shown_ones(
    store: Engine, clock: FixedClock
):
    ada = store.create_user("ada", "ada@example.org", "hash")
    bob = store.create_user("bob", "bob@example.org", "hash")
    for n, value in ((1, 1), (2, -1), (3, 1)):
        store.set_rating(paper_id(n), value, "web", user_id=ada.id)
        clock.current += timedelta(seconds=1)
    store.set_rating(paper_id(4), 1, "web", user_id=bob.id)
    clock.current += timedelta(seconds=1)
    store.set_rating(paper_id(1), -1, "web", user_id=ada.id)  # changed: now the newest
    assert store.rating_values(ada.id, 10) == [
        (paper_id(1), -1), (paper_id(3), 1), (paper_id(2), -1)
    ]  # fmt: skip
    assert store.rating_values(ada.id, 2) == [(paper_id(1), -1), (paper_id(3), 1)]
    newest = [(r.paper_id, r.value) for r in store.ratings_of(user_id=ada.id, limit=2)]
    assert store.rating_values(ada.id, 2) == newest
    shown = [paper_id(n) for n in (1, 2, 4, 5)]
    assert store.ratings_on(ada.id, shown) == {paper_id(1): -1, paper_id(2): -1}
    assert store.ratings_on(bob.id, shown) == {paper_id(4): 1}
    assert store.ratings_on(ada.id, []) == {}


def test_set_rating_refuses_unknown_papers(store: Engine):
    sub = store.add_subscription("ada@example.org", "daily", "both")
    with pytest.raises(PaperNotFoundError):
        store.set_rating("9999.99999", 1, "email", subscription_id=sub.id)


def test_digest_lock_excludes_other_stores_per_shard(store: Engine, clock: FixedClock):
    other = another(store, clock)
    try:
        with store.digest_lock((0, 2)) as held:
            assert held
            with other.digest_lock((0, 2)) as second:
                assert second is False
            with other.digest_lock((1, 2)) as other_shard:
                assert other_shard  # another shard is not blocked
        with other.digest_lock((0, 2)) as after:
            assert after  # released when the block ended
    finally:
        other.close()


def test_digest_lock_of_a_memory_store_is_always_held():
    memory = SqliteStore(":memory:", FixedClock())
    with memory.digest_lock((0, 1)) as held:
        assert held
    memory.close()
