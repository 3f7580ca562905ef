"""The Store protocol every engine implements. No SQL here."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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

    def close(self) -> None: ...
