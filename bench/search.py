"""End-to-end search benchmark (issue #3): ingest N papers (the 74,728 real ones, plus papers
generated from real text by bench/corpus.py beyond that), time `papertide index` (BM25 index,
static embeddings, vector index) in a child process, then measure in this process, after
warm-up, one query at a time: hybrid search and similar papers, against a BM25-only baseline
measured in the same run; and this process's peak resident memory.
Usage: python bench/search.py [--papers 74728] [--queries 200] [--work DIR]
(--work keeps the indexed store in DIR and reuses it on the next run with the same --papers.)
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar

import numpy as np

from bench.corpus import load_real, write_corpus
from bench.report import papertide, run_measured, write_section
from papertide.clock import SystemClock
from papertide.config import Settings
from papertide.index.query import parse_query
from papertide.index.vectors import load_exact
from papertide.search.service import SearchService
from papertide.store.sqlite import SqliteStore
from papertide.wiring import build_search_service

REAL = 74_728
T = TypeVar("T")


def prepare(shared: Path, work: Path, papers: int) -> tuple[Path, float, float]:
    """The indexed store, and (index seconds, index peak MB) of `papertide index`, as
    recorded in `work` by an earlier run when there is one."""
    done = work / f"indexed-{papers}.txt"
    if done.exists():
        seconds, peak = done.read_text().split()
        return work / "bench.db", float(seconds), float(peak)
    corpus = work / "corpus.jsonl"
    write_corpus(shared, corpus, papers)
    db = work / "bench.db"
    ingest = run_measured(papertide("ingest", "jsonl", str(corpus), "--db", str(db)))
    if ingest.returncode != 0:
        raise SystemExit(f"ingest failed: {ingest.stderr}")
    index = run_measured(papertide("index", "--db", str(db)))
    if index.returncode != 0:
        raise SystemExit(f"index failed: {index.stderr}")
    print(f"index: {index.seconds:.0f} s, {index.peak_mb:.0f} MB")
    corpus.unlink()
    done.write_text(f"{index.seconds} {index.peak_mb}")
    return db, index.seconds, index.peak_mb


def title_queries(shared: Path, count: int) -> list[str]:
    """2-4 consecutive words of real titles, as people type them."""
    rng = random.Random(3)
    titles = [p["title"].split() for p in rng.sample(load_real(shared), count)]
    queries = []
    for words in titles:
        size = min(len(words), rng.randint(2, 4))
        start = rng.randint(0, len(words) - size)
        queries.append(" ".join(words[start : start + size]))
    return queries


def timed(calls: Sequence[T], run: Callable[[T], object]) -> list[float]:
    """Milliseconds of `run` for each call, one at a time."""
    times = []
    for call in calls:
        start = time.perf_counter()
        run(call)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=REAL)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--work", type=Path, help="keep the indexed store here and reuse it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="papertide-search-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        db, index_s, index_mb = prepare(args.shared, work, args.papers)
        # the queries come from a child process: the real papers never load into this one,
        # whose memory is the serving figure
        with ProcessPoolExecutor(1, mp_context=get_context("fork")) as child:
            queries = child.submit(title_queries, args.shared, args.queries).result()
        store = SqliteStore(db, SystemClock())
        service = build_search_service(Settings(db=str(db)), store)
        step = max(1, args.papers // args.queries)
        found = store.ids_for(range(1, args.papers + 1, step))
        ids = [found[pk] for pk in sorted(found)]
        service.search(queries[0])  # warm-up
        parsed = [parse_query(q) for q in queries]
        bm25 = timed(parsed, lambda q: service.lexical.search(q, 100))
        hybrid = timed(queries, lambda q: service.search(q, 10))
        similar = timed(ids[: args.queries], lambda pid: service.similar(pid, 10))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        resident = _resident_mb()
        recall = _recall_at_10(store, service, args.queries)  # after the memory figures
        store.close()
    rows = [
        ("`papertide index` end to end (BM25 + static embeddings + vectors)",
         f"{index_s:.0f} s, peak {index_mb:.0f} MB"),
        ("baseline: BM25 top 100 alone, every hit explained", latency(bm25)),
        ("hybrid search (BM25 + dense, fused, top 10 with reasons)", latency(hybrid)),
        ("similar papers (top 10)", latency(similar)),
        ("dense index recall@10 against exact search (stored vectors as queries)",
         f"{recall:.3f}"),
        ("resident memory of the serving process after the queries (peak)",
         f"{resident:.0f} MB ({peak:.0f} MB)"),
    ]  # fmt: skip
    table = ["| what | figure |", "|---|---|", *(f"| {w} | {f} |" for w, f in rows)]
    command = f"python bench/search.py --papers {args.papers} --queries {args.queries}"
    text = f"Command: `{command}`; one query at a time after a warm-up.\n\n" + "\n".join(table)
    write_section(f"Search at {args.papers:,} papers", text)
    print(text)


def _recall_at_10(store: SqliteStore, service: SearchService, count: int) -> float:
    """Mean recall@10 of the serving vector index (HNSW beyond EXACT_LIMIT) against exact
    search over the same stored vectors, for `count` stored vectors as queries."""
    embedder = service.embedder
    exact = load_exact(store, embedder.name, embedder.dim)
    rng = np.random.default_rng(5)
    recalls = []
    for row in rng.choice(len(exact), size=min(count, len(exact)), replace=False):
        query = exact.matrix[row]
        truth = {pk for pk, _ in exact.search(query, 10)}
        found = {pk for pk, _ in service.vectors.search(query, 10)}
        recalls.append(len(truth & found) / len(truth))
    return float(np.mean(recalls))


def _resident_mb() -> float:
    """This process's resident set now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def latency(times: list[float]) -> str:
    return f"p50 {np.median(times):.1f} ms, p99 {np.percentile(times, 99):.1f} ms"


if __name__ == "__main__":
    main()
