"""A curator suspends a user from the admin pages (through the confirmation step): the user's
open session stops working at once, and the audit log shows who did it to whom."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Tab, open_tab
from tests.e2e.serve_process import ServeProcess
from tests.e2e.world import PASSWORD


def test_curator_suspends_a_user_whose_session_stops_at_once(
    tab: Tab, browser: Browser, server: ServeProcess
):
    page = tab.open("/signup")
    page.fill("#signup-username", "suspendee")
    page.fill("#signup-password", PASSWORD)
    page.click("#signup-submit")
    expect(page.locator("#nav-account")).to_have_text("suspendee")

    context = browser.new_context()
    curator = open_tab(context, server.url)
    curator.log_in("curator")
    admin = curator.page
    admin.click("#nav-admin")
    admin.fill("#admin-q", "suspendee")
    admin.press("#admin-q", "Enter")
    admin.click("#user-suspendee button.suspend")
    admin.click("#confirm")
    expect(admin.locator("#user-suspendee")).to_contain_text("suspended")

    tab.open("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faccount$"))
    expect(page.locator("#nav-account")).to_have_count(0)

    admin.click("#admin-nav-audit")
    row = admin.locator("#audit-log tbody tr").first
    expect(row).to_contain_text("curator")
    expect(row).to_contain_text("suspend")
    expect(row).to_contain_text("user:suspendee")
    assert curator.console_errors == [] and curator.page_errors == []
    assert curator.csp_violations() == []
    context.close()
