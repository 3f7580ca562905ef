"""`papertide serve` as a real process on a free loopback port: it answers the daily page,
creates the key file beside the database (0600) and stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import pytest

from papertide.clock import FixedClock
from papertide.store.sqlite import SqliteStore
from tests.integration.web.conftest import TODAY, records

READY_TIMEOUT_S = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ready(url: str, process: subprocess.Popen[bytes]) -> httpx.Response:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode}")
        try:
            return httpx.get(url, timeout=5.0)
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"serve did not answer {url} within {READY_TIMEOUT_S} s")


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "served.db"
    store = SqliteStore(path, FixedClock())
    store.migrate()
    store.write_batch(records(), [])
    store.close()
    return path


@pytest.fixture(params=[1, 2], ids=["1-worker", "2-workers"])
def served(
    database: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAPERTIDE_")}
    workers = str(request.param)
    command = ["serve", "--port", str(port), "--db", str(database), "--workers", workers]
    process = subprocess.Popen(
        [sys.executable, "-m", "papertide", *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def _static_files_are_cached(base: str, page: str) -> None:
    """The page links its script with the files' hash: kept a year; unhashed, a day; then an
    ETag."""
    link = re.search(r'src="(/static/js/site\.js\?v=[0-9a-f]+)"', page)
    assert link is not None
    hashed = httpx.get(f"{base}{link[1]}")
    assert hashed.status_code == 200
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = httpx.get(f"{base}/static/js/site.js")
    assert plain.headers["cache-control"] == "public, max-age=86400"
    again = httpx.get(f"{base}{link[1]}", headers={"If-None-Match": hashed.headers["etag"]})
    assert again.status_code == 304


def test_serve_answers_the_daily_page(served: tuple[str, subprocess.Popen[bytes]], database: Path):
    base, process = served
    answer = wait_until_ready(f"{base}/daily/{TODAY}", process)
    assert answer.status_code == 200
    assert "Plain transformers for translation" in answer.text
    assert "content-security-policy" in answer.headers
    assert answer.headers["content-encoding"] == "gzip"  # httpx asks for it, as browsers do
    _static_files_are_cached(base, answer.text)
    # no base_url set: the feed links to where serve listens, not to the default port 8000
    feed = feedparser.parse(httpx.get(f"{base}/feeds/daily.rss?date={TODAY}").content)
    assert not feed.bozo
    assert feed.entries and all(e.link.startswith(f"{base}/papers/") for e in feed.entries)
    secret = Path(f"{database}.secret")
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert len(bytes.fromhex(secret.read_text().strip())) == 32
    # the database was never indexed: serve builds the lexical index once, before the workers
    # start, so none wipes another's (each used to create a missing index itself)
    found = httpx.get(f"{base}/search", params={"q": "translation transformers"}, timeout=30)
    assert found.status_code == 200
    assert "Plain transformers for translation" in found.text
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    assert process.stderr is not None
    said = process.stderr.read().decode()
    assert "Traceback" not in said
    # #17: before uvicorn's banner, what to do next
    welcome = [f"Open {base}/ in a browser", "becomes the curator", "Docs: README.md and docs/"]
    lines = said.splitlines()
    places = [next(i for i, line in enumerate(lines) if part in line) for part in welcome]
    assert places == sorted(places)
    assert places[-1] < next(i for i, line in enumerate(lines) if "Uvicorn running" in line)


def test_serve_ignores_forwarded_for_from_unconfigured_peers(
    served: tuple[str, subprocess.Popen[bytes]],
):
    """#13: X-Forwarded-For was believed from loopback, so rotating it bypassed the login
    throttle; without forwarded_allow_ips no peer's forwarded headers count."""
    base, process = served
    wait_until_ready(f"{base}/login", process)
    answers = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for n in range(21):
            page = client.get("/login").text
            token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            form = {"login": f"nobody{n}", "password": "whatever pw", "csrf_token": token}
            forwarded = {"X-Forwarded-For": f"203.0.113.{n}"}
            answers.append(client.post("/login", data=form, headers=forwarded).status_code)
    assert answers[:20] == [401] * 20 and answers[20] == 429
