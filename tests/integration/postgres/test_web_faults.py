"""A real `papertide serve` on PostgreSQL whose database goes away: killed outright (SIGKILL),
or every connection dropped. Pages answer a friendly 503 page and the API 503 JSON, both with
Retry-After, never a 500 or a hang; once the database is back, the same server answers again.
These tests crash their own server, never the session's."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from papertide.clock import SystemClock
from papertide.community.accounts import AccountService
from papertide.config import Settings
from papertide.store.postgres import PostgresStore
from papertide.store.postgres.connection import POOL_TIMEOUT_S
from papertide.web.app import create_app
from papertide.web.auth import SESSION_COOKIE
from papertide.wiring import build_web_services
from tests.e2e.serve_process import ServeProcess, serving
from tests.integration.web.conftest import PLAIN_ID, records
from tests.pg_cluster import PgCluster
from tests.threads import run_threads

pytestmark = pytest.mark.postgres
DATABASE = "webfaults"
PAGES = ("/", f"/papers/{PLAIN_ID}")
API = (f"/api/papers/{PLAIN_ID}", "/api/health")  # health: what a load balancer asks
RECOVERY_S = 5.0  # how soon after the database is back the same server answers again
SLACK_S = 3.0  # beyond the pool's wait: rendering, and a loaded 2-core machine
TERMINATE = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
    " WHERE datname = %s AND pid <> pg_backend_pid()"
)


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[PgCluster]:
    cluster = PgCluster.create()
    try:
        cluster.start()
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}".encode())
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture(scope="module")
def database_url(own_cluster: PgCluster) -> str:
    """A store holding the web fixtures' papers."""
    url = own_cluster.url(DATABASE)
    store = PostgresStore(url, SystemClock())
    store.migrate()
    store.write_batch(records(), [])
    store.close()
    return url


@pytest.fixture(scope="module")
def session_token(database_url: str) -> str:
    """The session of a user signed up in the store."""
    store = PostgresStore(database_url, SystemClock())
    try:
        accounts = AccountService(store, SystemClock())
        return accounts.open_session(accounts.sign_up("reader", "a long enough password"))
    finally:
        store.close()


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    folder = tmp_path_factory.mktemp("web-faults")
    # no page cache: every request below reaches the store
    settings = {"PAPERTIDE_INDEX_DIR": str(folder / "index"), "PAPERTIDE_PAGE_CACHE_TTL_S": "0"}
    with serving(database_url, folder / "serve.log", workers=2, settings=settings) as served:
        yield served


def fetch(server: ServeProcess, path: str, session: str | None = None) -> httpx.Response:
    cookies = {SESSION_COOKIE: session} if session else None
    timeout = POOL_TIMEOUT_S + 30  # a hang shows as a slow answer, asserted by the caller
    return httpx.get(f"{server.url}{path}", cookies=cookies, timeout=timeout)


class Answer(Protocol):
    """What is checked of an answer, from httpx or from the TestClient (its own httpx)."""

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def text(self) -> str: ...
    def json(self) -> Any: ...


def assert_unavailable(where: str, answer: Answer, elapsed_s: float = 0.0) -> None:
    """A 503 to `where` with Retry-After, in time; the page (or JSON) a reader should see."""
    assert answer.status_code == 503, (where, answer.status_code, answer.text[:500])
    assert int(answer.headers["Retry-After"]) >= 1
    assert elapsed_s < POOL_TIMEOUT_S + SLACK_S, (where, elapsed_s)
    if where.startswith("/api/"):
        assert "temporarily unavailable" in answer.json()["error"]
        return
    assert answer.headers["content-type"].startswith("text/html")
    assert "Temporarily unavailable" in answer.text
    assert "try again" in answer.text
    assert "127.0.0.1" not in answer.text and "Traceback" not in answer.text


def fetch_all_at_once(
    server: ServeProcess, requests: list[tuple[str, str | None]]
) -> list[tuple[str, httpx.Response, float]]:
    """Each (path, session) requested at the same moment; (path, answer, seconds) of each."""
    answers: list[tuple[str, httpx.Response, float]] = []

    def send(n: int) -> None:
        started = time.monotonic()
        answer = fetch(server, *requests[n])
        answers.append((requests[n][0], answer, time.monotonic() - started))

    assert run_threads(len(requests), send) == []
    return answers


def wait_for_200(server: ServeProcess, path: str) -> float:
    """Seconds until `path` answers 200 (each try a 503 meanwhile, never anything else)."""
    started = time.monotonic()
    while True:
        answer = fetch(server, path)
        if answer.status_code == 200:
            return time.monotonic() - started
        assert answer.status_code == 503, (path, answer.status_code, answer.text[:500])
        assert time.monotonic() - started < RECOVERY_S, f"{path} still {answer.status_code}"
        time.sleep(0.1)


def assert_all_answer(server: ServeProcess, session: str) -> None:
    for path in (*PAGES, *API):
        assert fetch(server, path).status_code == 200, path
    account = fetch(server, "/account", session)
    assert account.status_code == 200 and "reader" in account.text


def test_killed_postgres_gives_503_then_the_same_server_recovers(
    server: ServeProcess, own_cluster: PgCluster, session_token: str
):
    assert_all_answer(server, session_token)
    own_cluster.kill()
    try:
        # a logged-in browser too: its page fails in the viewer's lookup, before the route
        requests: list[tuple[str, str | None]] = [(path, None) for path in (*PAGES, *API)]
        answers = fetch_all_at_once(server, [*requests, ("/account", session_token)])
        assert len(answers) == len(requests) + 1
        for path, answer, elapsed_s in answers:
            assert_unavailable(path, answer, elapsed_s)
    finally:
        own_cluster.start()
    waited = [wait_for_200(server, path) for path in (*PAGES, *API)]
    assert max(waited) < RECOVERY_S
    assert_all_answer(server, session_token)
    assert server.process.poll() is None  # the same process all along
    log = server.log_text()
    assert "Traceback" not in log, log[log.find("Traceback") - 500 :]
    # one line per 503 with the database's reason, for the operator; no pool chatter
    assert "answered 503: PostgreSQL is unavailable: connection failed" in log
    assert "error connecting in" not in log


def test_dropped_connections_cost_at_most_one_503_per_request(
    server: ServeProcess, own_cluster: PgCluster, session_token: str
):
    assert_all_answer(server, session_token)
    with psycopg.connect(own_cluster.url(), autocommit=True) as conn:
        row = conn.execute(TERMINATE.encode(), (DATABASE,)).fetchone()
    assert row is not None and row[0] >= 1  # the server's pooled connections were there
    for path in (*PAGES, *API):
        answers = [fetch(server, path) for _ in range(3)]
        codes = [answer.status_code for answer in answers]
        assert codes in ([200, 200, 200], [503, 200, 200]), (path, codes)
    assert_all_answer(server, session_token)
    log = server.log_text()
    assert "Traceback" not in log, log[log.find("Traceback") - 500 :]


def test_the_app_itself_answers_503_and_logs_why(
    own_cluster: PgCluster,
    database_url: str,
    session_token: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
):
    """In-process, over a store that waits 0.5 s for a connection: the same answers, the
    API's write path included, and one log line with the database's own reason."""
    store = PostgresStore(database_url, SystemClock(), wait_s=0.5)
    settings = Settings(db=database_url, index_dir=str(tmp_path / "index"))
    app = create_app(build_web_services(settings, store=store), close_store=True)
    bearer = {"Authorization": "Bearer pt_unknown"}
    vote_path = f"/api/papers/{PLAIN_ID}/vote"
    paths = [f"/papers/{PLAIN_ID}", API[0], vote_path, "/account"]
    with TestClient(app) as client:
        assert client.get(paths[0]).status_code == 200
        own_cluster.kill()
        try:
            answers = [client.get(paths[0]), client.get(paths[1])]
            answers.append(client.post(vote_path, json={"up": True}, headers=bearer))
            client.cookies.set(SESSION_COOKIE, session_token)
            answers.append(client.get("/account"))
        finally:
            own_cluster.start()
        why = [r.getMessage() for r in caplog.records if r.name == "papertide.web"]
        assert len(why) == len(answers)  # one line per 503, with the database's reason
        assert all(line.startswith("answered 503: PostgreSQL is unavailable: ") for line in why)
        for path, answer in zip(paths, answers, strict=True):
            assert_unavailable(path, answer)
        assert "reader" not in answers[-1].text  # no second lookup of the viewer: logged out
        assert wait_for_200_in(client, "/account") < RECOVERY_S


def timed_get(client: TestClient, path: str) -> tuple[Answer, float]:
    started = time.monotonic()
    answer = client.get(path)
    return answer, time.monotonic() - started


def test_a_known_outage_answers_503_at_once_and_ends_with_the_first_connection(
    own_cluster: PgCluster, database_url: str, tmp_path: Path
):
    """After one call waited the pool's timeout for nothing, the store fails the next calls at
    once for `retry_s`, then lets one call wait on the pool again; the first connection after
    the server is back ends the outage."""
    wait_s, retry_s = 1.0, 3.0  # a retry time the fast answers below fit in on a busy machine
    store = PostgresStore(database_url, SystemClock(), wait_s=wait_s, retry_s=retry_s)
    settings = Settings(db=database_url, index_dir=str(tmp_path / "index"))
    app = create_app(build_web_services(settings, store=store), close_store=True)
    with TestClient(app) as client:
        assert client.get(API[0]).status_code == 200
        own_cluster.kill()
        try:
            first, waited_s = timed_get(client, API[0])
            assert_unavailable(API[0], first)
            assert waited_s >= wait_s
            for path in (*PAGES, *API):  # the outage is known: no wait
                answer, elapsed_s = timed_get(client, path)
                assert_unavailable(path, answer)
                assert elapsed_s < wait_s / 2, (path, elapsed_s)
            time.sleep(retry_s)  # time to try the pool again: still down
            answer, waited_s = timed_get(client, API[0])
            assert_unavailable(API[0], answer)
            assert waited_s >= wait_s
            assert timed_get(client, API[1])[1] < wait_s / 2
        finally:
            own_cluster.start()
        started = time.monotonic()
        while (answer := client.get(API[0])).status_code != 200:
            assert answer.status_code == 503, answer.text[:500]
            assert time.monotonic() - started < retry_s + RECOVERY_S
            time.sleep(0.1)
        assert all(client.get(path).status_code == 200 for path in (*PAGES, *API))


def wait_for_200_in(client: TestClient, path: str) -> float:
    started = time.monotonic()
    while (answer := client.get(path)).status_code != 200:
        assert answer.status_code == 503, answer.text[:500]
        assert time.monotonic() - started < RECOVERY_S, f"{path} still {answer.status_code}"
        time.sleep(0.1)
    return time.monotonic() - started
