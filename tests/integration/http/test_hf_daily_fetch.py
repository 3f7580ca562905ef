"""HfDailyApiSource against a real loopback HTTP server replaying recorded API responses."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from papertide.clock import FixedClock
from papertide.errors import SourceUnavailableError
from papertide.ingest import ingest
from papertide.models import Record, Rejected
from papertide.sources.hf_daily import HfDailyApiSource
from papertide.sources.http import PoliteFetcher
from papertide.store.sqlite import SqliteStore
from tests.replay_server import Reply, replay_server

DATA = Path(__file__).resolve().parents[2] / "data" / "hf"
PATH = "/api/daily_papers"


def sample(day: str) -> bytes:
    return gzip.decompress((DATA / f"{day}.json.gz").read_bytes())


def sample_ids(day: str) -> list[str]:
    return [item["paper"]["id"] for item in json.loads(sample(day))]


@pytest.fixture
def fetcher(clock: FixedClock) -> Iterator[PoliteFetcher]:
    with httpx.Client(timeout=5.0) as client:
        yield PoliteFetcher(client, clock, min_interval_s=3.0, retries=2)


def test_api_source_fetches_days_politely_and_retries_after_503(fetcher, clock):
    with replay_server() as server:
        server.add(PATH, Reply(sample("2025-06-18")), date="2025-06-18")
        server.add(
            PATH,
            Reply(b"busy", status=503, headers={"Retry-After": "7"}),
            Reply(sample("2026-03-10")),
            date="2026-03-10",
        )
        server.add(PATH, Reply(b"[]"), date="2025-02-01")
        days = [date(2025, 6, 18), date(2026, 3, 10), date(2025, 2, 1)]
        source = HfDailyApiSource(fetcher, base_url=server.url + PATH, days=days)
        results = list(source.records())
    assert all(isinstance(r, Record) for r in results)
    records = [r for r in results if isinstance(r, Record) and r.listing]
    assert [r.paper.id for r in records] == sample_ids("2025-06-18") + sample_ids("2026-03-10")
    assert [r.listing.day for r in records if r.listing] == [date(2025, 6, 18)] * 23 + [
        date(2026, 3, 10)
    ] * 28
    # 3 s between calls; the Retry-After wait already covers the gap before the retry
    assert clock.sleeps == [3.0, 7.0, 3.0]
    assert [(r.path, r.query) for r in server.requests] == [
        (PATH, {"date": d, "limit": "100", "p": "0"})
        for d in ("2025-06-18", "2026-03-10", "2026-03-10", "2025-02-01")
    ]


def test_api_source_pages_through_a_busy_day(fetcher):
    items = json.loads(sample("2025-06-18"))
    with replay_server() as server:
        for page in range(3):
            body = json.dumps(items[page * 10 : page * 10 + 10]).encode()
            server.add(PATH, Reply(body), date="2025-06-18", p=str(page))
        source = HfDailyApiSource(
            fetcher, base_url=server.url + PATH, days=[date(2025, 6, 18)], page_limit=10
        )
        records = [r for r in source.records() if isinstance(r, Record) and r.listing]
    assert [r.paper.id for r in records] == sample_ids("2025-06-18")
    assert [r.listing.position for r in records if r.listing] == list(range(23))
    assert [r.query["p"] for r in server.requests] == ["0", "1", "2"]


def test_api_source_stops_when_the_server_ignores_the_page(fetcher):
    first_page = json.dumps(json.loads(sample("2025-06-18"))[:10]).encode()
    with replay_server() as server:
        server.add(PATH, Reply(first_page), date="2025-06-18")
        source = HfDailyApiSource(
            fetcher, base_url=server.url + PATH, days=[date(2025, 6, 18)], page_limit=10
        )
        records = list(source.records())
    assert len(records) == 10
    assert len(server.requests) == 2


def test_api_source_quarantines_a_page_that_is_not_json(fetcher):
    with replay_server() as server:
        server.add(PATH, Reply(b"<html>Bad gateway</html>"), date="2025-06-18")
        source = HfDailyApiSource(fetcher, base_url=server.url + PATH, days=[date(2025, 6, 18)])
        [result] = list(source.records())
    assert isinstance(result, Rejected)
    assert result.source == "hf-daily:api/2025-06-18"
    assert result.raw == "<html>Bad gateway</html>"
    assert result.reason.startswith("not JSON: ")


def test_api_source_unreachable_host_raises_source_unavailable(fetcher, clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}{PATH}"
    source = HfDailyApiSource(fetcher, base_url=url, days=[date(2025, 6, 18)])
    with pytest.raises(SourceUnavailableError, match=r"127\.0\.0\.1: cannot connect"):
        list(source.records())
    # backoff 2 s (topped up to the 3 s gap), then 4 s, then it gives up
    assert clock.sleeps == [2.0, 1.0, 4.0]


def test_ingest_keeps_days_fetched_before_the_host_failed(fetcher, tmp_path):
    store = SqliteStore(tmp_path / "t.db", FixedClock())
    store.migrate()
    with replay_server() as server:
        server.add(PATH, Reply(sample("2026-08-21")), date="2026-08-21")
        server.add(PATH, Reply(b"down", status=500), date="2026-08-22")
        days = [date(2026, 8, 21), date(2026, 8, 22)]
        result = ingest(store, HfDailyApiSource(fetcher, base_url=server.url + PATH, days=days))
    assert isinstance(result.error, SourceUnavailableError)
    assert (result.counts.new, result.counts.listings_new) == (17, 17)
    assert len(store.listings_for(date(2026, 8, 21))) == 17
    store.close()
