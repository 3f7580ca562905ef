"""A short-lived in-process cache of the pages anonymous visitors read (the daily page above
all): pure ASGI middleware, one cache per worker. Never for a logged-in or API request, never for
anything but GET, never a Set-Cookie; only the paths it is given.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from papertide.clock import Clock

PAGE_CACHE_TTL_S = 1.0  # how long a rendered page is served as is (the default setting)
PAGE_CACHE_STALE_S = 1.0  # after that, others get it while one request renders the new one
PAGE_CACHE_MAX_ENTRIES = 512  # pages kept per worker (least recently used dropped first)
PAGE_CACHE_MAX_BYTES = 1_000_000  # a bigger page is never kept
CACHE_STATUS_HEADER = "X-Page-Cache"  # hit, stale or miss: for tests, benchmarks and operators
BYPASS_COOKIES = ("papertide_session",)  # a logged-in browser always gets a fresh page
BYPASS_HEADERS = ("authorization", "hx-request")
KEY_HEADERS = ("host", "accept")  # what else a page may vary on (paper pages: Accept)
CacheKey = tuple[str, str, str, str]


@dataclass(slots=True)
class CachedPage:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    stored_at: float
    refreshing: bool = False


@dataclass
class PageCache:
    """Rendered pages keyed by (path, query, Host, Accept); times come from `clock.monotonic`.

    A page is served as stored for `ttl_s`; for `stale_s` more, the first request to find it
    old renders it again while the others still get the old copy (no pile-up of renders when
    a busy page expires); older pages are rendered again. At most `max_entries` pages.
    Not thread-safe, and needs no lock: only the middleware uses it, on the event loop."""

    clock: Clock
    ttl_s: float = PAGE_CACHE_TTL_S
    stale_s: float = PAGE_CACHE_STALE_S
    max_entries: int = PAGE_CACHE_MAX_ENTRIES
    pages: OrderedDict[CacheKey, CachedPage] = field(default_factory=OrderedDict)

    def lookup(self, key: CacheKey) -> tuple[CachedPage | None, str]:
        """The page to serve (None: render it) and "hit", "stale" or "miss"; a "miss" on an
        old page makes this caller the one who renders it again."""
        page = self.pages.get(key)
        if page is None:
            return None, "miss"
        age = self.clock.monotonic() - page.stored_at
        if age < self.ttl_s:
            self.pages.move_to_end(key)
            return page, "hit"
        if age < self.ttl_s + self.stale_s:
            if page.refreshing:
                return page, "stale"
            page.refreshing = True
            return None, "miss"
        del self.pages[key]
        return None, "miss"

    def store(
        self, key: CacheKey, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        self.pages[key] = CachedPage(status, headers, body, self.clock.monotonic())
        self.pages.move_to_end(key)
        while len(self.pages) > self.max_entries:
            self.pages.popitem(last=False)

    def give_up(self, key: CacheKey) -> None:
        """The render of an old page did not give a storable page: let the next one try."""
        page = self.pages.get(key)
        if page is not None:
            page.refreshing = False


class PageCacheMiddleware:
    """Serve GETs of `paths` (prefixes, or "/" itself) from `cache` for anonymous browsers."""

    def __init__(self, app: ASGIApp, cache: PageCache, paths: Iterable[str]) -> None:
        self.app = app
        self.cache = cache
        self.paths = tuple(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self.key_of(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        page, status = self.cache.lookup(key)
        if page is not None:
            await send_page(send, page, status)
            return
        await self.render(key, scope, receive, send)

    def key_of(self, scope: Scope) -> CacheKey | None:
        """The cache key of a request it may answer from the cache, else None."""
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        if not self.matches(self.paths, scope["path"]):
            return None
        headers = Headers(scope=scope)
        if any(name in headers for name in BYPASS_HEADERS):
            return None
        cookies = headers.get("cookie", "")
        if any(f"{name}=" in cookies for name in BYPASS_COOKIES):
            return None
        query = scope.get("query_string", b"").decode("latin-1")
        host, accept = (headers.get(name, "") for name in KEY_HEADERS)
        return scope["path"], query, host, accept

    @staticmethod
    def matches(paths: Iterable[str], path: str) -> bool:
        """Whether `path` (a query string is ignored) is one of `paths`."""
        path = path.split("?", 1)[0]
        return any(path == p if p == "/" else path.startswith(p) for p in paths)

    async def render(self, key: CacheKey, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; keep a complete 200 answer (without its Set-Cookie)."""
        kept = _Recorder()

        async def keep(message: Message) -> None:
            kept.record(message)
            if message["type"] == "http.response.start":
                extra = [(CACHE_STATUS_HEADER.lower().encode(), b"miss")]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        stored = False
        try:
            await self.app(scope, receive, keep)
            if kept.is_storable():
                self.cache.store(key, kept.status, kept.headers(), b"".join(kept.chunks))
                stored = True
        finally:
            if not stored:
                self.cache.give_up(key)


@dataclass
class _Recorder:
    """What an answer sent: its status, headers and body, and whether it was complete."""

    start: Message | None = None
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    complete: bool = False

    def record(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
            self.size += len(self.chunks[-1])
            self.complete = not message.get("more_body", False)

    @property
    def status(self) -> int:
        return int(self.start["status"]) if self.start else 0

    def is_storable(self) -> bool:
        return self.status == 200 and self.complete and self.size <= PAGE_CACHE_MAX_BYTES

    def headers(self) -> list[tuple[bytes, bytes]]:
        given = self.start.get("headers", []) if self.start else []
        return [(name, value) for name, value in given if name.lower() != b"set-cookie"]


async def send_page(send: Send, page: CachedPage, status: str) -> None:
    headers = [*page.headers, (CACHE_STATUS_HEADER.lower().encode(), status.encode())]
    await send({"type": "http.response.start", "status": page.status, "headers": headers})
    await send({"type": "http.response.body", "body": page.body})
