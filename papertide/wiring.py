"""The one place objects are built from Settings: stores, HTTP clients, sources."""

from __future__ import annotations

from papertide.clock import Clock, SystemClock
from papertide.config import Settings
from papertide.errors import StoreError
from papertide.store.base import Store
from papertide.store.sqlite import SqliteStore


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
