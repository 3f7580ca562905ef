"""summary_tasks on both engines: the papers whose summary from a source is missing or was made
for another content hash, paged by pk."""

from __future__ import annotations

from dataclasses import replace

from papertide.models import PaperSummary, Record
from papertide.store.postgres import PostgresStore
from papertide.store.sqlite import SqliteStore
from tests.integration.store.populate import paper

Engine = SqliteStore | PostgresStore


def test_summary_tasks_are_the_unsummarised_and_the_changed_papers(store: Engine):
    store.write_batch([Record(paper(1)), Record(paper(2))], [])
    [first, second] = store.summary_tasks("papertide")
    store.put_summaries(
        [
            PaperSummary(first.paper_id, "papertide", "t", ("k",), first.content_hash),
            PaperSummary(second.paper_id, "huggingface", "t", (), "other"),
        ]
    )
    assert [t.paper_id for t in store.summary_tasks("papertide")] == [second.paper_id]
    assert store.summary_tasks("papertide", after_pk=second.paper_pk) == []
    store.write_batch([Record(replace(paper(1), version=3, abstract="A new abstract."))], [])
    stale = store.summary_tasks("papertide", limit=1)
    assert [(t.paper_id, t.abstract) for t in stale] == [(first.paper_id, "A new abstract.")]
    assert stale[0].content_hash != first.content_hash
