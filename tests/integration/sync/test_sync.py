"""`SyncService` over real HTTP (a loopback ReplayServer replaying recorded arXiv OAI-PMH, arXiv
API and Hugging Face answers) into a real SQLite store, with a FixedClock advancing day by
day: a first sync, a day with a Daily Papers list whose paper is enriched with its arXiv
categories, a day when arXiv cannot be reached (logged as failed, retried with backoff, then
successful), and a run killed by SIGKILL part-way and run again."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from papertide.clock import FixedClock, Repeating
from papertide.config import Settings
from papertide.errors import ConflictError
from papertide.sources.files import read_bytes
from papertide.sources.http import PoliteFetcher
from papertide.store.sqlite import SqliteStore
from papertide.store.sync_base import FAILED, INTERRUPTED, OK
from papertide.sync.schedule import RETRY_BASE_S, SyncScheduler, next_sync_at
from papertide.sync.service import SyncFetchers, SyncService, oai_set
from tests.replay_server import ReplayServer, Reply, replay_server

DATA = Path(__file__).parents[2] / "data"
OAI_TOKEN = "7213447|1001"
ENRICHED = "1605.08386"
DAY_1 = datetime(2026, 3, 9, 7, tzinfo=UTC)


def xml(path: Path) -> Reply:
    return Reply(read_bytes(path), headers={"Content-Type": "text/xml"})


def hf_day_with(paper_id: str) -> bytes:
    """The recorded 2026-03-10 list cut to its first paper, given the id `paper_id`."""
    items = json.loads(gzip.decompress((DATA / "hf" / "2026-03-10.json.gz").read_bytes()))
    first = items[0]
    first["paper"]["id"] = paper_id
    return json.dumps([first]).encode()


def serve_sources(server: ReplayServer) -> None:
    server.add("/oai", xml(DATA / "oai" / "listrecords_arXiv_p2.xml"), resumptionToken=OAI_TOKEN)
    server.add("/oai", xml(DATA / "oai" / "listrecords_arXiv_p1.xml"), set="physics:hep-ex")
    server.add("/api", xml(DATA / "arxiv_api" / f"2026_id_{ENRICHED}.xml"), id_list=ENRICHED)
    server.add("/hf", Reply(hf_day_with(ENRICHED)), date="2026-03-10")
    server.add("/hf", Reply(b"[]"))


def settings_for(server: ReplayServer, db: Path) -> Settings:
    return Settings(
        db=str(db),
        oai_url=f"{server.url}/oai",
        arxiv_api_url=f"{server.url}/api",
        hf_daily_url=f"{server.url}/hf",
        sync_categories="hep-ex",
        hf_mirror=True,
        http_retries=1,
    )


def service(settings: Settings, store: SqliteStore, clock: FixedClock) -> SyncService:
    client = httpx.Client(timeout=2.0)
    fetchers = SyncFetchers(
        PoliteFetcher(client, clock, 3.0, 1), PoliteFetcher(client, clock, 1.0, 1)
    )
    return SyncService(settings, store, clock, fetchers)


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with replay_server() as server:
        yield server


def test_three_days_of_sync(server: ReplayServer, tmp_path: Path) -> None:
    serve_sources(server)
    clock = FixedClock(DAY_1)
    store = SqliteStore(tmp_path / "p.db", clock)
    store.migrate()
    settings = settings_for(server, tmp_path / "p.db")
    sync = service(settings, store, clock)

    # day 1: the whole OAI harvest (two pages), no Daily Papers yet
    first = sync.run()
    assert first.status == OK, first.error
    assert first.sources["arxiv-oai:hep-ex"]["new"] == 6
    assert store.stats().papers == 6
    oai_queries = [r.query for r in server.requests if r.path == "/oai"]
    assert oai_queries[0]["from"] == (DAY_1.date() - timedelta(days=7)).isoformat()
    assert oai_queries[1] == {"verb": "ListRecords", "resumptionToken": OAI_TOKEN}

    # day 2: the same records again (unchanged), a Daily Papers list whose paper has no
    # categories until the enrichment fetches them from the arXiv API
    clock.current = DAY_1 + timedelta(days=1)
    second = sync.run()
    assert second.status == OK, second.error
    assert second.sources["arxiv-oai:hep-ex"]["unchanged"] == 6
    assert second.sources["hf-daily"]["new"] == 1
    assert second.sources["enrich"]["updated"] == 1
    assert [listing.paper_id for listing, _ in store.listings_for(clock.current.date())] == [
        ENRICHED
    ]
    enriched = store.get_paper(ENRICHED)
    assert enriched is not None and enriched.categories == ("math.CO", "math.ST")
    assert [p.id for p in store.papers_in_category("math.CO", 10)] == [ENRICHED]
    assert store.ids_without_categories(10) == []
    from_day = [r.query.get("from") for r in server.requests if r.path == "/oai"][-2]
    assert from_day == (DAY_1.date() - timedelta(days=1)).isoformat()  # since the last success

    # day 3: arXiv is unreachable. The run is logged as failed with the reason; Hugging Face
    # still comes in; the scheduler retries after a backoff, not at once, then succeeds.
    clock.current = DAY_1 + timedelta(days=2)
    broken = replace(settings, oai_url="http://127.0.0.1:9/oai")
    scheduler = SyncScheduler(service(broken, store, clock), clock)
    failed = scheduler.run_if_due()
    assert failed is not None and failed.status == FAILED
    assert "arxiv-oai:hep-ex: 127.0.0.1: cannot connect" in (failed.error or "")
    assert failed.sources["arxiv-oai:hep-ex"]["failed"] == 1
    assert failed.sources["hf-daily"]["failed"] == 0
    assert scheduler.run_if_due() is None  # backing off
    clock.current += timedelta(seconds=RETRY_BASE_S)
    retried = SyncScheduler(sync, clock).run_if_due()
    assert retried is not None and retried.status == OK
    assert [run.status for run in store.sync_runs()] == [OK, FAILED, OK, OK]
    assert store.stats().papers == 7


def test_schedule_daily_at_the_hour_and_backoff_doubles() -> None:
    store = SqliteStore(":memory:", FixedClock(DAY_1))
    store.migrate()
    run = store.start_sync_run(DAY_1)
    store.finish_sync_run(run, DAY_1, OK, {}, None)
    runs = store.sync_runs()
    assert next_sync_at(runs, DAY_1, 0, 6) == DAY_1.replace(day=10, hour=6, minute=0)
    assert next_sync_at(runs, DAY_1, 3600, 6) == DAY_1 + timedelta(hours=1)
    for n in range(2):
        failed = store.start_sync_run(DAY_1 + timedelta(days=1, hours=n))
        store.finish_sync_run(failed, DAY_1 + timedelta(days=1, hours=n), FAILED, {}, "x")
    due = next_sync_at(store.sync_runs(), DAY_1, 0, 6)
    assert due == DAY_1 + timedelta(days=1, hours=1, seconds=2 * RETRY_BASE_S)


def test_one_runner_at_a_time(server: ReplayServer, tmp_path: Path) -> None:
    serve_sources(server)
    clock = FixedClock(DAY_1)
    store = SqliteStore(tmp_path / "p.db", clock)
    store.migrate()
    sync = service(settings_for(server, tmp_path / "p.db"), store, clock)
    with store.run_lock("sync"):
        with pytest.raises(ConflictError):
            sync.run()
        assert SyncScheduler(sync, clock).run_if_due() is None
    assert store.sync_runs() == []


OAI_SETS = [
    ("cs", "cs"),
    ("cs.CL", "cs:cs:CL"),
    ("hep-th", "physics:hep-th"),
    ("astro-ph.GA", "physics:astro-ph:GA"),
]


@pytest.mark.parametrize(("category", "spec"), OAI_SETS)
def test_oai_sets(category: str, spec: str) -> None:
    assert oai_set(category) == spec


KILLED_RUN = """
import sys
from papertide.config import load_settings
from papertide.wiring import build_store, build_sync
settings = load_settings({"PAPERTIDE_DB": sys.argv[1], "PAPERTIDE_OAI_URL": sys.argv[2],
    "PAPERTIDE_SYNC_CATEGORIES": "hep-ex", "PAPERTIDE_SYNC_SOURCES": "oai",
    "PAPERTIDE_ARXIV_DELAY_S": "0"})
build_sync(settings, build_store(settings)).run()
"""


def test_a_killed_run_is_logged_and_the_next_one_goes_on(
    server: ReplayServer, tmp_path: Path
) -> None:
    # the second page never comes: the run is killed while it waits for it
    server.add("/oai", Reply(b"", delay_s=30), resumptionToken=OAI_TOKEN)
    server.add("/oai", xml(DATA / "oai" / "listrecords_arXiv_p1.xml"), set="physics:hep-ex")
    db = tmp_path / "p.db"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[3])}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, str(db), f"{server.url}/oai"], env=env
    )
    try:
        deadline = time.monotonic() + 60
        while not any("resumptionToken" in r.query for r in server.requests):
            assert child.poll() is None, f"the run ended early ({child.returncode})"
            assert time.monotonic() < deadline, "the run never asked for page 2"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    clock = FixedClock(datetime.now(UTC))  # the killed run's day: the same harvest
    store = SqliteStore(db, clock)
    assert store.stats().papers == 3  # page 1 was committed with its resumption token
    server.routes.clear()
    server.requests.clear()
    serve_sources(server)
    settings = replace(settings_for(server, db), hf_mirror=False, sync_sources="oai")
    again = service(settings, store, clock).run()
    assert again.status == OK
    assert [r.query for r in server.requests] == [
        {"verb": "ListRecords", "resumptionToken": OAI_TOKEN}
    ]
    assert again.sources["arxiv-oai:hep-ex"]["new"] == 3
    assert store.stats().papers == 6
    runs = store.sync_runs()
    assert [run.status for run in runs] == [OK, INTERRUPTED]
    assert "process ended" in (runs[1].error or "")


def test_a_scheduler_outlives_a_tick_that_raises() -> None:
    ticks: list[int] = []

    def tick() -> None:
        ticks.append(len(ticks))
        if len(ticks) == 1:
            raise RuntimeError("a bug")

    repeating = Repeating(tick, 0.01, "test-ticks")
    repeating.start()
    deadline = time.monotonic() + 10
    while len(ticks) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    repeating.stop()
    assert len(ticks) >= 3
