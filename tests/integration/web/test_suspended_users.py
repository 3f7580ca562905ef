"""A suspended user is locked out at once: the next request with its session cookie is
anonymous, its API token is refused, and it cannot log in again until unsuspended."""

from __future__ import annotations

from tests.integration.web.conftest import PASSWORD, PLAIN_ID, Site


def test_suspension_ends_the_session_and_the_api_token_at_once(site: Site):
    site.sign_up("curator")
    site.post("/logout")
    site.client.cookies.clear()
    site.sign_up("member")
    session = site.client.cookies["papertide_session"]
    user = site.services.accounts.user_for_session(session)
    assert user is not None
    token = site.services.accounts.create_api_token(user, "laptop")
    bearer = {"Authorization": f"Bearer {token}"}
    vote = f"/api/papers/{PLAIN_ID}/vote"
    assert site.client.post(vote, json={"up": True}, headers=bearer).status_code == 200
    assert "member" in site.client.get("/account").text

    site.services.admin.suspend(None, "member")

    assert site.client.get("/account", follow_redirects=False).status_code in (303, 401, 403)
    assert site.services.accounts.user_for_session(session) is None
    assert site.client.post(vote, json={"up": False}, headers=bearer).status_code == 401
    site.client.cookies.clear()
    form = {"username": "member", "password": PASSWORD, "csrf_token": site.csrf()}
    assert site.client.post("/login", data=form, follow_redirects=False).status_code != 303

    site.services.admin.suspend(None, "member", suspended=False)
    assert site.client.post(vote, json={"up": True}, headers=bearer).status_code == 200
    assert [e.action for e in site.store.audit_log(10)] == ["unsuspend", "suspend"]
