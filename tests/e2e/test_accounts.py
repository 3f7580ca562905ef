"""Accounts in a real browser: sign up, log out, log in again (back to where the visitor was
going), and a wrong password refused with a message."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Tab
from tests.e2e.world import PASSWORD

pytestmark = pytest.mark.browser


def test_browser_signs_up_logs_out_and_logs_back_in(tab: Tab):
    page = tab.open("/")
    page.click("#nav-signup")
    page.fill("#signup-username", "newcomer")
    page.fill("#signup-password", PASSWORD)
    page.click("#signup-submit")
    expect(page.locator("#nav-account")).to_have_text("newcomer")
    page.click("#logout-button")
    expect(page.locator("#nav-login")).to_be_visible()
    expect(page.locator("#nav-account")).to_have_count(0)
    tab.open("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faccount$"))
    page.fill("#login-name", "newcomer")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(f"{tab.base}/account")
    expect(page.locator("#page-title")).to_have_text("newcomer")
    assert tab.console_errors == [] and tab.page_errors == []


def test_browser_login_with_a_wrong_password_says_so(tab: Tab):
    page = tab.open("/login")
    page.fill("#login-name", "watcher")
    page.fill("#login-password", "not the password")
    page.click("#login-submit")
    expect(page.locator("#form-error")).to_contain_text("wrong username or password")
    expect(page.locator("#nav-login")).to_be_visible()
