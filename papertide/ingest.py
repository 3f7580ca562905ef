"""The ingest service: feed a source's records into the store in atomic batches.

Each batch (good records with their extras, rejects, the latest checkpoint and the
fingerprints of the raw lines stored) commits in one transaction, so a kill leaves whole
batches only and a re-run completes the job without duplicating anything. Lines of a
LineSource that were stored before are skipped unparsed and counted as unchanged.

A LineSource of more than one batch is parsed in a second process (which also computes the
papers' content hashes), one batch ahead of the batch being written: parsing and writing then
take about the same time and overlap on two cores. A thread would not do: the writer's
database calls give up the GIL on every row and wait for it back from the parsing thread.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import signal
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, field, replace

from papertide.errors import InputError, PapertideError
from papertide.models import Checkpoint, IngestCounts, ParseResult, Record, Rejected
from papertide.sources.base import LineSource, LineTally, Source, TalliedSource
from papertide.sources.files import Overlong
from papertide.store.base import Store
from papertide.store.merge import content_hash

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
        with closing(batches):  # a stop or a failed write ends the parsing process at once
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


def record_batches(items: Iterator[ParseResult], size: int) -> Generator[Batch]:
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


Line = tuple[int, bytes | Overlong]


@dataclass
class Pending:
    """A chunk of lines sent to be parsed: the parse under way and what it needs after."""

    parsed: Future[list[ParseResult]]
    fingerprints: list[int | None]  # of the lines sent, in order
    skipped: int  # lines stored before, not sent


def line_batches(store: Store, source: LineSource, size: int) -> Generator[Batch]:
    """Batches of a LineSource's lines, parsing only the lines not stored before; from the
    second batch on, in a parsing process one batch ahead (see the module docstring)."""
    salt = f"{source.kind}:{source.parser_version}:".encode()
    parser = ParsingProcess(source)
    pending: Pending | None = None
    chunk: list[Line] = []
    failure: PapertideError | None = None  # a failing source: what was read goes in first
    try:
        try:
            for line in source.raw_lines():
                chunk.append(line)
                if len(chunk) >= size:
                    if pending is not None:
                        parser.start()  # more than one batch: worth a process
                    sent = send_unseen(store, salt, parser, chunk)
                    if pending is not None:
                        yield receive(pending)
                    pending, chunk = sent, []
        except PapertideError as error:
            failure = error
        if pending is not None:
            yield receive(pending)
        yield receive(send_unseen(store, salt, parser, chunk))
        if failure is not None:
            raise failure
    finally:
        parser.stop()


def send_unseen(store: Store, salt: bytes, parser: ParsingProcess, chunk: list[Line]) -> Pending:
    """Send the lines of `chunk` not stored before to be parsed; over-long lines are always
    parsed (into a quarantine row, which the store keeps once)."""
    prints = [None if isinstance(raw, Overlong) else fingerprint(salt, raw) for _, raw in chunk]
    seen = store.known_fingerprints([mark for mark in prints if mark is not None])
    unseen = [i for i, mark in enumerate(prints) if mark is None or mark not in seen]
    parsed = parser.parse([chunk[i] for i in unseen])
    return Pending(parsed, [prints[i] for i in unseen], len(chunk) - len(unseen))


def receive(pending: Pending) -> Batch:
    """The batch of a chunk once parsed."""
    try:
        items = pending.parsed.result()
    except BrokenProcessPool:
        raise InputError("the parsing process stopped (out of memory?); run again") from None
    batch = Batch(skipped=pending.skipped)
    for item, mark in zip(items, pending.fingerprints, strict=True):
        if isinstance(item, Record) and mark is not None:
            batch.fingerprints.append(mark)
        if not isinstance(item, Checkpoint):
            batch.add(item)
    return batch


class ParsingProcess:
    """Parses chunks of a source's lines: in this process until started, then in one child."""

    def __init__(self, source: LineSource) -> None:
        self.source = source
        self.pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self.pool is None:  # spawn, not fork: this process may run threads
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(1, context, initializer=_ignore_interrupts)

    def parse(self, lines: list[Line]) -> Future[list[ParseResult]]:
        if self.pool is not None:
            return self.pool.submit(parse_lines, self.source, lines)
        done: Future[list[ParseResult]] = Future()
        done.set_result(parse_lines(self.source, lines))
        return done

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def parse_lines(source: LineSource, lines: list[Line]) -> list[ParseResult]:
    """Each line parsed; records carry their paper's content hash, computed here."""
    parsed = (source.parse_line(number, raw) for number, raw in lines)
    return [
        replace(item, content_hash=content_hash(item.paper)) if isinstance(item, Record) else item
        for item in parsed
    ]


def _ignore_interrupts() -> None:
    """In the parsing process: Ctrl-C reaches the whole process group; the parent handles
    it (and stops this process), so the child does not print a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def fingerprint(salt: bytes, raw: bytes) -> int:
    """A signed 64-bit digest of one raw line (fits an SQLite INTEGER key)."""
    digest = hashlib.blake2b(salt, digest_size=8)
    digest.update(raw)
    return int.from_bytes(digest.digest(), "big", signed=True)
