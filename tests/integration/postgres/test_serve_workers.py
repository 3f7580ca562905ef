"""Several `papertide serve` processes on one PostgreSQL database, as behind a proxy: `alpha`
(2 workers) and `beta` share one index_dir (one machine); `gamma` has its own index_dir holding
a copy of the secret file (a second machine); `stranger` has its own index_dir and its own
generated secret (a machine set up wrong). Sessions, votes and rate limits live in the store,
so every server shares them; the secret signs form tokens, so only servers sharing it accept
each other's forms; servers on one index_dir see its updates."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from papertide.clock import SystemClock
from papertide.community.ratelimit import DEFAULT_RATE_LIMITS
from papertide.config import Settings
from papertide.index.lexical import sync_index
from papertide.index.refresh import open_lexical
from papertide.models import Record
from papertide.store.postgres import PostgresStore
from tests.e2e.serve_process import ServeProcess, serving
from tests.integration.web.conftest import PLAIN_ID, make_paper, records
from tests.integration.web.voters import assert_votes_count_once, count_votes, make_voters
from tests.pg_cluster import PgCluster

pytestmark = pytest.mark.postgres
DATABASE = "serve_workers"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
SESSION = "papertide_session"
NEW_ID = "2601.07777"
NEW_WORD = "quasicrystalline"  # in no other paper's text
INDEX_SEEN_S = 10.0  # how soon a running server searches what `papertide index` just added
TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Farm:
    """The database and the servers on it, with the index folder each reads."""

    url: str
    alpha: ServeProcess
    beta: ServeProcess
    gamma: ServeProcess
    stranger: ServeProcess
    shared_dir: Path  # alpha's and beta's
    own_dir: Path  # gamma's

    @property
    def sharing_the_secret(self) -> list[ServeProcess]:
        return [self.alpha, self.beta, self.gamma]


@pytest.fixture(scope="module")
def database(pg_cluster: PgCluster) -> Iterator[str]:
    """A database of its own in the session's server, holding the web fixtures' papers."""
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DATABASE}".encode())
    url = pg_cluster.url(DATABASE)
    store = PostgresStore(url, SystemClock())
    store.migrate()
    store.write_batch(records(), [])
    store.close()
    yield url
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {DATABASE} WITH (FORCE)".encode())


@pytest.fixture(scope="module")
def farm(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    root = tmp_path_factory.mktemp("serve-workers")
    shared, own, strange = root / "shared", root / "own", root / "strange"

    def serve(name: str, index_dir: Path, workers: int = 1) -> ServeProcess:
        settings = {"PAPERTIDE_INDEX_DIR": str(index_dir), "PAPERTIDE_PAGE_CACHE_TTL_S": "0"}
        log = root / f"{name}.log"
        return stack.enter_context(serving(database, log, workers=workers, settings=settings))

    with ExitStack() as stack:
        alpha = serve("alpha", shared, workers=2)  # builds the index, creates shared/secret
        beta = serve("beta", shared)  # after alpha: finds the index built, the secret made
        own.mkdir()
        shutil.copy2(shared / "secret", own / "secret")  # what a second machine is given
        gamma = serve("gamma", own)
        stranger = serve("stranger", strange)
        yield Farm(database, alpha, beta, gamma, stranger, shared, own)
        for server in (alpha, beta, gamma, stranger):
            assert_quiet(server)


def assert_quiet(server: ServeProcess) -> None:
    log = server.log_text()
    assert "Traceback" not in log, log[log.find("Traceback") - 500 :]
    assert "answered 503" not in log, log


def form_token(browser: httpx.Client, path: str) -> str:
    """The CSRF token of the forms on `path` for this browser's cookies."""
    page = browser.get(path)
    match = FORM_TOKEN.search(page.text)
    assert match, f"no form on {path}: {page.status_code}"
    return match[1]


def test_a_session_from_one_server_works_on_every_server(farm: Farm):
    with httpx.Client(base_url=farm.alpha.url, timeout=TIMEOUT_S) as browser:
        form = {"username": "wanderer", "password": "a long enough password"}
        form["csrf_token"] = form_token(browser, "/signup")
        assert browser.post("/signup", data=form).status_code == 303
        token = form_token(browser, "/account")  # a form alpha rendered for this session
        cookies = dict(browser.cookies)
    assert SESSION in cookies
    for server in (*farm.sharing_the_secret, farm.stranger):
        with httpx.Client(base_url=server.url, cookies=cookies, timeout=TIMEOUT_S) as browser:
            account = browser.get("/account")
            assert account.status_code == 200 and "wanderer" in account.text, server.url
            made = browser.post("/account/tokens", data={"csrf_token": token, "name": "x"})
            if server is farm.stranger:  # another secret: alpha's form is not its own
                assert made.status_code == 403 and "this form has expired" in made.text
            else:
                assert made.status_code == 200 and 'id="new-token"' in made.text, server.url


def test_hundred_voters_across_servers_count_once(farm: Farm):
    store = PostgresStore(farm.url, SystemClock())
    try:
        voters = make_voters(store)

        def count(user_ids: list[int]) -> tuple[int, int]:
            return count_votes(store, user_ids)

        assert_votes_count_once([server.url for server in farm.sharing_the_secret], voters, count)
    finally:
        store.close()


def test_rate_limits_are_counted_across_servers(farm: Farm):
    store = PostgresStore(farm.url, SystemClock())
    try:
        [(_, token)] = make_voters(store, 1, prefix="eager")
    finally:
        store.close()
    limit, _ = DEFAULT_RATE_LIMITS.vote
    servers = farm.sharing_the_secret
    headers = {"Authorization": f"Bearer {token}"}
    for n in range(limit):  # the limit, spread over the servers: all allowed
        url = f"{servers[n % len(servers)].url}/api/papers/{PLAIN_ID}/vote"
        vote = httpx.post(url, json={"up": n % 2 == 0}, headers=headers, timeout=TIMEOUT_S)
        assert vote.status_code == 200, (n, vote.text)
    for server in servers:  # one more anywhere: refused
        url = f"{server.url}/api/papers/{PLAIN_ID}/vote"
        refused = httpx.post(url, json={"up": True}, headers=headers, timeout=TIMEOUT_S)
        assert refused.status_code == 429, (server.url, refused.text)
        assert 1 <= int(refused.headers["Retry-After"]) <= 60


def found(server: ServeProcess) -> bool:
    hits = httpx.get(f"{server.url}/api/papers/search", params={"q": NEW_WORD}, timeout=TIMEOUT_S)
    assert hits.status_code == 200, hits.text
    return NEW_ID in [hit["paper"]["id"] for hit in hits.json()]


def wait_until_found(servers: list[ServeProcess]) -> float:
    started = time.monotonic()
    while not all(found(server) for server in servers):
        assert time.monotonic() - started < INDEX_SEEN_S, "the running servers never saw it"
        time.sleep(0.2)
    return time.monotonic() - started


def index(url: str, index_dir: Path) -> None:
    """What `papertide index` does to the lexical index in `index_dir`."""
    store = PostgresStore(url, SystemClock())
    try:
        sync_index(open_lexical(Settings(db=url, index_dir=str(index_dir)), store), store)
    finally:
        store.close()


def test_servers_sharing_an_index_dir_see_its_updates(farm: Farm):
    store = PostgresStore(farm.url, SystemClock())
    try:
        paper = make_paper(NEW_ID, f"A {NEW_WORD} lattice", "Aperiodic order in alloys.")
        store.write_batch([Record(paper)], [])
    finally:
        store.close()
    assert not any(found(server) for server in farm.sharing_the_secret)
    index(farm.url, farm.shared_dir)
    wait_until_found([farm.alpha, farm.beta])  # both, without a restart
    assert not found(farm.gamma)  # its own index_dir is not updated yet
    index(farm.url, farm.own_dir)
    wait_until_found([farm.gamma])
