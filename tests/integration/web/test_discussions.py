"""Discussions through the pages: replies one level deep, the 15-minute edit window (on the
injected clock), reports once per user, the Markdown preview, and the notifications page with
its unread count in the nav."""

from __future__ import annotations

from tests.integration.web.conftest import PASSWORD, PLAIN_ID, Site


def switch_to(site: Site, username: str) -> None:
    site.post("/logout")
    site.client.cookies.clear()
    site.sign_up(username)


def log_in_again(site: Site, username: str) -> None:
    site.post("/logout")
    site.client.cookies.clear()
    token = site.csrf("/login")
    login = {"login": username, "password": PASSWORD, "csrf_token": token}
    site.client.post("/login", data=login)


def comment(site: Site, body: str) -> int:
    answer = site.post(f"/papers/{PLAIN_ID}/comments", {"body": body})
    assert answer.status_code == 303
    return int(answer.headers["location"].rsplit("#comment-", 1)[1])


def reply(site: Site, parent: int, body: str) -> int:
    answer = site.post(f"/comments/{parent}/reply", {"body": body})
    assert answer.status_code == 303
    return int(answer.headers["location"].rsplit("#comment-", 1)[1])


def test_a_reply_to_a_reply_joins_the_thread_and_notifies(site: Site) -> None:
    site.sign_up("alice")
    top = comment(site, "Top comment")
    switch_to(site, "bob")
    first = reply(site, top, "First reply")
    switch_to(site, "carol")
    second = reply(site, first, "Reply to the reply")
    parents = {c.id: c.parent_id for c in site.store.comments_for(PLAIN_ID)}
    assert parents == {top: None, first: top, second: top}
    page = site.client.get(f"/papers/{PLAIN_ID}").text
    thread = page[page.index(f'id="comment-{top}"') : page.index(f'id="reply-to-{top}"')]
    assert f'id="comment-{first}"' in thread and f'id="comment-{second}"' in thread
    assert 'class="comment comment-reply"' in thread
    assert site.post("/comments/999/reply", {"body": "to nothing"}).status_code == 400

    log_in_again(site, "alice")
    notes = site.client.get("/notifications").text
    assert 'id="unread-count"' in notes and ">2</span>" in notes
    assert "Reply to the reply" in notes and "First reply" in notes
    assert site.post("/notifications/read").headers["location"] == "/notifications"
    assert 'id="unread-count"' not in site.client.get("/notifications").text


def test_edit_by_the_author_within_15_minutes_only(site: Site) -> None:
    site.sign_up("alice")
    mine = comment(site, "Fisrt try")
    page = site.client.get(f"/papers/{PLAIN_ID}").text
    assert f'id="edit-comment-{mine}"' in page and ">edited<" not in page
    site.clock.sleep(14 * 60)
    assert site.post(f"/comments/{mine}/edit", {"body": "First try"}).status_code == 303
    page = site.client.get(f"/papers/{PLAIN_ID}").text
    assert "First try" in page and ">edited<" in page
    switch_to(site, "bob")
    assert f'id="edit-comment-{mine}"' not in site.client.get(f"/papers/{PLAIN_ID}").text
    assert site.post(f"/comments/{mine}/edit", {"body": "Hijacked"}).status_code == 403
    log_in_again(site, "alice")
    site.clock.sleep(2 * 60)  # 16 minutes after posting
    assert f'id="edit-comment-{mine}"' not in site.client.get(f"/papers/{PLAIN_ID}").text
    assert site.post(f"/comments/{mine}/edit", {"body": "Too late"}).status_code == 400
    assert site.store.comment_by_id(mine).body == "First try"  # type: ignore[union-attr]


def test_a_report_counts_once_and_curators_see_it(site: Site) -> None:
    site.sign_up("alice")  # first user: curator
    switch_to(site, "bob")
    spam = comment(site, "Buy now")
    switch_to(site, "carol")
    assert site.post(f"/comments/{spam}/report", {"reason": "spam"}).status_code == 303
    assert site.post(f"/comments/{spam}/report", {"reason": "spam!"}).status_code == 303
    assert [r.reason for r in site.store.comment_reports(10)] == ["spam"]
    assert "Reported comments" not in site.client.get("/notifications").text
    log_in_again(site, "alice")
    page = site.client.get("/notifications").text
    assert f"comment {spam}</a>" in page and "reported by carol" in page


def test_preview_renders_the_draft_without_posting_it(site: Site) -> None:
    site.sign_up("alice")
    answer = site.post(f"/papers/{PLAIN_ID}/preview", {"body": "Some *emphasis* and $x^2$"})
    assert answer.status_code == 200
    assert 'id="comment-preview"' in answer.text and "<em>emphasis</em>" in answer.text
    assert ">Some *emphasis* and $x^2$</textarea>" in answer.text
    assert site.store.comments_for(PLAIN_ID) == []


def test_notifications_need_login(site: Site) -> None:
    assert site.client.get("/notifications", follow_redirects=False).status_code == 303
