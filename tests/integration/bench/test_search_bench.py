"""bench/search.py's serve-like workers on a small store indexed without sentence vectors."""

from pathlib import Path

from bench.search import latency, run_workers
from papertide.clock import FixedClock
from papertide.index.lexical import sync_index
from papertide.index.static import StaticEmbedder
from papertide.index.tantivy_lexical import TantivyLexicalIndex
from papertide.index.update import embed_missing
from papertide.models import Record
from papertide.sources.tabular import JsonlSource
from papertide.store.sqlite import SqliteStore

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "golden" / "papers.jsonl"


def test_a_store_without_sentence_vectors_times_no_faceted_search(tmp_path):
    # a 1M-paper store indexed before sentence vectors existed crashed the bench's report
    # (the percentile of no facet timings): its faceted rows now say "not indexed"
    db = tmp_path / "bench.db"
    store = SqliteStore(db, FixedClock())
    store.migrate()
    store.write_batch([r for r in JsonlSource(GOLDEN).records() if isinstance(r, Record)], [])
    sync_index(TantivyLexicalIndex(tmp_path / "bench.db.lexical", store), store)
    embed_missing(store, StaticEmbedder.load())
    papers = store.lexical_watermark().papers
    store.close()
    queries = ["speech translation", "graph neural networks", "diffusion models"]
    timings, memory, recall = run_workers(db, queries, papers, 1)
    (worker,) = timings
    assert len(worker.hybrid) == len(worker.similar) == len(queries)
    assert worker.faceted == [] and worker.facet_step == []
    assert len(worker.hybrid_cpu) == len(queries)
    assert "; CPU p50 " in latency(worker.hybrid, worker.hybrid_cpu)
    assert recall == 1.0  # exact search below EXACT_LIMIT
    assert memory[0].pss > 0
