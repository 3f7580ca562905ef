"""Claimed authorship through the pages: a member claims an author on a paper page, a curator
approves it on /admin/claims through the confirmation page, and the paper page, the author
page, the account's "My papers", the member's comments ("author" badge) and the API show it.
A domain rule approves at once for an email confirmed through its link, never for an address
only typed; an approved slot cannot be taken by another account; withdrawing undoes the claim;
hostile author names stay inert text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from fastapi.testclient import TestClient

from papertide.clock import FixedClock
from papertide.digest.send import RecordingMailer
from papertide.models import AuthorClaim, Record
from papertide.store.sqlite import SqliteStore
from papertide.web.app import create_app
from tests.integration.web.conftest import (
    NOW,
    PASSWORD,
    PLAIN_ID,
    Site,
    make_paper,
    records,
    site_services,
)

AUTHOR = "Ada Lovelace"  # PLAIN_ID's first author
HOSTILE_PAPER = "2601.00777"
HOSTILE_AUTHOR = "<script>alert('author')</script> \"><img src=x onerror=alert(1)>"
_LINK = re.compile(r"https?://\S+?(/account/email/confirm)\?token=([^\s\"&]+)")
_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@pytest.fixture
def mail() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def site(tmp_path: Path, mail: RecordingMailer) -> Iterator[Site]:
    clock = FixedClock(NOW)
    store = SqliteStore(tmp_path / "claims.db", clock)
    store.migrate()
    hostile = make_paper(HOSTILE_PAPER, "Names", "Hostile names.", authors=(HOSTILE_AUTHOR,))
    store.write_batch([*records(), Record(hostile)], [])
    services = site_services(store, clock, mailer=mail)
    with TestClient(create_app(services)) as client:
        built = Site(client, services, store, clock, None)  # type: ignore[arg-type]
        built.sign_up("curator")  # the first account is the curator
        yield built
    store.close()


def become(site: Site, username: str, email: str = "") -> None:
    """Log out and sign up (or log in as) `username`."""
    site.post("/logout")
    site.client.cookies.clear()
    if site.store.user_login(username) is None:
        token = site.csrf("/signup")
        form = {"username": username, "password": PASSWORD, "email": email, "csrf_token": token}
        assert site.client.post("/signup", data=form, follow_redirects=False).status_code == 303
    else:
        form = {"login": username, "password": PASSWORD, "csrf_token": site.csrf("/login")}
        assert site.client.post("/login", data=form, follow_redirects=False).status_code == 303


def claim(site: Site, username: str, author: str = AUTHOR, paper_id: str = PLAIN_ID) -> int:
    """Claim `author` as `username` (logged in); the claim's id."""
    answer = site.post(f"/papers/{paper_id}/claim", {"author": author})
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/papers/{paper_id}#authorship"
    user = site.store.user_login(username)
    assert user is not None
    return next(c.id for c in site.store.claims_of(user[0].id) if c.paper_id == paper_id)


def decide(site: Site, claim_id: int, action: str) -> str:
    """A curator's decision through the confirmation page; the confirmation page's text."""
    asked = site.post(f"/admin/claims/{claim_id}/{action}")
    page: str = asked.text
    assert asked.status_code == 200 and 'id="confirm"' in page
    done = site.post(f"/admin/claims/{claim_id}/{action}", {"confirm": "yes"})
    assert done.status_code == 200 and 'id="done-message"' in done.text
    assert f'action="/admin/claims/{claim_id}/reopen"' in done.text  # the Undo
    return page


def confirm_email(site: Site, mail: RecordingMailer, address: str) -> None:
    """Ask for the confirmation link on the account page and follow it."""
    assert site.post("/account/email/verify").status_code == 303
    match = _LINK.search(mail.to(address)[-1].text)
    assert match
    path, token = match[1], unquote(match[2])
    page = site.client.get(path, params={"token": token})
    csrf = _CSRF.search(page.text)
    assert csrf
    done = site.client.post(path, data={"token": token, "csrf_token": csrf[1]})
    assert done.status_code == 200


def test_a_member_claims_and_a_curator_approves_it_through_the_confirm_page(site: Site) -> None:
    become(site, "ada")
    paper_page = site.client.get(f"/papers/{PLAIN_ID}").text
    assert 'id="claim-form"' in paper_page and 'value="Ada Lovelace"' in paper_page
    claim_id = claim(site, "ada")
    site.post(f"/papers/{PLAIN_ID}/comments", {"body": "Our code is on GitHub."})
    assert "waiting for a curator" in site.client.get(f"/papers/{PLAIN_ID}").text
    account = site.client.get("/account").text
    assert 'id="my-papers"' in account and "pending" in account
    assert "badge-author" not in site.client.get(f"/papers/{PLAIN_ID}").text

    become(site, "curator")
    review = site.client.get("/admin/claims").text
    assert f'id="claim-{claim_id}"' in review and "not confirmed" in review
    asked = decide(site, claim_id, "approve")
    assert "Ada Lovelace" in asked and "Plain transformers for translation" in asked
    assert site.store.audit_log(5, "claim-approve")[0].actor == "curator"

    paper_page = site.client.get(f"/papers/{PLAIN_ID}").text
    assert 'title="claimed by ada"' in paper_page
    badge = re.search(r"<strong>ada</strong>(.*?)·", paper_page)
    assert badge and "badge-author" in badge[1]  # on ada's comment
    author_page = site.client.get(f"/authors/{quote(AUTHOR)}").text
    assert 'class="claimed-user">ada<' in author_page and "Plain transformers" in author_page
    api = site.client.get(f"/api/papers/{PLAIN_ID}").json()
    first, second = api["authors"]
    assert first["user"] == {"name": "ada", "user": "ada", "fullname": "ada", "type": "user"}
    assert first["status"] == "claimed_verified" and "statusLastChangedAt" in first
    assert "user" not in second and "status" not in second
    profile = site.client.get("/users/ADA")  # any case
    assert profile.status_code == 200 and 'href="/users/ada"' in paper_page
    assert "Plain transformers for translation" in profile.text and AUTHOR in profile.text
    become(site, "ada")
    assert "approved" in site.client.get("/account").text
    [exported] = site.client.get("/account/export").json()["author_claims"]
    assert exported["author"] == AUTHOR and exported["state"] == "approved"


def test_a_rule_approves_a_confirmed_email_at_once_not_a_typed_one(
    site: Site, mail: RecordingMailer
) -> None:
    answer = site.post("/admin/claims/rules", {"domain": "lab.org"})
    assert answer.status_code == 303
    assert "@lab.org" in site.client.get("/admin/claims").text

    become(site, "ada", "ada@cs.lab.org")
    assert 'id="email-unconfirmed"' in site.client.get("/account").text
    confirm_email(site, mail, "ada@cs.lab.org")
    assert 'id="email-unconfirmed"' not in site.client.get("/account").text
    claim(site, "ada")
    assert site.store.approved_claims([PLAIN_ID])[PLAIN_ID][0].decided_by == "rule:lab.org"

    become(site, "bob", "bob@lab.org")  # typed, never confirmed
    bob_claim = claim(site, "bob", "Alan Turing")
    assert site.store.claim_by_id(bob_claim) is not None
    assert site.store.claim_by_id(bob_claim).state == "pending"  # type: ignore[union-attr]


def test_a_second_user_cannot_take_an_approved_author(site: Site) -> None:
    become(site, "bob")
    early = claim(site, "bob")  # filed while the slot is free
    become(site, "ada")
    ada_claim = claim(site, "ada")
    become(site, "curator")
    decide(site, ada_claim, "approve")
    become(site, "mallory")
    refused = site.post(f"/papers/{PLAIN_ID}/claim", {"author": AUTHOR})
    assert refused.status_code == 409 and "another account holds this author" in refused.text
    page = site.client.get(f"/papers/{PLAIN_ID}").text
    assert 'aria-label="I am this author: Ada Lovelace"' not in page  # no button for a held author
    assert 'aria-label="I am this author: Alan Turing"' in page
    become(site, "curator")
    decide_again = site.post(f"/admin/claims/{early}/approve", {"confirm": "yes"})
    assert decide_again.status_code == 400 and "reject theirs first" in decide_again.text
    assert [c.username for c in site.store.approved_claims([PLAIN_ID])[PLAIN_ID]] == ["ada"]
    # Undo of ada's approval: back to waiting, the slot is free, bob's claim can be approved
    assert site.post(f"/admin/claims/{ada_claim}/reopen").status_code == 303
    assert site.store.claim_by_id(ada_claim).state == "pending"  # type: ignore[union-attr]
    decide(site, early, "approve")
    assert [c.username for c in site.store.approved_claims([PLAIN_ID])[PLAIN_ID]] == ["bob"]
    assert [e.action for e in site.store.audit_log(2)] == ["claim-approve", "claim-reopen"]


def test_withdraw_and_one_name_per_paper(site: Site) -> None:
    become(site, "ada")
    claim_id = claim(site, "ada")
    again = site.post(f"/papers/{PLAIN_ID}/claim", {"author": "Alan Turing"})
    assert again.status_code == 409
    answer = site.post(f"/claims/{claim_id}/withdraw", {"next": "/account#my-papers"})
    assert answer.status_code == 303 and answer.headers["location"] == "/account#my-papers"
    assert site.store.claim_by_id(claim_id) is None
    assert 'id="claim-form"' in site.client.get(f"/papers/{PLAIN_ID}").text
    assert site.post(f"/claims/{claim_id}/withdraw").status_code == 400


def test_who_may_do_what(site: Site) -> None:
    site.post("/logout")
    site.client.cookies.clear()
    logged_out = site.post(f"/papers/{PLAIN_ID}/claim", {"author": AUTHOR})
    assert logged_out.status_code == 303 and logged_out.headers["location"].startswith("/login")
    assert 'id="claim-form"' not in site.client.get(f"/papers/{PLAIN_ID}").text
    become(site, "ada")
    assert site.post(f"/papers/{PLAIN_ID}/claim", {"author": "Nobody"}).status_code == 400
    no_csrf = site.client.post(f"/papers/{PLAIN_ID}/claim", data={"author": AUTHOR})
    assert no_csrf.status_code == 403
    claim_id = claim(site, "ada")
    assert site.client.get("/admin/claims").status_code == 403
    assert site.post(f"/admin/claims/{claim_id}/approve", {"confirm": "yes"}).status_code == 403
    assert site.post("/admin/claims/rules", {"domain": "lab.org"}).status_code == 403
    assert site.store.claim_rules() == []
    site.post("/logout")
    site.client.cookies.clear()
    to_login = site.client.get("/admin/claims", follow_redirects=False)
    assert to_login.status_code == 303 and to_login.headers["location"].startswith("/login")
    become(site, "curator")
    assert site.post(f"/admin/claims/{claim_id}/promote").status_code == 404
    assert site.post("/admin/claims/99/approve").status_code == 404
    bad_rule = site.post("/admin/claims/rules", {"domain": "<b>x</b>.org"})
    assert bad_rule.status_code == 400 and "<b>x</b>" not in bad_rule.text


def test_hostile_author_names_stay_inert_text(site: Site) -> None:
    become(site, "ada")
    claim(site, "ada", HOSTILE_AUTHOR, HOSTILE_PAPER)
    become(site, "curator")
    review = site.client.get("/admin/claims").text
    asked = site.post(f"/admin/claims/{site.store.claims_in_state('pending', 1)[0].id}/approve")
    pages = [review, asked.text, site.client.get(f"/papers/{HOSTILE_PAPER}").text]
    become(site, "ada")
    pages.append(site.client.get("/account").text)
    for page in pages:
        assert "<script>alert('author')" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#39;author&#39;)&lt;/script&gt;" in page


def test_badges_take_one_claims_query_per_page_however_many_comments(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    become(site, "ada")
    ada_claim = claim(site, "ada")
    found = site.store.user_login("ada")
    assert found is not None
    for n in range(12):
        site.clock.current += timedelta(minutes=1)  # past the comment rate limit
        site.services.community.comment(found[0], PLAIN_ID, f"Note {n}")
    become(site, "curator")
    decide(site, ada_claim, "approve")
    calls: list[list[str]] = []
    read = site.store.approved_claims

    def counted(paper_ids: list[str]) -> dict[str, list[AuthorClaim]]:
        calls.append(list(paper_ids))
        return read(paper_ids)

    monkeypatch.setattr(site.store, "approved_claims", counted)
    page = site.client.get(f"/papers/{PLAIN_ID}").text
    assert page.count('class="badge badge-author"') == 12
    assert calls == [[PLAIN_ID]]


def test_a_large_collaboration_is_claimed_by_typing_the_name(site: Site) -> None:
    names = tuple(f"Member {n:04d}" for n in range(1200))
    big = make_paper("2601.00888", "A big detector", "Many authors.", authors=names)
    site.store.write_batch([Record(big)], [])
    become(site, "ada")
    page = site.client.get("/papers/2601.00888").text
    assert 'id="claim-name"' in page and "I am this author:" not in page  # no 1200 buttons
    assert "Member 0999" in page and "Member 1000" not in page and "and 200 more" in page
    claim(site, "ada", "Member 1100", "2601.00888")  # beyond the names shown: still claimable
    become(site, "bob")
    assert site.post("/papers/2601.00888/claim", {"author": "Member 9999"}).status_code == 400


def test_a_profile_page_only_for_an_active_account_with_approved_claims(site: Site) -> None:
    become(site, "ada", "ada@lab.org")
    claim_id = claim(site, "ada")
    assert site.client.get("/users/ada").status_code == 404  # pending only
    become(site, "curator")
    decide(site, claim_id, "approve")
    assert site.client.get("/users/ada").status_code == 200
    assert site.client.get("/users/ada@lab.org").status_code == 404  # names, not emails
    assert site.client.get("/users/curator").status_code == 404  # an account with no claims
    assert site.client.get("/users/nobody").status_code == 404
    curator = site.store.user_login("curator")
    assert curator is not None
    site.services.admin.suspend(curator[0], "ada")
    assert site.client.get("/users/ada").status_code == 404


def _participating(site: Site) -> bool:
    [item] = [
        hit
        for hit in site.client.get("/api/papers/search", params={"q": "Plain transformers"}).json()
        if hit["paper"]["id"] == PLAIN_ID
    ]
    return bool(item["isAuthorParticipating"])


def test_the_api_says_an_author_participates_once_a_claimed_author_comments(site: Site) -> None:
    """Hugging Face's `isAuthorParticipating`: true while an author whose claim was approved
    has a comment on the paper; a pending claim or another member's comment does not count."""
    become(site, "bob")
    site.post(f"/papers/{PLAIN_ID}/comments", {"body": "Nice paper."})
    become(site, "ada")
    claim_id = claim(site, "ada")
    site.post(f"/papers/{PLAIN_ID}/comments", {"body": "Our code is on GitHub."})
    assert not _participating(site)  # pending
    become(site, "curator")
    decide(site, claim_id, "approve")
    assert _participating(site)
    [ada_comment] = [c for c in site.store.comments_for(PLAIN_ID) if c.username == "ada"]
    site.store.delete_comment(ada_comment.id)
    assert not _participating(site)
