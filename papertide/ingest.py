"""The ingest service: feed a source's records into the store in atomic batches.

Each batch (good records, rejects, the latest checkpoint and the fingerprints of the raw
lines stored) commits in one transaction, so a kill leaves whole batches only and a re-run
completes the job without duplicating anything. Lines of a LineSource that were stored before
are skipped unparsed and counted as unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from papertide.errors import PapertideError
from papertide.models import Checkpoint, IngestCounts, ParseResult, Record, Rejected
from papertide.sources.base import LineSource, LineTally, Source, TalliedSource
from papertide.sources.files import Overlong
from papertide.store.base import Store

INGEST_BATCH_SIZE = 2000

ProgressCallback = Callable[[IngestCounts], None]


@dataclass(frozen=True, slots=True)
class IngestResult:
    counts: IngestCounts
    error: PapertideError | None = None
    lines: LineTally | None = None  # where each input line went, for sources that say
    stopped: bool = False  # `should_stop` said so after a committed batch


@dataclass
class Batch:
    """What one transaction writes."""

    records: list[Record] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    checkpoint: Checkpoint | None = None
    fingerprints: list[int] = field(default_factory=list)
    skipped: int = 0

    def add(self, item: Record | Rejected) -> None:
        if isinstance(item, Record):
            self.records.append(item)
        else:
            self.rejected.append(item)

    def __len__(self) -> int:
        return len(self.records) + len(self.rejected) + self.skipped


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


def record_batches(items: Iterator[ParseResult], size: int) -> Iterator[Batch]:
    """Batches of `size` items; a checkpoint closes its batch. A failing source's last
    partial batch is yielded before the error is raised."""
    batch = Batch()
    try:
        for item in items:
            if isinstance(item, Checkpoint):
                batch.checkpoint = item
                yield batch
                batch = Batch()
                continue
            batch.add(item)
            if len(batch) >= size:
                yield batch
                batch = Batch()
    except PapertideError:
        yield batch
        raise
    yield batch


def line_batches(store: Store, source: LineSource, size: int) -> Iterator[Batch]:
    """Batches of a LineSource's lines, parsing only the lines not stored before."""
    chunk: list[tuple[int, bytes | Overlong]] = []
    try:
        for line in source.raw_lines():
            chunk.append(line)
            if len(chunk) >= size:
                yield parse_unseen(store, source, chunk)
                chunk = []
    except PapertideError:
        yield parse_unseen(store, source, chunk)
        raise
    yield parse_unseen(store, source, chunk)


def parse_unseen(
    store: Store, source: LineSource, chunk: list[tuple[int, bytes | Overlong]]
) -> Batch:
    """Parse the lines of `chunk` not stored before; over-long lines are always parsed (into
    a quarantine row, which the store keeps once)."""
    salt = f"{source.kind}:{source.parser_version}:".encode()
    prints = [None if isinstance(raw, Overlong) else fingerprint(salt, raw) for _, raw in chunk]
    seen = store.known_fingerprints([mark for mark in prints if mark is not None])
    batch = Batch()
    for (number, raw), mark in zip(chunk, prints, strict=True):
        if mark is not None and mark in seen:
            batch.skipped += 1
            continue
        item = source.parse_line(number, raw)
        if isinstance(item, Record) and mark is not None:
            batch.fingerprints.append(mark)
        if not isinstance(item, Checkpoint):
            batch.add(item)
    return batch


def fingerprint(salt: bytes, raw: bytes) -> int:
    """A signed 64-bit digest of one raw line (fits an SQLite INTEGER key)."""
    digest = hashlib.blake2b(salt, digest_size=8)
    digest.update(raw)
    return int.from_bytes(digest.digest(), "big", signed=True)
