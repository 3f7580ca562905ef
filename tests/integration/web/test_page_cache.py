"""The page cache in the app: anonymous GETs of the cached pages come from it for ttl_s, never
a logged-in, token, htmx, non-GET or error answer, never a Set-Cookie; and every cached page is
the same for every logged-out browser (no form token or other per-browser text in it)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from anyio import to_thread
from fastapi.testclient import TestClient

from papertide.asgi import app_from_env
from papertide.errors import InputError
from papertide.web.app import CACHED_PAGES, create_app
from papertide.web.auth import PRESESSION_COOKIE
from papertide.web.cache import CACHE_STATUS_HEADER, PageCache, PageCacheMiddleware
from tests.integration.web.conftest import PLAIN_ID, TODAY, Site
from tests.integration.web.test_pages import PAGES

STATUS = CACHE_STATUS_HEADER.lower()


@pytest.fixture
def cached(site: Site) -> Iterator[TestClient]:
    """A second app over the same services, with a page cache on the site's FixedClock."""
    app = create_app(site.services, page_cache=PageCache(site.clock, ttl_s=1.0, stale_s=1.0))
    with TestClient(app) as client:
        yield client


def upvotes_shown(html: str, paper_id: str) -> str:
    start = html.index(f'id="paper-{paper_id}"')
    return html[html.index('class="vote-count"', start) :].split(">", 1)[1].split("<", 1)[0]


def test_page_cache_answers_the_daily_page_from_memory_until_it_is_old(
    site: Site, cached: TestClient
):
    first = cached.get("/")
    assert first.headers[STATUS] == "miss"
    assert upvotes_shown(first.text, PLAIN_ID) == "10"
    voter = site.store.create_user("voter", None, "unused-hash")
    site.store.set_vote(voter.id, PLAIN_ID, True)
    second = cached.get("/")
    assert second.headers[STATUS] == "hit"
    assert second.text == first.text  # still 10: at most ttl_s behind
    site.clock.sleep(1.5)
    third = cached.get("/")
    assert third.headers[STATUS] == "miss"
    assert upvotes_shown(third.text, PLAIN_ID) == "11"
    assert cached.get("/").headers[STATUS] == "hit"


def test_page_cache_never_hands_out_a_cookie(cached: TestClient):
    miss = cached.get(f"/daily/{TODAY}")
    assert PRESESSION_COOKIE in miss.headers.get("set-cookie", "")  # the renderer's own answer
    cached.cookies.clear()
    hit = cached.get(f"/daily/{TODAY}")
    assert hit.headers[STATUS] == "hit"
    assert "set-cookie" not in hit.headers
    assert "content-security-policy" in hit.headers
    assert hit.text == miss.text


def test_page_cache_is_bypassed_by_a_logged_in_browser(site: Site, cached: TestClient):
    cached.get("/")
    token = site.csrf("/signup")
    form = {"username": "alice", "password": "correct horse battery", "csrf_token": token}
    cached.cookies.update(site.client.cookies)
    assert cached.post("/signup", data=form, follow_redirects=False).status_code == 303
    page = cached.get("/")
    assert STATUS not in page.headers
    assert 'id="logout-button"' in page.text


@pytest.mark.parametrize(
    "headers", [{"Authorization": "Bearer pt_anything"}, {"HX-Request": "true"}]
)
def test_page_cache_is_bypassed_by_tokens_and_htmx(cached: TestClient, headers: dict[str, str]):
    cached.get("/")
    assert STATUS not in cached.get("/", headers=headers).headers


def test_page_cache_keeps_only_the_pages_it_is_given_and_only_for_get(cached: TestClient):
    for path in ("/login", "/signup", "/submit", "/api/daily_papers", "/static/favicon.svg"):
        cached.get(path)
        assert STATUS not in cached.get(path).headers, path
    head = cached.head("/")  # served as the GET it stands for (web/head.py), body left out
    assert head.headers[STATUS] in ("hit", "miss") and head.content == b""


def test_page_cache_never_keeps_an_error_page(cached: TestClient):
    for _ in range(2):
        answer = cached.get("/papers/2601.99999")
        assert answer.status_code == 404
        assert answer.headers[STATUS] == "miss"


def test_page_cache_keys_paper_pages_by_accept(cached: TestClient):
    html = cached.get(f"/papers/{PLAIN_ID}")
    markdown = cached.get(f"/papers/{PLAIN_ID}", headers={"Accept": "text/markdown"})
    assert markdown.headers[STATUS] == "miss"
    assert markdown.headers["content-type"].startswith("text/markdown")
    again = cached.get(f"/papers/{PLAIN_ID}")
    assert again.headers[STATUS] == "hit" and again.text == html.text


@pytest.mark.parametrize("path", [p for p in PAGES if PageCacheMiddleware.matches(CACHED_PAGES, p)])
def test_page_cache_pages_are_the_same_for_every_logged_out_browser(site: Site, path: str):
    bodies = []
    for presession in ("first-browser-presession", "second-browser-presession"):
        site.client.cookies.clear()
        site.client.cookies.set(PRESESSION_COOKIE, presession)
        answer = site.client.get(path)
        assert answer.status_code == 200
        bodies.append(answer.text)
    assert bodies[0] == bodies[1], f"{path} shows something per browser: it must not be cached"


def test_page_cache_leaves_the_forms_with_tokens_out():
    for path in ("/login", "/signup", "/account", "/submit", "/collections/1", "/docs"):
        assert not PageCacheMiddleware.matches(CACHED_PAGES, path), path
    assert not PageCacheMiddleware.matches(CACHED_PAGES, "/api/daily_papers")


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """The test process's heap as it was: app_from_env's app freezes it when it starts."""
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
@pytest.mark.parametrize(("ttl", "expected"), [("1.5", True), ("0", False)])
def test_app_from_env_caches_pages_unless_the_ttl_is_zero(
    site: Site, monkeypatch: pytest.MonkeyPatch, ttl: str, expected: bool
):
    monkeypatch.setenv("PAPERTIDE_DB", site.services.settings.db)
    monkeypatch.setenv("PAPERTIDE_PAGE_CACHE_TTL_S", ttl)
    app = app_from_env()
    caches = [c for m in app.user_middleware if isinstance(c := m.kwargs.get("cache"), PageCache)]
    assert [cache.ttl_s for cache in caches] == ([1.5] if expected else [])
    with TestClient(app) as client:
        assert client.get("/").status_code == 200


@pytest.mark.usefixtures("unfrozen")
def test_a_serve_worker_freezes_what_start_up_built(site: Site, monkeypatch: pytest.MonkeyPatch):
    # a full collection of a worker's heap paused every request queued behind it (~55 ms)
    monkeypatch.setenv("PAPERTIDE_DB", site.services.settings.db)
    gc.unfreeze()
    app = app_from_env()
    assert gc.get_freeze_count() == 0
    with TestClient(app) as client:
        assert gc.get_freeze_count() > 0
        assert client.get("/").status_code == 200
    gc.unfreeze()
    with TestClient(create_app(site.services)) as client:  # as tests make apps: no freezing
        assert client.get("/").status_code == 200
        assert gc.get_freeze_count() == 0


async def _thread_tokens() -> float:
    return to_thread.current_default_thread_limiter().total_tokens


@pytest.mark.usefixtures("unfrozen")
@pytest.mark.parametrize(("setting", "expected"), [(None, 40), ("0", 40), ("2", 2)])
def test_a_serve_worker_runs_blocking_handlers_on_request_threads(
    site: Site, monkeypatch: pytest.MonkeyPatch, setting: str | None, expected: int
):
    # 40 threads (anyio's default) take turns on the GIL: the slowest of a worker's queued
    # pages waits on every other (daily page at 16 connections: p99 110-195 ms, 55 with 2);
    # a CPU-bound site may choose fewer
    monkeypatch.setenv("PAPERTIDE_DB", site.services.settings.db)
    if setting is not None:
        monkeypatch.setenv("PAPERTIDE_REQUEST_THREADS", setting)
    with TestClient(app_from_env()) as client:
        assert client.portal is not None  # set while the client's `with` block runs
        assert client.portal.call(_thread_tokens) == expected
        assert client.get("/").status_code == 200


def test_request_threads_below_one_is_refused(site: Site):
    with pytest.raises(InputError, match="request_threads must be at least 1, not 0"):
        create_app(site.services, request_threads=0)
