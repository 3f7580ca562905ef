"""Abuse and hardening: hostile paper and comment text renders inert, POSTs without a CSRF token
are refused, GET never changes state, security headers and cookie flags are set."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from papertide.models import PaperSummary
from papertide.web.app import CONTENT_SECURITY_POLICY
from tests.integration.web.conftest import HOSTILE_ID, PLAIN_ID, Site


def body_of(html: str) -> str:
    return html.split("<body>", 1)[1]


@pytest.mark.parametrize(
    "path", ["/", f"/papers/{HOSTILE_ID}", "/search?q=sparse+attention", "/trending"]
)
def test_hostile_title_and_abstract_render_escaped(site: Site, path: str):
    html = body_of(site.client.get(path).text)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html
    assert "Tom &amp;amp; Jerry" in html  # the entity stays text, shown as typed
    assert "$\\alpha &lt; \\beta$" in html  # LaTeX left for KaTeX, escaped
    assert "<img src=x" not in html


def test_hostile_abstract_is_escaped_on_the_paper_page(site: Site):
    html = body_of(site.client.get(f"/papers/{HOSTILE_ID}").text)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "\\(x^2\\) &amp; more" in html


def test_hostile_comment_markdown_renders_inert(site: Site):
    site.sign_up()
    body = (
        "<script>alert(3)</script> **bold** [site](https://example.org) "
        "[bad](javascript:alert(4)) <img src=x onerror=alert(5)> ![i](https://x.org/a.png)"
    )
    assert site.post(f"/papers/{PLAIN_ID}/comments", {"body": body}).status_code == 303
    html = body_of(site.client.get(f"/papers/{PLAIN_ID}").text)
    assert "<script>alert(3)" not in html and "&lt;script&gt;alert(3)" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="nofollow noopener ugc">site</a>' in html
    assert "javascript:alert(4)" not in html.replace("[bad](javascript:alert(4))", "")
    assert "<img" not in html


def test_post_without_csrf_token_is_refused_with_403(site: Site):
    site.sign_up()
    answer = site.client.post(f"/papers/{PLAIN_ID}/vote", data={"up": "1"})
    assert answer.status_code == 403
    assert "expired" in answer.text
    assert site.store.upvotes([PLAIN_ID])[PLAIN_ID] == 10


def test_post_with_a_token_for_other_cookies_is_refused(site: Site):
    site.sign_up()
    forged = {"up": "1", "csrf_token": "0" * 64}
    assert site.client.post(f"/papers/{PLAIN_ID}/vote", data=forged).status_code == 403
    site.client.cookies.clear()
    assert site.client.post("/login", data={"login": "alice", "csrf_token": "x"}).status_code == 403


def test_csrf_token_in_a_header_is_accepted(site: Site):
    site.sign_up()
    token = site.csrf()
    answer = site.client.post(
        f"/papers/{PLAIN_ID}/vote", data={"up": "1"}, headers={"X-CSRF-Token": token}
    )
    assert answer.status_code == 200
    assert site.store.upvotes([PLAIN_ID])[PLAIN_ID] == 11


@pytest.mark.parametrize(
    "path",
    [
        f"/papers/{PLAIN_ID}/vote?up=1",
        f"/papers/{PLAIN_ID}/comments?body=hi",
        f"/papers/{PLAIN_ID}/bookmark",
        "/follow?kind=author&value=Ada",
        "/logout",
        "/submit?text=2601.09999",
        "/account/tokens?name=x",
    ],
)
def test_get_never_changes_state(site: Site, path: str):
    site.sign_up()
    before = (
        site.store.upvotes([PLAIN_ID]),
        site.store.comments_for(PLAIN_ID),
        site.store.listings_for(site.clock.now().date()),
    )
    site.client.get(path)
    after = (
        site.store.upvotes([PLAIN_ID]),
        site.store.comments_for(PLAIN_ID),
        site.store.listings_for(site.clock.now().date()),
    )
    assert after == before
    user = site.store.user_login("alice")
    assert user is not None
    assert site.store.follows_of(user[0].id) == []
    assert site.store.collections_of(user[0].id) == []
    assert site.client.get("/account").status_code == 200  # still logged in


def test_every_response_carries_the_security_headers(site: Site):
    for path in ("/", "/static/css/site.css", "/no-such-page"):
        headers = site.client.get(path).headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite_lax(site: Site):
    token = site.csrf("/signup")
    answer = site.client.post(
        "/signup",
        data={"username": "bob", "password": "long enough pw", "csrf_token": token},
        follow_redirects=False,
    )
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("papertide_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_over_https(site: Site):
    site.client.base_url = site.client.base_url.copy_with(scheme="https")
    token = site.csrf("/signup")
    answer = site.client.post(
        "/signup",
        data={"username": "carol", "password": "long enough pw", "csrf_token": token},
        follow_redirects=False,
    )
    assert "Secure" in answer.headers["set-cookie"]


def test_login_next_never_leaves_the_site(site: Site):
    site.sign_up("dave")
    site.post("/logout")
    token = site.csrf("/login")
    answer = site.client.post(
        "/login",
        data={"login": "dave", "password": "correct horse battery", "csrf_token": token,
              "next": "//evil.example/x"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"


def test_an_unexpected_error_is_a_500_page_without_a_traceback(
    site: Site, monkeypatch: pytest.MonkeyPatch
):
    def broken(*_: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(site.store, "latest_listing_day", broken)
    client = TestClient(site.client.app, raise_server_exceptions=False)
    answer = client.get("/")
    assert answer.status_code == 500
    assert "an unexpected error happened" in answer.text
    assert "Traceback" not in answer.text and "disk I/O" not in answer.text


def test_errors_under_api_answer_json(site: Site):
    answer = site.client.get("/api/no-such-endpoint")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/json")


HOSTILE_MATH = (
    "$x</span><img src=x onerror=alert(6)>$ and $\\href{javascript:alert(7)}{x}$ "
    "<b onclick=alert(8)>b</b> [l](javascript:alert(9)) $$\\def\\a{\\a\\a}\\a$$"
)


def assert_inert(html: str) -> None:
    assert "<img" not in html and "onerror=alert(6)>" not in html
    assert "x&lt;/span&gt;&lt;img src=x onerror=alert(6)&gt;" in html  # LaTeX kept as text
    assert "<b onclick" not in html and 'href="javascript:' not in html


def test_hostile_markdown_and_latex_stay_inert_in_replies_edits_preview_and_notifications(
    site: Site,
):
    site.sign_up("alice")
    top = site.post(f"/papers/{PLAIN_ID}/comments", {"body": "Top"})
    top_id = top.headers["location"].rsplit("#comment-", 1)[1]
    preview = site.post(f"/papers/{PLAIN_ID}/preview", {"body": HOSTILE_MATH})
    assert_inert(body_of(preview.text).split('id="comment-form"', 1)[0])
    site.post("/logout")
    site.client.cookies.clear()
    site.sign_up("mallory")
    made = site.post(f"/comments/{top_id}/reply", {"body": "plain"})
    reply_id = made.headers["location"].rsplit("#comment-", 1)[1]
    assert site.post(f"/comments/{reply_id}/edit", {"body": HOSTILE_MATH}).status_code == 303
    assert_inert(body_of(site.client.get(f"/papers/{PLAIN_ID}").text).split("<textarea", 1)[0])
    site.post("/logout")
    site.client.cookies.clear()
    token = site.csrf("/login")
    login = {"login": "alice", "password": "correct horse battery", "csrf_token": token}
    site.client.post("/login", data=login)
    assert_inert(body_of(site.client.get("/notifications").text))


HOSTILE_TLDR = "<script>alert('tldr')</script> </Think> Tom & Jerry: $\\alpha<\\beta$ wins"
HOSTILE_KEYWORDS = (
    "<script>alert('kw')</script>",
    "</Think>",
    "R&D",
    "$\\alpha$-entmax",
    '"quoted" <b>bold</b>',
)
HOSTILE_ORG = "<script>alert('org')</script> Lab & Co </Think>"


@pytest.mark.parametrize(
    "path", ["/", f"/papers/{PLAIN_ID}", "/search?q=translation", "/trending", "/month/2026-01"]
)
def test_hostile_summaries_keywords_and_organisation_names_render_inert(site: Site, path: str):
    hostile = PaperSummary(PLAIN_ID, "huggingface", HOSTILE_TLDR, HOSTILE_KEYWORDS)
    site.store.put_summaries([hostile])
    site.store.set_paper_org(PLAIN_ID, "evil-lab", HOSTILE_ORG, "huggingface")
    html = body_of(site.client.get(path).text)
    assert "<script>alert" not in html and "</Think>" not in html and "<b>bold" not in html
    tldr = "&lt;script&gt;alert(&#39;tldr&#39;)&lt;/script&gt; &lt;/Think&gt; Tom &amp; Jerry"
    assert tldr in html
    assert "$\\alpha&lt;\\beta$" in html  # LaTeX left for KaTeX, escaped
    assert ">&lt;script&gt;alert(&#39;kw&#39;)&lt;/script&gt;</a>" in html  # a chip, as text
    assert ">R&amp;D</a>" in html
    # the chip's search: the keyword quoted once, its own quotes dropped, all of it URL-encoded
    assert 'href="/search?q=%22quoted+%3Cb%3Ebold%3C%2Fb%3E%22"' in html
    assert 'href="/org/evil-lab"' in html  # a row's link, or the paper page's org section
    assert (
        ">&lt;script&gt;alert(&#39;org&#39;)&lt;/script&gt; Lab &amp; Co &lt;/Think&gt;</a>" in html
    )
