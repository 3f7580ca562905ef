"""Community services over a real, migrated SQLite store with a FixedClock; argon2 with cheap
parameters so tests stay fast; arXiv replaced by a fetcher that serves prepared papers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from papertide.clock import FixedClock
from papertide.community.accounts import AccountService
from papertide.community.actions import CommunityService
from papertide.community.admin import AdminService
from papertide.community.submissions import Submission
from papertide.models import Paper, Record, User
from papertide.store.sqlite import SqliteStore

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def fast_hasher(time_cost: int = 1) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=1024, parallelism=1)


def make_paper(pid: str, **fields: object) -> Paper:
    base: dict[str, object] = {
        "id": pid,
        "title": f"Paper {pid}",
        "abstract": "About sparse attention.",
        "authors": ("Ada Lovelace",),
        "categories": ("cs.LG",),
    }
    return Paper(**{**base, **fields})  # type: ignore[arg-type]


@dataclass
class StoredPapersFetcher:
    """Stands in for the arXiv API: returns the prepared papers asked for; records each call."""

    papers: dict[str, Paper] = field(default_factory=dict)
    calls: list[list[str]] = field(default_factory=list)

    def __call__(self, ids: list[str]) -> list[Paper]:
        self.calls.append(list(ids))
        return [self.papers[pid] for pid in ids if pid in self.papers]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "community.db", clock)
    opened.migrate()
    yield opened
    opened.close()


@pytest.fixture
def accounts(store: SqliteStore, clock: FixedClock) -> AccountService:
    return AccountService(store, clock, fast_hasher())


@pytest.fixture
def admin_service(store: SqliteStore, clock: FixedClock, accounts: AccountService) -> AdminService:
    return AdminService(store, clock, accounts)


@pytest.fixture
def fetcher() -> StoredPapersFetcher:
    return StoredPapersFetcher()


@pytest.fixture
def community(
    store: SqliteStore, clock: FixedClock, fetcher: StoredPapersFetcher
) -> CommunityService:
    return CommunityService(store, clock, fetcher)


def store_papers(store: SqliteStore, ids: Sequence[str]) -> None:
    store.write_batch([Record(make_paper(pid)) for pid in ids], [])


@pytest.fixture
def people(accounts: AccountService) -> tuple[User, User, User]:
    """An admin (the first user) and two members."""
    return (
        accounts.sign_up("admin", "correct horse"),
        accounts.sign_up("ada", "correct horse", "ada@example.org"),
        accounts.sign_up("bob", "correct horse"),
    )


def finished(community: CommunityService, user: User, text: str) -> Submission:
    """Submit `text` and wait for its job: the submission's end state."""
    job = community.submit(user, text)
    assert isinstance(job, Submission), job  # the paper was not stored: a job fetches it
    running = community.submissions.running(user, job.paper_id)
    if running is not None:
        running.result(timeout=30)
    state = community.submission(user, job.paper_id)
    assert state is not None and state.done, state
    return state
