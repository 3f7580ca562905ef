"""The `store` fixture: a fresh, empty, migrated store of each engine per test, on `clock`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from papertide.clock import FixedClock
from papertide.store.postgres import PostgresStore
from papertide.store.sqlite import SqliteStore

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def another(store: SqliteStore | PostgresStore, clock: FixedClock) -> SqliteStore | PostgresStore:
    """A second store on the same database: another process would see the same."""
    if isinstance(store, SqliteStore):
        return SqliteStore(store.path, clock)
    return PostgresStore(store.url, clock)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> Iterator[SqliteStore | PostgresStore]:
    opened: SqliteStore | PostgresStore
    if request.param == "sqlite":
        opened = SqliteStore(tmp_path / "t.db", clock)
        opened.migrate()
    else:
        opened = PostgresStore(request.getfixturevalue("pg_url"), clock)
    yield opened
    opened.close()
