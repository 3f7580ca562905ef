"""A long-running process's vector index picks up what `papertide index` adds, without a
restart: exact search after new vectors are stored, the HNSW graph after it is refreshed, the
sentence index file of faceted similar papers after it is rewritten."""

import time
from dataclasses import replace
from pathlib import Path

from papertide.clock import FixedClock
from papertide.config import Settings
from papertide.index.embed import HashEmbedder, paper_text
from papertide.index.paths import sentence_file, term_file
from papertide.index.refresh import refresh_indexes
from papertide.index.term_index import build_term_index, view_term_file
from papertide.index.update import embed_missing, refresh_graph
from papertide.index.vectors import ExactIndex, HnswIndex
from papertide.index.words import term_counts
from papertide.models import Paper, Record
from papertide.search.refresh import RefreshingVectors
from papertide.search.service import SearchService, VectorSearcher
from papertide.store.sqlite import SqliteStore
from papertide.wiring import build_search_service, build_vectors

EMBEDDER = HashEmbedder()
SMALL_LIMIT = 10  # graphs from 10 vectors on, so the HNSW path runs on a small store


def add_papers(store: SqliteStore, first: int, count: int) -> list[int]:
    """`count` papers on distinct topics, embedded; their pks."""
    papers = [
        Paper(f"2601.{n:05d}", f"Topic{n} study", f"We study topic{n} and words{n} alone.")
        for n in range(first, first + count)
    ]
    store.write_batch([Record(p) for p in papers], [])
    embed_missing(store, EMBEDDER)
    found = store.ids_for(range(1, first + count + 1))
    return [pk for pk, pid in found.items() if pid in {p.id for p in papers}]


def finds(vectors: VectorSearcher, clock: FixedClock, pk: int, text: str) -> bool:
    """Whether `pk` comes first for `text` once the due check (a thread) has run."""
    clock.sleep(60)
    query = EMBEDDER.embed([text])[0]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if vectors.search(query, 1)[0][0] == pk:
            return True
        time.sleep(0.05)
    return False


def test_exact_vectors_reload_after_new_papers_are_embedded(tmp_path: Path, store, clock):
    add_papers(store, 1, 5)
    settings = Settings(db=str(tmp_path / "t.db"), vector_refresh_s=60)
    vectors = build_vectors(settings, store, EMBEDDER, clock)
    assert isinstance(vectors, RefreshingVectors)
    [new] = add_papers(store, 100, 1)
    text = "Topic100 study We study topic100 and words100 alone."
    assert new not in {pk for pk, _ in vectors.search(EMBEDDER.embed([text])[0], 10)}
    assert finds(vectors, clock, new, text)


def test_hnsw_graph_reloads_after_papertide_index_refreshes_it(tmp_path: Path, store, clock):
    add_papers(store, 1, 20)
    settings = Settings(db=str(tmp_path / "t.db"), vector_refresh_s=60)
    graph = tmp_path / "t.db.vectors" / f"{EMBEDDER.name}.usearch"
    refresh_graph(store, EMBEDDER, graph, SMALL_LIMIT)
    vectors = build_vectors(settings, store, EMBEDDER, clock, exact_limit=SMALL_LIMIT)
    [new] = add_papers(store, 100, 1)
    text = "Topic100 study We study topic100 and words100 alone."
    assert new not in {pk for pk, _ in vectors.search(EMBEDDER.embed([text])[0], 10)}
    refresh_graph(store, EMBEDDER, graph, SMALL_LIMIT)
    assert finds(vectors, clock, new, text)
    # the worker maps the new file in place of the old one, which the rename had unlinked
    maps = [line for line in Path("/proc/self/maps").read_text().splitlines() if str(graph) in line]
    assert maps and not any(line.endswith("(deleted)") for line in maps)


def test_exact_vectors_become_the_hnsw_graph_once_the_store_crosses_the_limit(
    tmp_path: Path, store, clock
):
    add_papers(store, 1, 5)
    settings = Settings(db=str(tmp_path / "t.db"), vector_refresh_s=60)
    vectors = build_vectors(settings, store, EMBEDDER, clock, exact_limit=SMALL_LIMIT)
    assert isinstance(vectors, RefreshingVectors) and isinstance(vectors.current, ExactIndex)
    new = max(add_papers(store, 100, SMALL_LIMIT))  # the last one written: paper 109
    graph = tmp_path / "t.db.vectors" / f"{EMBEDDER.name}.usearch"
    assert not refresh_graph(store, EMBEDDER, graph, SMALL_LIMIT).exact
    assert finds(vectors, clock, new, "Topic109 study We study topic109 and words109 alone.")
    assert isinstance(vectors.current, HnswIndex)


def test_refresh_off_loads_once(tmp_path: Path, store, clock):
    add_papers(store, 1, 3)
    settings = Settings(db=str(tmp_path / "t.db"), vector_refresh_s=0)
    assert not isinstance(build_vectors(settings, store, EMBEDDER, clock), RefreshingVectors)


def test_faceted_similar_follows_the_sentence_file_papertide_index_writes(tmp_path: Path, store):
    """A serving process's faceted similar reads the sentence index file, not the store:
    before `papertide index` first writes it a facet ranks as overall, and once written the
    running service uses it, without a restart."""
    abstract = "Speech translation lags. We retrieve terms for a streaming model. It cuts latency."
    papers = [Paper(f"2601.{n:05d}", f"Speech study {n}", abstract) for n in range(1, 5)]
    store.write_batch([Record(p) for p in papers], [])
    settings = Settings(db=str(tmp_path / "t.db"), vector_refresh_s=0)
    refresh_indexes(settings, store, EMBEDDER)  # no sentence vectors yet
    path = sentence_file(settings, EMBEDDER.name)
    assert path is not None and not path.exists()
    service = build_search_service(settings, store, EMBEDDER)
    overall = service.similar("2601.00001", 5)
    before = service.similar("2601.00001", 5, "result")
    assert [h.paper.id for h in before] == [h.paper.id for h in overall]
    assert not any("facet" in hit.parts for hit in before)
    refresh_indexes(settings, store, EMBEDDER, sentences=EMBEDDER)
    assert path.exists()
    after = service.similar("2601.00001", 5, "result")
    assert {hit.paper.id for hit in after} == {"2601.00002", "2601.00003", "2601.00004"}
    assert all("facet" in hit.parts for hit in after)


def similar_scores(service: SearchService, paper_id: str) -> list[tuple[str, float, float]]:
    hits = service.similar(paper_id, 5)
    return [(h.paper.id, h.score, h.parts["centered_terms"].score) for h in hits]


def test_similar_reads_the_word_counts_papertide_index_writes(tmp_path: Path, store, clock):
    """`papertide index` writes every paper's word counts to a file `similar` reads instead of
    tokenizing its neighbours, then re-counts only new and changed papers; a neighbour not in
    the file is counted from its text, so the scores never depend on the file."""
    texts = ["speech translation latency", "speech retrieval of terms", "graph networks"]
    papers = [
        Paper(f"2601.{n:05d}", f"Speech study {n}", f"We study {texts[n % 3]} and topic{n}.")
        for n in range(1, 9)
    ]
    for paper in papers:  # one modified_at each
        clock.sleep(1)
        store.write_batch([Record(paper)], [])
    settings = Settings(db=str(tmp_path / "t.db"), vector_refresh_s=0)
    assert refresh_indexes(settings, store, EMBEDDER).terms == 8
    path = term_file(settings)
    assert path is not None and len(view_term_file(path)) == 8
    service = build_search_service(settings, store, EMBEDDER)
    counted = replace(service, terms=build_term_index([]))  # every neighbour tokenized
    half = replace(service, terms=build_term_index(list(view_term_file(path).rows())[:4]))
    expected = similar_scores(counted, "2601.00001")
    assert len(expected) == 5
    assert similar_scores(service, "2601.00001") == expected == similar_scores(half, "2601.00001")
    assert refresh_indexes(settings, store, EMBEDDER).terms == 0  # nothing changed
    clock.sleep(60)
    abstract = "We study speech translation latency, speech again."
    changed = replace(papers[1], abstract=abstract, version=2)
    store.write_batch([Record(changed)], [])
    # the changed paper, and the last one before (read again at the watermark, as BM25's)
    assert refresh_indexes(settings, store, EMBEDDER).terms == 2
    stored = view_term_file(path).counts([changed.id])[changed.id]
    assert (
        stored.counts.tolist()
        == term_counts(paper_text(changed.title, changed.abstract)).counts.tolist()
    )
    for closed in (service, counted, half):
        closed.close()
