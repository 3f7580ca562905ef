"""A suspended user is locked out at once: the next request with its session cookie is
anonymous, its API token is refused, and it cannot log in again until unsuspended."""

from __future__ import annotations

from urllib.parse import quote

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
    form = {"login": "member", "password": PASSWORD, "csrf_token": site.csrf()}
    assert site.client.post("/login", data=form, follow_redirects=False).status_code == 401

    site.services.admin.suspend(None, "member", suspended=False)
    assert site.client.post("/login", data=form, follow_redirects=False).status_code == 303
    assert site.client.post(vote, json={"up": True}, headers=bearer).status_code == 200
    assert [e.action for e in site.store.audit_log(10)] == ["unsuspend", "suspend"]


def curator_and_member(site: Site) -> None:
    """The store's first user (curator) and a member; the client stays logged in as curator."""
    site.sign_up("curator")
    site.post("/logout")
    site.client.cookies.clear()
    site.sign_up("member")
    site.post("/logout")
    site.client.cookies.clear()
    form = {"login": "curator", "password": PASSWORD, "csrf_token": site.csrf()}
    assert site.client.post("/login", data=form, follow_redirects=False).status_code == 303


def test_curator_suspends_through_a_confirm_step_and_undoes_it(site: Site):
    curator_and_member(site)
    users = site.client.get("/admin/users?q=mem")
    assert 'id="user-member"' in users.text and 'id="user-curator"' not in users.text
    assert 'id="nav-admin"' in users.text
    asked = site.post("/admin/users/member/suspend")
    assert asked.status_code == 200 and 'id="confirm"' in asked.text
    assert site.services.admin.user("member").suspended_at is None  # nothing done yet
    done = site.post("/admin/users/member/suspend", {"confirm": "yes"})
    assert done.status_code == 303
    assert site.services.admin.user("member").suspended_at is not None
    assert (
        site.client.post("/admin/users/member/suspend", data={"confirm": "yes"}).status_code == 403
    )
    assert site.post("/admin/users/member/unsuspend").status_code == 303
    assert site.services.admin.user("member").suspended_at is None
    audit = site.client.get("/admin/audit?action=suspend").text
    assert "user:member" in audit and ">curator<" in audit and "unsuspend" not in audit
    assert "unsuspend" in site.client.get("/admin/audit").text


ADMIN_PAGES = (
    "/admin",
    "/admin/users",
    "/admin/audit",
    "/admin/moderation",
    "/admin/quarantine",
    "/admin/invites",
    "/admin/status",
)


def test_admin_pages_send_anonymous_readers_to_login_and_refuse_members(site: Site):
    curator_and_member(site)
    site.post("/logout")
    site.client.cookies.clear()
    for path in ADMIN_PAGES:
        page = site.client.get(path + "?page=2", follow_redirects=False)
        assert page.status_code == 303, path
        assert page.headers["location"] == "/login?next=" + quote(path + "?page=2", safe=""), path
    form = {"login": "member", "password": PASSWORD, "csrf_token": site.csrf()}
    site.client.post("/login", data=form)
    for path in ADMIN_PAGES:
        page = site.client.get(path)
        assert page.status_code == 403 and "curators" in page.text, path
    assert site.post("/admin/users/curator/suspend", {"confirm": "yes"}).status_code == 403
    assert site.post("/admin/invites", {"uses": "1", "days": "1"}).status_code == 403
    assert site.services.admin.user("curator").suspended_at is None
    assert site.store.audit_log(10) == []
    assert site.services.admin.invites() == []


def test_curator_changes_roles_and_deletes_after_confirming(site: Site):
    curator_and_member(site)
    assert site.post("/admin/users/member/curator").status_code == 303
    assert site.services.admin.user("member").is_admin
    assert site.post("/admin/users/member/member").status_code == 303
    assert 'id="confirm"' in site.post("/admin/users/member/delete").text
    assert site.services.admin.user("member")  # still there until confirmed
    assert site.post("/admin/users/member/delete", {"confirm": "yes"}).status_code == 303
    assert [u.username for u in site.services.admin.users()] == ["curator"]
    assert site.post("/admin/users/curator/member").status_code == 400  # the last curator
    assert site.post("/admin/users/curator/promote").status_code == 404
    actions = [e.action for e in site.store.audit_log(10)]
    assert actions == ["delete-user", "role-member", "role-curator"]
