"""Vector index benchmark (issue #3): exact numpy search against HNSW indexes (usearch f32 and
f16, hnswlib, faiss) on real-text embeddings, at N papers (the 74,728 real ones plus papers
generated from real text by bench/corpus.py), embedded with the static model.

Queries: 300 embedded real titles (search) and 300 real paper vectors (similar papers).
Recall@10 is against exact top-10. Latency: one query at a time, medians and p99.
Baseline, same run: exact float32 search. Usage: python bench/vectors.py [--papers 1000000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.corpus import iter_corpus, load_real
from bench.report import write_section
from papertide.index.embed import paper_text
from papertide.index.static import StaticEmbedder

OUT = Path(__file__).resolve().parent / "out"
K = 10
Matrix = npt.NDArray[np.float32]


def embeddings(shared: Path, total: int) -> tuple[Matrix, Matrix]:
    """(paper vectors, title query vectors), cached in bench/out between runs."""
    cache = OUT / f"vectors-{total}.npy"
    titles_cache = OUT / "title-queries.npy"
    embedder = StaticEmbedder.load()
    real = load_real(shared)
    if not cache.exists():
        OUT.mkdir(exist_ok=True)
        texts = [paper_text(p["title"], p["abstract"]) for p in iter_corpus(real, total)]
        np.save(cache, embedder.embed(texts).astype(np.float16))
    if not titles_cache.exists():
        rng = np.random.default_rng(1)
        picked = rng.choice(len(real), 300, replace=False)
        np.save(titles_cache, embedder.embed([real[i]["title"] for i in picked]))
    return np.load(cache).astype(np.float32), np.load(titles_cache)


def exact_top(vectors: Matrix, queries: Matrix) -> npt.NDArray[np.int64]:
    tops = []
    for start in range(0, len(queries), 50):
        scores = queries[start : start + 50] @ vectors.T
        part = np.argpartition(-scores, K, axis=1)[:, :K]
        tops.append(part)
    return np.concatenate(tops)


def timed_queries(
    search: Callable[[Matrix], Any], queries: Matrix
) -> tuple[list[float], list[Any]]:
    times, results = [], []
    for query in queries:
        start = time.perf_counter()
        results.append(search(query))
        times.append((time.perf_counter() - start) * 1000)
    return times, results


def recall(found: list[Any], truth: npt.NDArray[np.int64]) -> float:
    hits = [len(set(map(int, f)) & set(map(int, t))) / K for f, t in zip(found, truth, strict=True)]
    return float(np.mean(hits))


def usearch_index(vectors: Matrix, dtype: str, m: int, ef_add: int) -> Any:
    from usearch.index import Index

    index = Index(ndim=vectors.shape[1], metric="ip", dtype=dtype, connectivity=m,
                  expansion_add=ef_add)  # fmt: skip
    index.add(np.arange(len(vectors)), vectors, threads=2)
    return index


def hnswlib_index(vectors: Matrix, m: int, ef_add: int) -> Any:
    import hnswlib

    index = hnswlib.Index(space="ip", dim=vectors.shape[1])
    index.init_index(max_elements=len(vectors), ef_construction=ef_add, M=m)
    index.add_items(vectors, np.arange(len(vectors)), num_threads=2)
    return index


def faiss_index(vectors: Matrix, m: int, ef_add: int) -> Any:
    import faiss

    index = faiss.IndexHNSWFlat(vectors.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_add
    index.add(vectors)
    return index


INDEXES: dict[str, Callable[[Matrix, int, int], Any]] = {
    "usearch-f32": lambda v, m, ef: usearch_index(v, "f32", m, ef),
    "usearch-f16": lambda v, m, ef: usearch_index(v, "f16", m, ef),
    "hnswlib": hnswlib_index,
    "faiss": faiss_index,
}


def searcher(kind: str, index: Any, ef: int) -> Callable[[Matrix], Any]:
    if kind.startswith("usearch"):
        index.expansion_search = ef
        return lambda q: index.search(q, K).keys
    if kind == "hnswlib":
        index.set_ef(ef)
        return lambda q: index.knn_query(q, k=K)[0][0]
    index.hnsw.efSearch = ef
    return lambda q: index.search(q[None, :], K)[1][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--m", type=int, default=16, help="HNSW links per node")
    parser.add_argument("--ef-add", type=int, default=128, help="HNSW construction beam")
    parser.add_argument("--ef", type=int, nargs="+", default=[64, 128, 256, 512])
    parser.add_argument("--indexes", nargs="+", default=list(INDEXES))
    args = parser.parse_args()
    vectors, titles = embeddings(args.shared, args.papers)
    rng = np.random.default_rng(2)
    queries = np.concatenate([titles, vectors[rng.choice(74_728, 300, replace=False)]])
    truth = exact_top(vectors, queries)
    rows = [measure_exact(vectors, queries)]
    for kind in args.indexes:
        start = time.perf_counter()
        index = INDEXES[kind](vectors, args.m, args.ef_add)
        built = time.perf_counter() - start
        for ef in args.ef:
            times, found = timed_queries(searcher(kind, index, ef), queries)
            rows.append((f"{kind} ef={ef}", recall(found, truth), times, built))
            print(rows[-1][0], f"recall {rows[-1][1]:.3f} p50 {np.median(times):.2f} ms")
        del index
    title = f"Vector index at {args.papers:,} papers, HNSW M={args.m} efConstruction={args.ef_add}"
    write_section(title, report(args, rows))


def measure_exact(vectors: Matrix, queries: Matrix) -> tuple[str, float, list[float], float]:
    times, _ = timed_queries(lambda q: np.argpartition(-(vectors @ q), K)[:K], queries)
    print(f"exact p50 {np.median(times):.1f} ms")
    return ("exact numpy f32 (baseline)", 1.0, times, 0.0)


def report(args: argparse.Namespace, rows: list[tuple[str, float, list[float], float]]) -> str:
    table = ["| index | recall@10 | p50 ms | p99 ms | build s |", "|---|---|---|---|---|"]
    for name, rec, times, built in rows:
        p50, p99 = np.median(times), np.percentile(times, 99)
        table.append(f"| {name} | {rec:.3f} | {p50:.2f} | {p99:.2f} | {built:.0f} |")
    command = (
        f"python bench/vectors.py --papers {args.papers} --m {args.m} --ef-add {args.ef_add}"
        f" --ef {' '.join(map(str, args.ef))} --indexes {' '.join(args.indexes)}"
    )
    return (
        f"Command: `{command}`; 600 queries (300 embedded titles, 300 paper vectors), dim 256,"
        " static model; one query at a time; build on 2 threads.\n\n" + "\n".join(table)
    )


if __name__ == "__main__":
    main()
