"""For-you speed (issue #16): the ranking call behind /for-you for users with 10, 100 and 1,000
ratings on the demo corpus, p50 / p95 over repeated calls, profiled on request.

The demo store is built in --work (`papertide demo` + `papertide index`, kept for the next run,
as bench/web.py does); the users are made there once, their ratings drawn with a fixed seed
from the listed papers (a tenth thumbs down). The call is ForYouService.rank(user, 30), what
the page and GET /api/for-you run; the page adds its rendering.
Usage: python bench/foryou.py --work DIR [--calls 40] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.report import write_section
from bench.web import listed_papers, prepare
from papertide.clock import SystemClock
from papertide.rank.foryou import WEB, ForYouService
from papertide.store.base import Store
from papertide.store.sqlite import SqliteStore
from papertide.web.api_foryou import FOR_YOU_LIMIT
from papertide.wiring import build_embedder

TITLE = "For-you speed (bench/foryou.py)"
RATINGS = (10, 100, 1000)
DOWN_SHARE = 0.1


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


def timed(service: ForYouService, user_id: int, calls: int) -> list[float]:
    """Milliseconds of each of `calls` ranking calls, after one warm-up call."""
    service.rank(user_id, FOR_YOU_LIMIT)
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        service.rank(user_id, FOR_YOU_LIMIT)
        times.append(1000 * (time.perf_counter() - started))
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, help="keep the demo store here and reuse it")
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--profile", action="store_true", help="print the top of a profile")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="papertide-foryou-"))
    db = prepare(work)
    store = SqliteStore(db, SystemClock())
    try:
        embedder = build_embedder("static")
        service = ForYouService(store, SystemClock(), embedder.name, embedder.dim)
        users = {n: rated_user(store, n) for n in RATINGS}
        rows = []
        for n, user_id in users.items():
            times = timed(service, user_id, args.calls)
            rows.append(
                f"| {n:,} ratings | {statistics.median(times):.1f} ms | {p95(times):.1f} ms |"
            )
            if args.profile:
                profiler = cProfile.Profile()
                profiler.runcall(service.rank, user_id, FOR_YOU_LIMIT)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        pool = len(service.recent_papers())
    finally:
        store.close()
    body = "\n".join(
        [
            f"Command: `python bench/foryou.py --work DIR --calls {args.calls}`. Demo corpus "
            f"(`papertide demo` + `papertide index`, static vectors); {pool:,} papers listed in "
            f"the last 30 listing days; one user per row, ratings drawn from the listed papers "
            f"(seeded, {DOWN_SHARE:.0%} thumbs down). ForYouService.rank(user, {FOR_YOU_LIMIT}) "
            f"as /for-you calls it, {args.calls} calls after a warm-up, one at a time.",
            "",
            "| user | p50 | p95 |",
            "|---|---|---|",
            *rows,
        ]
    )
    write_section(TITLE, body)
    print(body)


if __name__ == "__main__":
    main()
