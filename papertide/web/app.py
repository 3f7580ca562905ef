"""The ASGI application: create_app(services) wires pages, the JSON API, feeds, static files,
error pages and security headers. No module-level app: uvicorn calls papertide.asgi:app_from_env
(a factory that builds the services with papertide.wiring).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from anyio import to_thread
from fastapi import Depends, FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from papertide import __version__
from papertide.demo import recorded_demo
from papertide.digest.schedule import DigestScheduler
from papertide.errors import InputError, StoreError
from papertide.store.base import Store
from papertide.sync.schedule import SyncScheduler
from papertide.sync.status import DataUpdated
from papertide.web.api.foryou import foryou_api_router
from papertide.web.api.orgs import orgs_api_router
from papertide.web.api.papers import api_router
from papertide.web.auth import csrf_guard
from papertide.web.cache import PageCache, PageCacheMiddleware
from papertide.web.downloads import downloads_router
from papertide.web.errors import install_error_handlers
from papertide.web.feeds.routes import feeds_router
from papertide.web.head import HeadAsGet
from papertide.web.page_slots import page_slots
from papertide.web.pages.account import account_router
from papertide.web.pages.admin import admin_router
from papertide.web.pages.browse import browse_router
from papertide.web.pages.claims import claims_router
from papertide.web.pages.digest import digest_router
from papertide.web.pages.discuss import discussion_router
from papertide.web.pages.foryou import foryou_router
from papertide.web.pages.orgs import org_router
from papertide.web.pages.paper import paper_router
from papertide.web.pages.search import search_router
from papertide.web.path_ids import register_id_convertor
from papertide.web.private import PrivateSite
from papertide.web.render import Renderer, build_environment
from papertide.web.services import WebServices
from papertide.web.static_assets import CachedStaticFiles, asset_version
from papertide.web.thumbnails import thumbnail_url, thumbnails_router

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",  # KaTeX sets its inline sizes through the CSSOM, which CSP allows
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
# Pages that show every logged-out reader the same thing (no form tokens, nothing per browser):
# the page cache may answer their anonymous GETs. Prefixes, except "/" (the home page only).

T = TypeVar("T")
GZIP_MINIMUM_BYTES = 1024  # smaller answers gain less than the header costs
# zlib's fastest level, nginx's default: the daily page (44 KB) compresses in about 0.1-0.2 ms
# to 9.8 KB, where level 6 took 0.6-1 ms (more than building the page) for 8.5 KB; /trending
# (250 KB) 1.2 ms instead of 4.7 for 45 KB instead of 37
GZIP_LEVEL = 1
UPDATED_MAX_AGE_S = 30.0  # the footer's "updated" without a sync: newest paper change, re-read
CACHED_PAGES = (
    "/",
    "/daily/",
    "/week/",
    "/month/",
    "/trending",
    "/papers/",
    "/search",
    "/authors/",
    "/categories/",
    "/about",
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """Pure ASGI middleware adding SECURITY_HEADERS to every response that has not set its own
    (a route may send a looser policy for itself, e.g. the OpenAPI page); with `hsts` (the
    site's base_url is https) also HSTS, so browsers never come back over plain HTTP."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.headers = (*SECURITY_HEADERS, HSTS) if hsts else SECURITY_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    services: WebServices,
    close_store: bool = False,
    page_cache: PageCache | None = None,
    scheduler: DigestScheduler | None = None,
    sync_scheduler: SyncScheduler | None = None,
    freeze_heap: bool = False,
    request_threads: int | None = None,
) -> FastAPI:
    """The whole site over `services`; `close_store` stops the search service's threads and
    closes the store when the app stops; `page_cache` (if any) answers anonymous reads of
    CACHED_PAGES (web/cache.py);
    `scheduler` (if any) sends due digests in the background while the app runs, and
    `sync_scheduler` (if any) syncs when due (papertide.sync); `freeze_heap` hands what
    exists at start-up to gc.freeze (a serve worker's; never in a process that makes many apps,
    whose cyclic garbage would then stay); `request_threads` (if given) bounds the threads that
    run blocking handlers and dependencies (anyio's default: 40). Pages run at most
    `settings.page_slots` at once, whatever the threads (web/page_slots.py)."""
    if request_threads is not None and request_threads < 1:
        raise InputError(f"request_threads must be at least 1, not {request_threads}")
    background = [job for job in (scheduler, sync_scheduler) if job is not None]

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for job in background:
            job.start()
        if request_threads is not None:
            # fewer threads make CPU-bound API reads take turns as page slots make pages do,
            # but a request waiting on a mail server or a dead database's pool then holds one
            to_thread.current_default_thread_limiter().total_tokens = request_threads
        if freeze_heap:
            # what start-up built (modules, templates, services, indexes' Python side) lives
            # as long as the worker: out of the collector's sight, a full collection takes
            # under a millisecond instead of about 55 ms, a pause every queued request waits on
            gc.freeze()
        yield
        for job in background:
            job.stop()
        if close_store:
            services.search.close()
            services.store.close()

    app = FastAPI(
        title="papertide",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # /docs is a page of ours: Swagger UI vendored, no CDN (pages/browse.py)
        redoc_url=None,
    )
    register_id_convertor()  # before the routes with {name:id} in their paths are made
    if page_cache is not None:
        app.add_middleware(PageCacheMiddleware, cache=page_cache, paths=CACHED_PAGES)
    if services.settings.private:  # outside the page cache: no cached page for strangers
        app.add_middleware(PrivateSite, services=services)
    # outside both: cached pages and private mode's refusals carry the headers too
    app.add_middleware(SecurityHeaders, hsts=services.settings.base_url.startswith("https://"))
    # outermost: compresses what any layer answers (event streams and images are left alone)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=GZIP_LEVEL)
    app.add_middleware(HeadAsGet)  # outside all: a HEAD gets the headers of the GET's answer
    version = asset_version()
    environment = build_environment(version)
    environment.globals["signup_offered"] = services.accounts.policy.mode != "closed"
    renderer = Renderer(
        environment,
        demo=footer_fact(recorded_demo, services),
        updated=footer_fact(DataUpdated(UPDATED_MAX_AGE_S), services),
        unread=services.store.unread_notifications,
    )
    renderer.env.filters["thumbnail_url"] = thumbnail_url(services.thumbnails)
    install_error_handlers(app, services, renderer)
    app.mount("/static", CachedStaticFiles(version), name="static")
    app.state.services = services  # for the CurrentViewer dependency (web/auth.py)
    app.state.page_slots = page_slots(services.settings.page_slots)  # for PageRoute
    guard = Depends(csrf_guard(services))
    app.include_router(downloads_router(services))  # before /papers/{id} and the other pages
    # routes are tried in turn, and the daily page, the most read, was the 43rd: the browsing
    # pages come next (after the downloads: /daily/{day} would take /daily/{day}.bib)
    app.include_router(
        browse_router(services, renderer), dependencies=[guard], include_in_schema=False
    )
    app.include_router(api_router(services))
    app.include_router(feeds_router(services))
    app.include_router(thumbnails_router(services.thumbnails))
    app.include_router(foryou_api_router(services))
    app.include_router(orgs_api_router(services))
    for make in (
        search_router,
        account_router,
        discussion_router,
        org_router,
        paper_router,
        foryou_router,
        admin_router,
        claims_router,
    ):
        app.include_router(make(services, renderer), dependencies=[guard], include_in_schema=False)
    # without the site-wide guard: signed tokens authorise its POSTs (RFC 8058 one-click)
    digests = digest_router(services.digests, renderer, guard.dependency)
    app.include_router(digests, include_in_schema=False)
    return app


def footer_fact(read: Callable[[Store], T], services: WebServices) -> Callable[[], T | None]:
    """A footer line's fact (the demo's days, when data last changed), read for each page;
    None while the store cannot be reached: a footer never turns a page into an error."""

    def fact() -> T | None:
        try:
            return read(services.store)
        except StoreError:
            return None

    return fact
