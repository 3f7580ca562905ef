"""Rich rows and the paper page in a real browser (#15): TL;DR, keyword chips, organisation and
submitter on the daily page and the paper page, screenshotted at desktop (1280x800) and phone
(390x844) sizes with nothing wider than the phone's screen; hostile summaries, keywords and
organisation names stay text; following a keyword from its chip feeds the following feed."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Tab
from tests.e2e.test_community import by_id, feed_titles
from tests.e2e.world import (
    HOSTILE_ID,
    HOSTILE_ORG,
    HOSTILE_TLDR,
    LATEX_ID,
    LATEX_KEYWORDS,
    RETRIEVAL_ID,
    SPARSE_ID,
)

SPARSE_TITLE = "Sparse transformers on long documents"

pytestmark = pytest.mark.browser
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
PAGES = {"daily": "/", "paper": f"/papers/{LATEX_ID}"}


def overflow(page: Page) -> int:
    """How much wider than the window the page is (0: no horizontal scrolling)."""
    return int(page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("size", SIZES)
def test_daily_and_paper_pages_show_summaries_and_fit_the_screen(
    tab: Tab, size: str, tmp_path: Path
):
    width, height = SIZES[size]
    tab.page.set_viewport_size({"width": width, "height": height})
    daily = tab.open(PAGES["daily"])
    row = daily.locator(by_id(f"paper-{LATEX_ID}"))
    expect(row.locator(".tldr")).to_be_visible()
    expect(row.locator(".tldr .katex").first).to_be_visible()  # its LaTeX rendered
    chips = row.locator("a.keyword")
    expect(chips).to_have_count(5)  # up to 5 in a row
    for n in range(5):
        expect(chips.nth(n)).to_be_visible()
        expect(chips.nth(n)).to_have_text(LATEX_KEYWORDS[n])
        box = chips.nth(n).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    expect(row.locator("a.org")).to_have_attribute("href", "/org/entmax-lab")
    expect(daily.locator(by_id(f"paper-{RETRIEVAL_ID}"))).to_contain_text("submitted by curator")
    assert overflow(daily) <= 0
    assert daily.evaluate("document.scrollingElement.scrollWidth") <= width
    daily.screenshot(path=tmp_path / f"daily-{size}.png", full_page=True)

    paper = tab.open(PAGES["paper"])
    expect(paper.locator("#tldr")).to_be_visible()
    expect(paper.locator("#keywords a.keyword")).to_have_count(len(LATEX_KEYWORDS))
    expect(paper.locator("#summary-source")).to_have_text("Summary from Hugging Face")
    expect(paper.locator(".paper-orgs .org-link")).to_have_text("Entmax Lab")
    expect(paper.locator("#paper-media a")).to_have_attribute(
        "href", "https://example.org/entmax.mp4"
    )
    assert overflow(paper) <= 0
    paper.screenshot(path=tmp_path / f"paper-{size}.png", full_page=True)
    for name in PAGES:
        shot = tmp_path / f"{name}-{size}.png"
        assert shot.stat().st_size > 10_000, shot
    assert tab.console_errors == [] and tab.page_errors == [] and tab.dialogs == []


def test_hostile_summary_keywords_and_organisation_show_as_text(tab: Tab):
    for path in ("/", f"/papers/{HOSTILE_ID}"):
        page = tab.open(path)
        in_row = path == "/"
        row = page.locator(by_id(f"paper-{HOSTILE_ID}")) if in_row else page
        expect(row.locator("a.org" if in_row else "a.org-link")).to_have_text(HOSTILE_ORG)
        expect(row.locator("a.keyword").first).to_have_text("<script>alert('xss-kw')</script>")
        expect(row.locator(".tldr, #tldr").first).to_contain_text("<script>alert('xss-tldr')")
        assert page.locator("think").count() == 0  # </Think> closed nothing, opened nothing
    assert tab.dialogs == [] and tab.page_errors == []
    assert HOSTILE_TLDR.startswith("<script>")


def test_following_a_keyword_from_its_chip_feeds_the_following_feed(tab: Tab):
    tab.log_in("keyworder")
    page = tab.open(f"/papers/{LATEX_ID}")
    page.locator("#keywords a.keyword", has_text="sparse attention").click()
    expect(page.locator("#search-q")).to_have_value('"sparse attention"')
    expect(page.locator(by_id(f"paper-{SPARSE_ID}"))).to_be_visible()  # the phrase finds it
    page.click("#follow-keyword")
    expect(page.locator("#follow-keyword")).to_have_text("Following ✓")
    tab.open("/account")
    expect(page.locator("ul.follows")).to_contain_text("keyword: sparse attention")
    feed_url = page.locator("#following-feed").get_attribute("href")
    assert feed_url and feed_url.startswith(tab.base)
    answer = page.request.get(feed_url)
    assert answer.status == 200
    assert SPARSE_TITLE in feed_titles(answer.body())
