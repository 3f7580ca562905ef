"""CPU time of the uncached daily page `/` in one process, split into building its data
(pages/browse.day_context: listings, rows, summaries, calendar) and rendering it (Jinja and the
Python rows), for a logged-out reader, on the demo store bench/web.py prepares. No HTTP: what
is left of bench/web.py's CPU column is the request path around the page.
With --baseline DIR, the same is measured in that checkout first (a child process running its
papertide), and both pages' HTML compared.
Usage: python -m bench.daily_cpu [--work DIR] [--pages 300] [--baseline DIR]
(the demo store is made in --work, default /tmp/papertide-bench-web, the first time: minutes)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.web import prepare
from papertide.config import load_settings
from papertide.demo import recorded_demo
from papertide.sync.status import DataUpdated
from papertide.web.app import UPDATED_MAX_AGE_S, footer_fact
from papertide.web.auth import Viewer
from papertide.web.pages.browse import day_context
from papertide.web.render import Renderer, build_environment, without_unused_katex
from papertide.web.thumbnails import thumbnail_url
from papertide.wiring import build_web_services

REPEATS = 5  # the best of this many loops of --pages pages: the least disturbed by other work


def per_page_ms(work: Callable[[], object], pages: int) -> float:
    """CPU ms per call of `work` (process time: a busy shared machine barely inflates it)."""
    best = float("inf")
    for _ in range(REPEATS):
        start = time.process_time()
        for _ in range(pages):
            work()
        best = min(best, (time.process_time() - start) * 1000 / pages)
    return best


def measure(db: Path, pages: int, html_out: Path) -> str:
    """The daily page's data and rendering CPU per page, by the papertide on sys.path."""
    services = build_web_services(load_settings({**os.environ, "PAPERTIDE_DB": str(db)}))
    env = build_environment("bench")
    env.filters["thumbnail_url"] = thumbnail_url(services.thumbnails)
    renderer = Renderer(
        env,
        demo=footer_fact(recorded_demo, services),
        updated=footer_fact(DataUpdated(UPDATED_MAX_AGE_S), services),
    )
    who = Viewer(None, "csrf-token")
    base = {"viewer": who, "user": None, "csrf": who.csrf, "here": "/", "unread": 0}

    def data() -> dict[str, Any]:
        return day_context(services, who, None, "upvotes", 0)

    context = base | {"demo": renderer.demo(), "updated": renderer.updated()} | data()

    def render() -> str:
        return without_unused_katex(renderer.text("daily.html", context))

    html_out.write_text(render())
    data_ms, render_ms = per_page_ms(data, pages), per_page_ms(render, pages)
    return (
        f"{len(context['rows'])} rows: data {data_ms:.2f} ms, render {render_ms:.2f} ms,"
        f" together {data_ms + render_ms:.2f} ms of CPU per page"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="keep the demo store here and reuse it")
    parser.add_argument("--pages", type=int, default=300, help="pages per timed loop")
    parser.add_argument("--baseline", type=Path, help="a checkout of the code before a change")
    parser.add_argument("--html", type=Path, help=argparse.SUPPRESS)  # a --baseline child's page
    args = parser.parse_args()
    work = args.work or Path("/tmp/papertide-bench-web")
    work.mkdir(parents=True, exist_ok=True)
    db = prepare(work)
    if args.html:  # the --baseline child: measure and print only
        print(measure(db, args.pages, args.html))
        return
    if args.baseline:
        before_html = work / "daily-before.html"
        # this file run by path in the baseline's folder, with only the baseline on the path:
        # it measures the baseline's papertide
        command = [sys.executable, __file__, "--work", str(work), "--pages", str(args.pages)]
        command += ["--html", str(before_html)]
        code = args.baseline.resolve()
        env = os.environ | {"PYTHONPATH": str(code)}
        child = subprocess.run(
            command, env=env, cwd=code, check=True, capture_output=True, text=True
        )
        print(f"before ({args.baseline}): {child.stdout.strip()}")
    after_html = work / "daily-after.html"
    print(f"after (this checkout): {measure(db, args.pages, after_html)}")
    if args.baseline:
        same = before_html.read_bytes() == after_html.read_bytes()
        print("HTML: the same, byte for byte" if same else "HTML: DIFFERENT (see work folder)")


if __name__ == "__main__":
    main()
