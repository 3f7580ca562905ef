"""OaiSource over real HTTP: a loopback ReplayServer serves OAI-PMH pages; one run goes through
ingest() into a real SQLite store. Time is a FixedClock (waits recorded in `clock.sleeps`).
"""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

import httpx
import pytest

from papertide.clock import FixedClock
from papertide.errors import InputError, SourceUnavailableError
from papertide.ingest import ingest
from papertide.models import Checkpoint, IngestCounts, ParseResult, Record, Rejected
from papertide.sources.files import read_bytes
from papertide.sources.http import PoliteFetcher
from papertide.sources.oai import MALFORMED_PAGE_BACKOFF_S, OaiSource
from papertide.store.sqlite import SqliteStore
from tests.replay_server import ReplayServer, Reply

DATA = Path(__file__).parents[2] / "data" / "oai"
PATH = "/oai"
RAW_TOKEN = "6960524|1001"
ARXIV_TOKEN = "7213447|1001"
RAW_IDS_P1 = ["0901.2279", "math/0510544", "1001.0909"]
RAW_IDS_P2 = ["hep-th/9901002", "0901.3666"]


def page(name: str) -> Reply:
    return Reply(read_bytes(DATA / name), headers={"Content-Type": "text/xml"})


def serve_raw_harvest(server: ReplayServer) -> None:
    server.add(PATH, page("listrecords_arXivRaw_p2.xml"), resumptionToken=RAW_TOKEN)
    server.add(PATH, page("listrecords_arXivRaw_p1.xml"), metadataPrefix="arXivRaw")


def source_for(
    server: ReplayServer, client: httpx.Client, clock: FixedClock, **options: object
) -> OaiSource:
    fetcher = PoliteFetcher(client, clock)
    return OaiSource(fetcher, base_url=server.url + PATH, **options)  # type: ignore[arg-type]


def ids_of(results: list[ParseResult]) -> list[str]:
    return [r.paper.id for r in results if isinstance(r, Record)]


def test_oai_follows_resumption_tokens_in_order(server, client, clock) -> None:
    serve_raw_harvest(server)
    source = source_for(
        server, client, clock, prefix="arXivRaw", date_from=date(2011, 1, 1), date_until=None
    )

    results = list(source.records())

    key = source.checkpoint_key
    assert [r.paper.id if isinstance(r, Record) else r for r in results] == [
        *RAW_IDS_P1,
        Checkpoint(key, RAW_TOKEN),
        *RAW_IDS_P2,
        Checkpoint(key, None),
    ]
    assert [r.query for r in server.requests] == [
        {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "from": "2011-01-01"},
        {"verb": "ListRecords", "resumptionToken": RAW_TOKEN},
    ]


def test_oai_sends_set_and_dates_with_the_arxiv_prefix(server, client, clock) -> None:
    server.add(PATH, page("listrecords_arXiv_p2.xml"), resumptionToken=ARXIV_TOKEN)
    server.add(PATH, page("listrecords_arXiv_p1.xml"), set="physics:hep-ex")
    source = source_for(
        server,
        client,
        clock,
        set_spec="physics:hep-ex",
        date_from=date(2017, 12, 14),
        date_until=date(2017, 12, 31),
    )

    results = list(source.records())

    assert ids_of(results) == [
        "1706.05371",
        "1706.09418",
        "1707.00874",
        "1412.8323",
        "1507.07790",
        "1607.01710",
    ]
    assert server.requests[0].query == {
        "verb": "ListRecords",
        "metadataPrefix": "arXiv",
        "set": "physics:hep-ex",
        "from": "2017-12-14",
        "until": "2017-12-31",
    }


def test_oai_waits_3s_between_pages(server, client, clock) -> None:
    serve_raw_harvest(server)

    list(source_for(server, client, clock, prefix="arXivRaw").records())

    assert clock.sleeps == [3.0]


def test_oai_waits_as_long_as_retry_after_says(server, client, clock) -> None:
    busy = Reply(b"Retry later", 503, {"Retry-After": "7"})
    server.add(PATH, busy, page("listrecords_arXiv_hep-ex.xml"))

    results = list(source_for(server, client, clock).records())

    assert ids_of(results) == ["1706.05371", "1706.09418", "1707.00874"]
    assert clock.sleeps == [7.0]
    assert len(server.requests) == 2


def test_oai_retries_after_a_server_error_and_a_timeout(server, clock) -> None:
    slow = Reply(read_bytes(DATA / "listrecords_arXiv_hep-ex.xml"), delay_s=0.5)
    server.add(PATH, Reply(b"oops", 500), slow, page("listrecords_arXiv_hep-ex.xml"))

    with httpx.Client(timeout=0.2) as client:
        results = list(source_for(server, client, clock).records())

    assert len(ids_of(results)) == 3
    assert len(server.requests) == 3


def test_oai_resume_requests_only_the_remaining_pages(server, client, clock) -> None:
    serve_raw_harvest(server)
    first = source_for(server, client, clock, prefix="arXivRaw")
    seen = []
    for item in first.records():  # a consumer that stops at the first checkpoint
        seen.append(item)
        if isinstance(item, Checkpoint):
            break
    assert ids_of(seen) == RAW_IDS_P1
    saved = seen[-1]
    assert isinstance(saved, Checkpoint) and saved.value == RAW_TOKEN
    server.requests.clear()

    resumed = source_for(server, client, clock, prefix="arXivRaw", resume_token=saved.value)
    results = list(resumed.records())

    assert resumed.checkpoint_key == first.checkpoint_key == saved.key
    assert ids_of(results) == RAW_IDS_P2
    assert [r.query for r in server.requests] == [
        {"verb": "ListRecords", "resumptionToken": RAW_TOKEN}
    ]


def test_oai_no_records_match_ends_the_harvest(server, client, clock) -> None:
    server.add(PATH, page("error_noRecordsMatch.xml"))
    source = source_for(server, client, clock, date_from=date(2030, 1, 1))

    assert list(source.records()) == [Checkpoint(source.checkpoint_key, None)]


def test_oai_expired_token_raises_input_error(server, client, clock) -> None:
    server.add(PATH, page("error_badResumptionToken.xml"))
    source = source_for(server, client, clock, resume_token="6960524|9999")

    with pytest.raises(InputError, match="badResumptionToken"):
        list(source.records())


def test_oai_refuses_bad_options_before_any_request(server, client, clock) -> None:
    with pytest.raises(InputError, match="oai_dc"):
        source_for(server, client, clock, prefix="oai_dc")
    with pytest.raises(InputError, match="start date 2025-02-01 is after end date 2025-01-01"):
        source_for(server, client, clock, date_from=date(2025, 2, 1), date_until=date(2025, 1, 1))

    assert server.requests == []


def test_oai_asks_again_for_an_unreadable_page(server, client, clock) -> None:
    truncated = Reply(read_bytes(DATA / "listrecords_arXiv_hep-ex.xml")[:3000])
    server.add(PATH, truncated, page("listrecords_arXiv_hep-ex.xml"))

    results = list(source_for(server, client, clock).records())

    assert len(ids_of(results)) == 3
    assert MALFORMED_PAGE_BACKOFF_S in clock.sleeps


def test_oai_quarantines_a_page_that_stays_unreadable(server, client, clock) -> None:
    server.add(PATH, Reply(b"<OAI-PMH><ListRecords><record>"))
    seen: list[ParseResult] = []

    with pytest.raises(SourceUnavailableError, match="unreadable answer"):
        seen.extend(source_for(server, client, clock).records())

    (rejected,) = seen
    assert isinstance(rejected, Rejected) and rejected.raw == "<OAI-PMH><ListRecords><record>"
    assert len(server.requests) == 4


def test_oai_stops_when_a_token_repeats(server, client, clock) -> None:
    server.add(PATH, page("listrecords_arXivRaw_p1.xml"))
    source = source_for(server, client, clock, prefix="arXivRaw")

    with pytest.raises(SourceUnavailableError, match="repeats"):
        list(source.records())


def test_oai_reports_an_unreachable_host(client, clock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = OaiSource(PoliteFetcher(client, clock), base_url=f"http://127.0.0.1:{port}/oai")

    with pytest.raises(SourceUnavailableError, match="cannot connect"):
        list(source.records())


def test_ingest_oai_harvest_twice_changes_nothing(server, client, clock, tmp_path) -> None:
    serve_raw_harvest(server)
    store = SqliteStore(tmp_path / "t.db", FixedClock())
    store.migrate()
    source = source_for(server, client, clock, prefix="arXivRaw")

    first = ingest(store, source)
    stats = store.stats()
    again = ingest(store, source_for(server, client, clock, prefix="arXivRaw"))

    assert (first.error, first.counts) == (None, IngestCounts(new=5))
    assert (again.error, again.counts) == (None, IngestCounts(unchanged=5))
    assert store.stats() == stats
    assert (stats.papers, stats.versions) == (5, 12)
    assert store.get_checkpoint(source.checkpoint_key) is None
    paper = store.get_paper("0901.2279")
    assert paper is not None and paper.version == 3 and len(paper.versions) == 3
    store.close()


def test_ingest_oai_interrupted_harvest_saves_its_token_and_resumes(
    server, client, clock, tmp_path
) -> None:
    server.add(PATH, Reply(b"down", 500), resumptionToken=RAW_TOKEN)
    server.add(PATH, page("listrecords_arXivRaw_p1.xml"), metadataPrefix="arXivRaw")
    store = SqliteStore(tmp_path / "t.db", FixedClock())
    store.migrate()
    source = source_for(server, client, clock, prefix="arXivRaw")

    broken = ingest(store, source)

    assert isinstance(broken.error, SourceUnavailableError)
    assert broken.counts == IngestCounts(new=3)
    saved = store.get_checkpoint(source.checkpoint_key)
    assert saved == RAW_TOKEN

    server.routes.clear()
    server.requests.clear()
    serve_raw_harvest(server)
    resumed = ingest(
        store, source_for(server, client, clock, prefix="arXivRaw", resume_token=saved)
    )

    assert (resumed.error, resumed.counts) == (None, IngestCounts(new=2))
    assert [r.query.get("resumptionToken") for r in server.requests] == [RAW_TOKEN]
    assert store.get_checkpoint(source.checkpoint_key) is None
    assert store.stats().papers == 5
    store.close()
