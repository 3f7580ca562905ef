"""Discussions in a real browser: a comment whose formulas render with KaTeX while a broken and
an expansion bomb show as errors in place (and an oversized rule is capped), an edit marked
"edited", a reply thread, and the reply in the notifications with the unread count."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Tab
from tests.e2e.world import SPARSE_ID

pytestmark = pytest.mark.browser
FORMULAS = (
    "Energy $E = mc^2$ and $\\sum_{i=1}^n x_i$, broken $\\frac{1}{$, "
    "bomb $\\def\\a{\\a\\a}\\a$, huge $\\rule{100em}{100em}$ and "
    "$\\href{javascript:alert(1)}{click}$"
)


def comment_id(page_url: str) -> str:
    return page_url.rsplit("#comment-", 1)[1]


def test_browser_reply_thread_edit_and_formulas_with_errors_in_place(tab: Tab, screenshots: Path):
    tab.log_in("asker")
    page = tab.open(f"/papers/{SPARSE_ID}")
    page.fill("#comment-body", "Draft with $x^2$")
    page.click("#comment-preview-button")
    expect(page.locator("#comment-preview .katex")).to_have_count(1)
    page.fill("#comment-body", FORMULAS)
    page.click("#comment-submit")
    top = comment_id(page.url)
    body = page.locator(f"#comment-{top} > .comment-body")
    expect(body.locator("span.math")).to_have_count(6)
    errors = body.locator("span.math > .katex-error")  # broken and bomb, each in place
    expect(errors).to_have_count(2)
    expect(errors.first).to_contain_text("\\frac{1}{")
    expect(body.locator("span.math > .katex")).to_have_count(4)  # the \href one shown inert
    rule = body.locator("span.math").nth(4).bounding_box()  # \\rule{100em}{100em}
    assert rule is not None and rule["width"] < 400  # 100em capped by maxSize
    assert body.locator("a[href^='javascript']").count() == 0

    page.click(f"#edit-comment-{top}")
    page.fill(f"#edit-body-{top}", FORMULAS + " (edited: typo)")
    page.click(f"#edit-submit-{top}")
    expect(page.locator(f"#comment-{top} .edited").first).to_have_text("edited")

    page.click("#logout-button")
    tab.log_in("answerer")
    page = tab.open(f"/papers/{SPARSE_ID}")
    page.click(f"#reply-to-{top}")
    page.fill(f"#reply-body-{top}", "Try $\\alpha = 0.1$.")
    page.click(f"#reply-submit-{top}")
    reply = comment_id(page.url)
    expect(page.locator(f"#comment-{top} #comment-{reply}.comment-reply .katex")).to_have_count(1)

    page.click("#logout-button")
    tab.log_in("asker")
    expect(tab.page.locator("#unread-count")).to_have_text("1")
    page = tab.open("/notifications")
    expect(page.locator(".notifications li.unread")).to_contain_text("answerer replied")
    page = tab.open(f"/papers/{SPARSE_ID}#comment-{top}")
    expect(page.locator(f"#comment-{reply} .katex")).to_have_count(1)
    shot = screenshots / "discussion-thread.png"
    page.locator("#comments").screenshot(path=shot)
    assert shot.stat().st_size > 5_000
    assert tab.dialogs == [] and tab.page_errors == []
    assert tab.csp_violations() == []
