"""A large benchmark corpus: the 74,728 real arXiv cs papers plus generated ones.

Generated papers recombine real text, so term and document frequencies stay realistic: the
title joins the halves of two real titles; the abstract keeps half of the sentences of a real
abstract (shuffled) and draws the rest from other papers of the same primary category; authors
come from a third paper. Ids are new-style arXiv ids from 2015-2023, which the real set (2025-26)
never uses. Deterministic for a given seed. Writes JSON lines; no store, no index.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REAL_PAPERS = "arxiv-cs-listings/papers.jsonl.gz"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_IDS_PER_MONTH = 99_999


def load_real(shared: Path) -> list[dict[str, Any]]:
    """The real papers: id, title, authors, abstract, categories, published (YYYY-MM-DD)."""
    papers = []
    with gzip.open(shared / REAL_PAPERS, "rt", encoding="utf-8") as lines:
        for line in lines:
            raw = json.loads(line)
            papers.append(
                {
                    "id": raw["id"],
                    "title": " ".join(raw["title"].split()),
                    "authors": raw["authors"],
                    "abstract": " ".join(raw["abstract"].split()),
                    "categories": raw["categories"],
                    "published": raw["first_listed"],
                }
            )
    return papers


def iter_corpus(real: list[dict[str, Any]], total: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """The real papers first, then generated ones up to `total` papers."""
    yield from real[:total]
    rng = random.Random(seed)
    sentences = [_SENTENCE_END.split(paper["abstract"]) for paper in real]
    by_category: dict[str, list[int]] = defaultdict(list)
    for n, paper in enumerate(real):
        by_category[paper["categories"][0] if paper["categories"] else ""].append(n)
    for n in range(max(0, total - len(real))):
        yield _generate(n, real, sentences, by_category, rng)


def _generate(
    n: int,
    real: list[dict[str, Any]],
    sentences: list[list[str]],
    by_category: dict[str, list[int]],
    rng: random.Random,
) -> dict[str, Any]:
    base = rng.randrange(len(real))
    paper = real[base]
    title_a, title_b = paper["title"].split(), rng.choice(real)["title"].split()
    own = list(sentences[base])
    rng.shuffle(own)
    kept = own[: max(1, len(own) // 2)]
    peers = by_category[paper["categories"][0] if paper["categories"] else ""]
    for _ in range(len(own) - len(kept)):
        kept.append(rng.choice(sentences[rng.choice(peers)]))
    rng.shuffle(kept)
    month, year = 1 + (n // _IDS_PER_MONTH) % 12, 15 + n // (_IDS_PER_MONTH * 12)
    day = date(2000 + year, month, 1) + timedelta(days=rng.randrange(28))
    return {
        "id": f"{year:02d}{month:02d}.{n % _IDS_PER_MONTH + 1:05d}",
        "title": " ".join(title_a[: (len(title_a) + 1) // 2] + title_b[len(title_b) // 2 :]),
        "authors": rng.choice(real)["authors"],
        "abstract": " ".join(kept),
        "categories": paper["categories"],
        "published": day.isoformat(),
    }


def write_corpus(shared: Path, target: Path, total: int, seed: int = 7) -> int:
    """Write `total` papers as JSON lines to `target`; return how many were written."""
    count = 0
    with target.open("w", encoding="utf-8") as out:
        for paper in iter_corpus(load_real(shared), total, seed):
            out.write(json.dumps(paper, ensure_ascii=False) + "\n")
            count += 1
    return count


def read_corpus(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)
