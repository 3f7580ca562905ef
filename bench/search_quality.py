"""Search quality (issue #3): run `papertide eval` once and write its table to BENCHMARKS.md.

The table, the fusion chosen on the CSFCube dev fold and the hybrid's gains come from the
command itself; this script adds the exact command, its wall time and its peak memory.
Usage: python bench/search_quality.py [--skip-contextual] [--daily-papers 2000] [--data DIR]
"""

from __future__ import annotations

import argparse
import sys

from bench.report import run_measured, write_section

TITLE = "Search quality (papertide eval)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-contextual", action="store_true")
    parser.add_argument("--daily-papers", type=int, default=2000)
    parser.add_argument("--data", help="evaluation data directory (default: papertide eval's)")
    args = parser.parse_args()
    command = ["papertide", "eval", "--daily-papers", str(args.daily_papers)]
    if args.data:
        command += ["--data", args.data]
    if args.skip_contextual:
        command.append("--skip-contextual")
    result = run_measured([sys.executable, "-m", *command])
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    body = (
        f"Command: `{' '.join(command)}` (wall {result.seconds:.0f} s, "
        f"peak RSS {result.peak_mb:.0f} MB). CSFCube fold1: fusion chosen on fold1_dev, "
        "scores on fold1_test; MRR over a seeded sample of Daily Papers titles. The second table "
        "is CSFCube by its authors' protocol (papertide/eval/official.py) beside the published "
        'figures (docs/search.md, "CSFCube beside the published models").\n\n'
        f"```\n{result.stdout.rstrip()}\n```"
    )
    write_section(TITLE, body)
    sys.stdout.write(result.stdout)


if __name__ == "__main__":
    main()
