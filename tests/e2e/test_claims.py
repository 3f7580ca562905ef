"""Claimed authorship in a real browser: a member says "I am this author" on a paper page, a
curator approves the claim on /admin/claims through the confirmation page, and the member's
name carries the claimed mark and their comment the "author" badge."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Tab, open_tab
from tests.e2e.serve_process import ServeProcess
from tests.e2e.test_accessibility import violations
from tests.e2e.world import OLD_ID

pytestmark = pytest.mark.browser


def test_browser_claim_approved_by_a_curator_badges_the_authors_comment(
    tab: Tab, browser: Browser, server: ServeProcess, screenshots: Path
):
    tab.log_in("claimant")
    page = tab.open(f"/papers/{OLD_ID}")
    page.click("#claim-open")
    expect(page.locator("#claim-form")).to_be_visible()
    form_check = Axe().run(page)  # the open claim form, as axe sees it
    assert form_check.violations_count == 0, form_check.generate_report()
    page.get_by_role("button", name="I am this author: Alan Turing").click()
    expect(page.locator("#my-claim")).to_contain_text("waiting for a curator")
    page.fill("#comment-body", "Our code and data are public.")
    page.click("#comment-submit")
    comment = page.url.rsplit("#comment-", 1)[1]
    expect(page.locator(f"#comment-{comment} .badge-author")).to_have_count(0)

    context = browser.new_context()
    curator = open_tab(context, server.url)
    curator.log_in("curator")
    admin = curator.page
    admin.click("#nav-admin")
    admin.click("#admin-nav-claims")
    row = admin.locator("#pending-claims tbody tr", has_text="claimant")
    expect(row).to_contain_text("Alan Turing")
    expect(row).to_contain_text("not confirmed")
    row.get_by_role("button", name="Approve…").click()
    expect(admin.locator("#page-title")).to_contain_text("Approve the claim of claimant")
    admin.click("#confirm")
    expect(admin.locator("#done-message")).to_contain_text("Approved the claim of claimant")
    expect(admin.locator("#undo")).to_be_visible()
    admin.click("#done-back")
    expect(admin.locator("#approved-claims")).to_contain_text("claimant")
    admin.screenshot(path=str(screenshots / "claims-review.png"), full_page=True)
    assert violations(curator, "/admin/claims") == ""
    assert curator.console_errors == [] and curator.page_errors == []
    assert curator.csp_violations() == []
    context.close()

    page.reload()
    expect(page.locator("#my-claim")).to_contain_text("approved")
    expect(page.locator("p.authors .badge-claimed")).to_have_text("✓ claimant")
    expect(page.locator(f"#comment-{comment} .badge-author")).to_have_text("author")
    page.screenshot(path=str(screenshots / "claims-paper.png"), full_page=True)
    author = tab.open("/authors/Alan%20Turing")
    expect(author.locator(".claimed-user")).to_have_text("claimant")
    author.click(".claimed-user")
    expect(author.locator("#profile-papers")).to_contain_text("Diffusion models for protein design")
    paths = (f"/papers/{OLD_ID}", "/authors/Alan%20Turing", "/users/claimant")
    reports = [violations(tab, path) for path in paths]
    assert reports == ["", "", ""], "\n".join(reports)
    assert violations(tab, "/account") == ""
    assert tab.console_errors == [] and tab.page_errors == [] and tab.csp_violations() == []
