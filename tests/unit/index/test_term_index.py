"""index/term_index.py: word counts in memory and in their memory-mapped file read back exactly
as term_counts counts the texts, so the centered tf-idf cosine scores them identically."""

import os
from collections.abc import Iterator

import numpy as np
import pytest

from papertide.errors import InputError
from papertide.index.term_index import (
    TermFile,
    build_term_index,
    encode,
    paper_rows,
    refresh_terms,
    view_term_file,
    write_term_file,
)
from papertide.index.words import STOP_HASHES, STOP_WORDS, TermCounts, term_counts, word_hash
from papertide.models import Paper
from papertide.search.centered import centered_term_ranking
from papertide.store.base import StoreWatermark

TEXTS = {  # in store order, not sorted by id
    "2501.00003": "Graph neural networks. We study graph networks for speech.",
    "2501.00001": "Speech translation with retrieval of terms; speech latency.",
    "hep-th/9901001": "Strings on the lattice, the lattice of strings.",
    "2501.00002": "",  # no words: an empty row
}


def rows() -> list[tuple[str, bytes]]:
    return [(pid, encode(term_counts(text))) for pid, text in TEXTS.items()]


def test_word_hash_is_stable_and_stop_words_are_sorted_hashes():
    # the first 8 bytes of BLAKE2b, little-endian: the same in every process and release
    assert word_hash("graph") == 0xA9CF59ECEA277FFB  # a changed scheme would misread old files
    assert word_hash("graph") != word_hash("graphs")
    assert len(STOP_HASHES) == len(STOP_WORDS) and (np.diff(STOP_HASHES.astype(object)) > 0).all()


def test_term_counts_keep_first_appearance_order_and_stop_words():
    counts = term_counts("The speech, the SPEECH and graph")
    assert counts.words.tolist() == [word_hash(w) for w in ("the", "speech", "and", "graph")]
    assert counts.counts.tolist() == [2, 2, 1, 1]


def check_counts(index_counts: dict[str, TermCounts], wanted: list[str]) -> None:
    assert list(index_counts) == [pid for pid in wanted if pid in TEXTS]
    for pid, counts in index_counts.items():
        expected = term_counts(TEXTS[pid])
        assert counts.words.tolist() == expected.words.tolist()
        assert counts.counts.tolist() == expected.counts.tolist()


def test_the_file_reads_back_the_counts_in_the_order_asked(tmp_path):
    path = tmp_path / "papers.words"
    assert write_term_file(path, rows(), (4, "2026-01-02T00:00:00+00:00")) == 4
    index = view_term_file(path)
    assert index.watermark == (4, "2026-01-02T00:00:00+00:00")
    wanted = ["hep-th/9901001", "2609.99999", "2501.00002", "2501.00001", "2501.00003"]
    check_counts(index.counts(wanted), wanted)
    check_counts(build_term_index(rows()).counts(wanted), wanted)
    assert index.counts([]) == {} and build_term_index([]).counts(wanted) == {}
    assert dict(index.rows()) == dict(rows())  # what a rewrite keeps


def test_stored_counts_score_exactly_as_tokenizing(tmp_path):
    path = tmp_path / "papers.words"
    write_term_file(path, rows(), (4, None))
    held = view_term_file(path).counts(list(TEXTS))
    query = term_counts("Speech graph networks with terms")
    tokenized = centered_term_ranking(query, {pid: term_counts(t) for pid, t in TEXTS.items()})
    assert centered_term_ranking(query, held) == tokenized
    assert [pid for pid, _ in tokenized][:2] == ["2501.00003", "2501.00001"]


def test_the_file_is_followed_as_it_is_replaced(tmp_path):
    path = tmp_path / "papers.words"
    followed = TermFile(path)
    assert len(followed.current()) == 0  # before the first write: empty, so texts are counted
    write_term_file(path, rows()[:1], (1, None))
    assert list(followed.current().counts(list(TEXTS))) == ["2501.00003"]
    write_term_file(path, rows(), (4, None))
    os.utime(path, ns=(1, 1))  # a new inode and mtime however coarse the clock
    assert len(followed.current()) == 4


def test_another_file_is_refused(tmp_path):
    path = tmp_path / "papers.words"
    path.write_bytes(b"not an index at all, but long enough")
    with pytest.raises(InputError, match="no word count file"):
        view_term_file(path)


def test_two_words_of_one_hash_are_logged(caplog):
    paper = Paper("2501.00001", "Graph speech", "")
    seen = {word_hash("graph"): "grapheme"}  # as if "grapheme" had the hash of "graph"
    assert [pid for pid, _ in paper_rows([paper], seen)] == ["2501.00001"]
    assert "'grapheme' and 'graph' share one hash" in caplog.text
    assert seen[word_hash("speech")] == "speech"


class Feed:
    """A store's papers as refresh_terms reads them: a watermark, papers modified since."""

    def __init__(self, papers: list[tuple[Paper, str]]) -> None:
        self.papers = papers  # (paper, modified_at)

    def lexical_watermark(self) -> StoreWatermark:
        return StoreWatermark(len(self.papers), max(at for _, at in self.papers))

    def iter_papers_modified_since(
        self, since: str | None, batch_size: int = 1000
    ) -> Iterator[Paper]:
        assert batch_size > 0
        return (paper for paper, at in self.papers if since is None or at >= since)

    def get_paper(self, paper_id: str) -> Paper | None:
        return next((paper for paper, _ in self.papers if paper.id == paper_id), None)


def test_refresh_counts_what_changed_and_everything_when_papers_went(tmp_path):
    path = tmp_path / "papers.words"
    feed = Feed([(Paper(pid, "", t), f"2026-01-0{n}") for n, (pid, t) in enumerate(TEXTS.items())])
    assert refresh_terms(feed, path) == 4  # no file yet: every paper
    assert refresh_terms(feed, path) == 0  # the watermark has not moved
    changed = Paper("2501.00001", "", "Graph graph graph")
    feed.papers[1] = (changed, "2026-01-09")
    assert refresh_terms(feed, path) == 2  # the changed paper, and the one at the watermark
    held = view_term_file(path).counts(["2501.00001"])["2501.00001"]
    assert held.counts.tolist() == [3]
    del feed.papers[0]  # a paper removed: counted again from scratch, without it
    assert refresh_terms(feed, path) == 3
    assert sorted(view_term_file(path).ids.tolist()) == sorted(p.id for p, _ in feed.papers)
