"""The tantivy lexical index over a real SQLite store: ranking, the query language, filters,
malformed input, and staying in step with the store."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from papertide.clock import FixedClock
from papertide.errors import InputError
from papertide.index.lexical import (
    FieldWeights,
    IndexBusyError,
    IndexState,
    is_in_step,
    sync_index,
)
from papertide.index.query import parse_query
from papertide.index.tantivy_lexical import STATE_FILE, TantivyLexicalIndex
from papertide.models import Paper, Record
from papertide.search.snippet import make_snippet
from papertide.store.sqlite import SqliteStore
from tests.unit.search.test_bm25_reference import load_golden


def paper(
    pid: str,
    title: str,
    abstract: str = "",
    authors: tuple[str, ...] = (),
    categories: tuple[str, ...] = ("cs.LG",),
    day: str | None = "2025-06-01",
) -> Paper:
    published = datetime.fromisoformat(day).replace(tzinfo=UTC) if day else None
    return Paper(pid, title, abstract, authors, categories, published=published)


PAPERS = [
    paper("2501.00001", "Quantum error correction codes", "We study stabilizer codes.",
          ("Alice Zhang", "Bob Li"), ("quant-ph", "cs.IT"), "2024-03-05"),
    paper("2501.00002", "Decoding with belief propagation",
          "Quantum codes, quantum decoders and quantum noise are compared.",
          ("Carol Smith",), ("cs.IT",), "2025-01-10"),
    paper("2501.00003", "Neural radiance fields for scenes",
          "Neural radiance fields render novel views.", ("Yann LeCun", "Dan Brown"),
          ("cs.CV",), "2025-03-01"),
    paper("2501.00004", "Fields of neural nets with radiance",
          "A radiance study of neural fields.", ("Eve Stone",), ("cs.CV", "cs.LG"), "2025-07-20"),
    paper("2501.00005", "Vision transformers for detection",
          "Transformers applied to images.", ("Frank LeCun",), ("cs.CV",), "2026-02-01"),
    paper("2501.00006", "Transformers for machine translation",
          "Sequence transformers translate text.", ("Alice Zhang",), ("cs.CL", "cs.AI"),
          "2026-04-11"),
    paper("2501.00007", "Quantization of large models", "Post-training quantization.",
          ("Gus Held",), ("cs.LG",), None),
    paper("2501.00008", "A survey of Smith normal forms", "Integer matrices.",
          ("Hana Ito",), ("math.AC",), "2023-01-01"),
]  # fmt: skip


@pytest.fixture
def filled(store: SqliteStore, index: TantivyLexicalIndex) -> TantivyLexicalIndex:
    store.write_batch([Record(p) for p in PAPERS], [])
    sync_index(index, store)
    return index


def ids(index: TantivyLexicalIndex, text: str, limit: int = 10) -> list[str]:
    return [hit.paper_id for hit in index.search(parse_query(text), limit)]


def test_lexical_title_match_outranks_abstract_repeats(filled: TantivyLexicalIndex):
    assert ids(filled, "quantum")[:2] == ["2501.00001", "2501.00002"]


def test_lexical_author_match_outranks_abstract(filled: TantivyLexicalIndex):
    hits = filled.search(parse_query("smith"), 10)
    assert [h.paper_id for h in hits] == ["2501.00008", "2501.00002"]  # title, then author
    assert dict(hits[1].field_scores).keys() == {"authors"}


def test_lexical_hits_explain_terms_and_field_parts(filled: TantivyLexicalIndex):
    hit = filled.search(parse_query("Quantum codes"), 10)[0]
    assert set(hit.matched_terms) == {"Quantum", "codes"}
    parts = dict(hit.field_scores)
    assert parts["title"] > parts["abstract"] > 0
    assert sum(parts.values()) == pytest.approx(hit.score, rel=1e-3)


def test_lexical_matched_terms_follow_the_query_order(filled: TantivyLexicalIndex):
    hit = filled.search(parse_query("codes quantum stabilizer"), 10)[0]
    assert hit.matched_terms == ("codes", "quantum", "stabilizer")


def test_lexical_equal_scores_rank_by_id_whatever_the_insert_order(
    store: SqliteStore, index: TantivyLexicalIndex
):
    twins = [paper(f"2502.0000{n}", "Sparse attention kernels") for n in (3, 1, 2)]
    for twin in twins:  # one batch each: the index sees them in this order
        store.write_batch([Record(twin)], [])
    sync_index(index, store)
    assert ids(index, "sparse attention") == ["2502.00001", "2502.00002", "2502.00003"]


def test_lexical_stemming_matches_word_forms(filled: TantivyLexicalIndex):
    assert "2501.00005" in ids(filled, "transformer")
    assert "2501.00002" in ids(filled, "decoder")


def test_lexical_phrase_needs_the_words_in_order(filled: TantivyLexicalIndex):
    assert ids(filled, '"neural radiance fields"') == ["2501.00003"]
    assert set(ids(filled, "neural radiance fields")) == {"2501.00003", "2501.00004"}
    hit = filled.search(parse_query('"neural radiance fields"'), 10)[0]
    assert hit.matched_terms == ("neural radiance fields",)


def test_lexical_multi_token_word_is_a_phrase(filled: TantivyLexicalIndex):
    assert ids(filled, "post-training") == ["2501.00007"]


def test_lexical_negation_excludes(filled: TantivyLexicalIndex):
    assert ids(filled, "transformers -vision") == ["2501.00006"]
    assert ids(filled, 'neural -"neural radiance fields"') == ["2501.00004"]
    assert "2501.00007" not in ids(filled, "models -quant*")


def test_lexical_prefix_matches_unstemmed_words(filled: TantivyLexicalIndex):
    assert set(ids(filled, "quant*")) == {"2501.00001", "2501.00002", "2501.00007"}
    assert set(ids(filled, "transformer*")) == {"2501.00005", "2501.00006"}
    hit = filled.search(parse_query("quantiz*"), 10)[0]
    assert hit.paper_id == "2501.00007" and hit.matched_terms == ("quantiz*",)


def test_lexical_author_filters(filled: TantivyLexicalIndex):
    assert ids(filled, "author:lecun") == ["2501.00005", "2501.00003"]  # newest first
    assert ids(filled, 'author:"Yann LeCun"') == ["2501.00003"]
    assert ids(filled, 'author:"yann lecun" author:brown') == ["2501.00003"]
    assert ids(filled, "transformers -author:lecun") == ["2501.00006"]
    assert ids(filled, "author:nobody") == []


def test_lexical_category_filters(filled: TantivyLexicalIndex):
    assert set(ids(filled, "cat:cs.cv")) == {"2501.00003", "2501.00004", "2501.00005"}
    assert set(ids(filled, "cat:quant-ph cat:math.AC")) == {"2501.00001", "2501.00008"}
    assert "2501.00008" not in ids(filled, "cat:cs")
    assert set(ids(filled, "cat:math")) == {"2501.00008"}
    assert ids(filled, "transformers -cat:cs.CV") == ["2501.00006"]


def test_lexical_date_filters_are_inclusive(filled: TantivyLexicalIndex):
    assert set(ids(filled, "year:2025")) == {"2501.00002", "2501.00003", "2501.00004"}
    assert ids(filled, "since:2026-04-11") == ["2501.00006"]
    assert ids(filled, "until:2023-01-01") == ["2501.00008"]
    assert ids(filled, "quantum since:2025") == ["2501.00002"]
    assert "2501.00007" not in ids(filled, "quantization until:2030")  # no date: no match
    assert ids(filled, "since:2026 until:2025") == []


def test_lexical_filter_only_query_is_newest_first_with_zero_scores(filled: TantivyLexicalIndex):
    hits = filled.search(parse_query("cat:cs.CV"), 10)
    assert [h.paper_id for h in hits] == ["2501.00005", "2501.00004", "2501.00003"]
    assert {h.score for h in hits} == {0.0}


def test_lexical_negation_only_query(filled: TantivyLexicalIndex):
    assert set(ids(filled, "-quantum -quant*")) == {f"2501.0000{n}" for n in (3, 4, 5, 6, 8)}


def test_lexical_paper_id_query_finds_the_paper(filled: TantivyLexicalIndex):
    assert ids(filled, "arXiv:2501.00004v2") == ["2501.00004"]
    assert ids(filled, "2601.99999") == []


def test_lexical_limit(filled: TantivyLexicalIndex):
    assert len(ids(filled, "quantum", limit=1)) == 1
    assert filled.search(parse_query("quantum"), 0) == []


NASTY = [
    '"unbalanced quote neural',
    'neural "',
    '"',
    "foo:bar quantum",
    "quantum:",
    ":::",
    "-",
    "--quantum",
    "*",
    "***",
    "a*",
    "NEAR(quantum codes, 2)",
    "quantum AND OR NOT codes",
    "title:quantum ^ {codes}",
    "(quantum) [codes] <> \\ ' ; -- DROP TABLE papers",
    "quantum\x00\x01\x1b[0m codes\u200b",
    "ü" * 50,
    "x" * 10_000,
    "quantum codes " * 800,
    "cat:",
    "cat:!!",
    "year:abc",
    "since:2025-02-30",
    "author:",
    'author:""',
    'author:"   "',
    "\ud800 surrogates",
    "https://arxiv.org/abs/not-an-id",
]


@pytest.mark.parametrize("text", NASTY)
def test_lexical_malformed_queries_never_raise(filled: TantivyLexicalIndex, text: str):
    hits = filled.search(parse_query(text), 10)
    assert isinstance(hits, list)


def test_lexical_operators_are_searched_as_words(filled: TantivyLexicalIndex):
    assert ids(filled, "NEAR(quantum codes, 2)")[0] == "2501.00001"
    assert ids(filled, 'foo:bar "unbalanced quantum') == []


def test_lexical_pasted_abstract_finds_its_paper(store: SqliteStore, index):
    golden = load_golden()
    store.write_batch([Record(p) for p in golden], [])
    sync_index(index, store)
    target = golden[7]
    query = parse_query(target.abstract)
    assert query.is_long_text
    hits = index.search(query, 5)
    assert hits[0].paper_id == target.id
    assert 0 < len(hits[0].matched_terms) <= 25


def test_lexical_more_like_this(store: SqliteStore, index: TantivyLexicalIndex):
    golden = load_golden()
    store.write_batch([Record(p) for p in golden], [])
    sync_index(index, store)
    similar = index.more_like_this(paper_id="2601.16618", limit=5)  # speech-to-speech translation
    assert "2601.16618" not in [h.paper_id for h in similar]
    assert "2510.03093" in [h.paper_id for h in similar[:3]]  # speech-to-text translation
    assert all(h.matched_terms for h in similar)
    by_text = index.more_like_this(text="direct, simultaneous and speech-to-speech translation")
    assert by_text and by_text[0].paper_id in {"2601.16618", "2510.03093", "2601.22777"}
    assert index.more_like_this(paper_id="9999.99999") == []
    assert index.more_like_this(text="") == []


def test_lexical_explain_given_papers(filled: TantivyLexicalIndex):
    hits = filled.explain(parse_query("quantum codes"), ["2501.00002", "2501.00008", "x"])
    assert [h.paper_id for h in hits] == ["2501.00002", "2501.00008"]
    assert hits[0].score > 0 and hits[0].matched_terms
    assert hits[1].score == 0.0 and hits[1].matched_terms == ()


def test_lexical_snippet_highlights_stemmed_matches(filled: TantivyLexicalIndex):
    hit = filled.search(parse_query("decoder"), 10)[0]
    abstract = PAPERS[1].abstract
    snippet = make_snippet(abstract, hit.matched_terms, 80, filled.normalize_word)
    assert [snippet.text[s:e] for s, e in snippet.spans] == ["decoders"]


def test_lexical_search_without_explain_is_bare(filled: TantivyLexicalIndex):
    hit = filled.search(parse_query("quantum"), 1, explain=False)[0]
    assert hit.matched_terms == () and hit.score > 0


def test_sync_adds_papers_ingested_since(store, index, clock: FixedClock):
    store.write_batch([Record(p) for p in PAPERS[:3]], [])
    assert sync_index(index, store).rebuilt
    assert is_in_step(index, store)
    clock.current += timedelta(minutes=1)
    store.write_batch([Record(paper("2502.00001", "Freshly ingested holography"))], [])
    assert not is_in_step(index, store)
    assert ids(index, "holography") == []
    result = sync_index(index, store)
    assert (result.added, result.rebuilt) == (4, False)  # the last instant is read again
    assert ids(index, "holography") == ["2502.00001"]
    assert is_in_step(index, store) and index.count() == 4


def test_sync_same_instant_writes_are_not_missed(store, index):
    store.write_batch([Record(PAPERS[0])], [])
    sync_index(index, store)
    store.write_batch([Record(PAPERS[1])], [])  # FixedClock: the same modified_at
    sync_index(index, store)
    assert set(ids(index, "quantum")) == {"2501.00001", "2501.00002"}
    assert index.count() == 2


def test_sync_updated_paper_replaces_its_text(store, index, clock: FixedClock):
    store.write_batch([Record(PAPERS[0])], [])
    sync_index(index, store)
    clock.current += timedelta(minutes=1)
    changed = replace(paper("2501.00001", "Topological codes", "Surface codes."), version=2)
    store.write_batch([Record(changed)], [])
    sync_index(index, store)
    assert ids(index, "topological") == ["2501.00001"]
    assert ids(index, "stabilizer") == []
    assert index.count() == 1


def test_sync_nothing_new_adds_nothing(store, index):
    store.write_batch([Record(p) for p in PAPERS], [])
    sync_index(index, store)
    again = sync_index(index, store)
    assert (again.added, again.rebuilt) == (0, False)


def test_sync_rebuilds_when_counts_disagree(store, index):
    store.write_batch([Record(p) for p in PAPERS], [])
    sync_index(index, store)
    index.remove(["2501.00001"])
    assert not is_in_step(index, store)
    mark = store.lexical_watermark()
    index.write_state(IndexState(mark.papers, mark.modified_at))
    assert sync_index(index, store).rebuilt
    assert index.count() == len(PAPERS)


def test_index_state_survives_reopening(tmp_path: Path, store, index):
    store.write_batch([Record(p) for p in PAPERS], [])
    sync_index(index, store)
    reopened = TantivyLexicalIndex(tmp_path / "t.lexical", store)
    assert is_in_step(reopened, store)
    assert sync_index(reopened, store).added == 0
    assert ids(reopened, "quantum")[0] == "2501.00001"


def test_index_with_other_schema_starts_again(tmp_path: Path, store, index):
    store.write_batch([Record(p) for p in PAPERS], [])
    sync_index(index, store)
    state = tmp_path / "t.lexical" / STATE_FILE
    state.write_text(json.dumps({**json.loads(state.read_text()), "schema": 0}))
    reopened = TantivyLexicalIndex(tmp_path / "t.lexical", store)
    assert reopened.read_state() is None and reopened.count() == 0
    assert sync_index(reopened, store).rebuilt
    assert reopened.count() == len(PAPERS)


def test_index_unreadable_state_means_rebuild(tmp_path: Path, store, index):
    store.write_batch([Record(p) for p in PAPERS], [])
    sync_index(index, store)
    (tmp_path / "t.lexical" / STATE_FILE).write_text("{not json")
    assert TantivyLexicalIndex(tmp_path / "t.lexical", store).read_state() is None


def test_field_weights_change_the_order(store, tmp_path: Path):
    store.write_batch([Record(p) for p in PAPERS], [])
    flat = TantivyLexicalIndex(tmp_path / "flat", store, FieldWeights(1.0, 1.0, 1.0))
    sync_index(flat, store)
    assert ids(flat, "quantum")[0] == "2501.00002"  # three abstract mentions win unweighted


def test_second_writer_gets_a_clear_error(tmp_path: Path, store, index):
    sync_index(index, store)  # a finished index: opening it again must not start it over
    other = TantivyLexicalIndex(tmp_path / "t.lexical", store)
    held = other._writer()  # a writer kept open, as another `papertide index` would
    with pytest.raises(IndexBusyError, match="being written"):
        index.add([PAPERS[0]])
    del held


def test_index_refuses_a_directory_that_is_not_an_index(tmp_path: Path, store):
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "thesis.tex").write_text("do not delete")
    with pytest.raises(InputError, match="not a papertide search index"):
        TantivyLexicalIndex(precious, store)
    assert (precious / "thesis.tex").exists()
    with pytest.raises(InputError):
        TantivyLexicalIndex(precious / "thesis.tex", store)
