"""The Store contract, sentence side (faceted similar papers): every test runs on SQLite and
on PostgreSQL (the `store` fixture) and must behave the same on both."""

from dataclasses import replace

import numpy as np

from papertide.index.embed import HashEmbedder
from papertide.index.sentences import embed_sentences_missing, from_row
from papertide.models import Paper, Record
from papertide.store.base import SentenceRow

MODEL = "hash-16"


def write(store, *papers: Paper) -> None:
    store.write_batch([Record(p) for p in papers], [])


def paper(pid: str, abstract: str) -> Paper:
    return Paper(id=pid, title=f"Paper {pid}", abstract=abstract)


def test_sentence_rows_round_trip_and_replace(store):
    write(store, paper("2501.00001", "One. Two."), paper("2501.00002", "Three."))
    tasks = store.sentence_tasks(MODEL)
    assert [t.paper_id for t in tasks] == ["2501.00001", "2501.00002"]
    assert store.count_sentence_tasks(MODEL) == 2
    assert all(t.text_hash is None for t in tasks)
    vectors = np.arange(8, dtype=np.float16).tobytes()
    first = SentenceRow(tasks[0].paper_pk, tasks[0].content_hash, "bm", vectors)
    store.save_sentence_vectors(MODEL, [first])
    assert store.sentence_vectors(MODEL, ["2501.00001", "2501.00002", "2609.99999"]) == {
        "2501.00001": first
    }
    assert store.sentence_vectors("other-model", ["2501.00001"]) == {}
    assert [t.paper_id for t in store.sentence_tasks(MODEL)] == ["2501.00002"]
    assert store.sentence_tasks(MODEL, after_pk=tasks[1].paper_pk) == []
    again = replace(first, labels="r", vectors=vectors[:4])
    store.save_sentence_vectors(MODEL, [again])
    assert store.sentence_vectors(MODEL, ["2501.00001"])["2501.00001"] == again


def test_embed_sentences_missing_does_new_and_changed_papers_only(store):
    embedder = HashEmbedder(dim=16)
    write(store, paper("2501.00001", "Deep models fail. We propose a fix. It works well."))
    assert embed_sentences_missing(store, embedder) == 1
    assert embed_sentences_missing(store, embedder) == 0
    row = store.sentence_vectors(embedder.name, ["2501.00001"])["2501.00001"]
    stored = from_row(row, embedder.dim)
    assert stored.labels == ("background", "method", "result")
    assert stored.vectors.shape == (3, 16)
    write(store, replace(paper("2501.00001", "A new abstract here."), version=2))
    assert embed_sentences_missing(store, embedder) == 1
    changed = store.sentence_vectors(embedder.name, ["2501.00001"])["2501.00001"]
    assert len(changed.labels) == 1
