"""Hybrid search and similar papers end to end: real store, tantivy index, static embedder."""

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from papertide.errors import InputError, PaperNotFoundError
from papertide.eval.base import EvalDoc, EvalQuery
from papertide.eval.rankers import (
    Bm25Ranker,
    DenseRanker,
    HybridRanker,
    product_fusion,
    similar_grid,
)
from papertide.index.contextual import CONTEXTUAL_MODEL
from papertide.index.embed import HashEmbedder, paper_text
from papertide.index.lexical import sync_index
from papertide.index.sentences import embed_sentences_missing, load_sentences
from papertide.index.static import StaticEmbedder
from papertide.index.tantivy_lexical import TantivyLexicalIndex
from papertide.index.update import embed_missing
from papertide.index.vectors import Matrix, from_stored, load_exact
from papertide.index.words import term_counts
from papertide.models import Paper, Record
from papertide.search.centered import centered_term_ranking
from papertide.search.hybrid import CONTEXTUAL_SIMILAR_FUSION, SIMILAR_FUSION
from papertide.search.service import SearchService, VectorSpace
from papertide.sources.tabular import JsonlSource
from papertide.store.sqlite import SqliteStore

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "golden" / "papers.jsonl"


@pytest.fixture(scope="module")
def embedder() -> StaticEmbedder:
    return StaticEmbedder.load()


@pytest.fixture
def service(store: SqliteStore, index: TantivyLexicalIndex, embedder) -> Iterator[SearchService]:
    store.write_batch([r for r in JsonlSource(GOLDEN).records() if isinstance(r, Record)], [])
    sync_index(index, store)
    embed_missing(store, embedder)
    embed_sentences_missing(store, embedder)
    exact = load_exact(store, embedder.name, embedder.dim)
    service = SearchService(
        store, index, embedder, exact, load_sentences(store, embedder.name, embedder.dim)
    )
    yield service
    service.close()


def ids(hits) -> list[str]:
    return [hit.paper.id for hit in hits]


def test_search_finds_a_paper_by_its_topic_and_says_why(service):
    result = service.search("speech to speech translation with large language models", 5)
    speech_translation = {"2601.16618", "2510.03093", "2601.22777"}
    assert len(speech_translation & set(ids(result.hits)[:3])) >= 2
    top = result.hits[0]
    assert any(reason.startswith("BM25 rank") for reason in top.reasons)
    assert any(reason.startswith("meaning: rank") for reason in top.reasons)
    assert set(top.parts) <= {"bm25", "dense"}


def test_search_by_meaning_ranks_the_paper_whose_words_differ(service):
    result = service.search("wind turbines energy prediction", 5)
    top = result.hits[0]
    assert top.paper.id == "2507.00105"  # "Graph Neural Networks in Wind Power Forecasting"
    assert top.parts["dense"].rank == 1


def test_search_by_arxiv_id_or_url_opens_that_paper(service):
    result = service.search("https://arxiv.org/abs/2507.00105v2")
    assert ids(result.hits) == ["2507.00105"]
    assert service.search("arXiv:2601.99999").hits == []  # a valid id not in the store


def test_search_filters_apply_to_dense_hits_too(service):
    result = service.search("retrieval augmented generation cat:cs.CV", 10)
    assert result.hits
    assert all(any(c.startswith("cs.CV") for c in h.paper.categories) for h in result.hits)
    negated = service.search("speech translation -speech", 10)
    assert all("speech" not in h.paper.title.lower() for h in negated.hits)


@pytest.mark.parametrize(
    "text",
    ['unbalanced "quote', "foo:bar baz", "x" * 10_000, "ctrl\x00\x07chars", "AND OR NEAR(", ""],
)
def test_search_never_raises_on_odd_input(service, text):
    result = service.search(text)
    assert isinstance(result.hits, list)


QUERIES = [
    "speech to speech translation with large language models",
    "wind turbines energy prediction",
    "retrieval augmented generation cat:cs.CV",
    "speech translation -speech",
    '"diffusion transformers" feature caching',
    "trans* models since:2026-01-01",
    "qwxzzv plumbus",  # no paper has these words
    "arXiv:2507.00105",
]


def test_dense_retrieval_beside_bm25_gives_what_one_after_the_other_gives(service):
    one_thread = replace(service, threads=0)
    try:
        for text in QUERIES:
            alone, beside = one_thread.search(text, 20), service.search(text, 20)
            assert [(h.paper.id, h.score, h.reasons) for h in beside.hits] == [
                (h.paper.id, h.score, h.reasons) for h in alone.hits
            ]
            assert [h.snippet for h in beside.hits] == [h.snippet for h in alone.hits]
        assert one_thread.similar("2601.22777", 10) == service.similar("2601.22777", 10)
        liked, unliked = ["2601.22777", "2507.00105"], ["2601.16618"]
        assert one_thread.similar_to_set(liked, unliked) == service.similar_to_set(liked, unliked)
    finally:
        one_thread.close()


def test_closing_the_service_stops_its_threads_and_it_still_searches(service):
    others = set(threading.enumerate())
    before = service.search("wind power forecasting", 5)
    searching = set(threading.enumerate()) - others
    assert searching  # the dense retrieval ran on the service's threads
    service.close()
    assert not any(t.is_alive() for t in searching)
    assert service.search("wind power forecasting", 5) == before  # now in the caller


def test_similar_excludes_the_paper_and_finds_its_neighbours(service):
    hits = service.similar("2601.22777", 5)  # speech translation
    assert "2601.22777" not in ids(hits)
    assert {"2601.16618", "2510.03093"} & set(ids(hits[:3]))


def test_similar_scores_its_neighbours_as_papertide_eval_scores_a_pool(service, store, embedder):
    # 50 golden papers, fewer than CANDIDATES: every other paper is a dense neighbour, so the
    # product's candidates are the eval ranker's pool; both score them with centered_ranking,
    # the product from the float16 vectors it stores, the eval from fresh float32 ones
    query_id = "2601.22777"
    hits = service.similar(query_id, 49)
    assert all("centered" in hit.parts for hit in hits)
    assert any(reason.startswith("centered on the neighbours") for reason in hits[0].reasons)
    paper = store.get_paper(query_id)
    others = list(store.get_papers([h.paper.id for h in hits]).values())
    pool = [EvalDoc(p.id, p.title, p.abstract) for p in others]
    query = EvalQuery(query_id, "", paper=EvalDoc(paper.id, paper.title, paper.abstract))
    evaluated = dict(DenseRanker(embedder, whole_paper=True).centered(query, pool))
    for hit in hits:
        assert hit.parts["centered"].score == pytest.approx(evaluated[hit.paper.id], abs=0.02)
    # the centered tf-idf cosines: the same texts, so the same scores
    assert any(reason.startswith("words, centered") for reason in hits[0].reasons)
    texts = {doc.id: term_counts(paper_text(doc.title, doc.abstract)) for doc in pool}
    own = term_counts(paper_text(paper.title, paper.abstract))
    words = dict(centered_term_ranking(own, texts))
    for hit in hits:
        assert hit.parts["centered_terms"].score == pytest.approx(words[hit.paper.id])
    # the row `papertide eval` reports as "similar (dense-fast)" fuses with the shipped weights
    assert product_fusion(SIMILAR_FUSION) in similar_grid()
    ranker = HybridRanker(
        Bm25Ranker(whole_paper=True),
        DenseRanker(embedder, whole_paper=True),
        product_fusion(SIMILAR_FUSION),
    )
    ranked = ranker.rank(query, pool, 10)
    assert len(set(ranked[:5]) & set(ids(hits[:5]))) >= 4


def test_similar_works_for_a_paper_ingested_a_minute_ago(service, store):
    new = Paper(
        id="2611.00001",
        title="Simultaneous speech translation with retrieval",
        abstract="We translate speech to text in real time and retrieve terminology.",
        published=datetime(2026, 11, 1, tzinfo=UTC),
    )
    store.write_batch([Record(new)], [])  # neither indexed nor embedded
    hits = service.similar("2611.00001", 5)
    assert "2601.22777" in ids(hits)


def test_similar_to_a_set_moves_away_from_the_negative_ones(service):
    liked = service.similar_to_set(["2601.22777"], [], 10)
    unliked = service.similar_to_set(["2601.22777"], ["2601.16618"], 10)
    assert "2601.16618" not in ids(unliked)
    assert ids(liked) != ids(unliked)
    with pytest.raises(PaperNotFoundError):
        service.similar("2999.99999")


def test_embed_missing_embeds_only_new_or_changed_text(store):
    store.write_batch([r for r in JsonlSource(GOLDEN).records() if isinstance(r, Record)], [])
    embedder = HashEmbedder()
    assert embed_missing(store, embedder).embedded == 50
    assert embed_missing(store, embedder).embedded == 0
    paper = store.get_paper("2507.00105")
    store.write_batch([Record(replace(paper, version=9, title="New"))], [])
    again = embed_missing(store, embedder)
    assert (again.embedded, again.unchanged) == (1, 0)
    assert sum(embedder.calls) == 51
    assert dict(store.embedding_models()) == {embedder.name: 50}


def test_similar_uses_the_paper_space_vectors_and_fusion_when_given(service, store):
    other = HashEmbedder(dim=48)
    embed_missing(store, other)
    space = VectorSpace(other, load_exact(store, other.name, other.dim), CONTEXTUAL_SIMILAR_FUSION)
    with_space = replace(service, paper_space=space)
    assert with_space.similar_space is space
    other.calls.clear()
    hits = with_space.similar("2601.22777", 5)
    assert "2601.22777" not in ids(hits)
    top = next(hit for hit in hits if "dense" in hit.parts)

    def vector(paper_id: str) -> Matrix:
        return from_stored([store.vector_of(other.name, paper_id) or b""], 48)

    cosine = float((vector("2601.22777") @ vector(top.paper.id).T)[0, 0])
    assert top.parts["dense"].score == pytest.approx(cosine, abs=1e-5)  # the 48-d vectors
    assert with_space.similar_to_set(["2601.22777"], ["2601.16618"], 5)
    assert other.calls == []  # stored vectors answered: nothing was embedded on the spot
    # a facet re-ranks the static neighbours, the configuration measured on CSFCube
    faceted = with_space.similar("2601.22777", 5, "result")
    assert ids(faceted) == ids(service.similar("2601.22777", 5, "result"))


def test_build_paper_space_follows_the_setting_and_the_coverage(tmp_path, store):
    from papertide.config import Settings
    from papertide.errors import InputError
    from papertide.wiring import build_paper_space

    store.write_batch([r for r in JsonlSource(GOLDEN).records() if isinstance(r, Record)], [])
    settings = Settings(db=str(tmp_path / "t.db"))
    assert build_paper_space(settings, store) is None  # auto: no contextual vectors yet
    assert build_paper_space(replace(settings, similar_embedder="static"), store) is None
    with pytest.raises(InputError, match="similar_embedder"):
        build_paper_space(replace(settings, similar_embedder="best"), store)
    space = build_paper_space(replace(settings, similar_embedder="contextual"), store)
    assert space is not None
    assert space.embedder.name == CONTEXTUAL_MODEL
    assert space.fusion == CONTEXTUAL_SIMILAR_FUSION
    embed_missing(store, space.embedder)  # every paper has a contextual vector now
    auto = build_paper_space(settings, store)
    assert auto is not None
    assert auto.embedder.name == CONTEXTUAL_MODEL


def test_similar_in_a_facet_reranks_by_stored_sentence_vectors(service):
    overall = service.similar("2601.22777", 10)
    hits = service.similar("2601.22777", 10, "result")
    assert "2601.22777" not in ids(hits)
    assert {"2601.16618", "2510.03093"} & set(ids(hits[:5]))
    assert all("facet" in hit.parts and "centered_terms" in hit.parts for hit in hits)
    assert any(reason.startswith("facet sentences: rank") for reason in hits[0].reasons)
    assert ids(hits) != ids(overall)
    for facet in ("method", "background"):
        with pytest.raises(InputError, match="not offered"):
            service.similar("2601.22777", 10, facet)


def test_similar_in_a_facet_for_a_paper_without_stored_sentences(service, store):
    new = Paper(
        id="2611.00002",
        title="Simultaneous speech translation with retrieval",
        abstract="Speech translation lags in real time. We retrieve terminology for a "
        "streaming model. It lowers latency by a second with equal BLEU.",
        published=datetime(2026, 11, 1, tzinfo=UTC),
    )
    store.write_batch([Record(new)], [])  # no vectors of any kind stored
    hits = service.similar("2611.00002", 5, "result")
    assert "2601.22777" in ids(hits)


def test_words_no_paper_has_match_nothing_but_filters_keep_the_meaning(service):
    """Gibberish got the embedding's nearest neighbours as hits (#12); words some paper has
    still rank by meaning within filters that no paper with the words passes."""
    assert service.search("qwxzv plorkt", 30).hits == []
    assert service.search("qwxzv plorkt cat:cs.CL", 30).hits == []
    by_zhang = service.search('graph author:"Zhang"', 5).hits  # no Zhang paper says "graph"
    assert by_zhang and all(any("Zhang" in a for a in h.paper.authors) for h in by_zhang)
