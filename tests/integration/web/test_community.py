"""Votes, comments, submissions, follows and bookmarks through the pages, with and without htmx,
and the rate limits answering 429 pages."""

from __future__ import annotations

import pytest

from papertide.models import Follow
from tests.integration.web.conftest import (
    FETCHABLE_ID,
    HOSTILE_ID,
    PLAIN_ID,
    TODAY,
    Site,
)

HTMX = {"HX-Request": "true"}


def user_id(site: Site, name: str = "alice") -> int:
    found = site.store.user_login(name)
    assert found is not None
    return found[0].id


def test_vote_without_js_redirects_back_and_counts_once(site: Site):
    site.sign_up()
    for _ in range(2):  # a replayed vote changes nothing
        answer = site.post(f"/papers/{PLAIN_ID}/vote", {"up": "1", "next": "/"})
        assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert site.store.upvotes([PLAIN_ID])[PLAIN_ID] == 11
    html = site.client.get("/").text
    assert f'id="vote-{PLAIN_ID}" aria-pressed="true"' in html


def test_unvote_takes_the_vote_back(site: Site):
    site.sign_up()
    site.post(f"/papers/{PLAIN_ID}/vote", {"up": "1"})
    site.post(f"/papers/{PLAIN_ID}/vote", {"up": "0"})
    assert site.store.upvotes([PLAIN_ID])[PLAIN_ID] == 10
    assert site.store.voted(user_id(site), [PLAIN_ID]) == set()


def test_vote_with_htmx_answers_the_updated_widget(site: Site):
    site.sign_up()
    answer = site.post(f"/papers/{PLAIN_ID}/vote", {"up": "1", "next": "/"}, headers=HTMX)
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<form class="vote voted"')
    assert '<span class="vote-count" aria-live="polite">11</span>' in answer.text
    assert 'name="up" value="0"' in answer.text


def test_vote_when_logged_out_goes_to_login(site: Site):
    answer = site.post(f"/papers/{PLAIN_ID}/vote", {"up": "1", "next": f"/papers/{PLAIN_ID}"})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=%2Fpapers%2F")
    htmx = site.post(f"/papers/{PLAIN_ID}/vote", {"up": "1"}, headers=HTMX)
    assert htmx.headers["HX-Redirect"] == "/login"


def test_vote_on_an_unknown_paper_is_404_and_bad_flag_400(site: Site):
    site.sign_up()
    assert site.post("/papers/2601.55555/vote", {"up": "1"}).status_code == 404
    assert site.post(f"/papers/{PLAIN_ID}/vote", {"up": "yes"}).status_code == 400


def test_comment_appears_on_the_paper_page_and_counts(site: Site):
    site.sign_up()
    answer = site.post(f"/papers/{HOSTILE_ID}/comments", {"body": "Nice *results*."})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(f"/papers/{HOSTILE_ID}#comment-")
    html = site.client.get(f"/papers/{HOSTILE_ID}").text
    assert "Nice <em>results</em>." in html and "Comments (1)" in html


def test_empty_comment_is_a_400_page(site: Site):
    site.sign_up()
    assert site.post(f"/papers/{PLAIN_ID}/comments", {"body": "   "}).status_code == 400


def test_comment_can_be_deleted_by_its_author_and_the_curator_only(site: Site):
    site.sign_up("alice")  # first user: curator
    site.post("/logout")
    site.client.cookies.clear()
    site.sign_up("bob")
    site.post(f"/papers/{PLAIN_ID}/comments", {"body": "bob was here"})
    [comment] = site.store.comments_for(PLAIN_ID)
    site.post("/logout")
    site.client.cookies.clear()
    site.sign_up("carol")
    assert f'id="delete-comment-{comment.id}"' not in site.client.get(f"/papers/{PLAIN_ID}").text
    assert site.post(f"/comments/{comment.id}/delete").status_code == 403
    site.post("/logout")
    token = site.csrf("/login")
    login = {"login": "alice", "password": "correct horse battery", "csrf_token": token}
    site.client.post("/login", data=login)
    assert f'id="delete-comment-{comment.id}"' in site.client.get(f"/papers/{PLAIN_ID}").text
    asked = site.post(f"/comments/{comment.id}/delete", {"next": "/"})
    assert asked.status_code == 200 and "bob was here" in asked.text  # the curator confirms
    assert site.store.comments_for(PLAIN_ID) == [comment]
    done = site.post(f"/comments/{comment.id}/delete", {"next": "/", "confirm": "yes"})
    assert done.status_code == 200 and 'id="undo"' in done.text
    assert site.store.comments_for(PLAIN_ID) == []


def test_submit_fetches_an_unknown_paper_and_lists_it_today(site: Site):
    site.sign_up()
    answer = site.post("/submit", {"text": f"https://arxiv.org/abs/{FETCHABLE_ID}v1"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/papers/{FETCHABLE_ID}"
    assert site.arxiv.calls == [[FETCHABLE_ID]]
    listed = {listing.paper_id: listing for listing, _ in site.store.listings_for(TODAY)}
    assert listed[FETCHABLE_ID].submitted_by == "alice"
    again = site.post("/submit", {"text": FETCHABLE_ID})
    assert again.status_code == 409 and "already on today" in again.text


def test_submit_errors_rerender_the_form(site: Site):
    site.sign_up()
    bad = site.post("/submit", {"text": "not an id"})
    assert bad.status_code == 400 and 'id="form-error"' in bad.text
    unknown = site.post("/submit", {"text": "2601.44444"})
    assert unknown.status_code == 404 and "arXiv has no paper" in unknown.text


def test_submit_needs_login(site: Site):
    assert "to submit a paper" in site.client.get("/submit").text
    answer = site.post("/submit", {"text": FETCHABLE_ID})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


@pytest.mark.parametrize(
    ("kind", "value", "page"),
    [
        ("author", "Ada Lovelace", "/authors/Ada%20Lovelace"),
        ("category", "cs.CV", "/categories/cs.CV"),
        ("keyword", "translation", "/search?q=translation"),
    ],
)
def test_follow_and_unfollow(site: Site, kind: str, value: str, page: str):
    site.sign_up()
    answer = site.post("/follow", {"kind": kind, "value": value, "on": "1", "next": page})
    assert answer.status_code == 303 and answer.headers["location"] == page
    assert site.store.follows_of(user_id(site)) == [Follow(kind, value)]
    assert f'id="follow-{kind}" aria-pressed="true"' in site.client.get(page).text
    account = site.client.get("/account").text
    assert value in account and 'id="following-feed"' in account
    feed = account.split('id="following-feed">', 1)[1].split("<", 1)[0].replace("&amp;", "&")
    assert site.client.get(feed.removeprefix("http://127.0.0.1:8000")).status_code == 200
    site.post("/follow", {"kind": kind, "value": value, "on": "0"})
    assert site.store.follows_of(user_id(site)) == []


def test_follow_rejects_an_unknown_kind(site: Site):
    site.sign_up()
    assert site.post("/follow", {"kind": "planet", "value": "Mars"}).status_code == 400


def test_bookmark_with_and_without_htmx(site: Site):
    site.sign_up()
    answer = site.post(f"/papers/{PLAIN_ID}/bookmark", {"on": "1"}, headers=HTMX)
    assert answer.status_code == 200 and 'aria-pressed="true"' in answer.text
    assert site.store.bookmarked(user_id(site), [PLAIN_ID]) == {PLAIN_ID}
    assert site.post(f"/papers/{PLAIN_ID}/bookmark", {"on": "0"}).status_code == 303
    assert site.store.bookmarked(user_id(site), [PLAIN_ID]) == set()
