"""Sign up, log in, log out, the account page (API tokens, follows, collections)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from papertide.digest.send import RecordingMailer
from tests.integration.web.conftest import PASSWORD, PLAIN_ID, Site


def log_in(site: Site, login: str, password: str = PASSWORD, next: str = "/"):
    token = site.csrf("/login")
    form = {"login": login, "password": password, "csrf_token": token, "next": next}
    return site.client.post("/login", data=form, follow_redirects=False)


def test_signup_logs_the_new_user_in_and_the_first_is_curator(site: Site):
    site.sign_up("alice")
    html = site.client.get("/").text
    assert 'id="nav-account">alice</a>' in html and "curator" in html
    site.post("/logout")
    site.client.cookies.clear()
    site.sign_up("bob")
    assert "curator" not in site.client.get("/").text


def test_signup_errors_rerender_the_form_with_the_message(site: Site):
    site.sign_up("alice")
    site.post("/logout")
    token = site.csrf("/signup")
    taken = {"username": "ALICE", "password": PASSWORD, "csrf_token": token}
    answer = site.client.post("/signup", data=taken)
    assert answer.status_code == 409 and "taken" in answer.text
    assert 'value="ALICE"' in answer.text
    short = {"username": "x", "password": "short", "csrf_token": token}
    answer = site.client.post("/signup", data=short)
    assert answer.status_code == 400 and 'id="form-error"' in answer.text


def test_login_with_wrong_password_is_401_and_right_one_redirects_to_next(site: Site):
    site.sign_up("alice")
    site.post("/logout")
    wrong = log_in(site, "alice", "not the password")
    assert wrong.status_code == 401 and "wrong username or password" in wrong.text
    right = log_in(site, "alice", next=f"/papers/{PLAIN_ID}")
    assert right.status_code == 303 and right.headers["location"] == f"/papers/{PLAIN_ID}"
    assert "papertide_session=" in right.headers["set-cookie"]
    assert site.client.get("/account").status_code == 200


def test_logout_ends_the_session_in_the_store(site: Site):
    site.sign_up("alice")
    session = site.client.cookies["papertide_session"]
    answer = site.post("/logout")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert site.services.accounts.user_for_session(session) is None
    assert 'id="nav-login"' in site.client.get("/").text


def test_account_page_needs_login(site: Site):
    answer = site.client.get("/account", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Faccount"


def test_api_token_is_shown_once_and_authenticates(site: Site):
    site.sign_up("alice")
    answer = site.post("/account/tokens", {"name": "script"})
    assert answer.status_code == 200
    token = answer.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert token.startswith("pt_")
    user = site.services.accounts.user_for_api_token(token)
    assert user is not None and user.username == "alice"
    assert token not in site.client.get("/account").text


def test_login_is_rate_limited_per_address(site: Site):
    answers = [log_in(site, f"nobody{n}", "whatever pw").status_code for n in range(21)]
    assert answers[:20] == [401] * 20
    assert answers[20] == 429


def test_login_is_rate_limited_per_account_whatever_the_address(site: Site):
    site.sign_up("alice")
    answers = []
    for n in range(11):  # a fresh client each time: as if from another address
        with TestClient(site.client.app, client=(f"10.0.0.{n}", 5000)) as other:
            found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', other.get("/login").text)
            assert found
            token = found[1]
            form = {"login": "ALICE", "password": "guess {n}", "csrf_token": token}
            answers.append(other.post("/login", data=form, follow_redirects=False).status_code)
    assert answers[:10] == [401] * 10 and answers[10] == 429


def test_weak_passwords_are_refused_at_signup(site: Site):
    for password in ("password", "12345678", " " * 8, "alice_smith"):
        token = site.csrf("/signup")
        form = {"username": "alice_smith", "password": password, "csrf_token": token}
        answer = site.client.post("/signup", data=form, follow_redirects=False)
        assert answer.status_code == 400, password
    assert site.store.user_login("alice_smith") is None


def test_refused_signups_do_not_count_toward_the_address_limit(site: Site):
    for _ in range(6):
        token = site.csrf("/signup")
        form = {"username": "x", "password": "password", "csrf_token": token}
        assert site.client.post("/signup", data=form).status_code == 400
    for name in ("ann", "bea", "cid", "dee", "eve"):
        site.client.cookies.clear()
        site.sign_up(name)


def test_signup_with_a_registered_email_answers_as_any_signup(site: Site):
    answers = []
    for name in ("ada", "mallory"):
        site.client.cookies.clear()
        token = site.csrf("/signup")
        form = {"username": name, "password": PASSWORD, "email": "ada@example.org"}
        answer = site.client.post("/signup", data=form | {"csrf_token": token})
        answers.append(answer)
    assert [a.status_code for a in answers] == [200, 200]
    assert "already" not in answers[1].text
    mallory = site.store.user_login("mallory")
    assert mallory is not None and mallory[0].email is None
    mailer = site.services.digests.mailer
    assert isinstance(mailer, RecordingMailer)
    assert [m.to for m in mailer.sent] == ["ada@example.org"]  # the owner is told instead


def test_collections_page_lists_bookmarks_and_removes_them(site: Site):
    site.sign_up("alice")
    site.post(f"/papers/{PLAIN_ID}/bookmark", {"on": "1"})
    account = site.client.get("/account").text
    assert "Reading list</a> (1)" in account
    user = site.store.user_login("alice")
    assert user is not None
    [collection] = site.store.collections_of(user[0].id)
    page = site.client.get(f"/collections/{collection.id}").text
    assert PLAIN_ID in page
    removed = site.post(f"/collections/{collection.id}/remove", {"paper_id": PLAIN_ID})
    assert removed.status_code == 303
    assert site.store.collection_papers(user[0].id, collection.id) == []


def test_someone_elses_collection_is_404(site: Site):
    site.sign_up("alice")
    site.post(f"/papers/{PLAIN_ID}/bookmark", {"on": "1"})
    alice = site.store.user_login("alice")
    assert alice is not None
    [collection] = site.store.collections_of(alice[0].id)
    site.post("/logout")
    site.client.cookies.clear()
    site.sign_up("bob")
    assert site.client.get(f"/collections/{collection.id}").status_code == 404


def test_account_page_links_the_email_digest_form_filled_with_the_users_address(site: Site):
    token = site.csrf("/signup")
    form = {"username": "ada", "password": "correct horse battery", "csrf_token": token}
    form["email"] = "ada@example.org"
    assert site.client.post("/signup", data=form, follow_redirects=False).status_code == 303
    account = site.client.get("/account").text
    assert 'href="/digest/subscribe" id="account-digest"' in account
    subscribe = site.client.get("/digest/subscribe")
    assert subscribe.status_code == 200
    assert 'value="ada@example.org"' in subscribe.text
