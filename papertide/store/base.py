"""The Store protocol every engine implements, and the engine-neutral values it speaks in
(and the migration list each engine reads its schema from). No SQL here."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Protocol

from papertide.models import (
    IngestCounts,
    Listing,
    Paper,
    PaperSignals,
    QuarantineEntry,
    Record,
    Rejected,
    StoreStats,
)
from papertide.store.admin_base import AdminStore, AdminViewStore
from papertide.store.community_base import CommunityStore, DiscussionStore
from papertide.store.digest_base import DigestStore, FeedbackStore
from papertide.store.org_base import ClaimStore, OrgStore
from papertide.store.replies_base import ReplyEmailStore
from papertide.store.summary_base import SummaryStore
from papertide.store.sync_base import SyncStore
from papertide.store.tables import RowStore
from papertide.store.vectors_base import EmbeddingRow, EmbedTask, SentenceStore


@dataclass(frozen=True, slots=True)
class StoreWatermark:
    """How far the store has got: its paper count and newest `modified_at` (ISO 8601)."""

    papers: int
    modified_at: str | None


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered schema step of an engine; applied once, recorded under its `name`."""

    name: str
    sql: str


def read_migrations(package: str) -> list[Migration]:
    """The migrations of an engine's migrations package (mNNN_name.py modules, each with a SQL
    string), sorted by number; a migration's name is its module name."""
    path = importlib.import_module(package).__path__
    names = sorted(m.name for m in pkgutil.iter_modules(path) if m.name[0] == "m")
    return [Migration(name, importlib.import_module(f"{package}.{name}").SQL) for name in names]


SignalRow = tuple[str, str | None, date, datetime | None, int, int]


def paper_signals(
    rows: Iterable[SignalRow], votes: dict[str, list[datetime]]
) -> list[PaperSignals]:
    """Trending signals from each engine's (paper id, primary category, first listing day
    ever, that listing's submitted_at, imported upvotes, comments) rows and the times of
    each paper's local votes. `listed_at` is the listing day at 00:00 UTC, or the listing's
    submitted_at when that is earlier still."""
    return [
        PaperSignals(
            paper_id=pid,
            primary_category=category,
            listed_at=min(
                (t for t in (datetime.combine(day, time(), tzinfo=UTC), submitted_at) if t),
            ),
            imported_upvotes=int(imported),
            vote_times=tuple(votes.get(pid, ())),
            comments=int(comments),
        )
        for pid, category, day, submitted_at, imported, comments in rows
    ]


class Store(
    CommunityStore,
    AdminStore,
    DigestStore,
    SyncStore,
    RowStore,
    DiscussionStore,
    SummaryStore,
    AdminViewStore,
    OrgStore,
    ClaimStore,
    SentenceStore,
    ReplyEmailStore,
    FeedbackStore,
    Protocol,
):
    """Papers, listings, quarantine and ingest checkpoints.

    Every write method is one transaction: it commits whole or not at all.
    """

    def migrate(self) -> list[str]:
        """Apply pending migrations in order; return the names applied (idempotent)."""
        ...

    def write_batch(
        self,
        records: Sequence[Record],
        rejected: Sequence[Rejected],
        checkpoint: tuple[str, str | None] | None = None,
        fingerprints: Sequence[int] = (),
    ) -> IngestCounts:
        """Upsert papers and listings with the records' extras (summaries, organisations,
        media), quarantine rejects, save a checkpoint and the fingerprints of the raw lines
        the records came from, atomically.

        A paper is new, updated (its merged content changed) or unchanged. A record with an
        older version than the stored one only adds its version row. Quarantining the same
        raw text from the same source twice keeps one row.
        """
        ...

    # a write waits on a server, the GIL given up (PostgreSQL), rather than running in this
    # process (SQLite): ingest then prepares the next batch in a thread meanwhile
    writes_wait_on_server: bool

    def known_fingerprints(self, fingerprints: Sequence[int]) -> set[int]:
        """Which of these raw-line fingerprints were stored by an earlier batch."""
        ...

    def bulk_load(self) -> AbstractContextManager[None]:
        """Around an ingest's batches: an engine may leave out indexes that only speed up
        reads (and, PostgreSQL, the primary and foreign keys of the rows ingest writes from a
        paper's own columns) while a load fills an empty store, and make them once when it
        ends. What a load that was killed left out is made again when the store is next
        migrated."""
        ...

    def get_paper(self, paper_id: str) -> Paper | None: ...

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        """The papers of these ids that exist, by id."""
        ...

    def lexical_watermark(self) -> StoreWatermark:
        """How many papers there are and the latest modified_at (derived indexes compare it)."""
        ...

    def iter_papers_modified_since(
        self, since: str | None, batch_size: int = 1000
    ) -> Iterator[Paper]:
        """Papers with modified_at >= since (every paper when None), in pk order."""
        ...

    def listings_for(self, day: date) -> list[tuple[Listing, Paper]]:
        """The daily page of `day`, in listing order."""
        ...

    def listings_of(self, paper_id: str) -> list[Listing]:
        """Every daily listing of one paper, newest day first."""
        ...

    def latest_listing_day(self, on_or_before: date | None = None) -> date | None: ...

    def iter_papers(self, batch_size: int = 1000) -> Iterator[Paper]:
        """Every paper, ordered by id, read in batches (constant memory)."""
        ...

    def stats(self) -> StoreStats: ...

    def list_quarantine(self, limit: int = 50, source: str | None = None) -> list[QuarantineEntry]:
        """Most recent first."""
        ...

    def get_checkpoint(self, key: str) -> str | None: ...

    def embed_tasks(self, model: str, after_pk: int = 0, limit: int = 1000) -> list[EmbedTask]:
        """Papers after `after_pk` (by pk) whose `model` embedding is missing or stale."""
        ...

    def count_embed_tasks(self, model: str) -> int: ...

    def save_embeddings(self, model: str, rows: Sequence[EmbeddingRow]) -> None:
        """One transaction."""
        ...

    def iter_vectors(
        self, model: str, batch_size: int = 10_000
    ) -> Iterator[list[tuple[int, bytes]]]:
        """(paper pk, vector bytes) of every paper embedded with `model`, in pk order."""
        ...

    def vector_seq(self, model: str) -> int:
        """The change sequence number of `model`'s latest vector write (0 when none); every
        `save_embeddings` call that writes vectors takes the next number."""
        ...

    def iter_changed_vectors(
        self, model: str, after_seq: int, batch_size: int = 10_000
    ) -> Iterator[list[tuple[int, bytes]]]:
        """(paper pk, vector bytes) of `model`'s vectors written after change `after_seq`."""
        ...

    def vector_of(self, model: str, paper_id: str) -> bytes | None: ...

    def embedding_models(self) -> list[tuple[str, int]]:
        """(model name, papers embedded) for every model with stored vectors."""
        ...

    def ids_for(self, pks: Sequence[int]) -> dict[int, str]:
        """Paper ids of these pks (the keys vector indexes use)."""
        ...

    def close(self) -> None: ...
