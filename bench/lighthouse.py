"""Lighthouse on the demo site (issue #12): a real `papertide serve` on the demo corpus, and
Lighthouse 12 (npm, pinned in bench/npm/, installed by `make bench`) driving Debian's Chromium,
mobile settings (its default: simulated slow 4G and a 4x slower CPU), on the home page, a paper
page and a search. Three runs per page; the median score per category, and the audits that
lost points in the last run.
Usage: python -m bench.lighthouse [--runs 3] [--work DIR] [--no-write]
Goals: performance >= 98, accessibility 100, SEO 100.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.report import machine, write_section
from bench.web import Server, prepare, serving

TITLE = "Lighthouse (bench/lighthouse.py)"
LIGHTHOUSE = Path(__file__).resolve().parent / "npm" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "seo")
GOALS = {"performance": 98, "accessibility": 100, "seo": 100}
SEARCH = "/search?q=diffusion+language+models"


def pages(url: str) -> dict[str, str]:
    """Home, the first paper of the latest daily list, and a search."""
    daily = httpx.get(f"{url}/api/daily_papers", params={"limit": 1}, timeout=30).json()
    paper = daily[0]["paper"]["id"]
    return {"home": "/", "paper": f"/papers/{paper}", "search": SEARCH}


def audit(url: str) -> dict[str, Any]:
    """One Lighthouse run's report (JSON)."""
    command = [
        str(LIGHTHOUSE), url, "--quiet", "--output=json", "--output-path=stdout",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]  # fmt: skip
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url}: {result.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def scores(report: dict[str, Any]) -> dict[str, int]:
    return {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}


def lost(report: dict[str, Any]) -> list[str]:
    """The audits of the accessibility and SEO categories that did not pass, and the
    performance metrics that did not score full marks."""
    found = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            result = report["audits"][ref["id"]]
            weighted = ref.get("weight", 0) > 0
            if weighted and result.get("score") is not None and result["score"] < 1:
                shown = result.get("displayValue", "")
                found.append(f"{category}: {result['title']}" + (f" ({shown})" if shown else ""))
    return found


Measured = tuple[dict[str, dict[str, int]], dict[str, list[str]], list[float]]


def measure(url: str, runs: int) -> Measured:
    """Median scores per page, the audits that lost points, and the machine's 1-minute load
    average before each run (Lighthouse's performance score follows the CPU left to Chromium)."""
    medians: dict[str, dict[str, int]] = {}
    misses: dict[str, list[str]] = {}
    loads: list[float] = []
    for name, path in pages(url).items():
        reports = []
        for _ in range(runs):
            loads.append(os.getloadavg()[0])
            reports.append(audit(f"{url}{path}"))
        per_run = [scores(r) for r in reports]
        medians[name] = {c: round(statistics.median(s[c] for s in per_run)) for c in CATEGORIES}
        misses[name] = lost(reports[-1])
        print(name, medians[name], flush=True)
    return medians, misses, loads


def report(measured: Measured, runs: int) -> str:
    medians, misses, loads = measured
    lines = [
        f"Command: `python -m bench.lighthouse --runs {runs}`. {machine()}. Load average (1 min)"
        f" before the runs: {min(loads):.1f} to {max(loads):.1f}, for {os.cpu_count()} cores.",
        "",
        "Lighthouse 12.8.2, mobile (its default), Debian Chromium headless; a real `papertide "
        f"serve` (2 workers) on the demo corpus. Median of {runs} runs per page; goals "
        + ", ".join(f"{c} ≥ {g}" for c, g in GOALS.items())
        + ".",
        "",
        "| page | " + " | ".join(CATEGORIES) + " |",
        "| --- | " + " | ".join("---:" for _ in CATEGORIES) + " |",
    ]
    for name, got in medians.items():
        lines.append(f"| {name} | " + " | ".join(str(got[c]) for c in CATEGORIES) + " |")
    missed = [f"- {name}: {miss}" for name, found in misses.items() for miss in found]
    if missed:
        lines += ["", "Audits that lost points (last run):", "", *missed]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, help="keep the demo store here and reuse it")
    parser.add_argument("--no-write", action="store_true", help="print, leave BENCHMARKS.md")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run `make bench` (npm ci in bench/npm)")
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        with serving(Server("papertide", {}), prepare(work), work) as running:
            measured = measure(running.url, args.runs)
    text = report(measured, args.runs)
    print(text)
    if not args.no_write:
        write_section(TITLE, text)


if __name__ == "__main__":
    main()
