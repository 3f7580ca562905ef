"""The one place objects are built from Settings: stores, HTTP clients, indexes, services."""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from papertide import __version__
from papertide.clock import Clock, SystemClock
from papertide.community.accounts import AccountService
from papertide.community.actions import CommunityService
from papertide.config import Settings
from papertide.errors import InputError, StoreError
from papertide.index.contextual import CONTEXTUAL_MODEL, MiniLmEmbedder
from papertide.index.embed import Embedder
from papertide.index.lexical import SyncResult, sync_index
from papertide.index.static import StaticEmbedder
from papertide.index.tantivy_lexical import TantivyLexicalIndex, build_lock
from papertide.index.vectors import EXACT_LIMIT, HnswIndex, load_exact
from papertide.models import Paper, Record
from papertide.rank.service import TrendingService
from papertide.search.hybrid import CONTEXTUAL_SIMILAR_FUSION
from papertide.search.refresh import RefreshingVectors
from papertide.search.service import SearchService, VectorSearcher, VectorSpace
from papertide.sources.arxiv import ArxivApiSource
from papertide.sources.http import PoliteFetcher
from papertide.store.base import Store
from papertide.store.sqlite import SqliteStore
from papertide.web.services import WebServices

if TYPE_CHECKING:
    from papertide.agents.services import AgentServices
    from papertide.digest.send import Mailer
    from papertide.digest.service import DigestService

USER_AGENT = f"papertide/{__version__} (self-hosted paper discovery)"
SECRET_KEY_BYTES = 32


def build_store(settings: Settings, clock: Clock | None = None, migrate: bool = True) -> Store:
    """Open the store named by settings.db: a path, sqlite:///path or a postgresql:// URL
    (migrated unless told), reading from settings.db_replica too when set."""
    db = settings.db
    replica = _replica_url(settings)  # InputError for a replica of a SQLite file
    store: Store
    if is_postgres_url(db):
        store = _open_postgres(db, clock or SystemClock(), replica)
    else:
        store = SqliteStore(_sqlite_path(db), clock or SystemClock())
    if migrate:
        try:
            store.migrate()
        except BaseException:
            store.close()  # its pool's threads, else torn down at exit with a traceback
            raise
    return store


def is_postgres_url(db: str) -> bool:
    return db.startswith(("postgres://", "postgresql://"))


def _replica_url(settings: Settings) -> str | None:
    """settings.db_replica, checked: only a PostgreSQL store reads from a replica."""
    replica = settings.db_replica
    if not replica:
        return None
    if not is_postgres_url(settings.db):
        raise InputError(
            "db_replica (PAPERTIDE_DB_REPLICA) is a read replica of a PostgreSQL database,"
            f" but db is a SQLite file ({settings.db}): unset db_replica or use a"
            " postgresql:// db"
        )
    if not is_postgres_url(replica):
        raise InputError(
            "db_replica (PAPERTIDE_DB_REPLICA) must be a postgresql:// URL of a read replica"
        )
    return replica


def _open_postgres(url: str, clock: Clock, replica: str | None = None) -> Store:
    try:
        from papertide.store.postgres import PostgresStore
    except ImportError as error:
        if not (error.name or "").startswith("psycopg"):
            raise
        hint = "pip install 'papertide[postgres]'"
        raise StoreError(f"PostgreSQL stores need psycopg ({error}); {hint}") from None
    return PostgresStore(url, clock, replica_url=replica)


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


POSTGRES_NEEDS_INDEX_DIR = (
    "a PostgreSQL store keeps its search indexes (and the web tier's generated secret key)"
    " in files: set index_dir (PAPERTIDE_INDEX_DIR) to a folder for them (docs/settings.md)"
)


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
    path = _sqlite_path(settings.db)
    if path == ":memory:":
        return None
    return Path(f"{path}.lexical"), Path(f"{path}.vectors")


def sqlite_file(db: str) -> Path | None:
    """The SQLite file a db setting names; None for PostgreSQL URLs and ":memory:"."""
    path = _sqlite_path(db)
    return None if path == ":memory:" or is_postgres_url(db) else Path(path)


def build_embedder(kind: str = "static") -> Embedder:
    """The fast static embedder (default) or the contextual MiniLM ("contextual")."""
    if kind == "static":
        return StaticEmbedder.load()
    if kind == "contextual":
        return MiniLmEmbedder.load()
    raise InputError(f"unknown embedder {kind!r}; use static or contextual")


def build_lexical(settings: Settings, store: Store) -> TantivyLexicalIndex:
    paths = index_paths(settings)
    return TantivyLexicalIndex(paths[0] if paths else None, store)


def sync_lexical(settings: Settings, store: Store) -> SyncResult:
    """Bring the lexical index up to date with the store, one process at a time per folder
    (`serve`, `index` and `search` each do this before using it)."""
    paths = index_paths(settings)
    with build_lock(paths[0] if paths else None):
        return sync_index(build_lexical(settings, store), store)


def build_vectors(
    settings: Settings,
    store: Store,
    embedder: Embedder,
    clock: Clock | None = None,
    exact_limit: int = EXACT_LIMIT,
) -> VectorSearcher:
    """Exact search below `exact_limit` vectors; the saved HNSW graph (see `papertide index`)
    beyond. With settings.vector_refresh_s > 0, an index that reloads itself, off the request
    path, when the stored vectors or the saved graph change (search/refresh.py)."""
    load = partial(_load_vectors, settings, store, embedder, exact_limit)
    if settings.vector_refresh_s <= 0:
        return load()
    version = partial(_vectors_version, settings, store, embedder.name, exact_limit)
    return RefreshingVectors(load, version, clock or SystemClock(), settings.vector_refresh_s)


def _graph_in_use(settings: Settings, store: Store, model: str, exact_limit: int) -> Path | None:
    """The saved HNSW graph the vector index loads, None when it searches exactly."""
    count = dict(store.embedding_models()).get(model, 0)
    paths = index_paths(settings)
    graph = paths[1] / f"{model}.hnsw" if paths else None
    return graph if count >= exact_limit and graph is not None and graph.exists() else None


def _load_vectors(
    settings: Settings, store: Store, embedder: Embedder, exact_limit: int
) -> VectorSearcher:
    graph = _graph_in_use(settings, store, embedder.name, exact_limit)
    if graph is None:
        return load_exact(store, embedder.name, embedder.dim)
    return HnswIndex.load(embedder.name, embedder.dim, graph)


def _vectors_version(
    settings: Settings, store: Store, model: str, exact_limit: int
) -> tuple[str, int]:
    """What the loaded index reflects: the saved graph's state file (`papertide index` rewrites
    it after adding vectors to the graph), or for exact search the stored vectors' sequence."""
    graph = _graph_in_use(settings, store, model, exact_limit)
    if graph is None:
        return "exact", store.vector_seq(model)
    state = graph.with_name(f"{graph.name}.json")
    return "hnsw", state.stat().st_mtime_ns if state.exists() else 0


def build_search_service(settings: Settings, store: Store) -> SearchService:
    embedder = build_embedder()
    return SearchService(
        store,
        build_lexical(settings, store),
        embedder,
        build_vectors(settings, store, embedder),
        paper_space=build_paper_space(settings, store),
    )


def build_paper_space(settings: Settings, store: Store) -> VectorSpace | None:
    """The contextual vectors for similar papers, when settings.similar_embedder asks for them
    ("contextual") or allows them ("auto") and every paper has one; None: use the static ones.

    The contextual MiniLM ranks similar papers better (CSFCube test nDCG@20 0.607 against
    0.513 fused with BM25; BENCHMARKS.md) but embeds about 20 papers/s, so it is used only
    where stored vectors answer: a paper's neighbours, never a typed query.
    """
    choice = settings.similar_embedder
    if choice not in ("auto", "static", "contextual"):
        raise InputError(f"similar_embedder must be auto, static or contextual, not {choice!r}")
    if choice == "static":
        return None
    embedded = dict(store.embedding_models()).get(CONTEXTUAL_MODEL, 0)
    if choice == "auto" and (embedded == 0 or embedded < store.lexical_watermark().papers):
        return None
    embedder = build_embedder("contextual")
    vectors = build_vectors(settings, store, embedder)
    return VectorSpace(embedder, vectors, CONTEXTUAL_SIMILAR_FUSION)


def build_accounts(store: Store, clock: Clock) -> AccountService:
    return AccountService(store, clock)


def build_community(settings: Settings, store: Store, clock: Clock) -> CommunityService:
    """Votes, comments, submissions...; a submitted paper not yet stored comes from arXiv."""
    return CommunityService(store, clock, arxiv_papers_by_id(settings, clock))


def arxiv_papers_by_id(settings: Settings, clock: Clock) -> Callable[[list[str]], list[Paper]]:
    """Papers by arXiv id from the arXiv API through one polite client. Calls take turns, so
    the gap arXiv asks for between requests holds across web threads."""
    fetcher = build_fetcher(settings, clock)
    turn = threading.Lock()

    def fetch_papers(ids: list[str]) -> list[Paper]:
        source = ArxivApiSource(fetcher, base_url=settings.arxiv_api_url, ids=ids)
        with turn:
            return [result.paper for result in source.records() if isinstance(result, Record)]

    return fetch_papers


def build_web_services(
    settings: Settings, clock: Clock | None = None, store: Store | None = None
) -> WebServices:
    """Everything the web tier calls, over one store (the app closes it when it stops):
    `store`, or the one settings.db names."""
    clock = clock or SystemClock()
    store = store if store is not None else build_store(settings, clock)
    return WebServices(
        settings=settings,
        store=store,
        search=build_search_service(settings, store),
        accounts=build_accounts(store, clock),
        community=build_community(settings, store, clock),
        trending=TrendingService(store, clock),
        digests=build_digests(settings, store, clock),
        clock=clock,
        secret_key=load_secret_key(settings),
    )


def load_secret_key(settings: Settings) -> bytes:
    """settings.secret_key; else a key file created on first use (mode 0600) and shared by
    every worker on this host: `<db>.secret` beside a SQLite database, `<index_dir>/secret`
    for PostgreSQL (InputError without index_dir); for ":memory:" a key for this process."""
    if settings.secret_key:
        return settings.secret_key.encode()
    if is_postgres_url(settings.db):
        if not settings.index_dir:
            raise InputError(POSTGRES_NEEDS_INDEX_DIR)
        folder = Path(settings.index_dir)
        folder.mkdir(parents=True, exist_ok=True)
        return _secret_file(folder / "secret")
    path = _sqlite_path(settings.db)
    if path == ":memory:":
        return secrets.token_bytes(SECRET_KEY_BYTES)
    return _secret_file(Path(f"{path}.secret"))


def _secret_file(path: Path) -> bytes:
    """Read the key file, or create it atomically (written aside, then linked into place, so
    a worker never reads half a file and two workers never keep different keys)."""
    if not path.exists():
        key = secrets.token_bytes(SECRET_KEY_BYTES)
        draft = path.with_name(f"{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(key.hex() + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: use its key
        finally:
            draft.unlink()
    text = path.read_text().strip()
    try:
        bytes.fromhex(text)
    except ValueError:
        raise StoreError(f"{path} does not hold a hex key; delete it to make a new one") from None
    # the text is the key, as secret_key's is: the file's contents pasted into
    # PAPERTIDE_SECRET_KEY on another host sign alike
    return text.encode()


def build_agent_services(
    settings: Settings, store: Store, clock: Clock | None = None
) -> AgentServices:
    """What the MCP agent tools call (`papertide mcp`), over an open store."""
    from papertide.agents.services import AgentServices
    from papertide.rank.service import TrendingService

    search = build_search_service(settings, store)
    return AgentServices(store, search, TrendingService(store, clock or SystemClock()))


def build_mailer(settings: Settings, clock: Clock) -> Mailer:
    """SMTP from settings (smtp_*); without smtp_host, a mailer that refuses with advice."""
    from papertide.digest.send import NoMailServer, SmtpConfig, SmtpMailer

    if not settings.smtp_host:
        return NoMailServer()
    config = SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        tls=settings.smtp_tls,
        user=settings.smtp_user,
        password=settings.smtp_password,
        sender=settings.mail_from,
        timeout_s=settings.smtp_timeout_s,
    )
    return SmtpMailer(config, clock, connections=settings.smtp_connections)


def build_digests(
    settings: Settings, store: Store, clock: Clock, mailer: Mailer | None = None
) -> DigestService:
    """Subscriptions and digests; links signed with the web tier's key (load_secret_key)."""
    from papertide.digest.personal import RecommendRanker
    from papertide.digest.service import DigestService
    from papertide.digest.tokens import DigestTokens

    embedder = build_embedder()  # personal rankings use the stored vectors of its model
    return DigestService(
        store,
        clock,
        mailer or build_mailer(settings, clock),
        DigestTokens(load_secret_key(settings), clock),
        base_url=settings.base_url,
        sender=settings.mail_from,
        personal=RecommendRanker(store, embedder.name, embedder.dim),
    )
