"""Ingest benchmark (issues #2, #11): the 74,728 real arXiv cs papers into a fresh SQLite
store, the same file again, and a generated 1,000,000-record snapshot file.

Baselines, measured in the same run: reading and JSON-decoding the same file without storing
(the floor any ingest pays) and, with --baseline DIR, the fresh ingest by another checkout's
papertide (e.g. main before a change), the two taking turns. Each figure is the median of
--runs runs of `papertide ingest` in a child process; peak memory is the largest maximum RSS
of that child and its parsing processes (wait4), and the parent stays small because Linux
carries a peak across fork and exec. CPU is the user + system time of all of them.
Usage: python bench/ingest.py [--runs 3] [--snapshot-records 1000000] [--shared ../shared/data]
       [--baseline DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import RunResult, median, papertide, run_measured, write_section

REAL_PAPERS = "arxiv-cs-listings/papers.jsonl.gz"
CHECKOUT = Path(__file__).resolve().parent.parent  # the code this bench measures by default
FULL_SNAPSHOT_RECORDS = 2_700_000


def ingest(kind: str, path: Path, db: Path, checkout: Path | None = None) -> RunResult:
    """`papertide ingest`, by this checkout or by `checkout`'s papertide: run in `checkout`,
    since `python -m` puts the working directory on sys.path before PYTHONPATH."""
    env = None if checkout is None else {**os.environ, "PYTHONPATH": str(checkout.resolve())}
    command = papertide("ingest", kind, str(path.resolve()), "--db", str(db.resolve()), "--json")
    result = run_measured(command, env, checkout)
    if result.returncode != 0:
        raise SystemExit(f"ingest failed ({result.returncode}): {result.stderr.strip()}")
    return result


def counts_of(result: RunResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)[0]
    return data


def parse_only_seconds(path: Path) -> float:
    """Baseline: gunzip + json.loads of every line, nothing stored."""
    start = time.perf_counter()
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            json.loads(line)
    return time.perf_counter() - start


def write_snapshot(source: Path, target: Path, records: int) -> None:
    """A snapshot-format file of `records` records made from the real papers, new ids each."""
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        real = [json.loads(line) for line in lines]
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=1) as out:
        for n in range(records):
            paper = real[n % len(real)]
            month = 1 + (n // 99_999) % 12
            year = 15 + n // (99_999 * 12)  # 5-digit ids exist from 1501 on
            record = {
                "id": f"{year:02d}{month:02d}.{n % 99_999 + 1:05d}",
                "submitter": paper["authors"][0] if paper["authors"] else None,
                "authors": ", ".join(paper["authors"]),
                "title": paper["title"],
                "comments": paper["comment"],
                "journal-ref": None,
                "doi": None,
                "report-no": None,
                "categories": " ".join(paper["categories"]),
                "license": None,
                "abstract": paper["abstract"],
                "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
                "update_date": "2007-05-23",
                "authors_parsed": [[a.split()[-1], " ".join(a.split()[:-1]), ""]
                                   for a in paper["authors"] if a.split()],
            }  # fmt: skip
            out.write(json.dumps(record) + "\n")


def bench_real(source: Path, work: Path, runs: int, before: Path | None) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {
        key: [] for key in ("baseline", "fresh", "cpu", "again", "peak", "load", "before", "cpu0")
    }
    for run in range(runs):
        db = work / f"real-{run}.db"
        figures["baseline"].append(parse_only_seconds(source))
        if before is not None and run % 2 == 0:  # the two take turns going first
            bench_before(source, work, before, figures)
        figures["load"].append(os.getloadavg()[0])
        fresh = ingest("jsonl", source, db)
        again = ingest("jsonl", source, db)
        assert counts_of(again)["unchanged"] == counts_of(fresh)["new"], "re-run changed data"
        figures["fresh"].append(fresh.seconds)
        figures["cpu"].append(fresh.cpu_s)
        figures["again"].append(again.seconds)
        figures["peak"].append(fresh.peak_mb)
        if before is not None and run % 2 == 1:
            bench_before(source, work, before, figures)
        shown = f", before {figures['before'][-1]:.1f} s" if before is not None else ""
        print(
            f"run {run + 1}: fresh {fresh.seconds:.1f} s ({fresh.cpu_s:.1f} s CPU,"
            f" {fresh.peak_mb:.0f} MB), again {again.seconds:.1f} s{shown},"
            f" parse-only {figures['baseline'][-1]:.1f} s, load {figures['load'][-1]:.1f}"
        )
        db.unlink()
    return figures


def bench_before(source: Path, work: Path, checkout: Path, figures: dict[str, list[float]]) -> None:
    """The fresh ingest by another checkout's papertide, into its own store."""
    db = work / "before.db"
    result = ingest("jsonl", source, db, checkout)
    figures["before"].append(result.seconds)
    figures["cpu0"].append(result.cpu_s)
    db.unlink()


def bench_snapshot(source: Path, work: Path, records: int) -> RunResult:
    path = work / "snapshot.jsonl.gz"
    start = time.perf_counter()
    # generate in a child process: Linux keeps a process's peak RSS across fork and exec, so
    # the parent must stay small for the measured ingest child to report its own peak
    writer = multiprocessing.Process(target=write_snapshot, args=(source, path, records))
    writer.start()
    writer.join()
    print(f"generated {records:,} snapshot records in {time.perf_counter() - start:.0f} s")
    result = ingest("snapshot", path, work / "snapshot.db")
    print(f"snapshot: {result.seconds:.0f} s, {result.peak_mb:.0f} MB")
    return result


def compile_bytecode(checkout: Path) -> None:
    """Write the bytecode of `checkout`'s papertide before timing,
    as installing a package does: otherwise the writer and each parsing process compile
    every module they import (about 0.4 s of CPU in all) whenever PYTHONDONTWRITEBYTECODE is
    set, and not when it is not, so the figures would depend on the shell."""
    package = checkout / "papertide"
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, "-m", "compileall", "-q", str(package)]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--snapshot-records", type=int, default=1_000_000)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--baseline", type=Path, help="a checkout whose fresh ingest to time too")
    args = parser.parse_args()
    source = args.shared / REAL_PAPERS
    for checkout in (CHECKOUT, args.baseline) if args.baseline else (CHECKOUT,):
        compile_bytecode(checkout)
    work = Path(tempfile.mkdtemp(prefix="papertide-bench-"))
    try:
        real = bench_real(source, work, args.runs, args.baseline)
        records = args.snapshot_records
        snapshot = bench_snapshot(source, work, records) if records else None
    finally:
        shutil.rmtree(work)
    write_section("Ingest", report(args, real, snapshot))
    print("written to BENCHMARKS.md")


def report(args: argparse.Namespace, real: dict[str, list[float]], snap: RunResult | None) -> str:
    fresh, again, peak = median(real["fresh"]), median(real["again"]), median(real["peak"])
    runs = ", ".join(f"{seconds:.1f}" for seconds in real["fresh"])
    rows = [
        ("74,728 papers, fresh store", f"{fresh:.1f} s ({74_728 / fresh:,.0f}/s; runs {runs} s)",
         "<= 9 s (#11)"),
        ("CPU of that run (papertide and its parsing processes)", f"{median(real['cpu']):.1f} s",
         ""),
        ("peak memory of that run (the largest process)", f"{peak:.0f} MB", "<= 300 MB"),
        ("same file again (nothing changed)", f"{again:.1f} s ({again / fresh:.2f} of fresh)",
         "<= 1/3 of fresh"),
        ("baseline: gunzip + json.loads only", f"{median(real['baseline']):.1f} s", ""),
    ]  # fmt: skip
    if real["before"]:
        before = median(real["before"])
        runs = ", ".join(f"{seconds:.1f}" for seconds in real["before"])
        rows.insert(1, (f"baseline: the same by {args.baseline} (before)",
                        f"{before:.1f} s (runs {runs} s; {median(real['cpu0']):.1f} s CPU;"
                        f" after/before {fresh / before:.2f})", ""))  # fmt: skip
    if snap is not None:
        rate = args.snapshot_records / snap.seconds
        rows += [
            (f"{args.snapshot_records:,}-record snapshot file",
             f"{snap.seconds:.0f} s ({rate:,.0f} records/s)", ""),
            ("peak memory of that run", f"{snap.peak_mb:.0f} MB ({snap.peak_mb / peak:.2f}x 75k)",
             "<= 1.5x the 75k run"),
            ("projected: full 2.7M-record snapshot", f"{FULL_SNAPSHOT_RECORDS / rate / 60:.1f} min",
             ""),
        ]  # fmt: skip
    table = ["| what | median | goal |", "|---|---|---|"]
    table += [f"| {what} | {value} | {goal} |" for what, value, goal in rows]
    command = (
        f"python bench/ingest.py --runs {args.runs} --snapshot-records {args.snapshot_records}"
    )
    command += f" --baseline {args.baseline}" if args.baseline else ""
    note = (
        f"(fresh/again/baselines: median of {args.runs} runs; the snapshot: one run; 1-min load"
        f" average at the fresh runs {', '.join(f'{load:.1f}' for load in real['load'])})"
    )
    text = f"Command: `{command}` {note}.\n\n" + "\n".join(table)
    if snap is not None:
        text += (
            "\n\nThe rate falls as the B-trees grow (compare the 75k rate), so"
            " the linear projection for 2.7M records is a lower bound."
        )
    return text


if __name__ == "__main__":
    main()
