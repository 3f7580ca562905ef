"""bench/search.py's serve-like workers on a small store indexed without sentence vectors."""

from argparse import Namespace
from pathlib import Path

from bench.search import latency, measure_elsewhere, run_workers
from papertide.clock import FixedClock
from papertide.index.lexical import sync_index
from papertide.index.static import StaticEmbedder
from papertide.index.tantivy_lexical import TantivyLexicalIndex
from papertide.index.update import embed_missing
from papertide.models import Record
from papertide.sources.tabular import JsonlSource
from papertide.store.sqlite import SqliteStore

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "golden" / "papers.jsonl"
REPO = Path(__file__).resolve().parents[3]
QUERIES = ["speech translation", "graph neural networks", "diffusion models"]


def indexed_store(tmp_path: Path) -> tuple[Path, int]:
    """A small store with its BM25 index and static vectors, but no sentence vectors."""
    db = tmp_path / "bench.db"
    store = SqliteStore(db, FixedClock())
    store.migrate()
    store.write_batch([r for r in JsonlSource(GOLDEN).records() if isinstance(r, Record)], [])
    sync_index(TantivyLexicalIndex(tmp_path / "bench.db.lexical", store), store)
    embed_missing(store, StaticEmbedder.load())
    papers = store.lexical_watermark().papers
    store.close()
    return db, papers


def test_a_store_without_sentence_vectors_times_no_faceted_search(tmp_path):
    # a 1M-paper store indexed before sentence vectors existed crashed the bench's report
    # (the percentile of no facet timings): its faceted rows now say "not indexed"
    db, papers = indexed_store(tmp_path)
    timings, memory, recall = run_workers(db, QUERIES, papers, 1)
    (worker,) = timings
    assert len(worker.hybrid) == len(worker.similar) == len(QUERIES)
    assert worker.faceted == [] and worker.facet_step == []
    assert len(worker.hybrid_cpu) == len(QUERIES)
    assert "; CPU p50 " in latency(worker.hybrid, worker.hybrid_cpu)
    assert recall == 1.0  # exact search below EXACT_LIMIT
    assert memory[0].pss > 0


def test_a_baseline_checkout_times_the_same_searches_in_its_own_workers(tmp_path):
    db, papers = indexed_store(tmp_path)
    args = Namespace(baseline=REPO, papers=papers, workers=1)
    name, bm25, hybrid, similar = measure_elsewhere(args, db, QUERIES)
    assert name.startswith(str(REPO))
    assert bm25.startswith("p50 ") and "; CPU p50 " in hybrid and "; CPU p50 " in similar
