"""summarise_missing, the step `papertide index` runs: new and changed papers only, one commit
per batch, so a run that dies part-way is finished by the next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from papertide.clock import SystemClock
from papertide.index.static import StaticEmbedder
from papertide.index.summaries import Summariser, Summary
from papertide.index.update import SUMMARY_SOURCE, summarise_missing
from papertide.models import Record
from papertide.store.sqlite import SqliteStore
from tests.integration.store.populate import paper


class Dying(Summariser):
    """Fails on the batch that would take it past `limit` papers, as a killed process would."""

    def __init__(self, limit: int) -> None:
        super().__init__(StaticEmbedder.load())
        self.left = limit

    def summarise_many(self, papers: Sequence[tuple[str, str]]) -> list[Summary]:
        if len(papers) > self.left:
            raise RuntimeError("killed")
        self.left -= len(papers)
        return super().summarise_many(papers)


def test_a_re_run_finishes_a_killed_run_and_then_only_changed_papers(tmp_path: Path):
    store = SqliteStore(tmp_path / "s.db", SystemClock())
    store.migrate()
    store.write_batch([Record(paper(n)) for n in range(1, 8)], [])
    with pytest.raises(RuntimeError, match="killed"):
        summarise_missing(store, Dying(5), batch_size=3)
    assert len(store.summary_hashes(SUMMARY_SOURCE)) == 3  # the first batch committed
    summariser = Summariser(StaticEmbedder.load())
    seen: list[int] = []
    assert summarise_missing(store, summariser, seen.append, batch_size=3) == 4
    assert seen == [3, 4]
    assert summarise_missing(store, summariser) == 0
    store.write_batch([Record(replace(paper(2), version=3, abstract="We study rivers."))], [])
    assert summarise_missing(store, summariser) == 1
    [summary] = store.summaries_for([paper(2).id])[paper(2).id]
    assert (summary.source, summary.tldr) == (SUMMARY_SOURCE, "We study rivers.")
    assert len(store.summary_hashes(SUMMARY_SOURCE)) == 7
    store.close()
