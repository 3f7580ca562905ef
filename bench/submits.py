"""Submissions on a slow arXiv (issue #13, M3): a real `papertide serve` (2 workers, page cache
off) on the demo corpus, its arXiv a loopback replay server that answers each query after
--delay seconds; 45 users each submit a new arXiv id at the same moment (POST /api/submit with
their API token, the path the submit page takes too: a submission job, awaited on the event
loop), while one reader asks for an unrelated page (/about) one request after the other. The
reader's latency while the submits wait is set beside the same reader with no submits, in the
same run. Goal: the unrelated page's p99 under 100 ms during 45 concurrent submits.

Usage: python -m bench.submits [--work DIR] [--delay 3] [--rounds 3] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.report import write_section
from bench.web import Server, make_voters, prepare, serving
from papertide.sources.files import read_bytes
from tests.replay_server import Reply, replay_server

TITLE = "Submissions on a slow arXiv (bench/submits.py)"
SUBMITS = 45
PAGE = "/about"
GOAL_P99_MS = 100.0
QUIET_S = 5.0  # the baseline reader's time alone, each round
ATOM = Path(__file__).resolve().parents[1] / "tests/data/arxiv_api/2026_id_1605.08386.xml"


@dataclass(frozen=True)
class Round:
    """One round: the reader's milliseconds alone and while the submits waited, the submits'
    answer statuses and the seconds until the last one answered."""

    quiet: list[float]
    during: list[float]
    statuses: list[int]
    seconds: float


def read_page(url: str, done: threading.Event, times: list[float]) -> None:
    """GET PAGE one request after the other until `done`, appending each one's milliseconds."""
    with httpx.Client(base_url=url, timeout=60) as client:
        while not done.is_set():
            start = time.perf_counter()
            if client.get(PAGE).status_code != 200:
                raise SystemExit(f"{PAGE} did not answer 200")
            times.append((time.perf_counter() - start) * 1000)


def read_for(url: str, seconds: float) -> list[float]:
    done = threading.Event()
    threading.Timer(seconds, done.set).start()
    times: list[float] = []
    read_page(url, done, times)
    return times


def submit_all(url: str, tokens: list[str], first_id: int) -> tuple[list[int], float]:
    """Every token submits its own new id at once; their answers' statuses and the seconds
    until the last answered."""
    statuses: list[int] = []
    start = time.monotonic()

    def submit(n: int, token: str) -> None:
        body = {"id": f"2601.{first_id + n:05d}"}
        headers = {"Authorization": f"Bearer {token}"}
        # the jobs take turns (their own concurrency limit): the last answers after minutes
        answer = httpx.post(f"{url}/api/submit", json=body, headers=headers, timeout=None)
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=submit, args=pair) for pair in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, time.monotonic() - start


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="keep the demo store here and reuse it")
    parser.add_argument("--delay", type=float, default=3.0, help="arXiv's answer time, seconds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="papertide-submits-") as scratch,
        replay_server() as arxiv,
    ):
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        db = prepare(work)
        arxiv.add("/api/query", Reply(read_bytes(ATOM), delay_s=args.delay))
        settings = {
            "PAPERTIDE_PAGE_CACHE_TTL_S": "0",
            "PAPERTIDE_ARXIV_API_URL": f"{arxiv.url}/api/query",
            "PAPERTIDE_ARXIV_DELAY_S": "0",
            "PAPERTIDE_HTTP_RETRIES": "0",
        }
        with serving(Server("serve", settings), db, work) as running:
            for number in range(args.rounds):
                tokens = [token for _, token in make_voters(db, f"s{time.time_ns()}")][:SUBMITS]
                quiet = read_for(running.url, QUIET_S)
                during: list[float] = []
                done = threading.Event()
                reader = threading.Thread(target=read_page, args=(running.url, done, during))
                reader.start()
                statuses, seconds = submit_all(running.url, tokens, 70000 + number * 100)
                done.set()
                reader.join()
                rows.append(Round(quiet, during, statuses, seconds))
                print(
                    f"round {number + 1}: quiet p99 {percentile(quiet, 0.99):.1f} ms, "
                    f"during submits p99 {percentile(during, 0.99):.1f} ms, "
                    f"submits answered in {seconds:.1f} s"
                )
    text = report(args, rows, load_before)
    if not args.no_write:
        write_section(TITLE, text)
    print(text)


def report(args: argparse.Namespace, rows: list[Round], load_before: float) -> str:
    def median_of(during: bool, share: float) -> float:
        return statistics.median(
            percentile(row.during if during else row.quiet, share) for row in rows
        )

    statuses = sorted({status for row in rows for status in row.statuses})
    lines = [
        f"Command: `python -m bench.submits --delay {args.delay:g} --rounds {args.rounds}`. "
        + (__doc__ or "").split("\n\n")[0].replace("\n", " ")
        + f" Load average (1 min) at the start: {load_before:.1f}, at the end: "
        f"{os.getloadavg()[0]:.1f}. Medians of {len(rows)} rounds.",
        "",
        "| /about, one request after the other | p50 | p99 | requests |",
        "|---|---|---|---|",
        f"| baseline: no submits, {QUIET_S:g} s | {median_of(False, 0.5):.1f} ms "
        f"| {median_of(False, 0.99):.1f} ms "
        f"| {statistics.median(len(row.quiet) for row in rows):.0f} |",
        f"| while {SUBMITS} submits wait {args.delay:g} s each for arXiv "
        f"| {median_of(True, 0.5):.1f} ms | {median_of(True, 0.99):.1f} ms "
        f"| {statistics.median(len(row.during) for row in rows):.0f} |",
        "",
        f"The {SUBMITS} submits were answered with {', '.join(map(str, statuses))} (the replay "
        "knows none of the new ids, and answers after the delay all the same) after "
        f"{statistics.median(row.seconds for row in rows):.1f} s (median); goal: p99 of the "
        f"unrelated page under {GOAL_P99_MS:.0f} ms while they wait. Before the submission "
        "jobs (#13), one page waited 13.6 s behind 45 submits.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
