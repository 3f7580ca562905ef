"""Build the bundled demo corpus (papertide/demo/) from ../shared/data.

Writes papers.jsonl.xz (the most recent arXiv cs papers of the listings archive, at least
MIN_PAPERS, plus every listed paper of the daily window) and daily.jsonl.xz (the last
DAILY_DAYS listing days of Hugging Face Daily Papers with upvotes). Deterministic: same input, same
bytes. Usage: python scripts/build_demo.py [--shared ../shared/data] [--out papertide/demo]
"""

from __future__ import annotations

import argparse
import gzip
import json
import lzma
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

MIN_PAPERS = 22_000
DAILY_DAYS = 120
PAPER_FIELDS = ("id", "title", "authors", "categories", "comment", "abstract", "first_listed")
DAILY_FIELDS = (
    "date", "position", "arxiv_id", "title", "abstract", "authors", "arxiv_published_at",
    "submitted_on_daily_at", "upvotes", "num_comments", "github_repo", "github_stars",
    "project_page", "organization", "ai_summary", "ai_keywords",
)  # fmt: skip


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def write_xz(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    with lzma.open(path, "wt", encoding="utf-8", preset=9 | lzma.PRESET_EXTREME) as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count


def daily_window(shared: Path) -> list[dict[str, Any]]:
    rows = list(read_jsonl(shared / "hf-daily-papers" / "daily_papers.jsonl.gz"))
    days = sorted({r["date"] for r in rows})[-DAILY_DAYS:]
    kept = [r for r in rows if r["date"] >= days[0]]
    kept.sort(key=lambda r: (r["date"], r["position"]))
    return [{k: r.get(k) for k in DAILY_FIELDS} for r in kept]


def recent_papers(shared: Path, also: set[str]) -> list[dict[str, Any]]:
    papers = list(read_jsonl(shared / "arxiv-cs-listings" / "papers.jsonl.gz"))
    papers.sort(key=lambda p: (p["first_listed"], p["id"]))
    recent = {p["id"] for p in papers[-MIN_PAPERS:]}
    kept = [p for p in papers if p["id"] in recent or p["id"] in also]
    return [{k: p.get(k) for k in PAPER_FIELDS} for p in kept]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("papertide/demo"))
    args = parser.parse_args()
    daily = daily_window(args.shared)
    papers = recent_papers(args.shared, {r["arxiv_id"] for r in daily})
    args.out.mkdir(parents=True, exist_ok=True)
    n_papers = write_xz(args.out / "papers.jsonl.xz", papers)
    n_daily = write_xz(args.out / "daily.jsonl.xz", daily)
    size = sum(f.stat().st_size for f in args.out.glob("*.xz")) / 1e6
    days = len({r["date"] for r in daily})
    print(f"{n_papers:,} papers, {n_daily:,} daily rows on {days} days, {size:.1f} MB")


if __name__ == "__main__":
    main()
