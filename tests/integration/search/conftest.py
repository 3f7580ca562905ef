"""A real SQLite store and a tantivy lexical index beside it."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from papertide.clock import FixedClock
from papertide.index.tantivy_lexical import TantivyLexicalIndex
from papertide.store.sqlite import SqliteStore


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "t.db", clock)
    opened.migrate()
    yield opened
    opened.close()


@pytest.fixture
def index(tmp_path: Path, store: SqliteStore) -> TantivyLexicalIndex:
    return TantivyLexicalIndex(tmp_path / "t.lexical", store)
