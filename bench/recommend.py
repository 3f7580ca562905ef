"""Recommendation quality (issue #5): run `papertide eval --recommend` once and write its table
to BENCHMARKS.md.

The table, the setup and papertide's gain over the best baseline come from the command itself;
this script adds the exact command, its wall time and its peak memory.
Usage: python bench/recommend.py [--skip-contextual]
"""

from __future__ import annotations

import argparse
import sys

from bench.report import run_measured, write_section

TITLE = "Recommendation quality (papertide eval --recommend)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-contextual", action="store_true")
    args = parser.parse_args()
    command = ["papertide", "eval", "--recommend"]
    if args.skip_contextual:
        command.append("--skip-contextual")
    result = run_measured([sys.executable, "-m", *command])
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    body = (
        f"Command: `{' '.join(command)}` (wall {result.seconds:.0f} s, "
        f"peak RSS {result.peak_mb:.0f} MB). Simulated users like 5-20 papers of one arXiv "
        "category in month N (and dislike 0-5 others); their digest ranks the Daily Papers of "
        "month N+1; precision@10 against the category's papers of N+1. Constants were tuned "
        "on the dev months only; docs/recommend.md has the protocol.\n\n"
        f"```\n{result.stdout.rstrip()}\n```"
    )
    write_section(TITLE, body)
    sys.stdout.write(result.stdout)


if __name__ == "__main__":
    main()
