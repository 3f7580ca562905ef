"""The Store contract, discussions side: replies one level deep, the edit window, reports once
per user, and reply notifications. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from papertide.clock import FixedClock
from papertide.store.base import Store
from tests.integration.store.conftest import START
from tests.integration.store.test_contract_community import add_papers, users


def test_a_reply_to_a_reply_joins_the_thread_and_tells_both_authors(store: Store) -> None:
    add_papers(store, "2603.00001")
    ada, bob, cy = users(store, 3)
    top = store.add_comment(ada.id, "2603.00001", "Top")
    reply = store.add_reply(bob.id, top.id, "Reply")
    assert reply is not None and reply.parent_id == top.id and reply.paper_id == "2603.00001"
    deeper = store.add_reply(cy.id, reply.id, "Reply to the reply")
    assert deeper is not None and deeper.parent_id == top.id
    assert [c.parent_id for c in store.comments_for("2603.00001")] == [None, top.id, top.id]
    assert [n.comment.id for n in store.notifications(ada.id, 10)] == [deeper.id, reply.id]
    assert [n.comment.id for n in store.notifications(bob.id, 10)] == [deeper.id]
    assert store.notifications(cy.id, 10) == []  # never told of one's own reply
    assert store.unread_notifications(ada.id) == 2
    assert store.mark_notifications_read(ada.id) == 2
    assert store.unread_notifications(ada.id) == 0
    assert all(n.read_at == START for n in store.notifications(ada.id, 10))


def test_no_reply_to_a_deleted_or_missing_comment(store: Store) -> None:
    add_papers(store, "2603.00001")
    [ada] = users(store, 1)
    top = store.add_comment(ada.id, "2603.00001", "Top")
    store.delete_comment(top.id)
    assert store.add_reply(ada.id, top.id, "Late") is None
    assert store.add_reply(ada.id, 999, "Nowhere") is None


def test_edit_only_by_the_author_and_only_since_the_given_time(
    store: Store, clock: FixedClock
) -> None:
    add_papers(store, "2603.00001")
    ada, bob = users(store, 2)
    mine = store.add_comment(ada.id, "2603.00001", "Fisrt")
    assert store.edit_comment(mine.id, bob.id, "Hijacked", START) is None
    clock.sleep(300)
    edited = store.edit_comment(mine.id, ada.id, "First", START)
    assert edited is not None and edited.body == "First" and edited.edited_at == clock.now()
    assert store.edit_comment(mine.id, ada.id, "Too late", START + timedelta(seconds=1)) is None
    assert store.comment_by_id(mine.id).body == "First"  # type: ignore[union-attr]


def test_one_report_per_user_per_comment_and_curators_see_them(store: Store) -> None:
    add_papers(store, "2603.00001")
    ada, bob, cy = users(store, 3)
    bad = store.add_comment(ada.id, "2603.00001", "Spam")
    assert store.report_comment(bad.id, bob.id, "spam")
    assert not store.report_comment(bad.id, bob.id, "spam again")
    assert store.report_comment(bad.id, cy.id, "")
    reports = store.comment_reports(10)
    assert sorted((r.reporter, r.reason) for r in reports) == [("user1", "spam"), ("user2", "")]
    assert {r.comment.id for r in reports} == {bad.id}
    store.delete_comment(bad.id)
    assert store.comment_reports(10) == []


def test_deleting_a_user_keeps_the_replies_to_their_comments(store: Store) -> None:
    add_papers(store, "2603.00001")
    ada, bob = users(store, 2)
    top = store.add_comment(ada.id, "2603.00001", "Top")
    reply = store.add_reply(bob.id, top.id, "Reply")
    assert reply is not None
    store.report_comment(top.id, bob.id, "")
    store.delete_user(ada.id)
    kept = store.comment_by_id(reply.id)
    assert kept is not None and kept.parent_id is None
