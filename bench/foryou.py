"""For-you speed (issue #16): the ranking call behind /for-you for users with 10, 100 and 1,000
ratings on the demo corpus, p50 / p95, with precision@10 of `papertide eval --recommend`
measured in the same run (the speed must not cost quality).

The demo store is built in --work (`papertide demo` + `papertide index`, kept for the next run,
as bench/web.py does); the users are made there once, their ratings drawn with a fixed seed
from the listed papers (a tenth thumbs down). The call is ForYouService.rank(user, 30), what
the page and GET /api/for-you run; the page adds its rendering. Two cases per user: a repeat
call (nothing changed: the kept profile ranks), and a call right after a new rating (the model
is trained again; the new rating is on a paper not rated yet, outside the timing, and the
bench's extra ratings are removed at the end), with its CPU time as well (on a shared
machine the wall-clock time includes waiting for a core). --baseline DIR times the same calls
with the code of another checkout (e.g. the main branch) in a child process, for a before /
after.
Usage: python bench/foryou.py --work DIR [--calls 40] [--baseline DIR] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from bench.report import papertide, write_section
from bench.web import listed_papers, prepare
from papertide.clock import SystemClock
from papertide.eval.recommend import STATIC_ROW
from papertide.rank.bibtex import MAX_BIBTEX_ENTRIES
from papertide.rank.foryou import MODEL_MAX_RATINGS, WEB, ForYouService
from papertide.store.base import Store
from papertide.store.sqlite import SqliteStore
from papertide.web.api.foryou import FOR_YOU_LIMIT
from papertide.wiring import build_embedder

TITLE = "For-you speed (bench/foryou.py)"
RATINGS = (10, 100, 1000)
SEED_ENTRIES = 10_000  # #13 M2: a BibTeX seed this big made every /for-you cost 4.3-4.7 s
DOWN_SHARE = 0.1
CASES = ("repeat", "rated", "cpu")  # the timings per user: wall, wall, CPU ms


def rated_user(store: Store, ratings: int) -> int:
    """The bench user with `ratings` ratings, made on first use."""
    username = f"foryou_bench_{ratings}"
    found = store.user_login(username)
    if found is not None:
        return found[0].id
    user = store.create_user(username, None, "unused")
    papers = listed_papers(store)
    rng = random.Random(ratings)
    for paper in rng.sample(papers, min(ratings, len(papers))):
        store.set_rating(paper.id, -1 if rng.random() < DOWN_SHARE else 1, WEB, user_id=user.id)
    return user.id


def seeded_user(store: Store, service: ForYouService) -> tuple[int, int]:
    """The bench user seeded from SEED_ENTRIES BibTeX entries (arXiv ids of stored papers),
    uploaded in files of MAX_BIBTEX_ENTRIES as the page takes them; (user id, ratings)."""
    username = "foryou_bench_seed"
    found = store.user_login(username)
    if found is None:
        user_id = store.create_user(username, None, "unused").id
        ids = list(dict.fromkeys([p.id for p in listed_papers(store)]))
        ids += [p.id for p in islice(store.iter_papers(), SEED_ENTRIES * 2)]
        ids = list(dict.fromkeys(ids))
        entries = [f"@misc{{k{n}, title={{Paper {n}}}, eprint={{{pid}}}}}\n" for n, pid in
                   enumerate(ids[:SEED_ENTRIES])]  # fmt: skip
        for start in range(0, len(entries), MAX_BIBTEX_ENTRIES):
            chunk = "".join(entries[start : start + MAX_BIBTEX_ENTRIES])
            service.seed_bibtex(user_id, chunk.encode())
    else:
        user_id = found[0].id
    return user_id, len(store.ratings_of(user_id=user_id))


def timed(service: ForYouService, user_id: int, calls: int) -> list[float]:
    """Milliseconds of each of `calls` repeated ranking calls, after one warm-up call."""
    service.rank(user_id, FOR_YOU_LIMIT)
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        service.rank(user_id, FOR_YOU_LIMIT)
        times.append(1000 * (time.perf_counter() - started))
    return times


def ranked(service: ForYouService, user_id: int, times: list[float], cpu: list[float]) -> None:
    """One ranking call, its milliseconds of wall-clock and of CPU time appended."""
    started, used = time.perf_counter(), time.process_time()
    service.rank(user_id, FOR_YOU_LIMIT)
    times.append(1000 * (time.perf_counter() - started))
    cpu.append(1000 * (time.process_time() - used))


def timed_after_rating(
    store: Store, service: ForYouService, user_id: int, calls: int
) -> tuple[list[float], list[float]]:
    """Milliseconds of wall-clock and of CPU time of `calls` ranking calls, each right after
    a thumbs up on a paper the user had not rated; those ratings are removed afterwards."""
    rated = {r.paper_id for r in store.ratings_of(user_id=user_id)}
    pool = [*listed_papers(store), *islice(store.iter_papers(), len(rated) + calls)]
    fresh = list(dict.fromkeys(p.id for p in pool if p.id not in rated))[:calls]
    times: list[float] = []
    cpu: list[float] = []
    try:
        for paper_id in fresh:
            store.set_rating(paper_id, 1, WEB, user_id=user_id)
            ranked(service, user_id, times, cpu)
    finally:
        for paper_id in fresh:
            store.clear_ratings(user_id, paper_id)
    return times, cpu


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def figures(times: list[float]) -> str:
    return f"{statistics.median(times):.1f} / {p95(times):.1f} ms"


def measure(db: Path, calls: int, profile: bool) -> dict[str, dict[str, list[float]]]:
    """Per user size: the repeat and after-rating timings."""
    store = SqliteStore(db, SystemClock())
    store.migrate()
    try:
        embedder = build_embedder("static")
        service = ForYouService(store, SystemClock(), embedder.name, embedder.dim)
        found = {}
        for n in (*RATINGS, SEED_ENTRIES):
            user_id = rated_user(store, n) if n in RATINGS else seeded_user(store, service)[0]
            repeat = timed(service, user_id, calls)
            rated, cpu = timed_after_rating(store, service, user_id, calls)
            found[str(n)] = {"repeat": repeat, "rated": rated, "cpu": cpu}
            if profile:
                profiler = cProfile.Profile()
                profiler.runcall(service.rank, user_id, FOR_YOU_LIMIT)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        return found
    finally:
        store.close()


def measure_elsewhere(checkout: Path, db: Path, calls: int) -> dict[str, dict[str, list[float]]]:
    """measure() run by this file with another checkout's papertide first on the path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(checkout), str(Path.cwd())])}
    command = [sys.executable, __file__, "--timings-only", str(db), str(calls)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the baseline run failed:\n{done.stderr}")
    timings: dict[str, dict[str, list[float]]] = json.loads(done.stdout)
    return timings


def precision_at_10(data: str | None) -> tuple[float, float]:
    """Dev and test precision@10 of papertide's static row in `papertide eval --recommend`."""
    command = papertide("eval", "--recommend", "--skip-contextual", "--json")
    command += ["--data", data] if data else []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"papertide eval --recommend failed:\n{done.stderr}")
    rows = {row["name"]: row for row in json.loads(done.stdout)["rows"]}
    return rows[STATIC_ROW]["dev"], rows[STATIC_ROW]["test"]


def main() -> None:
    if sys.argv[1:2] == ["--timings-only"]:
        print(json.dumps(measure(Path(sys.argv[2]), int(sys.argv[3]), profile=False)))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, help="keep the demo store here and reuse it")
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--baseline", type=Path, help="a checkout to time the same calls with")
    parser.add_argument("--baseline-calls", type=int, default=5)
    parser.add_argument("--data", help="evaluation data directory for papertide eval")
    parser.add_argument("--profile", action="store_true", help="print the top of a profile")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="papertide-foryou-"))
    db = prepare(work)
    loads = [os.getloadavg()[0]]
    after = measure(db, args.calls, args.profile)
    before = None
    if args.baseline:
        before = measure_elsewhere(args.baseline, db, args.baseline_calls)
    loads.append(os.getloadavg()[0])
    dev, test = precision_at_10(args.data)
    store = SqliteStore(db, SystemClock())
    try:
        pool = len(ForYouService(store, SystemClock(), "", 0).recent_papers())
    finally:
        store.close()
    rows = []
    for n in (*RATINGS, SEED_ENTRIES):
        cells = [figures(after[str(n)][case]) for case in CASES]
        if before is not None:
            cells += [figures(before[str(n)][case]) for case in CASES]
        label = f"{n:,} ratings" if n in RATINGS else f"{n:,}-entry BibTeX seed"
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    head = "| user | repeat call | after a new rating | its CPU time |"
    rule = "|---|---|---|---|"
    if before is not None:
        head += " before: repeat | before: after a rating | before: its CPU time |"
        rule += "---|---|---|"
    command = f"python bench/foryou.py --work DIR --calls {args.calls}"
    if args.baseline:
        command += f" --baseline {args.baseline} --baseline-calls {args.baseline_calls}"
    body = "\n".join(
        [
            f"Command: `{command}`. Demo corpus (`papertide demo` + `papertide index`, static "
            f"vectors); {pool:,} papers listed in the last 30 listing days; one user per row, "
            f"ratings drawn from the listed papers (seeded, {DOWN_SHARE:.0%} thumbs down). "
            f"ForYouService.rank(user, {FOR_YOU_LIMIT}) as /for-you calls it, one call at a "
            f"time, {args.calls} calls per case (before: {args.baseline_calls}); p50 / p95 of "
            "wall-clock time, and of the CPU time the process used in the calls after a new "
            "rating (what a quiet machine would take). "
            f"The seeded user's {SEED_ENTRIES:,} BibTeX entries (arXiv ids of stored papers) "
            f"go in files of {MAX_BIBTEX_ENTRIES:,}, the most one upload takes (#13); the model "
            f"learns from the newest {MODEL_MAX_RATINGS:,} ratings. "
            "Same run: `papertide eval --recommend --skip-contextual` precision@10 of papertide "
            f"(static vectors) dev {dev:.3f}, test {test:.3f}. 1-min load average before the "
            f"timings: {loads[0]:.1f}, after: {loads[1]:.1f} (2 cores).",
            "",
            head,
            rule,
            *rows,
        ]
    )
    write_section(TITLE, body)
    print(body)


if __name__ == "__main__":
    main()
