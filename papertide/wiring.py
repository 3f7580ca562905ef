"""The one place objects are built from Settings: stores, HTTP clients, indexes, services."""

from __future__ import annotations

from pathlib import Path

import httpx

from papertide import __version__
from papertide.clock import Clock, SystemClock
from papertide.config import Settings
from papertide.errors import InputError, StoreError
from papertide.index.embed import Embedder
from papertide.index.static import StaticEmbedder
from papertide.index.tantivy_lexical import TantivyLexicalIndex
from papertide.index.vectors import EXACT_LIMIT, HnswIndex, load_exact
from papertide.search.service import SearchService, VectorSearcher
from papertide.sources.http import PoliteFetcher
from papertide.store.base import Store
from papertide.store.sqlite import SqliteStore

USER_AGENT = f"papertide/{__version__} (self-hosted paper discovery)"


def build_store(settings: Settings, clock: Clock | None = None, migrate: bool = True) -> Store:
    """Open the store named by settings.db: a path or sqlite:///path (migrated unless told)."""
    db = settings.db
    if db.startswith(("postgres://", "postgresql://")):
        raise StoreError("PostgreSQL stores are not supported yet; use a SQLite path")
    store = SqliteStore(_sqlite_path(db), clock or SystemClock())
    if migrate:
        store.migrate()
    return store


def _sqlite_path(db: str) -> str:
    return db.removeprefix("sqlite:///")


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


def index_paths(settings: Settings) -> tuple[Path, Path] | None:
    """(lexical index folder, vector index folder) beside the database; None for :memory:."""
    path = _sqlite_path(settings.db)
    if path == ":memory:":
        return None
    return Path(f"{path}.lexical"), Path(f"{path}.vectors")


def build_embedder(kind: str = "static") -> Embedder:
    """The fast static embedder (default) or the contextual MiniLM ("contextual")."""
    if kind == "static":
        return StaticEmbedder.load()
    if kind == "contextual":
        from papertide.index.contextual import MiniLmEmbedder

        return MiniLmEmbedder.load()
    raise InputError(f"unknown embedder {kind!r}; use static or contextual")


def build_lexical(settings: Settings, store: Store) -> TantivyLexicalIndex:
    paths = index_paths(settings)
    return TantivyLexicalIndex(paths[0] if paths else None, store)


def build_vectors(settings: Settings, store: Store, embedder: Embedder) -> VectorSearcher:
    """Exact search for small stores; the saved HNSW graph (see `papertide index`) beyond."""
    count = dict(store.embedding_models()).get(embedder.name, 0)
    paths = index_paths(settings)
    graph = paths[1] / f"{embedder.name}.hnsw" if paths else None
    if count < EXACT_LIMIT or graph is None or not graph.exists():
        return load_exact(store, embedder.name, embedder.dim)
    return HnswIndex.load(embedder.name, embedder.dim, graph)


def build_search_service(settings: Settings, store: Store) -> SearchService:
    embedder = build_embedder()
    return SearchService(
        store, build_lexical(settings, store), embedder, build_vectors(settings, store, embedder)
    )
