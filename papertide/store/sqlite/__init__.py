"""The SQLite engine, the embedded default: SqliteStore, put together in store.py from one mixin
per side of the Store protocol, each holding its own SQL."""

from papertide.store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
