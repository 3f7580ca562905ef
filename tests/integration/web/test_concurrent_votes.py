"""100 voters at the same moment against a real `papertide serve` with 2 workers: every vote
counts once, replayed votes count once, and 100 un-votes at once bring the count back exactly
("lose no vote and double none"). Accounts and API tokens are made beforehand in the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from papertide.clock import SystemClock
from papertide.config import Settings
from papertide.index.lexical import sync_index
from papertide.index.refresh import open_lexical
from papertide.store.sqlite import SqliteStore
from tests.e2e.serve_process import ServeProcess, serving
from tests.integration.web.conftest import records
from tests.integration.web.voters import assert_votes_count_once, count_votes, make_voters


@pytest.fixture
def voters_db(tmp_path: Path) -> tuple[Path, list[tuple[int, str]]]:
    """A store with the web fixtures and VOTERS accounts; (user id, API token) of each."""
    db = tmp_path / "votes.db"
    store = SqliteStore(db, SystemClock())
    store.migrate()
    store.write_batch(records(), [])
    sync_index(open_lexical(Settings(db=str(db)), store), store)  # as `papertide index` does
    voters = make_voters(store)
    store.close()
    return db, voters


@pytest.fixture
def server(voters_db: tuple[Path, list[tuple[int, str]]], tmp_path: Path) -> Iterator[ServeProcess]:
    with serving(voters_db[0], tmp_path / "serve.log", workers=2) as served:
        yield served


def test_concurrent_votes_lose_none_and_double_none(
    server: ServeProcess, voters_db: tuple[Path, list[tuple[int, str]]]
):
    db, voters = voters_db

    def count(user_ids: list[int]) -> tuple[int, int]:
        store = SqliteStore(db, SystemClock())
        try:
            return count_votes(store, user_ids)
        finally:
            store.close()

    assert_votes_count_once([server.url], voters, count)
    log = server.log_text()
    assert "Traceback" not in log, log[log.find("Traceback") - 500 :]
