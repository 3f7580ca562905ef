"""Community flows in a real browser: upvote and take it back (htmx, kept across reloads),
submit a paper fetched from (replayed) arXiv, comment in Markdown with a <script> left inert,
follow an author and a category and read the personal feed."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Tab
from tests.e2e.world import (
    AUTHOR,
    CATEGORY,
    GRAPH_ID,
    RETRIEVAL_ID,
    RETRIEVAL_TITLE,
    SUBMIT_ID,
    SUBMIT_TITLE,
    VOTE_ID,
    VOTE_IMPORTED,
)
from tests.replay_server import ReplayServer

pytestmark = pytest.mark.browser
COMMENT = (
    "**Strong** point, see [the code](https://example.org/code).\n\n"
    "<script>alert('xss-comment')</script> and `x < y`"
)


def by_id(element_id: str) -> str:
    """A selector for an id with dots in it (arXiv ids), which `#...` would misread."""
    return f'[id="{element_id}"]'


def test_browser_upvotes_once_keeps_it_across_reloads_and_takes_it_back(tab: Tab):
    tab.log_in("voter")
    page = tab.open("/")
    button = page.locator(by_id(f"vote-{VOTE_ID}"))
    count = button.locator(".vote-count")
    expect(count).to_have_text(str(VOTE_IMPORTED))
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(count).to_have_text(str(VOTE_IMPORTED + 1))
    page.reload()
    expect(count).to_have_text(str(VOTE_IMPORTED + 1))
    expect(button).to_have_attribute("aria-pressed", "true")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(count).to_have_text(str(VOTE_IMPORTED))
    page.reload()
    expect(count).to_have_text(str(VOTE_IMPORTED))
    assert tab.console_errors == [] and tab.page_errors == []


def test_browser_submits_a_paper_that_arxiv_describes(tab: Tab, arxiv: ReplayServer):
    tab.log_in("submitter")
    page = tab.open("/submit")
    page.fill("#submit-text", f"https://arxiv.org/abs/{SUBMIT_ID}")
    page.click("#submit-button")
    expect(page).to_have_url(f"{tab.base}/papers/{SUBMIT_ID}")
    expect(page.locator("#paper-title")).to_have_text(SUBMIT_TITLE)
    expect(page.locator("dl.facts")).to_contain_text("submitted by submitter")
    assert [r.query.get("id_list") for r in arxiv.requests] == [SUBMIT_ID]
    tab.open("/")
    expect(page.locator(by_id(f"paper-{SUBMIT_ID}"))).to_contain_text("submitted by submitter")
    tab.open("/submit")
    page.fill("#submit-text", SUBMIT_ID)
    page.click("#submit-button")
    expect(page.locator("#form-error")).to_be_visible()  # once per day


def test_browser_comment_renders_markdown_and_leaves_script_inert(tab: Tab):
    tab.log_in("commenter")
    page = tab.open(f"/papers/{GRAPH_ID}")
    page.fill("#comment-body", COMMENT)
    page.click("#comment-submit")
    body = page.locator(".comment-body").last
    expect(body.locator("strong")).to_have_text("Strong")
    expect(body.locator("a")).to_have_attribute("href", "https://example.org/code")
    expect(body.locator("a")).to_have_attribute("rel", "nofollow noopener ugc")
    expect(body).to_contain_text("<script>alert('xss-comment')</script> and x < y")
    assert body.locator("script").count() == 0
    page.reload()
    expect(page.locator("#comments-title")).to_have_text("Comments (1)")
    assert tab.dialogs == []
    assert tab.console_errors == [] and tab.page_errors == []


def test_browser_follows_an_author_and_a_category_and_reads_their_feed(tab: Tab):
    tab.log_in("follower")
    page = tab.open(f"/papers/{RETRIEVAL_ID}")
    page.locator(".authors a", has_text=AUTHOR).click()
    expect(page.locator("#page-title")).to_have_text(AUTHOR)
    page.click("#follow-author")
    expect(page.locator("#follow-author")).to_have_text("Following ✓")
    tab.open(f"/categories/{CATEGORY}")
    page.click("#follow-category")
    expect(page.locator("#follow-category")).to_have_text("Following ✓")
    tab.open("/account")
    follows = page.locator("ul.follows")
    expect(follows).to_contain_text(f"author: {AUTHOR}")
    expect(follows).to_contain_text(f"category: {CATEGORY}")
    feed_url = page.locator("#following-feed").get_attribute("href")
    assert feed_url and feed_url.startswith(tab.base)
    answer = page.request.get(feed_url)
    assert answer.status == 200
    assert RETRIEVAL_TITLE in feed_titles(answer.body())


def feed_titles(data: bytes) -> list[str]:
    """The item titles of an RSS 2.0 or Atom feed (it must parse as XML)."""
    root = ElementTree.fromstring(data)
    atom = "{http://www.w3.org/2005/Atom}"
    if root.tag == "rss":
        return [item.findtext("title", "") for item in root.iter("item")]
    assert root.tag == f"{atom}feed", root.tag
    return [entry.findtext(f"{atom}title", "") for entry in root.iter(f"{atom}entry")]
