"""axe-core (the engine behind Lighthouse's accessibility score) on the main pages in Debian's
Chromium: no violation of any rule, logged out and logged in, on a phone-sized screen too."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import Tab
from tests.e2e.world import LATEX_ID

PAGES = [
    "/",
    "/trending",
    f"/papers/{LATEX_ID}",
    "/search?q=retrieval",
    "/authors/Ada%20Lovelace",
    "/categories/cs.CL",
    "/about",
    "/login",
    "/signup",
    "/submit",
]
SIGNED_IN = ["/for-you", "/account"]
ADMIN = [
    "/admin/users",
    "/admin/moderation",
    "/admin/quarantine",
    "/admin/invites",
    "/admin/status",
    "/admin/claims",
    "/admin/audit",
]


def violations(tab: Tab, path: str) -> str:
    """axe's report of the page's violations ("" when there are none)."""
    tab.open(path)
    tab.page.wait_for_load_state("networkidle")  # KaTeX and htmx have run
    results = Axe().run(tab.page)
    return "" if results.violations_count == 0 else f"{path}: {results.generate_report()}"


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_main_pages_have_no_axe_violations(tab: Tab, width: int):
    tab.page.set_viewport_size({"width": width, "height": 844})
    found = [report for report in (violations(tab, path) for path in PAGES) if report]
    assert not found, "\n".join(found)


def test_signed_in_pages_have_no_axe_violations(tab: Tab):
    tab.log_in("watcher")
    found = [report for report in (violations(tab, path) for path in SIGNED_IN) if report]
    assert not found, "\n".join(found)


def test_admin_pages_have_no_axe_violations(tab: Tab):
    tab.log_in("curator")
    found = [report for report in (violations(tab, path) for path in ADMIN) if report]
    assert not found, "\n".join(found)
