"""The one place objects are built from Settings: stores, HTTP clients, indexes, services.

The top layer: it imports every other package, and only the entry points (cli/, asgi.py)
import it. Each `build_*` takes the parts a caller already holds (an embedder, a clock, a
mailer, a store), so an app builds each part once and tests build their worlds here too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import httpx

from papertide import __version__
from papertide.clock import Clock, SystemClock
from papertide.community.accounts import AccountService, SignupPolicy
from papertide.community.actions import CommunityService
from papertide.community.admin import AdminService
from papertide.community.claims import ClaimService
from papertide.community.ratelimit import DEFAULT_RATE_LIMITS, RateLimits
from papertide.config import Settings, is_postgres_url, sqlite_path
from papertide.errors import InputError, StoreError
from papertide.index.contextual import CONTEXTUAL_MODEL, MiniLmEmbedder
from papertide.index.embed import Embedder
from papertide.index.paths import (
    load_vectors,
    sentence_file,
    term_file,
    thumbnail_folder,
    vectors_version,
)
from papertide.index.refresh import open_lexical
from papertide.index.sentence_index import SentenceFile, SentenceSource
from papertide.index.sentences import load_sentences
from papertide.index.static import StaticEmbedder
from papertide.index.summaries import Summariser
from papertide.index.term_index import TermFile, TermSource, load_terms
from papertide.index.thumbnails import Thumbnails
from papertide.index.vectors import EXACT_LIMIT
from papertide.models import Paper, Record
from papertide.rank.listings import ListingsService
from papertide.search.hybrid import CONTEXTUAL_SIMILAR_FUSION
from papertide.search.refresh import RefreshingVectors
from papertide.search.service import SearchService, VectorSearcher, VectorSpace
from papertide.secret_key import load_secret_key
from papertide.sources.arxiv import ArxivApiSource
from papertide.sources.base import Source
from papertide.sources.hf_daily import HfDailyApiSource, HfDailyFilesSource
from papertide.sources.http import PoliteFetcher
from papertide.sources.oai import OaiSource
from papertide.sources.snapshot import SnapshotSource
from papertide.sources.tabular import CsvSource, JsonlSource
from papertide.sources.text import TextSource
from papertide.store.base import Store
from papertide.store.sqlite import SqliteStore
from papertide.sync.service import SyncFetchers, SyncService
from papertide.web.services import WebServices

if TYPE_CHECKING:
    from papertide.agents.services import AgentServices
    from papertide.digest.send import Mailer
    from papertide.digest.service import DigestService


class ArxivSearch(TypedDict):
    """What to fetch from the arXiv API: ids, or a query and/or categories and dates."""

    ids: Sequence[str]
    query: str | None
    categories: Sequence[str]
    date_from: date | None
    date_until: date | None
    max_results: int | None


class OaiHarvest(TypedDict):
    """Which OAI-PMH ListRecords harvest: metadata prefix, set and dates."""

    prefix: str
    set_spec: str | None
    date_from: date | None
    date_until: date | None


USER_AGENT = f"papertide/{__version__} (self-hosted paper discovery)"


def build_store(settings: Settings, clock: Clock | None = None, migrate: bool = True) -> Store:
    """Open the store named by settings.db: a path, sqlite:///path or a postgresql:// URL
    (migrated unless told), reading from settings.db_replica too when set."""
    db = settings.db
    replica = _replica_url(settings)  # InputError for a replica of a SQLite file
    store: Store
    if is_postgres_url(db):
        store = _open_postgres(db, clock or SystemClock(), replica)
    else:
        store = SqliteStore(sqlite_path(db), clock or SystemClock())
    if migrate:
        try:
            store.migrate()
        except BaseException:
            store.close()  # its pool's threads, else torn down at exit with a traceback
            raise
    return store


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


FILE_SOURCES: dict[str, Callable[[str | Path], Source]] = {
    "jsonl": JsonlSource,
    "csv": CsvSource,
    "text": TextSource,
    "snapshot": SnapshotSource,
}


def build_file_sources(kind: str, files: Sequence[str | Path]) -> list[Source]:
    """The sources reading `files` of one kind: jsonl, csv, text, snapshot (one source per
    file) or hf-daily (saved Daily Papers responses, one source for all)."""
    if kind == "hf-daily":
        return [HfDailyFilesSource(files)]
    return [FILE_SOURCES[kind](path) for path in files]


def build_hf_daily_source(settings: Settings, days: Sequence[date], url: str | None) -> Source:
    """The Daily Papers API for `days` (at `url`, else settings.hf_daily_url), a call a second."""
    fetcher = build_fetcher(settings, min_interval_s=1.0)
    return HfDailyApiSource(fetcher, base_url=url or settings.hf_daily_url, days=days)


def build_arxiv_source(
    settings: Settings,
    store: Store,
    url: str | None,
    restart: bool,
    search: ArxivSearch,
) -> Source:
    """The arXiv API (at `url`, else settings.arxiv_api_url) for `search`, continuing from
    where the same harvest stopped in `store` unless `restart`."""
    source = ArxivApiSource(
        build_fetcher(settings), base_url=url or settings.arxiv_api_url, **search
    )
    saved = None if restart else store.get_checkpoint(source.checkpoint_key)
    if saved is not None:
        source.resume_at(saved)
    return source


def build_oai_source(
    settings: Settings, store: Store, url: str | None, restart: bool, harvest: OaiHarvest
) -> Source:
    """arXiv OAI-PMH (at `url`, else settings.oai_url) for `harvest`, continuing from the
    resumption token the same harvest saved in `store` unless `restart`."""
    source = OaiSource(build_fetcher(settings), base_url=url or settings.oai_url, **harvest)
    saved = None if restart else store.get_checkpoint(source.checkpoint_key)
    if saved is not None:
        source.resume_at(saved)
    return source


def build_sync(
    settings: Settings, store: Store, clock: Clock | None = None, embedder: Embedder | None = None
) -> SyncService:
    """`papertide sync` over an open store: arXiv through one polite client (`arxiv_delay_s`
    apart), Hugging Face through another (a call a second); the indexes it refreshes include
    `embedder`'s vectors (the static one unless given) and new or changed papers' TL;DRs and
    keywords."""
    clock = clock or SystemClock()
    fetchers = SyncFetchers(
        arxiv=build_fetcher(settings, clock), hf=build_fetcher(settings, clock, min_interval_s=1.0)
    )
    embedder = embedder or build_embedder()
    static = embedder if isinstance(embedder, StaticEmbedder) else build_embedder()
    return SyncService(
        settings,
        store,
        clock,
        fetchers,
        embedder,
        summariser=Summariser(static),
        sentences=static,
        thumbnails=build_thumbnails(settings),
    )


def build_thumbnails(settings: Settings) -> Thumbnails | None:
    """The paper thumbnail folder beside the indexes; None for an in-memory store."""
    folder = thumbnail_folder(settings)
    return Thumbnails(folder) if folder is not None else None


def build_embedder(kind: str = "static") -> Embedder:
    """The fast static embedder (default) or the contextual MiniLM ("contextual")."""
    if kind == "static":
        return StaticEmbedder.load()
    if kind == "contextual":
        return MiniLmEmbedder.load()
    raise InputError(f"unknown embedder {kind!r}; use static or contextual")


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
    load = partial(load_vectors, settings, store, embedder, exact_limit)
    if settings.vector_refresh_s <= 0:
        return load()
    version = partial(vectors_version, settings, store, embedder.name, exact_limit)
    return RefreshingVectors(load, version, clock or SystemClock(), settings.vector_refresh_s)


def build_search_service(
    settings: Settings, store: Store, embedder: Embedder | None = None
) -> SearchService:
    """Hybrid search over `store`, typed queries embedded by `embedder` (the static one
    unless given: an app that builds several services builds it once)."""
    embedder = embedder or build_embedder()
    return SearchService(
        store,
        open_lexical(settings, store),
        embedder,
        build_vectors(settings, store, embedder),
        build_sentences(settings, store, embedder),
        build_terms(settings, store),
        paper_space=build_paper_space(settings, store),
    )


def build_sentences(settings: Settings, store: Store, embedder: Embedder) -> SentenceSource:
    """`embedder`'s sentence index: the file `papertide index` writes, memory-mapped and
    followed as it is rewritten; for an in-memory store, the stored rows loaded."""
    path = sentence_file(settings, embedder.name)
    if path is None:
        return load_sentences(store, embedder.name, embedder.dim)
    return SentenceFile(path, embedder.dim)


def build_terms(settings: Settings, store: Store) -> TermSource:
    """Every paper's word counts: the file `papertide index` writes, memory-mapped and
    followed as it is rewritten; for an in-memory store, counted from its papers."""
    path = term_file(settings)
    return load_terms(store) if path is None else TermFile(path)


def build_paper_space(settings: Settings, store: Store) -> VectorSpace | None:
    """The contextual vectors for similar papers, when settings.similar_embedder asks for them
    ("contextual") or allows them ("auto") and every paper has one; None: use the static ones.

    The contextual MiniLM ranks similar papers better (CSFCube test nDCG@20 0.621 against
    0.586 for the static ones fused with BM25 and their centered cosines; BENCHMARKS.md) but
    embeds about 20 papers/s, so it is used only where stored vectors answer: a paper's
    neighbours, never a typed query.
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


def build_listings(store: Store, clock: Clock | None = None) -> ListingsService:
    """The daily, periods and trending every surface shows (rank/listings.py)."""
    return ListingsService(store, clock or SystemClock())


def build_accounts(
    store: Store, clock: Clock, settings: Settings | None = None, secret_key: bytes = b""
) -> AccountService:
    """Accounts under the sign-up policy of `settings` (open when none); `secret_key` signs
    the password-reset and email-change links."""
    policy = SignupPolicy.of(settings.signup, settings.signup_email_domains) if settings else None
    return AccountService(store, clock, policy=policy, secret_key=secret_key)


def build_admin(settings: Settings, store: Store, clock: Clock | None = None) -> AdminService:
    """Curator actions (community/admin.py) over `store`, for the command line."""
    clock = clock or SystemClock()
    return AdminService(store, clock, build_accounts(store, clock, settings))


def build_community(
    settings: Settings,
    store: Store,
    clock: Clock,
    papers_by_id: Callable[[list[str]], list[Paper]] | None = None,
    limits: RateLimits = DEFAULT_RATE_LIMITS,
) -> CommunityService:
    """Votes, comments, submissions...; a submitted paper not yet stored comes from
    `papers_by_id`, else from arXiv (arxiv_papers_by_id); `limits` bound what each account
    may post."""
    fetch = papers_by_id or arxiv_papers_by_id(settings, clock)
    return CommunityService(store, clock, fetch, limits)


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
    settings: Settings,
    clock: Clock | None = None,
    store: Store | None = None,
    embedder: Embedder | None = None,
    mailer: Mailer | None = None,
    papers_by_id: Callable[[list[str]], list[Paper]] | None = None,
    limits: RateLimits = DEFAULT_RATE_LIMITS,
) -> WebServices:
    """Everything the web tier calls, over one store (the app closes it when it stops):
    `store`, or the one settings.db names. One static embedder (`embedder` when given) and
    one secret key serve every service; `mailer` sends digests (else build_mailer);
    `papers_by_id` and `limits` go to build_community."""
    clock = clock or SystemClock()
    store = store if store is not None else build_store(settings, clock)
    embedder = embedder or build_embedder()
    secret_key = load_secret_key(settings)
    listings = build_listings(store, clock)
    accounts = build_accounts(store, clock, settings, secret_key)
    return WebServices(
        settings=settings,
        store=store,
        search=build_search_service(settings, store, embedder),
        accounts=accounts,
        community=build_community(settings, store, clock, papers_by_id, limits),
        admin=AdminService(store, clock, accounts),
        claims=ClaimService(store, limits),
        listings=listings,
        digests=build_digests(settings, store, clock, mailer, embedder, secret_key, listings),
        clock=clock,
        secret_key=secret_key,
        thumbnails=build_thumbnails(settings),
    )


def build_agent_services(
    settings: Settings, store: Store, clock: Clock | None = None, embedder: Embedder | None = None
) -> AgentServices:
    """What the MCP agent tools call (`papertide mcp`), over an open store."""
    from papertide.agents.services import AgentServices

    search = build_search_service(settings, store, embedder)
    return AgentServices(store, search, build_listings(store, clock))


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
    settings: Settings,
    store: Store,
    clock: Clock,
    mailer: Mailer | None = None,
    embedder: Embedder | None = None,
    secret_key: bytes | None = None,
    listings: ListingsService | None = None,
) -> DigestService:
    """Subscriptions and digests; links signed with the web tier's key (load_secret_key,
    unless given); personal rankings use the stored vectors of `embedder`'s model."""
    from papertide.digest.personal import RecommendRanker
    from papertide.digest.service import DigestService
    from papertide.digest.tokens import DigestTokens

    embedder = embedder or build_embedder()
    key = secret_key if secret_key is not None else load_secret_key(settings)
    return DigestService(
        store,
        clock,
        mailer or build_mailer(settings, clock),
        DigestTokens(key, clock),
        base_url=settings.public_url,
        sender=settings.mail_from,
        personal=RecommendRanker(store, embedder.name, embedder.dim),
        listings=listings or build_listings(store, clock),
        reply_interval_s=settings.reply_email_interval_min * 60.0,
    )
