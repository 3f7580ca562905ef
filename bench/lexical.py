"""Lexical engine benchmark (issue #3): SQLite FTS5 bm25() against tantivy at 1,000,000 papers.

The corpus is the 74,728 real arXiv cs papers plus generated ones (bench/corpus.py). Queries
come from real papers: 2-4 consecutive title words (OR, AND, phrase, with filters) and whole
abstracts ("find related work": tantivy through the product's long-text path, which keeps the
25 most informative terms; FTS5 gets the 25 rarest words, as it has no such path). tantivy runs
through papertide's TantivyLexicalIndex and parse_query, FTS5 through bench/fts.py (installed
on the benchmark's own store: the product keeps no FTS5 index).
Each engine is built and queried in its own child process, so peak memory is that process's own
(wait4); latency is per query, query building included, after one warm-up pass, top 10.
Usage: python -m bench.lexical [--papers 1000000] [--queries 200] [--shared ../shared/data]
       [--work DIR [--reuse]]  (--reuse keeps engines built by an earlier run in DIR)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import fts
from bench.corpus import load_real, read_corpus, write_corpus
from bench.report import median, run_measured, write_section
from papertide.clock import SystemClock
from papertide.index.lexical import FieldWeights, IndexState
from papertide.index.query import parse_query
from papertide.index.tantivy_lexical import TantivyLexicalIndex
from papertide.models import Paper, Record
from papertide.store.sqlite import SqliteStore

WEIGHTS = FieldWeights()
FTS_WEIGHTS = (WEIGHTS.title, WEIGHTS.authors, WEIGHTS.abstract)
KINDS = ("or", "and", "phrase", "filtered", "long", "explained")
PASSES = 3
TOP_K = 10
_WORD = re.compile(r"[a-z][a-z0-9-]{2,}")
_STOP = frozenset((
    "the", "and", "for", "with", "from", "that", "this", "are", "via", "its", "our", "into",
    "using", "based", "over", "under", "towards", "toward", "than", "more", "can", "not", "all",
    "new",
))  # fmt: skip
Sample = dict[str, Any]


def make_queries(shared: Path, count: int, seed: int = 11) -> list[Sample]:
    """`count` samples: title words, a whole abstract, its 25 rarest words, a category."""
    real = load_real(shared)
    rng = random.Random(seed)
    df = Counter(word for paper in real for word in set(_WORD.findall(paper["abstract"].lower())))
    samples: list[Sample] = []
    while len(samples) < count:
        paper = rng.choice(real)
        words, size = _WORD.findall(paper["title"].lower()), rng.randint(2, 4)
        if len(words) < size:
            continue
        start = rng.randrange(len(words) - size + 1)
        picked = words[start : start + size]
        if all(word in _STOP for word in picked):
            continue
        rare = {w for w in _WORD.findall(paper["abstract"].lower()) if w not in _STOP}
        samples.append(
            {
                "words": picked,
                "abstract": paper["abstract"],
                "rare": sorted(rare, key=lambda w: (df[w], w))[:25],
                "category": paper["categories"][0],
            }
        )
    return samples


def paper_of(raw: dict[str, Any]) -> Paper:
    published = datetime.fromisoformat(raw["published"]).replace(tzinfo=UTC)
    return Paper(
        id=raw["id"],
        title=raw["title"],
        abstract=raw["abstract"],
        authors=tuple(raw["authors"]),
        categories=tuple(raw["categories"]),
        published=published,
    )


def fts_build(corpus: Path, db: Path) -> dict[str, float]:
    """Write the store (papers + FTS5 at ingest), then time a full FTS5 rebuild alone."""
    store = SqliteStore(db, SystemClock())
    store.migrate()
    conn = sqlite3.connect(db, isolation_level=None)
    fts.install_fts5(conn)
    start, batch = time.perf_counter(), []
    for raw in read_corpus(corpus):
        batch.append(Record(paper_of(raw)))
        if len(batch) == 5000:
            store.write_batch(batch, [])
            batch = []
    store.write_batch(batch, [])
    written = time.perf_counter() - start
    start = time.perf_counter()
    conn.execute("BEGIN")
    fts.rebuild_fts(conn)
    conn.execute("COMMIT")
    rebuilt = time.perf_counter() - start
    return {"store_write_s": written, "build_s": rebuilt, "disk_mb": _fts_mb(conn)}


def _fts_mb(conn: sqlite3.Connection) -> float:
    return fts.fts_index_bytes(conn) / 2**20


def fts_query(db: Path, samples: list[Sample]) -> dict[str, list[float]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    makers: dict[str, Callable[[Sample], str]] = {
        "or": lambda s: fts.match_any(s["words"]),
        "and": lambda s: fts.match_all(s["words"]),
        "phrase": lambda s: fts.quote_fts_token(" ".join(s["words"])),
        "long": lambda s: fts.match_any(s["rare"]),
    }
    timings = {}
    for kind, make in makers.items():

        def run(sample: Sample, make: Callable[[Sample], str] = make) -> None:
            fts.search_fts(conn, make(sample), FTS_WEIGHTS, TOP_K)

        timings[kind] = _time(run, samples)
    return timings


def _time(run: Callable[[Sample], None], samples: list[Sample]) -> list[float]:
    for sample in samples:
        run(sample)
    timings = []
    for _ in range(PASSES):
        for sample in samples:
            start = time.perf_counter()
            run(sample)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


class _NoPapers:
    def get_paper(self, paper_id: str) -> Paper | None:  # noqa: ARG002 (a PaperLookup)
        return None


def tantivy_build(corpus: Path, path: Path) -> dict[str, float]:
    index = TantivyLexicalIndex(path, _NoPapers(), WEIGHTS)
    start = time.perf_counter()
    count = index.rebuild(paper_of(raw) for raw in read_corpus(corpus))
    seconds = time.perf_counter() - start
    index.write_state(IndexState(count, None))  # without a state the next open starts over
    disk = sum(f.stat().st_size for f in path.iterdir()) / 2**20
    return {"build_s": seconds, "disk_mb": disk, "papers": count}


def tantivy_query(path: Path, samples: list[Sample]) -> dict[str, list[float]]:
    index = TantivyLexicalIndex(path, _NoPapers(), WEIGHTS)
    texts: dict[str, Callable[[Sample], str]] = {
        "or": lambda s: " ".join(s["words"]),
        "phrase": lambda s: '"' + " ".join(s["words"]) + '"',
        "filtered": lambda s: " ".join(s["words"]) + f" cat:{s['category']} since:2025-06",
        "long": lambda s: str(s["abstract"]),
        "explained": lambda s: " ".join(s["words"]),
    }
    timings = {}
    for kind, text in texts.items():

        def run(sample: Sample, text: Callable[[Sample], str] = text, kind: str = kind) -> None:
            index.search(parse_query(text(sample)), TOP_K, explain=kind == "explained")

        timings[kind] = _time(run, samples)
    return timings


def child(argv: list[str]) -> None:
    """Entry point of the measured child processes: prints one JSON object."""
    action, *paths = argv
    if action == "baseline":
        result: Any = {"ok": True}
    elif action == "fts-build":
        result = fts_build(Path(paths[0]), Path(paths[1]))
    elif action == "tantivy-build":
        result = tantivy_build(Path(paths[0]), Path(paths[1]))
    else:
        queries = json.loads(Path(paths[1]).read_text())
        run = fts_query if action == "fts-query" else tantivy_query
        result = run(Path(paths[0]), queries)
    print(json.dumps(result))


def measure(action: str, *paths: Path) -> tuple[dict[str, Any], float, float]:
    command = [sys.executable, "-m", "bench.lexical", "--child", action, *map(str, paths)]
    result = run_measured(command)
    if result.returncode != 0:
        raise SystemExit(f"{action} failed: {result.stderr.strip()[-2000:]}")
    print(f"{action}: {result.seconds:.1f} s, peak {result.peak_mb:.0f} MB", flush=True)
    return json.loads(result.stdout), result.seconds, result.peak_mb


def prepare(args: argparse.Namespace, work: Path) -> tuple[Path, Path]:
    corpus, queries = work / "corpus.jsonl", work / "queries.json"
    if not corpus.exists():
        # in a child: Linux keeps a process's peak RSS across fork and exec
        job = multiprocessing.Process(target=write_corpus, args=(args.shared, corpus, args.papers))
        job.start()
        job.join()
    job = multiprocessing.Process(target=_write_queries, args=(args, queries))
    job.start()
    job.join()
    return corpus, queries


def _write_queries(args: argparse.Namespace, target: Path) -> None:
    target.write_text(json.dumps(make_queries(args.shared, args.queries)))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--work", type=Path, default=None, help="keep files here")
    parser.add_argument("--reuse", action="store_true", help="reuse engines built in --work")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="papertide-lexical-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus, queries = prepare(args, work)
        results = run_engines(corpus, queries, work, args.reuse and args.work is not None)
    finally:
        if args.work is None:
            shutil.rmtree(work)
    write_section("Lexical engines", report(args, results))
    print("written to BENCHMARKS.md")


def run_engines(corpus: Path, queries: Path, work: Path, reuse: bool) -> dict[str, Any]:
    _, _, baseline_mb = measure("baseline")
    results: dict[str, Any] = {"baseline_mb": baseline_mb}
    for engine, target in (("tantivy", work / "tantivy"), ("fts", work / "fts.db")):
        saved = work / f"{engine}-build.json"
        if reuse and saved.exists() and target.exists():
            built = json.loads(saved.read_text())
        else:
            _remove(target)
            result, _, build_mb = measure(f"{engine}-build", corpus, target)
            built = {**result, "build_mb": build_mb}
            saved.write_text(json.dumps(built))
        timings, _, query_mb = measure(f"{engine}-query", target, queries)
        load = os.getloadavg()[1]  # the 5-minute mean: other work on a shared machine
        results[engine] = {**built, "query_mb": query_mb, "ms": timings, "load": load}
        for kind, ms in timings.items():
            print(f"  {engine} {kind}: p50 {median(ms):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms")
    return results


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _cell(results: dict[str, Any], engine: str, kind: str, share: float) -> str:
    ms = results[engine]["ms"].get(kind)
    return f"{percentile(ms, share):.1f} ms" if ms else "n/a"


def report(args: argparse.Namespace, results: dict[str, Any]) -> str:
    papers = args.papers
    rows = ["| | SQLite FTS5 bm25() | tantivy (TantivyLexicalIndex) |", "|---|---|---|"]
    for kind in KINDS:
        p50 = [_cell(results, engine, kind, 0.5) for engine in ("fts", "tantivy")]
        p99 = [_cell(results, engine, kind, 0.99) for engine in ("fts", "tantivy")]
        rows.append(f"| {_KIND_LABELS[kind]} | {p50[0]} / {p99[0]} | {p50[1]} / {p99[1]} |")
    fts_, tan = results["fts"], results["tantivy"]
    rows += [
        f"| index build alone | {fts_['build_s']:.0f} s ({papers / fts_['build_s']:,.0f}"
        f" docs/s, FTS5 'rebuild') | {tan['build_s']:.0f} s ({papers / tan['build_s']:,.0f}"
        " docs/s, from JSON lines) |",
        f"| store write with FTS5 kept at ingest | {fts_['store_write_s']:.0f} s | n/a |",
        f"| index on disk | {fts_['disk_mb']:,.0f} MB | {tan['disk_mb']:,.0f} MB |",
        f"| peak RSS while querying | {fts_['query_mb']:.0f} MB | {tan['query_mb']:.0f} MB |",
        f"| peak RSS while building | {fts_['build_mb']:.0f} MB | {tan['build_mb']:.0f} MB |",
        f"| load average (5 min) after the queries | {fts_.get('load', 0):.1f}"
        f" | {tan.get('load', 0):.1f} |",
    ]
    command = f"python -m bench.lexical --papers {papers} --queries {args.queries}"
    reused = ""
    if args.reuse:
        command += " --work DIR --reuse"
        reused = " (build figures from the earlier run that built the indexes in DIR)"
    weights = f"{WEIGHTS.title:g}/{WEIGHTS.authors:g}/{WEIGHTS.abstract:g}"
    return (
        f"Command: `{command}`{reused}. {papers:,} papers (74,728 real, the rest generated from"
        f" real text by bench/corpus.py), {args.queries} queries of each kind, top {TOP_K}, field"
        f" weights title/authors/abstract {weights}. Latency p50 / p99 over {PASSES} passes"
        " after a warm-up pass, one query at a time, query building included. Baseline: the"
        f" Python child alone peaks at {results['baseline_mb']:.0f} MB.\n\n" + "\n".join(rows)
    )


_KIND_LABELS = {
    "or": "OR, ranked: 2-4 title words",
    "and": "AND, ranked: same words",
    "phrase": "phrase: same words",
    "filtered": "OR + `cat:` + `since:` filters",
    "long": "related work: a whole abstract (FTS5: OR of its 25 rarest words)",
    "explained": "OR, each hit explained (terms, field scores)",
}


if __name__ == "__main__":
    main()
