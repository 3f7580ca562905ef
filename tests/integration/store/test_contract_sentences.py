"""The Store contract, sentence side (faceted similar papers): every test runs on SQLite and
on PostgreSQL (the `store` fixture) and must behave the same on both."""

from dataclasses import replace

import numpy as np

from papertide.index.embed import HashEmbedder
from papertide.index.sentences import embed_sentences_missing, load_sentences
from papertide.models import Paper, Record
from papertide.store.vectors_base import SentenceRow

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
    assert rows(store, MODEL) == [("2501.00001", first)]
    assert rows(store, "other-model") == []
    assert [t.paper_id for t in store.sentence_tasks(MODEL)] == ["2501.00002"]
    assert store.sentence_tasks(MODEL, after_pk=tasks[1].paper_pk) == []
    again = replace(first, labels="r", vectors=vectors[:4])
    store.save_sentence_vectors(MODEL, [again])
    assert rows(store, MODEL) == [("2501.00001", again)]


def rows(store, model: str, batch_size: int = 1000) -> list[tuple[str, SentenceRow]]:
    return [row for batch in store.iter_sentence_vectors(model, batch_size) for row in batch]


def test_iter_sentence_vectors_pages_by_pk(store):
    write(store, *(paper(f"2501.0000{i}", "One.") for i in range(1, 6)))
    vectors = np.zeros(2, dtype=np.float16).tobytes()
    tasks = store.sentence_tasks(MODEL)
    store.save_sentence_vectors(
        MODEL, [SentenceRow(t.paper_pk, t.content_hash, "b", vectors) for t in tasks[::-1]]
    )
    batches = list(store.iter_sentence_vectors(MODEL, batch_size=2))
    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert [pid for batch in batches for pid, _ in batch] == [t.paper_id for t in tasks]


def test_embed_sentences_missing_does_new_and_changed_papers_only(store):
    embedder = HashEmbedder(dim=16)
    write(store, paper("2501.00001", "Deep models fail. We propose a fix. It works well."))
    assert embed_sentences_missing(store, embedder) == 1
    assert embed_sentences_missing(store, embedder) == 0
    stored = load_sentences(store, embedder.name, embedder.dim).paper("2501.00001")
    assert stored is not None
    assert stored.labels == ("background", "method", "result")
    assert stored.vectors.shape == (3, 16)
    write(store, replace(paper("2501.00001", "A new abstract here."), version=2))
    assert embed_sentences_missing(store, embedder) == 1
    [(_, changed)] = rows(store, embedder.name)
    assert len(changed.labels) == 1
