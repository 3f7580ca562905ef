"""The one place objects are built from Settings: stores, HTTP clients, sources."""

from __future__ import annotations

import httpx

from papertide import __version__
from papertide.clock import Clock, SystemClock
from papertide.config import Settings
from papertide.errors import StoreError
from papertide.sources.http import PoliteFetcher
from papertide.store.base import Store
from papertide.store.sqlite import SqliteStore

USER_AGENT = f"papertide/{__version__} (self-hosted paper discovery)"


def build_store(settings: Settings, clock: Clock | None = None, migrate: bool = True) -> Store:
    """Open the store named by settings.db: a path or sqlite:///path (migrated unless told)."""
    db = settings.db
    if db.startswith(("postgres://", "postgresql://")):
        raise StoreError("PostgreSQL stores are not supported yet; use a SQLite path")
    path = db.removeprefix("sqlite:///") if db.startswith("sqlite:///") else db
    store = SqliteStore(path, clock or SystemClock())
    if migrate:
        store.migrate()
    return store


def build_fetcher(
    settings: Settings, clock: Clock | None = None, min_interval_s: float | None = None
) -> PoliteFetcher:
    """One polite HTTP client for a remote source (arXiv asks for 3 s between calls)."""
    client = httpx.Client(
        timeout=settings.http_timeout_s,
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
    )
    interval = settings.arxiv_delay_s if min_interval_s is None else min_interval_s
    return PoliteFetcher(client, clock or SystemClock(), interval, settings.http_retries)
