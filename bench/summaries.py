"""Our TL;DRs and keywords (issue #15 point 2): quality against Hugging Face's own, and the cost
of computing them at index time.

1. Runs `papertide eval --summaries --json` in a child (dev and test halves of the Daily Papers
   archive), writes the test half to papertide/eval/summaries_figures.json (shown on /about) and
   both tables to BENCHMARKS.md.
2. Ingests the 74,728 real arXiv cs papers (../shared/data/arxiv-cs-listings) into a fresh
   SQLite store and times summarise_missing, the step `papertide index` runs, then its re-run
   (nothing changed: nothing to do).
Usage: python bench/summaries.py [--shared ../shared/data] [--skip-corpus]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.report import machine, papertide, run_measured, write_section
from papertide.clock import SystemClock
from papertide.eval.datasets import default_data_dir
from papertide.eval.summaries import FIGURES_FILE, SummaryReport
from papertide.index.static import StaticEmbedder
from papertide.index.summaries import Summariser
from papertide.index.update import summarise_missing
from papertide.store.sqlite import SqliteStore

TITLE = "Summaries and keywords (papertide eval --summaries; bench/summaries.py)"
REAL_PAPERS = "arxiv-cs-listings/papers.jsonl.gz"


def quality(shared: Path) -> tuple[str, list[SummaryReport]]:
    """The command's body line and its reports, dev then test."""
    command = ["papertide", "eval", "--summaries", "--data", str(shared), "--json"]
    result = run_measured([sys.executable, "-m", *command])
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    reports = [SummaryReport.from_dict(body) for body in json.loads(result.stdout).values()]
    line = (
        f"Command: `papertide eval --summaries` (wall {result.seconds:.0f} s, "
        f"peak RSS {result.peak_mb:.0f} MB)."
    )
    return line, reports


def corpus_timing(shared: Path) -> str:
    """Summaries of the whole corpus at index time, and the re-run."""
    with tempfile.TemporaryDirectory() as work:
        db = Path(work) / "corpus.db"
        ingest = run_measured(
            papertide("ingest", "jsonl", str(shared / REAL_PAPERS), "--db", str(db))
        )
        if ingest.returncode != 0:
            raise SystemExit(f"ingest failed: {ingest.stderr}")
        store = SqliteStore(db, SystemClock())
        try:
            summariser = Summariser(StaticEmbedder.load())
            start = time.perf_counter()
            done = summarise_missing(store, summariser)
            first = time.perf_counter() - start
            start = time.perf_counter()
            again = summarise_missing(store, summariser)
            rerun = time.perf_counter() - start
        finally:
            store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"Index time (`summarise_missing`, the step `papertide index` runs; SQLite store of the "
        f"{done:,} real arXiv cs papers): {first:.0f} s for all ({done / first:,.0f} papers/s), "
        f"re-run with nothing changed {rerun:.1f} s ({again} papers); peak RSS of the bench "
        f"process {peak:.0f} MB."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=default_data_dir())
    parser.add_argument("--skip-corpus", action="store_true")
    args = parser.parse_args()
    line, reports = quality(args.shared)
    test = next(report for report in reports if report.split == "test")
    measured = datetime.now(UTC).date().isoformat()
    FIGURES_FILE.write_text(
        json.dumps({"measured": measured, "command": "python -m bench.summaries"} | test.to_dict())
        + "\n"
    )
    parts = [
        f"Machine: {machine()}. Measured {measured}.",
        line + " Weights tuned on the dev half only; the test half is the figure (also on "
        "/about, from papertide/eval/summaries_figures.json).",
        "```\n" + "\n\n".join(report.table() for report in reports) + "\n```",
    ]
    if not args.skip_corpus:
        parts.append(corpus_timing(args.shared))
    body = "\n\n".join(parts)
    write_section(TITLE, body)
    print(body)


if __name__ == "__main__":
    main()
