"""ArxivApiSource over real HTTP: a loopback ReplayServer serves recorded API responses.

Time is a FixedClock: the fetcher's 3 s gaps and backoffs are recorded in `clock.sleeps`.
"""

from __future__ import annotations

import re
import socket
from datetime import date
from pathlib import Path

import httpx
import pytest

from papertide.clock import FixedClock
from papertide.errors import InputError, SourceUnavailableError
from papertide.models import Checkpoint, ParseResult, Record, Rejected
from papertide.sources.arxiv import EMPTY_PAGE_BACKOFF_S, ArxivApiSource
from papertide.sources.files import read_bytes
from papertide.sources.http import PoliteFetcher
from tests.replay_server import ReplayServer, Reply

DATA = Path(__file__).parents[2] / "data" / "arxiv_api"
PATH = "/api/query"


def body(name: str) -> bytes:
    return read_bytes(DATA / name)


def search_page(start: int) -> Reply:
    return Reply(body(f"2026_q_testing_s{start}_m10.xml.gz"))


def combined_feed(*names: str) -> bytes:
    """One id_list answer built from recorded single-id answers (their entries, in order)."""
    texts = [body(name).decode() for name in names]
    head = texts[0][: texts[0].index("  <entry>")]
    head = re.sub(r"totalResults>\d+<", f"totalResults>{len(names)}<", head)
    entries = [text[text.index("  <entry>") : text.index("</feed>")] for text in texts]
    return (head + "".join(entries) + "</feed>\n").encode()


def without_entries(data: bytes) -> bytes:
    """The same feed with no entries: what arXiv sometimes answers under load."""
    return re.sub(rb"\s*<entry>.*</entry>", b"", data, flags=re.DOTALL)


def source_for(
    server: ReplayServer, client: httpx.Client, clock: FixedClock, **options: object
) -> ArxivApiSource:
    fetcher = PoliteFetcher(client, clock)
    return ArxivApiSource(fetcher, base_url=server.url + PATH, **options)  # type: ignore[arg-type]


def ids_of(results: list[ParseResult]) -> list[str]:
    return [r.paper.id for r in results if isinstance(r, Record)]


def checkpoints(results: list[ParseResult]) -> list[str | None]:
    return [r.value for r in results if isinstance(r, Checkpoint)]


def test_arxiv_search_pages_until_max_results(server, client, clock) -> None:
    for start in range(0, 60, 10):
        server.add(PATH, search_page(start), search_query="testing", start=str(start))
    source = source_for(server, client, clock, query="testing", page_size=10, max_results=60)

    results = list(source.records())

    assert len(ids_of(results)) == 60
    assert ids_of(results)[10] == "2403.16981"
    assert checkpoints(results) == ["10", "20", "30", "40", "50", None]
    assert {r.key for r in results if isinstance(r, Checkpoint)} == {source.checkpoint_key}
    assert [(r.query["start"], r.query["max_results"]) for r in server.requests] == [
        (str(start), "10") for start in range(0, 60, 10)
    ]
    assert server.requests[0].query["sortBy"] == "submittedDate"
    assert server.requests[0].query["sortOrder"] == "ascending"


def test_arxiv_search_waits_3s_between_requests(server, client, clock) -> None:
    for start in (0, 10, 20):
        server.add(PATH, search_page(start), start=str(start))
    source = source_for(server, client, clock, query="testing", page_size=10, max_results=30)

    list(source.records())

    assert clock.sleeps == [3.0, 3.0]
    assert len(server.requests) == 3


def test_arxiv_search_asks_only_for_what_max_results_leaves(server, client, clock) -> None:
    server.add(PATH, search_page(0), start="0")
    server.add(PATH, search_page(10), start="10")
    source = source_for(server, client, clock, query="testing", page_size=10, max_results=15)

    results = list(source.records())

    assert [r.query["max_results"] for r in server.requests] == ["10", "5"]
    # the recorded page holds 10 entries although 5 were asked for: only 5 are kept
    assert len(ids_of(results)) == 15
    assert checkpoints(results) == ["10", None]


def test_arxiv_search_stops_at_total_results(server, client, clock) -> None:
    server.add(PATH, Reply(body("2016_q_au_del_maestro_AND_ti_checkerboard.xml")))
    source = source_for(server, client, clock, query="au:del_maestro AND ti:checkerboard")

    results = list(source.records())

    assert ids_of(results) == ["cond-mat/0603029"]
    assert checkpoints(results) == [None]
    assert len(server.requests) == 1


def test_arxiv_search_combines_query_categories_and_dates(server, client, clock) -> None:
    server.add(PATH, Reply(body("2026_id_0000.0000.xml")))
    source = source_for(
        server,
        client,
        clock,
        query="ti:diffusion OR abs:video",
        categories=["cs.CV", "cs.LG"],
        date_from=date(2025, 1, 1),
        date_until=date(2025, 1, 31),
    )

    assert list(source.records()) == [Checkpoint(source.checkpoint_key, None)]
    assert server.requests[0].query["search_query"] == (
        "(ti:diffusion OR abs:video) AND (cat:cs.CV OR cat:cs.LG)"
        " AND (submittedDate:[202501010000 TO 202501312359])"
    )


def test_arxiv_search_open_date_range_ends_today_by_the_clock(server, client, clock) -> None:
    server.add(PATH, Reply(body("2026_id_0000.0000.xml")))
    source = source_for(server, client, clock, categories=["cs.CL"], date_from=date(2025, 12, 30))

    list(source.records())

    assert server.requests[0].query["search_query"] == (
        "(cat:cs.CL) AND (submittedDate:[202512300000 TO 202601012359])"
    )


def test_arxiv_ids_are_fetched_in_chunks_keeping_versions(server, client, clock) -> None:
    server.add(
        PATH,
        Reply(combined_feed("2026_id_1707.08567.xml", "2026_id_1605.08386.xml")),
        id_list="1707.08567,1605.08386",
    )
    server.add(
        PATH,
        Reply(combined_feed("2026_id_astro-ph_0601001.xml", "2026_id_quant-ph_0201082v1.xml")),
        id_list="astro-ph/0601001,quant-ph/0201082v1",
    )
    server.add(PATH, Reply(body("2026_id_2104.12255v1.xml")), id_list="2104.12255v1")
    ids = [
        "1707.08567",
        "https://arxiv.org/abs/1605.08386",
        "astro-ph/0601001",
        "quant-ph/0201082v1",
        "arXiv:2104.12255v1",
        "1707.08567",
    ]
    source = source_for(server, client, clock, ids=ids, page_size=2)

    results = list(source.records())

    assert ids_of(results) == [
        "1707.08567",
        "1605.08386",
        "astro-ph/0601001",
        "quant-ph/0201082",
        "2104.12255",
    ]
    assert checkpoints(results) == ["2", "4", None]
    assert [r.query["max_results"] for r in server.requests] == ["2", "2", "1"]
    assert clock.sleeps == [3.0, 3.0]


def test_arxiv_ids_not_returned_become_rejects(server, client, clock) -> None:
    server.add(PATH, Reply(body("2026_id_1707.08567.xml")))
    source = source_for(server, client, clock, ids=["1707.08567", "1605.08386"])

    results = list(source.records())

    assert ids_of(results) == ["1707.08567"]
    rejected = [r for r in results if isinstance(r, Rejected)]
    assert rejected == [Rejected("arxiv-api", "1605.08386", "not found by the arXiv API (id_list)")]


def test_arxiv_bad_ids_are_refused_before_any_request(server, client, clock) -> None:
    with pytest.raises(InputError, match=r"not arXiv ids: abc, 0808\.05394, 0000\.0000"):
        source_for(server, client, clock, ids=["1707.08567", "abc", "0808.05394", "0000.0000"])

    assert server.requests == []


def test_arxiv_options_are_checked_before_any_request(server, client, clock) -> None:
    with pytest.raises(InputError, match="not both"):
        source_for(server, client, clock, ids=["1707.08567"], query="testing")
    with pytest.raises(InputError, match="give arXiv ids"):
        source_for(server, client, clock)
    with pytest.raises(InputError, match="not arXiv categories: cs CL"):
        source_for(server, client, clock, categories=["cs CL"])
    with pytest.raises(InputError, match="page size"):
        source_for(server, client, clock, query="x", page_size=5000)
    with pytest.raises(InputError, match="start date 2025-02-01 is after end date 2025-01-01"):
        source_for(server, client, clock, date_from=date(2025, 2, 1), date_until=date(2025, 1, 1))

    assert server.requests == []


def test_arxiv_fetch_retries_after_a_server_error(server, client, clock) -> None:
    server.add(PATH, Reply(b"oops", 500), Reply(body("2026_id_1605.08386.xml")))
    source = source_for(server, client, clock, ids=["1605.08386"])

    assert ids_of(list(source.records())) == ["1605.08386"]
    assert len(server.requests) == 2
    assert clock.sleeps[0] == 2.0  # PoliteFetcher's first backoff


def test_arxiv_fetch_waits_as_long_as_retry_after_says(server, client, clock) -> None:
    busy = Reply(b"busy", 503, {"Retry-After": "7"})
    server.add(PATH, busy, Reply(body("2026_id_1605.08386.xml")))
    source = source_for(server, client, clock, ids=["1605.08386"])

    assert ids_of(list(source.records())) == ["1605.08386"]
    assert clock.sleeps == [7.0]


def test_arxiv_fetch_retries_after_a_timeout(server, clock) -> None:
    slow = Reply(body("2026_id_1605.08386.xml"), delay_s=0.5)
    server.add(PATH, slow, Reply(body("2026_id_1605.08386.xml")))
    with httpx.Client(timeout=0.2) as client:
        source = source_for(server, client, clock, ids=["1605.08386"])
        results = list(source.records())

    assert ids_of(results) == ["1605.08386"]
    assert len(server.requests) == 2


def test_arxiv_fetch_asks_again_for_an_empty_page(server, client, clock) -> None:
    server.add(PATH, search_page(0), start="0")
    empty = Reply(without_entries(body("2026_q_testing_s10_m10.xml.gz")))
    server.add(PATH, empty, search_page(10), start="10")
    source = source_for(server, client, clock, query="testing", page_size=10, max_results=20)

    results = list(source.records())

    assert len(ids_of(results)) == 20
    assert [r.query["start"] for r in server.requests] == ["0", "10", "10"]
    assert EMPTY_PAGE_BACKOFF_S in clock.sleeps


def test_arxiv_fetch_gives_up_on_an_empty_page_keeping_what_came_before(
    server, client, clock
) -> None:
    server.add(PATH, search_page(0), start="0")
    server.add(PATH, Reply(without_entries(body("2026_q_testing_s10_m10.xml.gz"))), start="10")
    source = source_for(server, client, clock, query="testing", page_size=10, max_results=30)
    seen: list[ParseResult] = []

    with pytest.raises(SourceUnavailableError, match=r"empty page at start=10 of 214881"):
        seen.extend(source.records())

    assert len(ids_of(seen)) == 10
    assert checkpoints(seen) == ["10"]
    assert len(server.requests) == 5  # the first page, then 1 + 3 tries of the empty one


def test_arxiv_fetch_quarantines_an_unreadable_page_then_stops(server, client, clock) -> None:
    truncated = body("2026_q_testing_s0_m10.xml.gz")[:5000]
    server.add(PATH, Reply(truncated))
    source = source_for(server, client, clock, query="testing", page_size=10)
    seen: list[ParseResult] = []

    with pytest.raises(SourceUnavailableError, match="unreadable answer"):
        seen.extend(source.records())

    (rejected,) = seen
    assert isinstance(rejected, Rejected) and rejected.reason.startswith("malformed XML")
    assert rejected.raw == truncated.decode()


def test_arxiv_fetch_stops_on_a_client_error_and_says_why(server, client, clock) -> None:
    server.add(PATH, Reply(body("2026_id_abc.xml"), 400))
    source = source_for(server, client, clock, query="abc AND")

    with pytest.raises(SourceUnavailableError, match="HTTP 400: incorrect id format for abc"):
        list(source.records())


def test_arxiv_fetch_reports_an_unreachable_host(client, clock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fetcher = PoliteFetcher(client, clock)
    source = ArxivApiSource(fetcher, base_url=f"http://127.0.0.1:{port}{PATH}", ids=["1605.08386"])

    with pytest.raises(SourceUnavailableError, match="cannot connect"):
        list(source.records())


def test_arxiv_resume_start_continues_from_a_saved_offset(server, client, clock) -> None:
    for start in (40, 50):
        server.add(PATH, search_page(start), start=str(start))
    options = {"query": "testing", "page_size": 10, "max_results": 60}
    first = source_for(server, client, clock, **options)
    resumed = source_for(server, client, clock, **options, resume_start=40)

    results = list(resumed.records())

    assert resumed.checkpoint_key == first.checkpoint_key
    assert [r.query["start"] for r in server.requests] == ["40", "50"]
    assert len(ids_of(results)) == 20
    assert checkpoints(results) == ["50", None]


def test_arxiv_checkpoint_key_names_the_harvest_not_its_position(server, client, clock) -> None:
    def key(**options: object) -> str:
        return source_for(server, client, clock, **options).checkpoint_key

    assert key(query="testing") == key(query="testing", page_size=10, resume_start=30)
    assert key(query="testing") != key(query="testing", categories=["cs.SE"])
    assert key(ids=["1605.08386"]) != key(ids=["1605.08386v1"])
    assert key(query="testing").startswith("arxiv-api:")
