"""The sync side of the Store protocol on each engine: the run log, the papers without
categories, and the named run lock shared by processes (sync; the digest lock is one too)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from papertide.clock import FixedClock
from papertide.models import Record
from papertide.store.postgres import PostgresStore
from papertide.store.sqlite import SqliteStore
from papertide.store.sync_base import FAILED, INTERRUPTED, OK, RUNNING
from tests.integration.store.conftest import another
from tests.integration.store.populate import paper

Engine = SqliteStore | PostgresStore


def test_sync_runs_are_logged_newest_first(store: Engine, clock: FixedClock):
    start = clock.now()
    first = store.start_sync_run(start)
    log = {"new": 2, "updated": 1, "unchanged": 0, "quarantined": 0, "failed": 0, "error": None}
    store.finish_sync_run(first, start + timedelta(minutes=1), OK, {"hf-daily": log}, None)
    second = store.start_sync_run(start + timedelta(days=1))
    assert [(run.id, run.status) for run in store.sync_runs()] == [(second, RUNNING), (first, OK)]
    assert store.end_unfinished_sync_runs(start + timedelta(days=2), "killed") == 1
    [interrupted, done] = store.sync_runs()
    assert (interrupted.status, interrupted.error) == (INTERRUPTED, "killed")
    assert interrupted.finished_at == start + timedelta(days=2)
    assert done.sources == {"hf-daily": log} and done.finished_at == start + timedelta(minutes=1)
    third = store.start_sync_run(start + timedelta(days=3))
    store.finish_sync_run(third, start + timedelta(days=3), FAILED, {}, "oai: down")
    assert [run.status for run in store.sync_runs(2)] == [FAILED, INTERRUPTED]


def test_ids_without_categories(store: Engine):
    bare = replace(paper(2), categories=())
    store.write_batch([Record(paper(1)), Record(bare)], [])
    assert store.ids_without_categories(10) == [bare.id]


def test_run_lock_excludes_other_processes_per_name(store: Engine, clock: FixedClock):
    other = another(store, clock)
    try:
        with store.run_lock("sync") as held:
            assert held
            with other.run_lock("sync") as second:
                assert second is False
            with other.run_lock("digest-0of1") as different:
                assert different
        with other.run_lock("sync") as after:
            assert after
    finally:
        other.close()
