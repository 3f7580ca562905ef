"""Page slots (web/page_slots.py): an app builds at most `page_slots` GET pages at once, the
others wait their turn; the JSON API, and pages with page_slots 0, are not held back."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from papertide.clock import FixedClock
from papertide.errors import InputError
from papertide.rank.listings import DailyDay, ListingsService
from papertide.store.sqlite import SqliteStore
from papertide.web.app import create_app
from papertide.web.services import WebServices
from tests.integration.web.conftest import NOW, records, site_services
from tests.threads import run_threads

REQUESTS = 6
HELD_S = 0.2  # how long each request's listings read takes: long enough for all to overlap


class SlowDaily:
    """The listings service, whose daily() takes HELD_S and counts the calls inside it."""

    def __init__(self, listings: ListingsService) -> None:
        self.listings = listings
        self.lock = threading.Lock()
        self.inside = 0
        self.most = 0

    def daily(self, asked: date | None = None) -> DailyDay:
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        time.sleep(HELD_S)
        with self.lock:
            self.inside -= 1
        return self.listings.daily(asked)

    def __getattr__(self, name: str) -> object:
        return getattr(self.listings, name)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path / "web.db", FixedClock(NOW))
    store.migrate()
    store.write_batch(records(), [])
    yield store
    store.close()


def slow_site(store: SqliteStore, slots: int) -> tuple[WebServices, SlowDaily]:
    services = site_services(store, FixedClock(NOW), page_slots=slots)
    slow = SlowDaily(services.listings)
    return replace(services, listings=slow), slow  # type: ignore[arg-type]


def most_at_once(services: WebServices, slow: SlowDaily, path: str) -> int:
    """The most requests inside daily() at once when REQUESTS ask for `path` together."""
    codes: list[int] = []
    with TestClient(create_app(services)) as client:

        def ask(_: int) -> None:
            codes.append(client.get(path).status_code)

        assert run_threads(REQUESTS, ask) == []
    assert codes == [200] * REQUESTS
    return slow.most


@pytest.mark.parametrize("slots", [1, 2])
def test_pages_are_built_at_most_page_slots_at_once(store: SqliteStore, slots: int):
    services, slow = slow_site(store, slots)
    started = time.monotonic()
    assert most_at_once(services, slow, "/") == slots
    assert time.monotonic() - started >= HELD_S * REQUESTS / slots  # they waited their turn


def test_the_api_is_not_held_to_the_page_slots(store: SqliteStore):
    services, slow = slow_site(store, 1)
    assert most_at_once(services, slow, "/api/daily_papers") > 1


def test_page_slots_0_holds_no_page_back(store: SqliteStore):
    services, slow = slow_site(store, 0)
    assert most_at_once(services, slow, "/") > 2


def test_page_slots_below_0_are_refused(store: SqliteStore):
    services, _ = slow_site(store, 1)
    settings = replace(services.settings, page_slots=-1)
    with pytest.raises(InputError, match=r"page_slots must be 0 \(no limit\) or more, not -1"):
        create_app(replace(services, settings=settings))
