"""100 voters at the same moment against a real `papertide serve` with 2 workers: every vote
counts once, replayed votes count once, and 100 un-votes at once bring the count back exactly
("lose no vote and double none"). Accounts and API tokens are made beforehand in the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from papertide.clock import SystemClock
from papertide.community.accounts import AccountService
from papertide.config import Settings
from papertide.index.lexical import sync_index
from papertide.store.sqlite import SqliteStore
from papertide.wiring import build_lexical
from tests.e2e.serve_process import ServeProcess, serving
from tests.integration.web.conftest import PLAIN_ID, records
from tests.threads import run_threads

VOTERS = 100
REPLAY_EVERY = 4  # every 4th voter sends the same vote twice, at the same moment
IMPORTED = 10  # PLAIN_ID's imported Daily Papers upvotes (conftest.records)
TIMEOUT_S = 60.0


@pytest.fixture
def voters_db(tmp_path: Path) -> tuple[Path, list[tuple[int, str]]]:
    """A store with the web fixtures and VOTERS accounts; (user id, API token) of each."""
    db = tmp_path / "votes.db"
    store = SqliteStore(db, SystemClock())
    store.migrate()
    store.write_batch(records(), [])
    sync_index(build_lexical(Settings(db=str(db)), store), store)  # as `papertide index` does
    accounts = AccountService(store, SystemClock())
    password_hash = PasswordHasher().hash("one password for every voter")
    voters = []
    for n in range(VOTERS):
        user = store.create_user(f"voter{n:03d}", None, password_hash)
        voters.append((user.id, accounts.create_api_token(user, "votes test")))
    store.close()
    return db, voters


@pytest.fixture
def server(voters_db: tuple[Path, list[tuple[int, str]]], tmp_path: Path) -> Iterator[ServeProcess]:
    with serving(voters_db[0], tmp_path / "serve.log", workers=2) as served:
        yield served


def vote_all(url: str, tokens: list[str], up: bool) -> list[httpx.Response]:
    """Every token votes at once (the replayers twice); the answers."""
    senders = tokens + tokens[::REPLAY_EVERY]
    answers: list[httpx.Response] = []

    def send(n: int) -> None:
        headers = {"Authorization": f"Bearer {senders[n]}"}
        path = f"{url}/api/papers/{PLAIN_ID}/vote"
        answers.append(httpx.post(path, json={"up": up}, headers=headers, timeout=TIMEOUT_S))

    errors = run_threads(len(senders), send)
    assert errors == []
    return answers


def count_in_store(db: Path, user_ids: list[int]) -> tuple[int, int]:
    """(the paper's upvotes, how many of the users have voted for it)."""
    store = SqliteStore(db, SystemClock())
    try:
        total = store.upvotes([PLAIN_ID])[PLAIN_ID]
        voted = sum(PLAIN_ID in store.voted(user_id, [PLAIN_ID]) for user_id in user_ids)
        return total, voted
    finally:
        store.close()


def test_concurrent_votes_lose_none_and_double_none(
    server: ServeProcess, voters_db: tuple[Path, list[tuple[int, str]]]
):
    db, voters = voters_db
    user_ids, tokens = [v[0] for v in voters], [v[1] for v in voters]
    assert count_in_store(db, user_ids) == (IMPORTED, 0)

    answers = vote_all(server.url, tokens, up=True)
    assert [a.status_code for a in answers] == [200] * len(answers), answers[0].text
    seen = [a.json()["upvotes"] for a in answers]
    assert all(a.json()["voted"] for a in answers)
    assert min(seen) > IMPORTED and max(seen) == IMPORTED + VOTERS
    assert count_in_store(db, user_ids) == (IMPORTED + VOTERS, VOTERS)
    page = httpx.get(f"{server.url}/api/papers/{PLAIN_ID}", timeout=TIMEOUT_S).json()
    assert page["upvotes"] == IMPORTED + VOTERS

    answers = vote_all(server.url, tokens, up=False)
    assert [a.status_code for a in answers] == [200] * len(answers), answers[0].text
    assert not any(a.json()["voted"] for a in answers)
    assert min(a.json()["upvotes"] for a in answers) == IMPORTED
    assert count_in_store(db, user_ids) == (IMPORTED, 0)
    log = server.log_text()
    assert "Traceback" not in log, log[log.find("Traceback") - 500 :]
