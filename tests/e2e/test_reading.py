"""Reading in a real browser: search with highlighted snippets, the daily feed, LaTeX through
KaTeX, hostile titles shown as text, no console errors or CSP violations on the main pages,
the pages readable with JavaScript off, and screenshots of the main pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Tab
from tests.e2e.test_community import by_id, feed_titles
from tests.e2e.world import (
    AUTHOR,
    CATEGORY,
    GRAPH_ID,
    HOSTILE_ID,
    LATEX_ID,
    RETRIEVAL_ID,
    RETRIEVAL_TITLE,
    SEARCH_WORD,
)

pytestmark = pytest.mark.browser
ANONYMOUS_PAGES = (
    "/",
    f"/papers/{LATEX_ID}",
    f"/papers/{HOSTILE_ID}",
    f"/search?q={SEARCH_WORD}",
    "/trending",
    "/about",
    "/login",
    "/signup",
    f"/authors/{AUTHOR.replace(' ', '%20')}",
    f"/categories/{CATEGORY}",
)
LOGGED_IN_PAGES = ("/", f"/papers/{GRAPH_ID}", "/account", "/submit")
SCREENSHOT_PAGES = (
    ("daily", "/"),
    ("paper", f"/papers/{LATEX_ID}"),
    ("search", f"/search?q={SEARCH_WORD}"),
    ("trending", "/trending"),
    ("account", "/account"),
)


def test_browser_search_finds_papers_and_highlights_the_words(tab: Tab):
    page = tab.open("/")
    page.fill("#site-q", SEARCH_WORD)
    page.press("#site-q", "Enter")
    expect(page).to_have_url(re.compile(rf"/search\?q={SEARCH_WORD}$"))
    expect(page.locator("p.count")).to_contain_text("result")
    first = page.locator(".paper-list .paper-item").first
    expect(first.locator(".paper-title")).to_contain_text(RETRIEVAL_TITLE)
    marks = [text.lower() for text in first.locator(".snippet mark").all_inner_texts()]
    assert marks and all(text.startswith(SEARCH_WORD) for text in marks), marks


def test_browser_opens_the_daily_feeds(tab: Tab):
    page = tab.open("/")
    for link in (".feed-rss", ".feed-atom"):
        href = page.locator(link).get_attribute("href")
        assert href
        answer = page.request.get(tab.base + href)
        assert answer.status == 200
        assert RETRIEVAL_TITLE in feed_titles(answer.body())


def test_browser_renders_latex_and_shows_hostile_titles_as_text(tab: Tab):
    page = tab.open("/")
    expect(page.locator(by_id(f"paper-{LATEX_ID}")).locator(".paper-title .katex")).to_have_count(2)
    tab.open(f"/papers/{LATEX_ID}")
    expect(page.locator("#paper-title .katex")).to_have_count(2)
    expect(page.locator(".abstract .katex")).to_have_count(2)
    tab.open(f"/papers/{HOSTILE_ID}")
    title = page.locator("#paper-title")
    expect(title).to_contain_text("<script>alert('xss-title')</script> Robust")
    expect(title.locator(".katex")).to_have_count(1)
    expect(page.locator(".abstract")).to_contain_text("<img src=x onerror=alert('xss-abstract')>")
    assert title.locator("script").count() == 0
    assert page.locator(".abstract img").count() == 0
    assert tab.dialogs == []


def test_browser_fetches_katex_only_when_a_formula_comes_near_the_screen(tab: Tab):
    asked: list[str] = []
    tab.page.on("request", lambda request: asked.append(request.url))
    tab.page.set_viewport_size({"width": 400, "height": 100})  # the list starts screens below
    page = tab.open("/")
    page.wait_for_load_state("networkidle")
    title = page.locator(by_id(f"paper-{LATEX_ID}")).locator(".paper-title")
    expect(title).to_contain_text(r"$\alpha$-entmax")  # as typed, until it comes near
    assert not [url for url in asked if "/static/vendor/katex/" in url]
    title.scroll_into_view_if_needed()
    expect(title.locator(".katex")).to_have_count(2)
    assert [url for url in asked if "/static/vendor/katex/katex.min.js" in url]
    assert tab.csp_violations() == [] and tab.page_errors == []


def test_main_pages_have_no_console_errors_or_csp_violations(tab: Tab):
    for path in ANONYMOUS_PAGES:
        assert_clean(tab, path)
    tab.log_in("watcher")
    for path in LOGGED_IN_PAGES:
        assert_clean(tab, path)


def assert_clean(tab: Tab, path: str) -> None:
    answer = tab.page.goto(tab.base + path, wait_until="load")
    assert answer is not None and answer.status == 200, path
    assert tab.csp_violations() == [], path
    assert tab.console_errors == [], (path, tab.console_errors)
    assert tab.page_errors == [], (path, tab.page_errors)


def test_pages_read_with_javascript_off(no_js_tab: Tab):
    page = no_js_tab.open("/")
    expect(page.locator(by_id(f"paper-{RETRIEVAL_ID}"))).to_contain_text(RETRIEVAL_TITLE)
    expect(page.locator(by_id(f"paper-{LATEX_ID}"))).to_contain_text(r"$\alpha$-entmax")
    assert page.locator(".katex").count() == 0  # no JavaScript: the LaTeX source shows
    expect(page.locator(by_id(f"paper-{RETRIEVAL_ID}")).locator("a.vote")).to_have_attribute(
        "title", "Log in to upvote"
    )
    page.locator(by_id(f"paper-{RETRIEVAL_ID}")).locator(".paper-title a").click()
    expect(page.locator("#paper-title")).to_have_text(RETRIEVAL_TITLE)
    expect(page.locator(".abstract")).to_contain_text("Contrastive learning of dense retrievers")
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    no_js_tab.open(f"/daily/{yesterday}")
    expect(page.locator(by_id(f"paper-{GRAPH_ID}"))).to_be_visible()


def test_browser_screenshots_of_the_main_pages(tab: Tab, screenshots: Path):
    tab.log_in("photographer")
    for name, path in SCREENSHOT_PAGES:
        page = tab.open(path)
        expect(page.locator("#main")).to_be_visible()
        shot = screenshots / f"{name}.png"
        page.screenshot(path=shot, full_page=True)
        assert shot.stat().st_size > 10_000, name
