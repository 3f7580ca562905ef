"""The ingest service: feed a source's records into the store in atomic batches.

Each batch (good records, rejects and the latest checkpoint) commits in one transaction, so a
kill leaves whole batches only and a re-run completes the job without duplicating anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from papertide.errors import PapertideError
from papertide.models import Checkpoint, IngestCounts, Record, Rejected
from papertide.sources.base import Source
from papertide.store.base import Store

INGEST_BATCH_SIZE = 2000

ProgressCallback = Callable[[IngestCounts], None]


@dataclass(frozen=True, slots=True)
class IngestResult:
    counts: IngestCounts
    error: PapertideError | None = None


def ingest(
    store: Store,
    source: Source,
    on_progress: ProgressCallback | None = None,
    batch_size: int = INGEST_BATCH_SIZE,
) -> IngestResult:
    """Store everything `source` yields; a source error keeps what came before it.

    When the source fails part-way (a truncated file, a host that stops answering), the
    records read so far are committed and the error is returned with the counts.
    """
    total = IngestCounts()
    records: list[Record] = []
    rejected: list[Rejected] = []

    def flush(checkpoint: Checkpoint | None = None) -> None:
        nonlocal total
        saved = (checkpoint.key, checkpoint.value) if checkpoint else None
        if records or rejected or saved:
            total += store.write_batch(records, rejected, saved)
            records.clear()
            rejected.clear()
            if on_progress:
                on_progress(total)

    try:
        for item in source.records():
            if isinstance(item, Checkpoint):
                flush(item)
                continue
            if isinstance(item, Record):
                records.append(item)
            else:
                rejected.append(item)
            if len(records) + len(rejected) >= batch_size:
                flush()
    except PapertideError as error:
        flush()
        return IngestResult(total, error)
    flush()
    return IngestResult(total)
