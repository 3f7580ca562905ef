"""ClaimService over a real SQLite store: names must be the paper's, rules trust confirmed
emails only (and only at or below their domain), curators' decisions and rules go to the audit
log, members cannot decide, and claims are rate limited."""

from __future__ import annotations

import pytest

from papertide.community.claims import ClaimService, check_domain, rule_for
from papertide.community.ratelimit import RateLimits
from papertide.errors import (
    AuthError,
    ConflictError,
    InputError,
    PaperNotFoundError,
    RateLimitError,
)
from papertide.models import ClaimRule, User
from papertide.store.sqlite import SqliteStore
from tests.integration.community.conftest import NOW, store_papers

PID = "2603.00001"
NAME = "Ada Lovelace"  # make_paper's author


@pytest.fixture
def claims(store: SqliteStore) -> ClaimService:
    store_papers(store, [PID, "2603.00002"])
    return ClaimService(store)


def people(store: SqliteStore) -> tuple[User, User, User]:
    curator = store.create_user("curator", None, "h")  # the first user is the curator
    ada = store.create_user("ada", "ada@cs.example.edu", "h")
    eve = store.create_user("eve", "eve@cs.example.edu", "h")
    return curator, ada, eve


def test_a_claim_waits_for_a_curator_who_approves_it_into_the_audit_log(
    store: SqliteStore, claims: ClaimService
) -> None:
    curator, ada, _eve = people(store)
    claim = claims.claim(ada, PID, NAME)
    assert claim.state == "pending" and claims.pending() == [claim]
    with pytest.raises(AuthError):
        claims.approve(ada, claim.id)  # a member cannot decide, not even their own
    approved = claims.approve(curator, claim.id)
    assert (approved.state, approved.decided_by) == ("approved", "curator")
    assert claims.on_papers([PID]) == {PID: {NAME: approved}}
    assert claims.of_author(NAME) == [approved]
    [entry] = store.audit_log(10, "claim-approve")
    assert (entry.actor, entry.target) == ("curator", f"claim:{claim.id}")
    assert entry.detail == f"ada as {NAME} on {PID}"
    rejected = claims.reject(curator, claim.id)  # a curator can take it back
    assert rejected.state == "rejected" and claims.on_papers([PID]) == {}
    assert store.audit_log(10, "claim-reject")[0].target == f"claim:{claim.id}"
    assert claims.reopen(curator, claim.id).state == "pending"
    assert store.audit_log(1)[0].action == "claim-reopen"


def test_only_a_name_the_paper_lists_on_a_paper_that_exists(
    store: SqliteStore, claims: ClaimService
) -> None:
    _curator, ada, _eve = people(store)
    with pytest.raises(InputError):
        claims.claim(ada, PID, "Ada")  # not exactly as listed
    with pytest.raises(PaperNotFoundError):
        claims.claim(ada, "2603.09999", NAME)
    assert claims.mine(ada) == []


def test_a_rule_approves_a_confirmed_email_at_once_but_never_an_unconfirmed_one(
    store: SqliteStore, claims: ClaimService
) -> None:
    curator, ada, eve = people(store)
    claims.add_rule(curator, "@Example.EDU")
    store.confirm_email(ada.id, "ada@cs.example.edu")
    mine = claims.claim(ada, PID, NAME)
    assert (mine.state, mine.decided_by) == ("approved", "rule:example.edu")
    assert store.audit_log(10, "claim-approve")[0].actor == "rule:example.edu"
    # eve typed an address at the same domain but never followed a link sent there
    theirs = claims.claim(eve, "2603.00002", NAME)
    assert theirs.state == "pending"
    # and an approved slot is not hers to take, rule or no rule
    store.confirm_email(eve.id, "eve@cs.example.edu")
    with pytest.raises(ConflictError):
        claims.claim(eve, PID, NAME)


def test_rules_are_for_curators_and_domains_are_checked(
    store: SqliteStore, claims: ClaimService
) -> None:
    curator, ada, _eve = people(store)
    with pytest.raises(AuthError):
        claims.add_rule(ada, "example.edu")
    for bad in ("", "edu", "a..b", "<b>.org", "ex ample.org", "x@y.org"):
        with pytest.raises(InputError):
            claims.add_rule(curator, bad)
    claims.add_rule(curator, "example.edu")
    assert [r.domain for r in claims.rules()] == ["example.edu"]
    assert claims.remove_rule(curator, "@example.edu")
    assert not claims.remove_rule(curator, "example.edu")
    actions = [e.action for e in store.audit_log(10)]
    assert actions == ["claim-rule-remove", "claim-rule-add"]


def test_a_rule_covers_its_domain_and_those_below_it_only() -> None:
    rules = [ClaimRule("example.edu", "c", NOW)]
    assert rule_for("a@example.edu", rules) == rules[0]
    assert rule_for("a@CS.Example.edu", rules) == rules[0]
    assert rule_for("a@notexample.edu", rules) is None
    assert rule_for("a@example.edu.evil.org", rules) is None
    assert check_domain(" @CS.Example.EDU ") == "cs.example.edu"


def test_withdraw_only_ones_own_claim(store: SqliteStore, claims: ClaimService) -> None:
    _curator, ada, eve = people(store)
    claim = claims.claim(ada, PID, NAME)
    with pytest.raises(InputError):
        claims.withdraw(eve, claim.id)
    claims.withdraw(ada, claim.id)
    assert claims.mine(ada) == []


def test_claims_are_rate_limited_per_user(store: SqliteStore) -> None:
    store_papers(store, [f"2603.0000{n}" for n in range(1, 4)])
    claims = ClaimService(store, RateLimits(claim=(2, 86_400)))
    _curator, ada, _eve = people(store)
    claims.claim(ada, "2603.00001", NAME)
    claims.claim(ada, "2603.00002", NAME)
    with pytest.raises(RateLimitError):
        claims.claim(ada, "2603.00003", NAME)
