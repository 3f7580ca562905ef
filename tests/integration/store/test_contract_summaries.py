"""The summaries side of the Store protocol on each engine: TL;DRs and keywords per paper and
source, their content hashes, and the papers whose summary is missing or stale."""

from __future__ import annotations

from dataclasses import replace

from papertide.models import PaperSummary, Record
from papertide.store.postgres import PostgresStore
from papertide.store.sqlite import SqliteStore
from tests.integration.store.populate import paper

Engine = SqliteStore | PostgresStore


def test_summaries_are_kept_per_paper_and_source_and_replaced(store: Engine):
    store.write_batch([Record(paper(1)), Record(paper(2))], [])
    [first, second] = store.summary_tasks("papertide")
    ours = PaperSummary(
        first.paper_id, "papertide", "We do X.", ("x", "Über y"), first.content_hash
    )
    theirs = PaperSummary(first.paper_id, "huggingface", "X is done.", (), "h")
    store.put_summaries([ours, theirs])
    assert store.summaries_for([first.paper_id, second.paper_id, "2603.99999"]) == [
        theirs,
        ours,
    ]
    assert store.summary_hashes("papertide") == {first.paper_id: first.content_hash}
    assert [t.paper_id for t in store.summary_tasks("papertide")] == [second.paper_id]
    assert [t.paper_id for t in store.summary_tasks("papertide", after_pk=second.paper_pk)] == []
    store.put_summaries([replace(ours, tldr="We do X better.")])
    assert store.summaries_for([first.paper_id])[1].tldr == "We do X better."
    assert store.summaries_for([]) == []


def test_a_changed_paper_needs_a_new_summary(store: Engine):
    store.write_batch([Record(paper(1))], [])
    [task] = store.summary_tasks("papertide")
    store.put_summaries([PaperSummary(task.paper_id, "papertide", "t", ("k",), task.content_hash)])
    assert store.summary_tasks("papertide") == []
    store.write_batch([Record(replace(paper(1), version=3, abstract="A new abstract."))], [])
    [stale] = store.summary_tasks("papertide")
    assert (stale.paper_id, stale.abstract) == (task.paper_id, "A new abstract.")
    assert stale.content_hash != task.content_hash
