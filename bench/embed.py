"""Embedder benchmark (issue #3): abstracts per second of the static (default) and contextual
(MiniLM) embedders on real arXiv cs abstracts, as `papertide index` feeds them (paper_text).

Baseline, measured in the same run: each embedder's tokenizer alone on the same texts (the
floor the embedder pays before any vector arithmetic). Figures are medians of --runs runs.
The machine is shared, so beside wall-clock rates the report gives rates per CPU-second of the
process (all its threads) times the cores: what the embedder would do alone on the machine.
Usage: python bench/embed.py [--runs 3] [--texts 2000] [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.report import median, write_section
from papertide.index.contextual import MiniLmEmbedder
from papertide.index.embed import paper_text
from papertide.index.static import StaticEmbedder, packaged_assets

REAL_PAPERS = "arxiv-cs-listings/papers.jsonl.gz"
REAL_PAPER_COUNT = 74_728
CORES = os.cpu_count() or 1


def read_texts(shared: Path, count: int) -> list[str]:
    """The embedded text of the first `count` papers of the listings archive."""
    texts = []
    with gzip.open(shared / REAL_PAPERS, "rt", encoding="utf-8") as lines:
        for line in lines:
            paper = json.loads(line)
            texts.append(paper_text(paper["title"], paper["abstract"]))
            if len(texts) == count:
                break
    return texts


@dataclass(frozen=True)
class Rate:
    """Median items per second: by the wall clock, and per CPU-second times the cores."""

    wall: float
    alone: float


def rate(work: Callable[[], object], count: int, runs: int, label: str) -> Rate:
    """Rates of `runs` calls of `work`, which handles `count` items."""
    wall, alone = [], []
    for run in range(runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        work()
        wall.append(count / (time.perf_counter() - start))
        alone.append(count / (time.process_time() - cpu_start) * CORES)
        print(f"{label} run {run + 1}: {wall[-1]:,.1f}/s (alone: {alone[-1]:,.1f}/s)")
    return Rate(median(wall), median(alone))


@dataclass(frozen=True)
class Figures:
    load_s: float
    mean_tokens: float
    embed: Rate
    tokenizer: Rate


def bench_static(texts: list[str], runs: int) -> Figures:
    start = time.perf_counter()
    embedder = StaticEmbedder.load()
    load_s = time.perf_counter() - start
    tokens = embedder.tokenizer.encode_batch_fast(texts, add_special_tokens=False)
    return Figures(
        load_s,
        sum(len(e.ids) for e in tokens) / len(texts),
        rate(lambda: embedder.embed(texts), len(texts), runs, "static"),
        rate(
            lambda: embedder.tokenizer.encode_batch_fast(texts, add_special_tokens=False),
            len(texts), runs, "static tokenizer",
        ),
    )  # fmt: skip


def bench_contextual(texts: list[str], runs: int) -> Figures:
    start = time.perf_counter()
    embedder = MiniLmEmbedder.load()
    load_s = time.perf_counter() - start
    tokens = embedder.tokenizer.encode_batch_fast(texts)
    return Figures(
        load_s,
        sum(len(e.ids) for e in tokens) / len(texts),
        rate(lambda: embedder.embed(texts), len(texts), runs, "contextual"),
        rate(lambda: embedder.tokenizer.encode_batch_fast(texts), len(texts), runs,
             "contextual tokenizer"),
    )  # fmt: skip


def report(args: argparse.Namespace, static: Figures, ctx: Figures) -> str:
    assets_mb = sum(f.stat().st_size for f in packaged_assets().iterdir()) / 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        (f"static `minilm-static-v1` (256 dims, {assets_mb:.1f} MB)", static.embed, ">= 1,500/s"),
        ("baseline: its tokenizer alone", static.tokenizer, ""),
        ("contextual `minilm-l6-v2` (384 dims, numpy)", ctx.embed, "about 20/s"),
        ("baseline: its tokenizer alone", ctx.tokenizer, ""),
    ]
    table = ["| abstracts/s | median | alone on the machine | goal |", "|---|---|---|---|"]
    table += [f"| {what} | {r.wall:,.1f} | {r.alone:,.1f} | {goal} |" for what, r, goal in rows]
    command = f"python bench/embed.py --runs {args.runs} --texts {args.texts}"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"Command: `{command}` (median of {args.runs} runs over the first {args.texts:,} papers"
        ' of the listings archive, title + abstract as `paper_text` joins them). "Alone on the'
        f' machine" is the rate per CPU-second of the process times {CORES} cores; the load'
        f" average at the end of the run was {load}.\n\n"
        + "\n".join(table)
        + f"\n\nProjected for the {REAL_PAPER_COUNT:,} real papers (wall-clock medians): static"
        f" {REAL_PAPER_COUNT / static.embed.wall:.0f} s, contextual"
        f" {REAL_PAPER_COUNT / ctx.embed.wall / 60:.0f} min."
        f" Mean tokens per text: {static.mean_tokens:.0f} (static, no special tokens),"
        f" {ctx.mean_tokens:.0f} (contextual, truncated at 256). Load time: static"
        f" {static.load_s:.2f} s, contextual {ctx.load_s:.2f} s. Peak memory of the"
        f" benchmark process: {peak_mb:.0f} MB."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    texts = read_texts(args.shared, args.texts)
    static = bench_static(texts, args.runs)
    contextual = bench_contextual(texts, args.runs)
    write_section("Embedders", report(args, static, contextual))
    print("written to BENCHMARKS.md")


if __name__ == "__main__":
    main()
