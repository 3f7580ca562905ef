"""The ingest service: feed a source's records into the store in atomic batches.

Each batch (good records with their extras, rejects, the latest checkpoint and the
fingerprints of the raw lines stored) commits in one transaction, so a kill leaves whole
batches only and a re-run completes the job without duplicating anything. Lines of a
LineSource that were stored before are skipped unparsed and counted as unchanged. How a
source becomes batches (a LineSource's lines parsed in other processes while this one
writes) is in pipeline.py. The batches are written inside the store's bulk_load(), where an
engine may build some read indexes once, at the end of a load into an empty store.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass

from papertide.errors import PapertideError
from papertide.ingest.pipeline import Batch, line_batches, record_batches
from papertide.models import IngestCounts
from papertide.sources.base import LineSource, LineTally, Source, TalliedSource
from papertide.store.base import Store

# lines (records) per transaction: the name index of paper_authors takes inserts all over, so
# each commit writes most of its pages to the WAL again; 5,000 wrote 556 MB for the 74,728-paper
# file where 2,000 wrote 802 MB, and a third less writer time on a busy disk
INGEST_BATCH_SIZE = 5000

ProgressCallback = Callable[[IngestCounts], None]


@dataclass(frozen=True, slots=True)
class IngestResult:
    counts: IngestCounts
    error: PapertideError | None = None
    lines: LineTally | None = None  # where each input line went, for sources that say
    stopped: bool = False  # `should_stop` said so after a committed batch


def ingest(
    store: Store,
    source: Source,
    on_progress: ProgressCallback | None = None,
    batch_size: int = INGEST_BATCH_SIZE,
    should_stop: Callable[[], bool] | None = None,
) -> IngestResult:
    """Store everything `source` yields; a source error keeps what came before it.

    When the source fails part-way (a truncated file, a host that stops answering), the
    records read so far are committed and the error is returned with the counts.
    `should_stop` is asked between batches, where stopping leaves nothing half-done (a
    signal handler that raised instead could land in a finaliser, which swallows it).
    """
    if isinstance(source, LineSource):
        batches = line_batches(store, source, batch_size)
    else:
        batches = record_batches(source.records(), batch_size)
    total = IngestCounts()
    try:
        # a stop or a failed write ends the parsing processes; then the load's indexes are built
        with store.bulk_load(), closing(batches):
            for batch in batches:
                total += write(store, batch)
                if on_progress:
                    on_progress(total)
                if should_stop and should_stop():
                    return IngestResult(total, stopped=True)
    except PapertideError as error:
        return IngestResult(total, error)
    return IngestResult(total, lines=source.tally() if isinstance(source, TalliedSource) else None)


def write(store: Store, batch: Batch) -> IngestCounts:
    saved = (batch.checkpoint.key, batch.checkpoint.value) if batch.checkpoint else None
    counts = IngestCounts(unchanged=batch.skipped)
    if batch.records or batch.rejected or saved or batch.fingerprints:
        counts += store.write_batch(batch.records, batch.rejected, saved, batch.fingerprints)
    return counts
