"""End-to-end search benchmark (issues #3, #16): ingest N papers (the 74,728 real ones, plus
papers generated from real text by bench/corpus.py beyond that), time `papertide index` (BM25
index, static embeddings, vector index, sentence vectors and their file, TL;DRs) in a child
process, then start W worker processes that open the search service the way `papertide serve`
workers do (the saved vector graph and the sentence index file memory-mapped) and measure,
after warm-up, one query at a time in each worker in turn: hybrid search, similar papers and
similar papers in a facet (background, result) and that facet's step alone, against a
BM25-only baseline measured in the same run; then the workers' memory together (PSS, which
splits pages shared between them, and RSS) and the recall@10 of their vector index against
exact search.
Usage: python bench/search.py [--papers 74728] [--queries 200] [--workers 1] [--work DIR]
[--section TITLE] [--baseline DIR] (--work keeps the ingested and the indexed store in DIR and
reuses them on the next run with the same --papers; --section names the BENCHMARKS.md section
written, "Search at N papers" by default; --baseline times BM25, hybrid search and similar
papers again with the code of another checkout, e.g. the main branch, in workers started after,
for a before/after.)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import cycle
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

import numpy as np

from bench.corpus import load_real, write_corpus
from bench.report import papertide, run_measured, write_section
from papertide.clock import SystemClock
from papertide.config import Settings
from papertide.index.query import parse_query
from papertide.index.vectors import load_exact
from papertide.search.hybrid import FACET_WEIGHTS
from papertide.search.service import SearchService
from papertide.store.sqlite import SqliteStore
from papertide.wiring import build_search_service

REAL = 74_728
# the faceted rows of a store indexed before `papertide index` wrote sentence vectors
NOT_INDEXED = "not indexed (no sentence vectors in this store: run `papertide index` on it)"
T = TypeVar("T")


def prepare(shared: Path, work: Path, papers: int) -> tuple[Path, float, float]:
    """The indexed store, and (index seconds, index peak MB) of `papertide index`, as
    recorded in `work` by an earlier run when there is one."""
    done = work / f"indexed-{papers}.txt"
    if done.exists():
        seconds, peak = done.read_text().split()
        return work / "bench.db", float(seconds), float(peak)
    db = work / "bench.db"
    ingested = work / f"ingested-{papers}.txt"
    if not ingested.exists():
        corpus = work / "corpus.jsonl"
        write_corpus(shared, corpus, papers)
        ingest = run_measured(papertide("ingest", "jsonl", str(corpus), "--db", str(db)))
        if ingest.returncode != 0:
            raise SystemExit(f"ingest failed: {ingest.stderr}")
        corpus.unlink()
        ingested.write_text(f"{ingest.seconds} {ingest.peak_mb}")
    index = run_measured(papertide("index", "--db", str(db)))
    if index.returncode != 0:
        raise SystemExit(f"index failed: {index.stderr}")
    print(f"index: {index.seconds:.0f} s, {index.peak_mb:.0f} MB")
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
    return clocked(calls, run)[0]


def clocked(calls: Sequence[T], run: Callable[[T], object]) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of `run` for each call, one at a time (CPU: this process's,
    every thread's, so work handed to a thread pool counts)."""
    wall, cpu = [], []
    for call in calls:
        start, used = time.perf_counter(), time.process_time()
        run(call)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return wall, cpu


@dataclass(frozen=True)
class Timings:
    """One worker's query times in milliseconds (`*_cpu`: CPU time, all its threads)."""

    bm25: list[float]
    bm25_cpu: list[float]
    hybrid: list[float]
    hybrid_cpu: list[float]
    similar: list[float]
    similar_cpu: list[float]
    faceted: list[float]  # empty when the store has no sentence vectors
    facet_step: list[float]


@dataclass(frozen=True)
class Memory:
    """One process's memory from /proc/<pid>/smaps: PSS and RSS in MB, and the PSS of the
    vector graph file's and the sentence index file's pages (shared by every process that
    maps them)."""

    pss: float
    rss: float
    graph_pss: float
    sentences_pss: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=REAL)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1, help="serve-like worker processes")
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--work", type=Path, help="keep the indexed store here and reuse it")
    parser.add_argument("--section", help="BENCHMARKS.md section (default: Search at N papers)")
    parser.add_argument("--baseline", type=Path, help="a checkout to time the searches with too")
    parser.add_argument("--timings-only", type=Path, help=argparse.SUPPRESS)  # --baseline's child
    args = parser.parse_args()
    if args.timings_only:  # queries on stdin, timings on stdout
        queries = json.loads(sys.stdin.read())
        timings, _, _ = run_workers(args.timings_only, queries, args.papers, args.workers, False)
        print(
            json.dumps(
                [
                    [w.bm25, w.bm25_cpu, w.hybrid, w.hybrid_cpu, w.similar, w.similar_cpu]
                    for w in timings
                ]
            )
        )
        return
    with tempfile.TemporaryDirectory(prefix="papertide-search-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        db, index_s, index_mb = prepare(args.shared, work, args.papers)
        # the queries come from a child process: the real papers never load into this one
        with ProcessPoolExecutor(1, mp_context=get_context("fork")) as child:
            queries = child.submit(title_queries, args.shared, args.queries).result()
        timings, memory, recall = run_workers(db, queries, args.papers, args.workers)
        before = None if args.baseline is None else measure_elsewhere(args, db, queries)
    bm25 = [t for w in timings for t in w.bm25]
    hybrid = [t for w in timings for t in w.hybrid]
    similar = [t for w in timings for t in w.similar]
    cpu = {
        "bm25": [t for w in timings for t in w.bm25_cpu],
        "hybrid": [t for w in timings for t in w.hybrid_cpu],
        "similar": [t for w in timings for t in w.similar_cpu],
    }
    faceted = [t for w in timings for t in w.faceted]
    facet_step = [t for w in timings for t in w.facet_step]
    per_worker = ", ".join(f"{m.pss:.0f}" for m in memory)
    graph = sum(m.graph_pss for m in memory)
    sentences = sum(m.sentences_pss for m in memory)
    rows = [
        ("`papertide index` end to end (BM25, static embeddings and graph, sentence vectors and"
         " their file, TL;DRs)" if faceted else "`papertide index` end to end when this store"
         " was indexed (BM25, static embeddings and graph: before sentence vectors existed)",
         f"{index_s:.0f} s, peak {index_mb:.0f} MB"),
        ("baseline: BM25 top 100 alone, every hit explained", latency(bm25, cpu["bm25"])),
        ("hybrid search (BM25 + dense, fused, top 10 with reasons)",
         latency(hybrid, cpu["hybrid"])),
        *(() if before is None else (
            (f"before: BM25 top 100 alone with the code of {before[0]}", before[1]),
            (f"before: hybrid search with the code of {before[0]}", before[2]),
            (f"before: similar papers with the code of {before[0]}", before[3]),
        )),
        ("similar papers (top 10)", latency(similar, cpu["similar"])),
        ("similar papers in a facet (top 10; background and result in turn, memory-mapped"
         " sentence index)", latency(faceted) if faceted else NOT_INDEXED),
        ("of it the facet step alone (the candidates' sentences matched: SentenceIndex"
         ".facet_ranking over `similar`'s fused candidates)",
         latency(facet_step) if facet_step else NOT_INDEXED),
        ("dense index recall@10 against exact search (stored vectors as queries)",
         f"{recall:.3f}"),
        (f"memory of the {args.workers} workers after the queries, PSS (pages shared between"
         " them counted once)",
         f"{sum(m.pss for m in memory):.0f} MB (per worker {per_worker} MB; of it the"
         f" memory-mapped vector graph {graph:.0f} MB, sentence index {sentences:.0f} MB)"),
        (f"memory of the {args.workers} workers, RSS summed (shared pages counted in each)",
         f"{sum(m.rss for m in memory):.0f} MB"),
    ]  # fmt: skip
    table = ["| what | figure |", "|---|---|", *(f"| {w} | {f} |" for w, f in rows)]
    command = (
        f"python bench/search.py --papers {args.papers} --queries {args.queries}"
        f" --workers {args.workers}"
        + (f' --section "{args.section}"' if args.section else "")
        + (f" --baseline {args.baseline}" if args.baseline else "")
    )
    text = (
        f"Command: `{command}`; each worker opens the search service as `papertide serve`"
        " workers do; one query at a time after a warm-up, the workers taking turns; latency"
        " over all workers' queries (CPU: the worker's, every thread of it).\n\n" + "\n".join(table)
    )
    write_section(args.section or f"Search at {args.papers:,} papers", text)
    print(text)


def measure_elsewhere(
    args: argparse.Namespace, db: Path, queries: list[str]
) -> tuple[str, str, str, str]:
    """The checkout args.baseline (named by its commit) and the latency of BM25, of hybrid
    search and of similar papers in workers running its code: this file in a child process
    with that checkout first on the path."""
    checkout = args.baseline
    commit = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(checkout), str(Path.cwd())])}
    command = [sys.executable, __file__, "--timings-only", str(db)]
    command += ["--papers", str(args.papers), "--workers", str(args.workers)]
    done = subprocess.run(
        command, input=json.dumps(queries), env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the baseline run failed:\n{done.stderr}")
    workers = json.loads(done.stdout.splitlines()[-1])
    bm25, bm25_cpu, hybrid, hybrid_cpu, similar, similar_cpu = (
        [t for w in workers for t in w[i]] for i in range(6)
    )
    name = f"{checkout}" + (f" (commit {commit})" if commit else "")
    return (
        name,
        latency(bm25, bm25_cpu),
        latency(hybrid, hybrid_cpu),
        latency(similar, similar_cpu),
    )


def run_workers(
    db: Path, queries: list[str], papers: int, workers: int, recall: bool = True
) -> tuple[list[Timings], list[Memory], float]:
    """Start `workers` serve-like processes; each answers the queries when its turn comes.
    Their memory is read once all have answered, then the first one measures recall (NaN
    without `recall`)."""
    context = get_context("spawn")  # fresh interpreters, as serve's workers
    links, processes = [], []
    for _ in range(workers):
        ours, theirs = context.Pipe()
        process = context.Process(target=serve_worker, args=(db, queries, papers, theirs))
        process.start()
        links.append(ours)
        processes.append(process)
    for link in links:
        link.recv()  # loaded and warmed up
    timings = []
    for link in links:
        link.send("queries")
        timings.append(link.recv())
    memory = [read_memory(process.pid) for process in processes if process.pid is not None]
    measured = float("nan")
    if recall:
        links[0].send("recall")
        measured = float(links[0].recv())
    for link in links:
        link.send("exit")
    for process in processes:
        process.join()
    return timings, memory, measured


def serve_worker(db: Path, queries: list[str], papers: int, link: Connection) -> None:
    """A process holding the search service as a `papertide serve` worker builds it."""
    store = SqliteStore(db, SystemClock())
    service = build_search_service(Settings(db=str(db)), store)
    step = max(1, papers // len(queries))
    found = store.ids_for(range(1, papers + 1, step))
    ids = [found[pk] for pk in sorted(found)][: len(queries)]
    service.search(queries[0])  # warm-up
    link.send("ready")
    while (order := link.recv()) != "exit":
        if order == "queries":
            parsed = [parse_query(q) for q in queries]
            steps = facet_steps(service, ids)
            # without sentence vectors a faceted search would time a facet step with
            # nothing to match: no figure rather than a misleading one
            facets = list(zip(ids, cycle(FACET_WEIGHTS), strict=False)) if steps else []
            link.send(
                Timings(
                    *clocked(parsed, lambda q: service.lexical.search(q, 100)),
                    *clocked(queries, lambda q: service.search(q, 10)),
                    *clocked(ids, lambda pid: service.similar(pid, 10)),
                    timed(facets, lambda call: service.similar(call[0], 10, call[1])),
                    timed(steps, lambda step: step()),
                )
            )
        elif order == "recall":
            link.send(_recall_at_10(store, service, len(queries)))
    getattr(service, "close", lambda: None)()  # a --baseline checkout's may have no threads
    store.close()


def facet_steps(service: SearchService, ids: list[str]) -> list[Callable[[], object]]:
    """For each paper (background and result in turn), the facet step of its faceted similar:
    its sentences matched against those of `similar`'s fused candidates (up to 200)."""
    index = service.sentences.current()
    steps: list[Callable[[], object]] = []
    for paper_id, facet in zip(ids, cycle(FACET_WEIGHTS), strict=False):
        query = index.paper(paper_id)
        if query is None:
            continue
        candidates = [hit.paper.id for hit in service.similar(paper_id, 200)]
        steps.append(partial(index.facet_ranking, query, facet, candidates))
    return steps


def read_memory(pid: int) -> Memory:
    """PSS, RSS and the graph and sentence files' PSS of process `pid`, in MB, from
    /proc/<pid>/smaps."""
    totals = {"Pss": 0, "Rss": 0}
    files = {".usearch": 0, ".sentences": 0}
    mapped = ""
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        field, _, rest = line.partition(":")
        if " " in field:  # a mapping's header line: address range, permissions, ..., path
            mapped = next((suffix for suffix in files if line.endswith(suffix)), "")
        elif field in totals:
            kb = int(rest.split()[0])
            totals[field] += kb
            if mapped and field == "Pss":
                files[mapped] += kb
    mb = {name: kb / 1024 for name, kb in (totals | files).items()}
    return Memory(mb["Pss"], mb["Rss"], mb[".usearch"], mb[".sentences"])


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


def latency(times: list[float], cpu: list[float] | None = None) -> str:
    """p50 and p99 of `times`; with `cpu`, the p50 of the CPU times too."""
    text = f"p50 {np.median(times):.1f} ms, p99 {np.percentile(times, 99):.1f} ms"
    return text if cpu is None else f"{text}; CPU p50 {np.median(cpu):.1f} ms"


if __name__ == "__main__":
    main()
