"""A small real store for the agent tools: the 50 golden papers, two days of listings around
today (so trending's window holds them), and the search indexes built beside it."""

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from papertide.clock import FixedClock
from papertide.config import Settings
from papertide.index.refresh import refresh_indexes
from papertide.models import Listing, Record
from papertide.sources.tabular import JsonlSource
from papertide.store.base import Store
from papertide.wiring import build_embedder, build_store

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "golden" / "papers.jsonl"
TODAY = datetime.now(UTC).date()
LATEST_DAY = TODAY - timedelta(days=1)
EARLIER_DAY = TODAY - timedelta(days=3)
# (paper id, upvotes, comments) in page order
LATEST_LIST = [
    ("2507.00105", 40, 4),  # Graph Neural Networks in Wind Power Forecasting
    ("2505.22618", 25, 2),  # Fast-dLLM (cs.CL)
    ("2503.14487", 10, 0),  # DiffMoE (cs.CV, 13 authors)
    ("2506.01322", 3, 1),
    ("2506.07338", 0, 0),
]
EARLIER_LIST = [("2601.22777", 12, 1), ("2506.10633", 5, 0), ("2507.00105", 2, 0)]


def listing_records(store: Store, day: date, rows: list[tuple[str, int, int]]) -> list[Record]:
    papers = store.get_papers([paper_id for paper_id, _, _ in rows])
    return [
        Record(papers[paper_id], Listing(day, paper_id, position, upvotes=up, num_comments=com))
        for position, (paper_id, up, com) in enumerate(rows)
    ]


@pytest.fixture(scope="package")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: the store file and its index folders in one directory."""
    folder = tmp_path_factory.mktemp("agents")
    settings = Settings(db=str(folder / "agents.db"))
    store = build_store(settings)
    try:
        store.write_batch([r for r in JsonlSource(GOLDEN).records() if isinstance(r, Record)], [])
        store.write_batch(
            listing_records(store, LATEST_DAY, LATEST_LIST)
            + listing_records(store, EARLIER_DAY, EARLIER_LIST),
            [],
        )
        embedder = build_embedder()
        refresh_indexes(settings, store, embedder, sentences=embedder)
    finally:
        store.close()
    return folder


@pytest.fixture
def agent_db(built_store: Path, tmp_path: Path) -> Path:
    """A private copy of the built store (tests may vote or list papers in it)."""
    folder = tmp_path / "store"
    shutil.copytree(built_store, folder)
    return folder / "agents.db"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.combine(TODAY, time(12), tzinfo=UTC))


@pytest.fixture
def store(agent_db: Path, clock: FixedClock) -> Iterator[Store]:
    opened = build_store(Settings(db=str(agent_db)), clock)
    yield opened
    opened.close()
