"""Browser test fixtures: one `papertide serve` process over the world.py database (indexed
with `papertide index`, arXiv replaced by a loopback replay server), one Debian Chromium driven
by Playwright, and a fresh browser context per test that records console errors, page errors,
CSP violations and dialogs. Screenshots go to artifacts/screenshots/ at the repository root.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from papertide.sources.files import read_bytes
from tests.e2e.serve_process import ServeProcess, free_port, serving
from tests.e2e.world import PASSWORD, SUBMIT_ID, build_world
from tests.replay_server import ReplayServer, Reply

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
ARXIV_RECORDING = ROOT / "tests" / "data" / "arxiv_api" / f"2026_id_{SUBMIT_ID}.xml"
CHROMIUM = "/usr/bin/chromium"  # Debian's; never `playwright install`
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
]
TIMEOUT_MS = 20_000
# one address per browser context, as readers behind the serve's trusted proxy (the server fixture)
READER_ADDRESSES = (f"10.0.{n // 250}.{n % 250 + 1}" for n in itertools.count())
SCREENSHOTS_TAKEN = pytest.StashKey[Path]()
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(scope="package")
def arxiv() -> Iterator[ReplayServer]:
    """arXiv's query API, replayed: it knows the one paper the submit flow fetches."""
    with ReplayServer() as server:
        server.add("/api/query", Reply(read_bytes(ARXIV_RECORDING)), id_list=SUBMIT_ID)
        yield server


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory, arxiv: ReplayServer) -> Iterator[ServeProcess]:
    """`papertide serve` (one worker) over a fresh world.py database, indexed for search."""
    folder = tmp_path_factory.mktemp("e2e")
    db = folder / "e2e.db"
    build_world(db, datetime.now(UTC).date())
    index = [sys.executable, "-m", "papertide", "index", "--db", str(db)]
    subprocess.run(index, check=True, capture_output=True, timeout=300)
    settings = {
        "PAPERTIDE_ARXIV_API_URL": f"{arxiv.url}/api/query",
        "PAPERTIDE_ARXIV_DELAY_S": "0",
        "PAPERTIDE_HTTP_RETRIES": "0",
        # as behind a proxy on this host: each browser context comes from its own address
        # (open_tab), so the per-address login and sign-up limits count each reader apart
        "PAPERTIDE_FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    port = free_port()
    settings["PAPERTIDE_BASE_URL"] = f"http://127.0.0.1:{port}"  # feed links point here
    with serving(db, folder / "serve.log", port=port, settings=settings) as served:
        yield served
    assert "Traceback" not in served.log_text(), served.log_text()


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # package scope: the sync API runs an asyncio loop in this thread until it stops, and the
    # tests after this package (anyio.run, asyncio.run) need the thread without one
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    expect.set_options(timeout=TIMEOUT_MS)  # the machine may be busy: wait as long as pages do
    yield chromium
    chromium.close()


@dataclass
class Tab:
    """A page of a fresh browser context and what went wrong on it."""

    page: Page
    base: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations || []"))

    def log_in(self, username: str) -> None:
        """Log in through the form, as a person would."""
        self.open("/login")
        self.page.fill("#login-name", username)
        self.page.fill("#login-password", PASSWORD)
        self.page.click("#login-submit")
        self.page.wait_for_selector("#logout-button")

    def record_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def record_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def open_tab(context: BrowserContext, base: str) -> Tab:
    context.set_default_timeout(TIMEOUT_MS)
    context.set_extra_http_headers({"X-Forwarded-For": next(READER_ADDRESSES)})
    context.add_init_script(CSP_RECORDER)
    tab = Tab(context.new_page(), base)
    tab.page.on("console", tab.record_console)
    tab.page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
    tab.page.on("dialog", tab.record_dialog)
    return tab


@pytest.fixture
def tab(browser: Browser, server: ServeProcess) -> Iterator[Tab]:
    """A fresh context (no cookies) with JavaScript on."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield open_tab(context, server.url)
    context.close()


@pytest.fixture
def no_js_tab(browser: Browser, server: ServeProcess) -> Iterator[Tab]:
    """A fresh context with JavaScript off: the pages must still read."""
    context = browser.new_context(java_script_enabled=False)
    yield open_tab(context, server.url)
    context.close()


@pytest.fixture(scope="session")
def screenshots(pytestconfig: pytest.Config) -> Path:
    """The folder for screenshots (emptied first); its path is printed at the end of the run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    pytestconfig.stash[SCREENSHOTS_TAKEN] = SCREENSHOTS
    return SCREENSHOTS


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    folder = config.stash.get(SCREENSHOTS_TAKEN, None)
    if folder is not None:
        count = len(list(folder.glob("*.png")))
        terminalreporter.write_line(f"browser screenshots ({count}): {folder}")
