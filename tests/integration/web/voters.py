"""100 voters at the same moment against real `papertide serve` processes, on either engine:
accounts and API tokens made beforehand in the store, every vote sent at once (some twice),
then the count read back from the store. Shared by the SQLite and PostgreSQL serve tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import httpx
from argon2 import PasswordHasher

from papertide.clock import SystemClock
from papertide.community.accounts import AccountService
from papertide.store.base import Store
from tests.integration.web.conftest import PLAIN_ID
from tests.threads import run_threads

VOTERS = 100
REPLAY_EVERY = 4  # every 4th voter sends the same vote twice, at the same moment
IMPORTED = 10  # PLAIN_ID's imported Daily Papers upvotes (conftest.records)
TIMEOUT_S = 60.0

# (the paper's upvotes, how many of these users have voted for it), read from the store
VoteCounter = Callable[[list[int]], tuple[int, int]]


def make_voters(store: Store, count: int = VOTERS, prefix: str = "voter") -> list[tuple[int, str]]:
    """`count` accounts made in the store; (user id, API token) of each."""
    accounts = AccountService(store, SystemClock())
    password_hash = PasswordHasher().hash("one password for every voter")
    voters = []
    for n in range(count):
        user = store.create_user(f"{prefix}{n:03d}", None, password_hash)
        voters.append((user.id, accounts.create_api_token(user, "votes test")))
    return voters


def count_votes(store: Store, user_ids: list[int]) -> tuple[int, int]:
    """(PLAIN_ID's upvotes, how many of the users have voted for it)."""
    total = store.upvotes([PLAIN_ID])[PLAIN_ID]
    voted = sum(PLAIN_ID in store.voted(user_id, [PLAIN_ID]) for user_id in user_ids)
    return total, voted


def vote_all(urls: Sequence[str], tokens: list[str], up: bool) -> list[httpx.Response]:
    """Every token votes at once (the replayers twice), the n-th sender through server
    urls[n % len(urls)], so a replayed vote may reach another server; the answers."""
    senders = tokens + tokens[::REPLAY_EVERY]
    answers: list[httpx.Response] = []

    def send(n: int) -> None:
        headers = {"Authorization": f"Bearer {senders[n]}"}
        path = f"{urls[n % len(urls)]}/api/papers/{PLAIN_ID}/vote"
        answers.append(httpx.post(path, json={"up": up}, headers=headers, timeout=TIMEOUT_S))

    errors = run_threads(len(senders), send)
    assert errors == []
    return answers


def assert_votes_count_once(
    urls: Sequence[str], voters: list[tuple[int, str]], count: VoteCounter
) -> None:
    """Everyone upvotes PLAIN_ID at once: +len(voters), no more, no less, and every server
    says so; then everyone takes the vote back at once: the count is back where it was."""
    user_ids, tokens = [v[0] for v in voters], [v[1] for v in voters]
    assert count(user_ids) == (IMPORTED, 0)

    answers = vote_all(urls, tokens, up=True)
    assert [a.status_code for a in answers] == [200] * len(answers), answers[0].text
    seen = [a.json()["upvotes"] for a in answers]
    assert all(a.json()["voted"] for a in answers)
    assert min(seen) > IMPORTED and max(seen) == IMPORTED + len(voters)
    assert count(user_ids) == (IMPORTED + len(voters), len(voters))
    for url in urls:
        page = httpx.get(f"{url}/api/papers/{PLAIN_ID}", timeout=TIMEOUT_S).json()
        assert page["upvotes"] == IMPORTED + len(voters), url

    answers = vote_all(urls, tokens, up=False)
    assert [a.status_code for a in answers] == [200] * len(answers), answers[0].text
    assert not any(a.json()["voted"] for a in answers)
    assert min(a.json()["upvotes"] for a in answers) == IMPORTED
    assert count(user_ids) == (IMPORTED, 0)
