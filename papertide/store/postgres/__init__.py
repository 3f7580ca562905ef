"""The PostgreSQL engine (PostgreSQL >= 15 with pgvector >= 0.7): PostgresStore, put together in
store.py from one mixin per side of the Store protocol, each holding its own SQL."""

from papertide.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
