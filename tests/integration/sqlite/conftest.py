"""A real SQLite store in a temporary directory, migrated."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from papertide.clock import FixedClock
from papertide.store.sqlite import SqliteStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "t.db", FixedClock())
    opened.migrate()
    yield opened
    opened.close()
