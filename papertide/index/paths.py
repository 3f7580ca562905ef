"""Where the search indexes live on disk, and which saved vector index a process loads."""

from __future__ import annotations

from pathlib import Path

from papertide.config import POSTGRES_NEEDS_INDEX_DIR, Settings, is_postgres_url, sqlite_path
from papertide.errors import InputError
from papertide.index.embed import Embedder
from papertide.index.vectors import ExactIndex, HnswIndex, load_exact
from papertide.store.base import Store


def index_paths(settings: Settings) -> tuple[Path, Path] | None:
    """(lexical index folder, vector index folder): in settings.index_dir when set, else
    beside a SQLite database (<db>.lexical, <db>.vectors); None for ":memory:" (indexes kept
    in memory). InputError for PostgreSQL without index_dir: rebuilding them in memory at
    every start would be silently slow, and every worker would hold its own copy."""
    if settings.index_dir:
        folder = Path(settings.index_dir)
        return folder / "lexical", folder / "vectors"
    if is_postgres_url(settings.db):
        raise InputError(POSTGRES_NEEDS_INDEX_DIR)
    path = sqlite_path(settings.db)
    if path == ":memory:":
        return None
    return Path(f"{path}.lexical"), Path(f"{path}.vectors")


def thumbnail_folder(settings: Settings) -> Path | None:
    """Where paper thumbnails are kept: beside the index folders (in index_dir, or <db>.thumbnails
    beside a SQLite file); None for an in-memory store."""
    if settings.index_dir:
        return Path(settings.index_dir) / "thumbnails"
    paths = index_paths(settings)
    return paths[0].with_suffix(".thumbnails") if paths else None  # <db>.lexical's sibling


def graph_file(settings: Settings, model: str) -> Path | None:
    """The file `papertide index` saves `model`'s HNSW graph to; None for in-memory indexes."""
    paths = index_paths(settings)
    return paths[1] / f"{model}.usearch" if paths else None


def sentence_file(settings: Settings, model: str) -> Path | None:
    """The file `papertide index` writes `model`'s sentence index to (faceted similar papers);
    None for in-memory indexes."""
    paths = index_paths(settings)
    return paths[1] / f"{model}.sentences" if paths else None


def term_file(settings: Settings) -> Path | None:
    """The file `papertide index` writes every paper's word counts to (the centered tf-idf
    cosine of similar papers); None for in-memory indexes."""
    paths = index_paths(settings)
    return paths[1] / "papers.words" if paths else None


def graph_in_use(settings: Settings, store: Store, model: str, exact_limit: int) -> Path | None:
    """The saved HNSW graph the vector index loads, None when it searches exactly."""
    count = dict(store.embedding_models()).get(model, 0)
    graph = graph_file(settings, model)
    return graph if count >= exact_limit and graph is not None and graph.exists() else None


def load_vectors(
    settings: Settings, store: Store, embedder: Embedder, exact_limit: int
) -> ExactIndex | HnswIndex:
    """Exact search below `exact_limit` vectors, the saved HNSW graph beyond: memory-mapped,
    so every worker on the host shares one copy of it."""
    graph = graph_in_use(settings, store, embedder.name, exact_limit)
    if graph is None:
        return load_exact(store, embedder.name, embedder.dim)
    return HnswIndex.view(embedder.name, embedder.dim, graph)


def vectors_version(
    settings: Settings, store: Store, model: str, exact_limit: int
) -> tuple[str, int]:
    """What the loaded index reflects: the saved graph's state file (`papertide index` rewrites
    it after adding vectors to the graph), or for exact search the stored vectors' sequence."""
    graph = graph_in_use(settings, store, model, exact_limit)
    if graph is None:
        return "exact", store.vector_seq(model)
    state = graph.with_name(f"{graph.name}.json")
    return "hnsw", state.stat().st_mtime_ns if state.exists() else 0
