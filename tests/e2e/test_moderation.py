"""A curator moderates a reported comment in a real browser: the moderation page lists it with
its report, Delete… shows the confirmation page (it and the answer pass axe), the comment
leaves its paper page, the audit log names who deleted what, and Undo brings the comment back.
Hostile comment text stays text throughout."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Tab, open_tab
from tests.e2e.serve_process import ServeProcess
from tests.e2e.world import OLD_ID

pytestmark = pytest.mark.browser
HOSTILE_COMMENT = "<script>alert('moderated')</script> Spam & eggs, $\\alpha$ off"


def test_curator_deletes_a_reported_comment_through_the_confirm_page_and_undoes_it(
    tab: Tab, browser: Browser, server: ServeProcess
):
    tab.log_in("commenter")
    page = tab.open(f"/papers/{OLD_ID}")
    page.fill("#comment-body", HOSTILE_COMMENT)
    page.click("#comment-submit")
    comment = page.url.rsplit("#comment-", 1)[1]
    page.click("#logout-button")
    tab.log_in("watcher")
    page = tab.open(f"/papers/{OLD_ID}")
    page.click(f"#report-comment-{comment}")

    context = browser.new_context()
    curator = open_tab(context, server.url)
    curator.log_in("curator")
    admin = curator.page
    admin.click("#nav-admin")
    admin.click("#admin-nav-moderation")
    reported = admin.locator(f"#reported-{comment}")
    expect(reported).to_contain_text("<script>alert('moderated')</script> Spam & eggs")
    expect(reported).to_contain_text("reported by watcher")
    admin.click(f"#moderate-delete-{comment}")
    expect(admin.locator("#confirm-subject")).to_contain_text("Spam & eggs")
    assert Axe().run(admin).violations_count == 0
    admin.click("#confirm")
    expect(admin.locator("#done-message")).to_contain_text("Deleted the comment by commenter")
    assert Axe().run(admin).violations_count == 0

    paper = context.new_page()
    paper.goto(f"{server.url}/papers/{OLD_ID}")
    expect(paper.locator(f"#comment-{comment}")).to_have_count(0)
    paper.goto(f"{server.url}/admin/audit")
    row = paper.locator("#audit-log tbody tr").first
    expect(row).to_contain_text("curator")
    expect(row).to_contain_text("delete-comment")
    expect(row).to_contain_text(f"comment:{comment}")

    admin.click("#undo")
    expect(admin.locator(f"#reported-{comment}")).to_be_visible()  # back on moderation
    paper.goto(f"{server.url}/papers/{OLD_ID}")
    expect(paper.locator(f"#comment-{comment} .comment-body")).to_contain_text("Spam & eggs")
    paper.goto(f"{server.url}/admin/audit")
    expect(paper.locator("#audit-log tbody tr").first).to_contain_text("restore-comment")
    assert curator.console_errors == [] and curator.page_errors == []
    assert curator.csp_violations() == []
    assert curator.dialogs == [] and tab.dialogs == []  # the <script> never ran
    context.close()
