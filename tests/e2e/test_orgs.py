"""Organisations in the browser (#15): a curator changes a paper's imported organisation from
the paper page, a reader follows it from its page (screenshots, desktop and phone) and reads
its feed through the page's RSS link."""

from __future__ import annotations

from pathlib import Path

import feedparser
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Tab, open_tab
from tests.e2e.serve_process import ServeProcess
from tests.e2e.world import GRAPH_ID, GRAPH_ORG, GRAPH_TITLE

LAB = "Ada's Lab & <Friends>"
LAB_SLUG = "ada-s-lab-friends"


def test_browser_curator_sets_an_org_and_a_reader_follows_it_and_reads_its_feed(
    tab: Tab, browser: Browser, server: ServeProcess, screenshots: Path
):
    context = browser.new_context()
    curator = open_tab(context, server.url)
    curator.log_in("curator")
    paper = curator.open(f"/papers/{GRAPH_ID}")
    orgs = paper.locator(".paper-orgs")
    expect(orgs).to_contain_text(f"{GRAPH_ORG} (from Hugging Face)")
    paper.fill("#org-name", LAB)
    paper.click("#org-submit")
    expect(orgs.locator("a.org-link")).to_have_text(LAB)
    expect(orgs).to_contain_text("(set by a curator)")
    expect(orgs).not_to_contain_text(GRAPH_ORG)
    orgs.screenshot(path=screenshots / "paper-org-form.png")
    assert curator.console_errors == [] and curator.page_errors == []
    context.close()

    tab.log_in("orgfan")
    page = tab.open(f"/papers/{GRAPH_ID}")
    page.locator("a.org-link", has_text=LAB).click()
    expect(page).to_have_url(f"{tab.base}/org/{LAB_SLUG}")
    expect(page.locator("#page-title")).to_have_text(LAB)
    expect(page.locator("#org-count")).to_contain_text("1 paper")
    expect(page.locator(f"[id='paper-{GRAPH_ID}']")).to_contain_text(GRAPH_TITLE)
    assert page.locator("#page-title script").count() == 0
    page.click("#follow-org")
    expect(page.locator("#follow-org")).to_have_text("Following ✓")
    page.screenshot(path=screenshots / "org-page.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshots / "org-page-mobile.png", full_page=True)

    feed_url = page.locator(".feed-rss").get_attribute("href")
    assert feed_url == f"/feeds/orgs/{LAB_SLUG}.rss"
    answer = page.request.get(tab.base + feed_url)
    assert answer.status == 200
    parsed = feedparser.parse(answer.body())
    assert not parsed.bozo and parsed.feed.title == f"Papers from {LAB}"
    assert [entry.title for entry in parsed.entries] == [GRAPH_TITLE]

    tab.open("/account")
    expect(page.locator("ul.follows")).to_contain_text(f"org: {LAB_SLUG}")
    tab.open("/orgs")
    expect(page.locator("#org-list")).to_contain_text(LAB)
    assert tab.console_errors == [] and tab.page_errors == []
    assert tab.csp_violations() == []
