"""Build tests/data/recommend/: a seeded slice of the Daily Papers archive (110 categorised
papers in each of four months) and the listings rows that categorise them.

Usage: python scripts/build_recommend_fixture.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

from papertide.eval.datasets import DAILY_PAPERS_FILE, default_data_dir, read_jsonl
from papertide.eval.recommend_data import LISTINGS_FILE, load_archive

MONTHS = ("2026-03", "2026-04", "2026-05", "2026-06")
PER_MONTH = 110
SEED = 5
OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "recommend"
DAILY_FIELDS = ("date", "position", "arxiv_id", "title", "abstract", "authors", "upvotes",
                "num_comments")  # fmt: skip
LISTING_FIELDS = ("id", "title", "categories", "primary_category", "first_listed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=default_data_dir())
    data = parser.parse_args().data
    rng = random.Random(SEED)
    papers = load_archive(data)
    chosen: set[str] = set()
    for month in MONTHS:
        ids = sorted(p.id for p in papers if p.month == month)
        chosen.update(rng.sample(ids, PER_MONTH))
    daily = [r for r in read_jsonl(data / DAILY_PAPERS_FILE) if r["arxiv_id"] in chosen]
    listings = [r for r in read_jsonl(data / LISTINGS_FILE) if r["id"] in chosen]
    write(OUT / DAILY_PAPERS_FILE, [{k: r.get(k) for k in DAILY_FIELDS} for r in daily])
    write(OUT / LISTINGS_FILE, [{k: r.get(k) for k in LISTING_FIELDS} for r in listings])


def write(path: Path, rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(path, "wb", mtime=0) as out:  # mtime 0: the same bytes on every run
        for row in rows:
            out.write((json.dumps(row, ensure_ascii=False) + "\n").encode())


if __name__ == "__main__":
    main()
