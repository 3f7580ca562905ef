"""Web serving benchmark (issue #4): a real `papertide serve` (2 workers) on the demo corpus,
loaded by wrk on loopback for --seconds each: a static file (the ceiling), the daily page as the
server stood before the page cache and fast parser and after, rotating paper pages and searches;
then 100 concurrent voters on one paper (some replaying their vote), and 100 un-votes.
With --baseline DIR (a checkout of the code before a change, e.g. `git worktree add DIR main`)
it measures only the daily page with the page cache off, served by that code and by this one in
turn (ROUNDS times each, flat out and paced), into its own section.
Usage: python -m bench.web [--seconds 30] [--connections 16] [--work DIR] [--no-write]
       [--baseline DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import IO
from urllib.parse import quote, urlencode

import httpx
from argon2 import PasswordHasher

from bench.report import papertide, run_measured, write_section
from papertide.clock import SystemClock
from papertide.community.accounts import AccountService
from papertide.models import Paper
from papertide.store.base import Store
from papertide.store.sqlite import SqliteStore

CHECKOUT = Path(__file__).resolve().parent.parent  # the code this bench measures by default
TITLE = "Web serving (bench/web.py)"
BASELINE_TITLE = "Daily page before and after a change, page cache off (bench/web.py --baseline)"
ROUNDS = 3  # --baseline: each server serves this many times, the two taking turns
PACED_RPS = 100.0  # --baseline: the paced rows offer about this many requests/s
WRK = "/usr/bin/wrk"
WORKERS = 2
VOTERS = 100
REPLAY_EVERY = 4  # every 4th voter sends its vote twice at the same moment
ROTATION = 2000  # distinct paper pages / searches wrk cycles through (so caching cannot help)
READY_TIMEOUT_S = 120.0
STARTED = b"Application startup complete."  # what uvicorn logs as each worker's app is ready
GOAL_RPS, GOAL_P99_MS = 500.0, 50.0
_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Load:
    """One wrk run: requests/s, latency percentiles (ms), failed requests, and the server's
    CPU time per request (all its processes), which a busy shared machine does not inflate."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    cpu_ms: float = 0.0

    def row(self, what: str) -> str:
        capacity = WORKERS * 1000 / self.cpu_ms if self.cpu_ms else 0.0
        return (
            f"| {what} | {self.rps:,.0f} | {self.p50_ms:.1f} | {self.p99_ms:.1f} "
            f"| {self.cpu_ms:.2f} ({capacity:,.0f}/s) | {self.errors} |"
        )


@dataclass(frozen=True)
class Running:
    url: str
    pid: int


@dataclass(frozen=True)
class Server:
    """How a server is started: `papertide serve`, or the stack as it was (uvicorn h11);
    `code`: the checkout whose papertide it runs (default: this one)."""

    name: str
    settings: Mapping[str, str]
    command: tuple[str, ...] = ()
    code: Path = CHECKOUT


def prepare(work: Path) -> Path:
    """The demo corpus, loaded and indexed in `work` (kept for the next run)."""
    db = work / "demo.db"
    done = work / "indexed.txt"
    if done.exists():
        return db
    for step in (("demo", "--db", str(db)), ("index", "--db", str(db))):
        result = run_measured(papertide(*step))
        if result.returncode != 0:
            raise SystemExit(f"papertide {step[0]} failed: {result.stderr}")
        print(f"papertide {step[0]}: {result.seconds:.0f} s")
    done.write_text("ok\n")
    return db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(server: Server, db: str | Path, work: Path) -> Iterator[Running]:
    """The server running on a free port (stopped with Ctrl-C after)."""
    port = free_port()
    log_path = work / "serve.log"
    with log_path.open("ab") as log:
        logged_before = log.tell()
        process = start(server, db, port, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process)
        wait_for_workers(log_path, logged_before, process)
        yield Running(url, process.pid)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def start(server: Server, db: str | Path, port: int, log: IO[bytes]) -> subprocess.Popen[bytes]:
    """`server` started on `port` over `db`, running the papertide of `server.code`: in that
    folder, since `python -m` puts the working directory on sys.path ahead of PYTHONPATH (run
    from this checkout, a --baseline server used to run this code, not the baseline's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERTIDE_")}
    env |= {"PAPERTIDE_DB": str(db), "PYTHONPATH": str(server.code), **server.settings}
    command = list(server.command) or papertide("serve", "--db", str(db))
    command += ["--port", str(port), "--workers", str(WORKERS)]
    return subprocess.Popen(command, env=env, cwd=server.code, stdout=log, stderr=subprocess.STDOUT)


def wait_until_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}: see serve.log")
        try:
            if httpx.get(f"{url}/", timeout=10.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer within {READY_TIMEOUT_S} s")


def wait_for_workers(log: Path, offset: int, process: subprocess.Popen[bytes]) -> None:
    """Until every worker has logged its start-up past `offset` of the server's `log`: wrk
    opens its keep-alive connections at once, and a worker still starting gets none of them."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}: see serve.log")
        with log.open("rb") as text:
            text.seek(offset)
            if text.read().count(STARTED) >= WORKERS:
                return
        time.sleep(0.3)
    raise SystemExit(f"not all {WORKERS} workers started within {READY_TIMEOUT_S} s")


def wrk(url: str, args: argparse.Namespace, script: str | None, work: Path) -> Load:
    """Load `url` for args.seconds (with a wrk Lua `script` if given); parse wrk's report."""
    command = [WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s"]
    command += ["--latency", "--timeout", "10s"]
    if script:
        (work / "load.lua").write_text(script)
        command += ["-s", str(work / "load.lua")]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    latency = {m[1]: float(m[2]) * _UNIT_MS[m[3]] for m in _LATENCY.finditer(out)}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if rps is None or count is None or len(latency) != 2:
        raise SystemExit(f"unreadable wrk output:\n{out}")
    errors = int(failed[1]) if failed else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    return Load(float(rps[1]), latency["50"], latency["99"], errors, int(count[1]))


def measured_load(
    running: Running, path: str, args: argparse.Namespace, script: str | None, work: Path
) -> Load:
    """wrk on `path` of the running server, with the server's CPU time per request."""
    before = tree_cpu_s(running.pid)
    load = wrk(running.url + path, args, script, work)
    cpu_ms = (tree_cpu_s(running.pid) - before) * 1000 / max(load.requests, 1)
    return replace(load, cpu_ms=cpu_ms)


def rotation_script(paths: Sequence[str]) -> str:
    """A wrk script requesting `paths` in turn (they are URL-quoted: no quotes inside)."""
    listed = ",\n".join(f'  "{path}"' for path in paths)
    return (
        f"local paths = {{\n{listed}\n}}\nlocal n = 0\n"
        "request = function()\n  n = n % #paths + 1\n"
        '  return wrk.format("GET", paths[n])\nend\n'
    )


def pacing_script(connections: int, rps: float) -> str:
    """A wrk script holding each connection back between requests so that together they offer
    a little over `rps` requests/s (wrk's timers and the responses add to the delay)."""
    return f"delay = function() return {connections * 1000 / (rps * 1.25):.0f} end\n"


def tree_cpu_s(root: int) -> float:
    """User + system CPU seconds of process `root` and its descendants (from /proc)."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        grown = bool(more)
        tree |= more
    return sum(cpu.get(pid, 0.0) for pid in tree)


def listed_papers(store: Store) -> list[Paper]:
    pairs = store.listings_between(date(1900, 1, 1), date(2100, 1, 1))
    return list({paper.id: paper for _, paper in pairs}.values())


def sample_paths(papers: Sequence[Paper]) -> tuple[list[str], list[str]]:
    """Pages of up to ROTATION of `papers`, and searches made of 2-3 consecutive title words."""
    rng = random.Random(7)
    chosen = rng.sample(papers, min(ROTATION, len(papers)))
    pages = [f"/papers/{quote(paper.id, safe='/')}" for paper in chosen]
    searches = []
    for paper in chosen:
        words = paper.title.split()
        size = min(len(words), rng.randint(2, 3))
        start = rng.randint(0, len(words) - size)
        searches.append("/search?" + urlencode({"q": " ".join(words[start : start + size])}))
    return pages, searches


def make_voters(db: Path, run: str) -> list[tuple[int, str]]:
    """VOTERS accounts with an API token each, written to the store beforehand."""
    store = SqliteStore(db, SystemClock())
    try:
        accounts = AccountService(store, SystemClock())
        password_hash = PasswordHasher().hash(f"bench voters {run}")
        voters = []
        for n in range(VOTERS):
            user = store.create_user(f"bench{run}_{n:03d}", None, password_hash)
            voters.append((user.id, accounts.create_api_token(user, "bench/web.py")))
        return voters
    finally:
        store.close()


def stored_upvotes(db: Path, paper_id: str) -> int:
    store = SqliteStore(db, SystemClock())
    try:
        return store.upvotes([paper_id])[paper_id]
    finally:
        store.close()


async def vote_burst(url: str, paper_id: str, tokens: list[str], up: bool) -> list[float]:
    """Every voter at the same moment (the replayers twice); each request's milliseconds.
    SystemExit when one answer is not a 200."""
    senders = tokens + tokens[::REPLAY_EVERY]
    limits = httpx.Limits(max_connections=len(senders))
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120.0) as client:
        go = asyncio.Event()

        async def send(token: str) -> float:
            await go.wait()
            start = time.perf_counter()
            answer = await client.post(
                f"/api/papers/{paper_id}/vote",
                json={"up": up},
                headers={"Authorization": f"Bearer {token}"},
            )
            if answer.status_code != 200 or answer.json()["voted"] is not up:
                raise SystemExit(f"vote answered {answer.status_code}: {answer.text[:200]}")
            return (time.perf_counter() - start) * 1000

        tasks = [asyncio.create_task(send(token)) for token in senders]
        await asyncio.sleep(0.2)  # every task is waiting at the line
        go.set()
        return list(await asyncio.gather(*tasks))


def voting(url: str, db: Path, paper_id: str) -> list[str]:
    """The concurrency figure: 100 votes at once, then 100 un-votes; the report lines."""
    imported = stored_upvotes(db, paper_id)
    tokens = [token for _, token in make_voters(db, str(int(time.time())))]
    lines = []
    for up, expected in ((True, imported + VOTERS), (False, imported)):
        start = time.perf_counter()
        times = asyncio.run(vote_burst(url, paper_id, tokens, up))
        seconds = time.perf_counter() - start
        found = stored_upvotes(db, paper_id)
        verdict = "exact" if found == expected else f"WRONG (expected {expected})"
        what = "upvote" if up else "take back their upvote"
        lines.append(
            f"- {VOTERS} voters {what} at once ({len(times)} requests, every {REPLAY_EVERY}th "
            f"sent twice): upvotes {found} ({verdict}) in {seconds:.2f} s; per request "
            f"p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms"
        )
        if found != expected:
            raise SystemExit("\n".join(lines))
    return [f"Paper {paper_id}, imported upvotes {imported}:", *lines]


NO_CACHE = Server("`papertide serve`, page cache off", {"PAPERTIDE_PAGE_CACHE_TTL_S": "0"})
UVICORN = (sys.executable, "-m", "uvicorn", "papertide.asgi:app_from_env", "--factory")
AS_BEFORE = Server(
    "the stack as it was: uvicorn's h11 parser and asyncio loop, access log on, no page cache",
    {"PAPERTIDE_PAGE_CACHE_TTL_S": "0"},
    (*UVICORN, "--http", "h11", "--loop", "asyncio", "--log-level", "info"),
)
DEFAULT = Server("`papertide serve` as shipped (page cache 1 s)", {})
HEADER = (
    "| server: page | requests/s | p50 ms | p99 ms | server CPU ms per request (2 cores' worth)"
    " | errors |\n|---|---|---|---|---|---|"
)


def measure(
    args: argparse.Namespace, db: Path, work: Path
) -> tuple[list[str], Load, Load, list[str]]:
    """Table rows, the shipped daily page at full load and at the goal rate, voting lines."""
    store = SqliteStore(db, SystemClock())
    try:
        pages, searches = sample_paths(listed_papers(store))
    finally:
        store.close()
    rows: list[str] = []

    def run(
        server: Server, running: Running, what: str, path: str, script: str | None = None
    ) -> Load:
        load = measured_load(running, path, args, script, work)
        rows.append(load.row(f"{server.name}: {what}"))
        print(rows[-1], flush=True)
        return load

    with serving(NO_CACHE, db, work) as up:  # first: it creates the key file the others read
        run(NO_CACHE, up, "daily page `/`", "/")
    with serving(AS_BEFORE, db, work) as up:
        run(AS_BEFORE, up, "baseline, static `/static/favicon.svg`", "/static/favicon.svg")
        run(AS_BEFORE, up, "daily page `/`", "/")
    with serving(DEFAULT, db, work) as up:
        run(DEFAULT, up, "baseline, static `/static/favicon.svg`", "/static/favicon.svg")
        daily = run(DEFAULT, up, "**daily page `/`**, full load", "/")
        paced = pacing_script(args.connections, GOAL_RPS)
        at_goal = run(DEFAULT, up, f"**daily page `/`** at about {GOAL_RPS:.0f} req/s", "/", paced)
        run(DEFAULT, up, f"paper pages ({len(pages):,} in turn)", "/", rotation_script(pages))
        rotated = rotation_script(searches)
        run(DEFAULT, up, f"search pages ({len(searches):,} queries in turn)", "/", rotated)
        top = httpx.get(f"{up.url}/api/daily_papers", params={"limit": 1}, timeout=30.0).json()
        votes = voting(up.url, db, top[0]["paper"]["id"])
    return rows, daily, at_goal, votes


def compare(args: argparse.Namespace, db: Path, work: Path) -> str:
    """--baseline: the uncached daily page served by the code in args.baseline (before) and by
    this code (after), in turns; every run's row and the medians, as a BENCHMARKS.md section."""
    before = Server(
        f"before ({args.baseline})",
        {"PAPERTIDE_PAGE_CACHE_TTL_S": "0"},
        code=args.baseline.resolve(),
    )
    after = Server("after (this checkout)", {"PAPERTIDE_PAGE_CACHE_TTL_S": "0"})
    paced = pacing_script(args.connections, PACED_RPS)
    rows: list[str] = []
    loads: dict[tuple[str, str], list[Load]] = {}
    for turn in range(ROUNDS):
        for server in (before, after):
            with serving(server, db, work) as up:
                for how, script in (("flat out", None), (f"about {PACED_RPS:.0f} req/s", paced)):
                    load = measured_load(up, "/", args, script, work)
                    loads.setdefault((server.name, how), []).append(load)
                    rows.append(load.row(f"{server.name}, run {turn + 1}: daily page `/`, {how}"))
                    print(rows[-1], flush=True)
    medians = [
        f"| **median of {ROUNDS}**: {name}, {how} | "
        f"{statistics.median(x.rps for x in runs):,.0f} | "
        f"{statistics.median(x.p50_ms for x in runs):.1f} | "
        f"{statistics.median(x.p99_ms for x in runs):.1f} | "
        f"{statistics.median(x.cpu_ms for x in runs):.2f} | {sum(x.errors for x in runs)} |"
        for (name, how), runs in loads.items()
    ]
    p99 = {key: statistics.median(x.p99_ms for x in runs) for key, runs in loads.items()}
    verdicts = [
        f"{name}, {how}: {value:.0f} ms ({'met' if value <= GOAL_P99_MS else 'NOT met'})"
        for (name, how), value in p99.items()
    ]
    command = (
        f"python -m bench.web --baseline {args.baseline} --seconds {args.seconds} "
        f"--connections {args.connections}"
    )
    return "\n".join(
        [
            f"Command: `{command}`. Demo corpus (`papertide demo` + `papertide index`), "
            f"`papertide serve --workers {WORKERS}` with the page cache off, the code before "
            "the change and this code taking turns on the same store (each server started in "
            "its own checkout, so it runs that checkout's papertide), each for "
            f"{args.seconds} s flat out and {args.seconds} s paced at about {PACED_RPS:.0f} "
            f"req/s, by wrk ({args.threads} thread, {args.connections} connections). The "
            "machine is shared: compare the medians and the CPU column, which other work "
            f"does not inflate. Load average (1 min) at the start: {args.load_before:.1f}, at "
            f"the end: {os.getloadavg()[0]:.1f}.",
            "",
            HEADER,
            *rows,
            *medians,
            "",
            f"Goal: the uncached daily page at p99 <= {GOAL_P99_MS:.0f} ms with "
            f"{args.connections} connections. Median p99: " + "; ".join(verdicts) + ".",
        ]
    )


def report(
    args: argparse.Namespace, rows: list[str], daily: Load, at_goal: Load, votes: list[str]
) -> str:
    """The BENCHMARKS.md section."""
    fast = daily.rps >= GOAL_RPS
    quick = at_goal.p99_ms <= GOAL_P99_MS
    command = f"python -m bench.web --seconds {args.seconds} --connections {args.connections}"
    return "\n".join(
        [
            f"Command: `{command}` (`make bench` runs it). Demo corpus (`papertide demo` + "
            f"`papertide index`), `--workers {WORKERS}`, access log off, on loopback; load from "
            f"wrk ({args.threads} thread, {args.connections} connections, {args.seconds} s a "
            "row). The page cache answers only logged-out GETs; the paper and search rows "
            "cycle through distinct URLs, so they measure rendering, not the cache. The CPU "
            "column is the server's own CPU time per request, and what 2 cores of it would "
            "serve: unlike latency, a busy shared machine does not inflate it. A cached page "
            "beats the static file: the cache answers before routing, while StaticFiles "
            "checks and opens the file each time. Load average "
            f"(1 min) at the start: {args.load_before:.1f}, at the end: {os.getloadavg()[0]:.1f}.",
            "",
            HEADER,
            *rows,
            "",
            f"Goal: the daily page at >= {GOAL_RPS:.0f} req/s with p99 <= {GOAL_P99_MS:.0f} ms "
            f"on {os.cpu_count()} cores. Throughput: {daily.rps:,.0f} req/s at full load "
            f"({'met' if fast else 'NOT met'}); p99 at {at_goal.rps:,.0f} req/s: "
            f"{at_goal.p99_ms:.1f} ms ({'met' if quick else 'NOT met'}).",
            "",
            "Concurrent votes through the JSON API (accounts and tokens made beforehand), "
            "counted in the store afterwards:",
            "",
            *votes,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--work", type=Path, help="keep the demo store here and reuse it")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a checkout of the code before a change: compare the uncached daily page only",
    )
    args = parser.parse_args()
    if not Path(WRK).exists():
        raise SystemExit(f"{WRK} is missing: apt-get install wrk (make bench does)")
    args.load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="papertide-web-") as scratch:
        work = (args.work or Path(scratch)).resolve()  # the servers run in other folders
        work.mkdir(parents=True, exist_ok=True)
        if args.baseline:
            title, text = BASELINE_TITLE, compare(args, prepare(work), work)
        else:
            rows, daily, at_goal, votes = measure(args, prepare(work), work)
            title, text = TITLE, report(args, rows, daily, at_goal, votes)
    if not args.no_write:
        write_section(title, text)
    print(text)


if __name__ == "__main__":
    main()
