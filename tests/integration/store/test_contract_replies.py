"""The Store contract, reply-email side: the per-account option, which replies are due (opted
in, confirmed email, not suspended, unread, not one's own, not older than the option), claims
once per notification, the rate bound, and open claims for re-sending. Every test runs on
SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from papertide.clock import FixedClock
from papertide.models import User
from papertide.store.base import Store
from tests.integration.store.conftest import START
from tests.integration.store.test_contract_community import add_papers

ALL = (0, 1)
LONG_AGO = START - timedelta(days=7)


def people(store: Store) -> tuple[User, User]:
    """Ada (opted in, email confirmed, with a top-level comment) and Bob."""
    add_papers(store, "2603.00001")
    ada = store.create_user("Ada", "Ada@Example.org", "h")
    bob = store.create_user("bob", "bob@example.org", "h")
    store.confirm_email(ada.id, "ada@example.org")  # the case of an address does not matter
    store.set_reply_emails(ada.id, True)
    return ada, bob


def test_reply_emails_option_turns_on_and_off(store: Store) -> None:
    ada, bob = people(store)
    assert store.reply_emails_on(ada.id) and not store.reply_emails_on(bob.id)
    store.set_reply_emails(ada.id, True)  # idempotent
    store.set_reply_emails(ada.id, False)
    assert not store.reply_emails_on(ada.id)


def test_due_reply_emails_batch_a_recipients_unread_replies_by_others(
    store: Store, clock: FixedClock
) -> None:
    ada, bob = people(store)
    clock.sleep(1)
    top = store.add_comment(ada.id, "2603.00001", "Why $O(n)$?")
    first = store.add_reply(bob.id, top.id, "See section 3")
    second = store.add_reply(bob.id, top.id, "And <b>section</b> 4")
    own = store.add_reply(ada.id, top.id, "Thanks")  # no notification for one's own reply
    assert first and second and own
    (batch,) = store.due_reply_emails(ALL, LONG_AGO, START)
    assert batch.recipient.email == "Ada@Example.org" and batch.recipient.username == "Ada"
    assert [n.comment.id for n in batch.notifications] == [first.id, second.id]
    assert batch.message_id is None and batch.active
    assert len(store.due_reply_emails((ada.id % 2, 2), LONG_AGO, START)) == 1
    assert store.due_reply_emails((1 - ada.id % 2, 2), LONG_AGO, START) == []  # other shard
    assert store.due_reply_emails(ALL, clock.now() + timedelta(seconds=1), START) == []
    store.mark_notifications_read(ada.id)  # read on the site: no email
    assert store.due_reply_emails(ALL, LONG_AGO, START) == []


def test_no_reply_emails_without_option_confirmed_email_or_when_suspended(
    store: Store, clock: FixedClock
) -> None:
    ada, bob = people(store)
    store.set_reply_emails(ada.id, False)
    top = store.add_comment(ada.id, "2603.00001", "Top")
    store.add_reply(bob.id, top.id, "Before the option")
    clock.sleep(1)
    store.set_reply_emails(ada.id, True)
    assert store.due_reply_emails(ALL, LONG_AGO, START) == []  # replies before opting in
    clock.sleep(1)
    store.add_reply(bob.id, top.id, "After the option")
    assert len(store.due_reply_emails(ALL, LONG_AGO, START)) == 1
    store.set_suspended(ada.id, True)
    assert store.due_reply_emails(ALL, LONG_AGO, START) == []
    store.set_suspended(ada.id, False)
    store.set_email(ada.id, "new@example.org")  # not confirmed yet
    assert store.due_reply_emails(ALL, LONG_AGO, START) == []
    store.set_reply_emails(bob.id, True)  # bob's email was never confirmed
    mine = store.add_comment(bob.id, "2603.00001", "Bob's")
    store.add_reply(ada.id, mine.id, "To Bob")
    assert store.due_reply_emails(ALL, LONG_AGO, START) == []


def test_claim_reply_email_once_then_rate_bound_and_finish(store: Store, clock: FixedClock) -> None:
    ada, bob = people(store)
    top = store.add_comment(ada.id, "2603.00001", "Top")
    store.add_reply(bob.id, top.id, "One")
    (batch,) = store.due_reply_emails(ALL, LONG_AGO, START)
    ids = [n.id for n in batch.notifications]
    assert store.claim_reply_email(ada.id, ids, "<r1@x>")
    assert not store.claim_reply_email(ada.id, ids, "<r2@x>")  # claimed already
    clock.sleep(60)
    store.add_reply(bob.id, top.id, "Two")
    quiet_since = clock.now() - timedelta(minutes=30)
    assert store.due_reply_emails(ALL, LONG_AGO, quiet_since) == []  # emailed 1 min ago
    clock.sleep(30 * 60)
    (later,) = store.due_reply_emails(ALL, LONG_AGO, clock.now() - timedelta(minutes=30))
    assert [n.comment.body for n in later.notifications] == ["Two"]  # "One" is claimed
    store.set_reply_emails(ada.id, False)
    assert not store.claim_reply_email(ada.id, [later.notifications[0].id], "<r3@x>")


def test_open_reply_emails_until_finished_or_out_of_attempts(
    store: Store, clock: FixedClock
) -> None:
    ada, bob = people(store)
    top = store.add_comment(ada.id, "2603.00001", "Top")
    store.add_reply(bob.id, top.id, "One")
    store.add_reply(bob.id, top.id, "Two")
    (batch,) = store.due_reply_emails(ALL, LONG_AGO, START)
    assert store.claim_reply_email(ada.id, [n.id for n in batch.notifications], "<r1@x>")
    (still,) = store.open_reply_emails(ALL, LONG_AGO, 3)
    assert still.message_id == "<r1@x>" and still.active
    assert still.notifications == batch.notifications
    store.finish_reply_email("<r1@x>", "deferred", "451 busy")
    assert store.reclaim_reply_email("<r1@x>", 3)  # attempt 2
    assert store.reclaim_reply_email("<r1@x>", 3)  # attempt 3
    assert store.open_reply_emails(ALL, LONG_AGO, 3) == []
    assert not store.reclaim_reply_email("<r1@x>", 3)
    assert len(store.open_reply_emails(ALL, LONG_AGO, 5)) == 1
    store.set_reply_emails(ada.id, False)
    (gone,) = store.open_reply_emails(ALL, LONG_AGO, 5)
    assert not gone.active  # the sender finishes it as failed instead of sending
    store.finish_reply_email("<r1@x>", "sent")
    assert store.open_reply_emails(ALL, LONG_AGO, 5) == []
    assert not store.reclaim_reply_email("<r1@x>", 5)
    clock.sleep(1)
    assert store.due_reply_emails(ALL, LONG_AGO, START) == []  # sent replies stay sent
