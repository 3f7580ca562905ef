"""What only SqliteStore does with its connections: a ":memory:" store shares one connection
across threads, and every thread's own connection is closed (the engine-neutral community
tests are the contract suite in tests/integration/store/test_contract_community.py)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from papertide.clock import FixedClock
from papertide.models import Paper, Record
from papertide.store.sqlite import SqliteStore
from tests.threads import run_threads


def test_memory_store_shares_one_connection_across_threads():
    store = SqliteStore(":memory:", FixedClock())
    store.migrate()
    store.write_batch([Record(Paper("2603.00001", "A paper", "About sparse attention."))], [])
    voters = [store.create_user(f"user{n}", None, "hash") for n in range(20)]

    def vote(n: int) -> None:
        store.set_vote(voters[n].id, "2603.00001", True)

    assert run_threads(20, vote) == []
    assert store.upvotes(["2603.00001"]) == {"2603.00001": 20}
    store.close()


def open_files(path: str) -> int:
    """How many file descriptors of this process point at the database (or its -wal/-shm)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith(path)
        except FileNotFoundError:  # the descriptor listdir itself used
            continue
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")
def test_close_closes_connections_of_every_thread_and_ended_threads_release_theirs(tmp_path):
    store = SqliteStore(tmp_path / "fd.db", FixedClock())
    store.migrate()
    one_thread = open_files(store.path)
    for _ in range(10):  # one after another: each new thread's connection replaces the last
        thread = threading.Thread(target=store.stats)
        thread.start()
        thread.join()
    assert open_files(store.path) <= 2 * one_thread
    store.close()
    assert open_files(store.path) == 0
