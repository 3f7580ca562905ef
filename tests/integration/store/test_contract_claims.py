"""The Store contract, claimed-authorship side: one claim per user per paper, an approved
author slot held by one account, decisions with who and when, withdrawals, the batch reads the
pages use, confirmed emails and domain rules. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from papertide.clock import FixedClock
from papertide.errors import ConflictError
from papertide.store.base import Store
from tests.integration.store.conftest import START
from tests.integration.store.test_contract_community import add_papers, users
from tests.threads import run_threads

PID = "2603.00001"


def name_of(store: Store, paper_id: str = PID) -> str:
    paper = store.get_paper(paper_id)
    assert paper is not None
    return paper.authors[0]


def test_a_claim_waits_then_a_curator_decides_with_who_and_when(
    store: Store, clock: FixedClock
) -> None:
    add_papers(store, PID)
    [ada] = users(store, 1)
    claim = store.add_claim(ada.id, PID, name_of(store), None)
    assert (claim.state, claim.decided_at, claim.decided_by) == ("pending", None, None)
    assert (claim.username, claim.created_at, claim.confirmed_email) == ("user0", START, None)
    assert store.claims_in_state("pending", 10) == [claim]
    assert store.approved_claims([PID]) == {}
    clock.current = START + timedelta(hours=1)
    approved = store.decide_claim(claim.id, "approved", "curator")
    assert approved is not None and approved.state == "approved"
    assert (approved.decided_at, approved.decided_by) == (START + timedelta(hours=1), "curator")
    assert store.claim_by_id(claim.id) == approved
    assert store.approved_claims([PID, "2603.09999"]) == {PID: [approved]}
    assert store.claims_by_author(name_of(store), 10) == [approved]
    assert store.claims_of(ada.id) == [approved]
    assert store.decide_claim(999, "approved", "curator") is None
    reopened = store.decide_claim(claim.id, "pending", "curator")  # an Undo
    assert reopened is not None and (reopened.state, reopened.decided_at) == ("pending", None)
    assert reopened.decided_by is None and store.approved_claims([PID]) == {}


def test_one_claim_per_user_per_paper(store: Store) -> None:
    add_papers(store, PID, "2603.00002")
    [ada] = users(store, 1)
    first = store.add_claim(ada.id, PID, name_of(store), None)
    with pytest.raises(ConflictError):
        store.add_claim(ada.id, PID, "Someone Else", None)
    other = store.add_claim(ada.id, "2603.00002", name_of(store, "2603.00002"), None)
    assert store.claims_of(ada.id) == [other, first]  # newest first


def test_an_approved_slot_is_held_by_one_account(store: Store) -> None:
    add_papers(store, PID)
    ada, bob = users(store, 2)
    name = name_of(store)
    held = store.add_claim(ada.id, PID, name, "rule:example.org")
    assert held.state == "approved"
    with pytest.raises(ConflictError):  # refused outright, even pending
        store.add_claim(bob.id, PID, name, None)
    with pytest.raises(ConflictError):  # and a rule cannot take it either
        store.add_claim(bob.id, PID, name, "rule:example.org")
    # a claim filed before the slot was taken cannot be approved over the holder
    add_papers(store, "2603.00002")
    second = name_of(store, "2603.00002")
    waiting = store.add_claim(bob.id, "2603.00002", second, None)
    store.add_claim(ada.id, "2603.00002", second, "rule:example.org")
    with pytest.raises(ConflictError):
        store.decide_claim(waiting.id, "approved", "curator")
    assert store.decide_claim(waiting.id, "rejected", "curator") is not None
    assert [c.user_id for c in store.approved_claims(["2603.00002"])["2603.00002"]] == [ada.id]


def test_author_commented_needs_an_approved_author_and_a_live_comment(store: Store) -> None:
    add_papers(store, PID, "2603.00002", "2603.00003")
    ada, bob = users(store, 2)
    store.add_claim(ada.id, PID, name_of(store), "rule:example.org")  # approved
    store.add_claim(ada.id, "2603.00002", name_of(store, "2603.00002"), None)  # pending
    store.add_comment(bob.id, PID, "not an author")
    store.add_comment(ada.id, "2603.00002", "pending, so not yet")
    assert store.author_commented([PID, "2603.00002", "2603.00003"]) == set()
    mine = store.add_comment(ada.id, PID, "one of the authors")
    store.add_comment(ada.id, PID, "twice, counted once")
    assert store.author_commented([PID, "2603.00002", "2603.00003"]) == {PID}
    assert store.author_commented([]) == set()
    store.delete_comment(mine.id)
    assert store.author_commented([PID]) == {PID}  # the other comment stays


def test_withdraw_deletes_pending_or_approved_but_a_rejected_claim_stays(store: Store) -> None:
    add_papers(store, PID, "2603.00002")
    ada, bob = users(store, 2)
    claim = store.add_claim(ada.id, PID, name_of(store), "rule:example.org")
    assert not store.withdraw_claim(claim.id, bob.id)  # not his
    assert store.withdraw_claim(claim.id, ada.id)
    assert store.claim_by_id(claim.id) is None and store.approved_claims([PID]) == {}
    rejected = store.add_claim(bob.id, "2603.00002", name_of(store, "2603.00002"), None)
    store.decide_claim(rejected.id, "rejected", "curator")
    assert not store.withdraw_claim(rejected.id, bob.id)
    with pytest.raises(ConflictError):  # cannot be filed again
        store.add_claim(bob.id, "2603.00002", name_of(store, "2603.00002"), None)


def test_a_confirmed_email_counts_only_while_it_is_the_users_email(store: Store) -> None:
    add_papers(store, PID)
    ada = store.create_user("ada", "Ada@CS.Example.edu", "hash")
    assert store.confirmed_email(ada.id) is None
    store.confirm_email(ada.id, "ada@cs.example.edu")  # any case
    assert store.confirmed_email(ada.id) == "Ada@CS.Example.edu"
    claim = store.add_claim(ada.id, PID, name_of(store), None)
    assert claim.confirmed_email == "Ada@CS.Example.edu"
    store.set_email(ada.id, "ada@elsewhere.org")  # e.g. a curator or the CLI changed it
    assert store.confirmed_email(ada.id) is None
    assert store.claims_in_state("pending", 10)[0].confirmed_email is None


def test_rules_are_kept_once_by_domain(store: Store) -> None:
    first = store.add_claim_rule("example.edu", "ada")
    assert store.add_claim_rule("example.edu", "bob") == first  # kept as it was
    store.add_claim_rule("cs.other.org", "ada")
    assert [r.domain for r in store.claim_rules()] == ["cs.other.org", "example.edu"]
    assert first.created_by == "ada" and first.created_at == START
    assert store.remove_claim_rule("example.edu")
    assert not store.remove_claim_rule("example.edu")
    assert [r.domain for r in store.claim_rules()] == ["cs.other.org"]


def test_deleting_a_user_deletes_their_claims_and_confirmation(store: Store) -> None:
    add_papers(store, PID)
    [ada] = users(store, 1)
    store.confirm_email(ada.id, "ada@example.org")
    store.add_claim(ada.id, PID, name_of(store), "rule:example.org")
    store.delete_user(ada.id)
    assert store.approved_claims([PID]) == {}
    assert store.count_rows("author_claims") == store.count_rows("email_confirmations") == 0


def test_racing_claims_of_one_author_leave_one_holder(store: Store) -> None:
    """Eight users claim the same author at once, each approved by a rule: one holds it,
    the others are refused with ConflictError (never a store error)."""
    add_papers(store, PID)
    racers = users(store, 8)
    name = name_of(store)

    def race(n: int) -> None:
        store.add_claim(racers[n].id, PID, name, "rule:x.org")

    errors = run_threads(8, race)
    assert len(errors) == 7 and all(isinstance(error, ConflictError) for error in errors)
    assert len(store.approved_claims([PID])[PID]) == 1
