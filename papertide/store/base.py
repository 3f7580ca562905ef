"""The Store protocol every engine implements. No SQL here."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from papertide.models import (
    IngestCounts,
    Listing,
    Paper,
    QuarantineEntry,
    Record,
    Rejected,
    StoreStats,
)
from papertide.store.fts import StoreWatermark


@dataclass(frozen=True, slots=True)
class EmbedTask:
    """A paper whose embedding for some model is missing or stale."""

    paper_pk: int
    paper_id: str
    title: str
    abstract: str
    content_hash: str
    text_hash: str | None  # of the text embedded last time; None if never embedded


@dataclass(frozen=True, slots=True)
class EmbeddingRow:
    """What to store for one paper; `vector` None means the text is unchanged, keep the old."""

    paper_pk: int
    content_hash: str
    text_hash: str
    vector: bytes | None


class Store(Protocol):
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
        """Upsert papers and listings, quarantine rejects, save a checkpoint and the
        fingerprints of the raw lines the records came from, atomically.

        A paper is new, updated (its merged content changed) or unchanged. A record with an
        older version than the stored one only adds its version row. Quarantining the same
        raw text from the same source twice keeps one row.
        """
        ...

    def known_fingerprints(self, fingerprints: Sequence[int]) -> set[int]:
        """Which of these raw-line fingerprints were stored by an earlier batch."""
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
