"""A running site (the app `serve` builds, over one store) while syncs bring papers in: after
each day's run the daily list, the category page, /api/health and dense search show the new
papers without a restart (the vectors are reloaded by the running app, off the request path)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from papertide.clock import FixedClock
from papertide.config import Settings
from papertide.digest.send import RecordingMailer
from papertide.index.embed import HashEmbedder
from papertide.index.static import StaticEmbedder
from papertide.index.summaries import Summariser
from papertide.sources.http import PoliteFetcher
from papertide.store.sqlite import SqliteStore
from papertide.sync.service import SyncFetchers, SyncService
from papertide.web.app import create_app
from papertide.wiring import build_web_services
from tests.integration.sync.test_sync import DAY_1, ENRICHED, serve_sources
from tests.replay_server import ReplayServer, replay_server

TITLE = "Heat-bath random walks with Markov bases"


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with replay_server() as server:
        yield server


def meaning_hit(client: TestClient, query: str, paper_id: str) -> bool:
    hits = client.get("/api/papers/search", params={"q": query}).json()
    return any(
        hit["paper"]["id"] == paper_id and any(r.startswith("meaning") for r in hit["reasons"])
        for hit in hits
    )


def test_a_running_site_shows_each_day_s_sync(server: ReplayServer, tmp_path: Path) -> None:
    serve_sources(server)
    clock = FixedClock(DAY_1)
    store = SqliteStore(tmp_path / "p.db", clock)
    store.migrate()
    settings = Settings(
        db=str(tmp_path / "p.db"),
        oai_url=f"{server.url}/oai",
        arxiv_api_url=f"{server.url}/api",
        hf_daily_url=f"{server.url}/hf",
        sync_categories="hep-ex",
        hf_mirror=True,
        secret_key="s" * 32,
        vector_refresh_s=0.2,  # the running app checks for new vectors every 0.2 s
    )
    embedder = HashEmbedder()
    client_http = httpx.Client(timeout=2.0)
    fetchers = SyncFetchers(PoliteFetcher(client_http, clock), PoliteFetcher(client_http, clock))
    summariser = Summariser(StaticEmbedder.load())
    sync = SyncService(settings, store, clock, fetchers, embedder, summariser=summariser)
    assert sync.run().error is None
    assert len(store.summary_hashes("papertide")) == store.stats().papers > 0
    services = build_web_services(
        settings, clock, store, embedder=embedder, mailer=RecordingMailer()
    )
    with TestClient(create_app(services)) as client:
        assert client.get("/api/health").json()["lastSync"] is not None
        day_2 = DAY_1 + timedelta(days=1)
        clock.current = day_2
        assert sync.run().error is None

        daily = client.get("/api/daily_papers", params={"date": day_2.date().isoformat()})
        assert [item["paper"]["id"] for item in daily.json()] == [ENRICHED]
        assert TITLE in client.get("/categories/math.CO").text
        assert client.get("/api/health").json()["newestListing"] == day_2.date().isoformat()
        deadline = time.monotonic() + 30
        while not meaning_hit(client, TITLE, ENRICHED):  # the reload runs in the background
            assert time.monotonic() < deadline, "dense search never found the new paper"
            time.sleep(0.1)
        assert f"updated {day_2:%Y-%m-%d}" in client.get("/").text
    store.close()
