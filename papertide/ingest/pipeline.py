"""A source's items into batches, each written in one transaction; a LineSource's lines
parsed in other processes (one per core, up to two) while this one writes.

A Source's records are batched as they come; a checkpoint closes its batch, so it is stored
with (never before) the records it follows.

A LineSource's lines are read in chunks (a batch's worth of lines, fewer when they are long);
the lines stored before (their fingerprints are known) are dropped and the rest go to the
parsing processes, which also compute the papers' content hashes. Up to AHEAD chunks are sent
and not yet received, so the parsers work on the next chunks while the caller writes this one,
and a slow commit or a slow chunk does not stall the other side. Parsing takes more CPU than
writing, so on two cores two parsers and the writer share them: whichever side is ahead leaves
its core to the other (with one parser, the writer's core idles while it waits).

When the store's writes wait on a server (PostgreSQL), reading, fingerprinting, asking the
store which lines it knows, sending and receiving happen in a thread of this process, one batch
ahead of the caller: while the caller writes a batch (mostly waiting on the server, the GIL
given up), the thread has the next one received and the chunk after it sent, so the writes
follow each other with no gap. The writes stay on the caller's thread, in order. SQLite's
writes run here, holding the GIL but for each statement's step, and the thread measured
slower there (the 74,728-paper file loaded three times in turns on a busy machine: 6.7-8.1 s
with it, 6.2-7.9 s without), so they alternate with the preparation. The queues are bounded,
and so is memory: at most AHEAD chunks of at most CHUNK_BYTES (plus one line) each sent, and
with the thread one batch waiting for the caller and one being handed over. Batches come out
in the order of the lines, one chunk each, so what a kill leaves behind is whole batches of the
file's first lines; an error comes after the batches before it.

Parsing in a thread would not do: the writer's database calls give up the GIL on every row and
wait for it back from the parsing thread (the preparing thread's own CPU is a small part of a
batch's). A source of one chunk is parsed here (or in the thread), with no process at all;
otherwise the first chunk is parsed there while the processes start. They are told to end once
the last chunk is sent, and exit while the last batches are written.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.reduction import ForkingPickler
from operator import attrgetter
from typing import Any, NoReturn

from papertide.errors import InputError, PapertideError
from papertide.models import (
    Checkpoint,
    Link,
    Listing,
    Paper,
    PaperExtras,
    PaperSummary,
    ParseResult,
    Record,
    Rejected,
    Version,
)
from papertide.sources.base import LineSource
from papertide.sources.files import Overlong
from papertide.store.base import Store
from papertide.store.merge import content_hash

AHEAD = 3  # chunks sent to be parsed and not yet written, at most
MAX_PARSERS = 2  # parsing processes, at most (one per core)
PARENT_CHECK_S = 0.5  # how often a parsing process looks whether its parent is still there
CHUNK_BYTES = 16 * 2**20  # a chunk ends at this many bytes of lines even if short of its count
STOP_POLL_S = 0.05  # how often a stopped line_batches empties the queue its thread fills

Line = tuple[int, bytes | Overlong]


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


@dataclass
class Pending:
    """A chunk of lines sent to be parsed: its parse, and what its batch needs after."""

    parsed: Callable[[], list[ParseResult]]  # waits for the parse when called
    fingerprints: list[int | None]  # of the lines sent, in order
    skipped: int  # lines stored before, not sent
    lines: tuple[int, int]  # the first and last line numbers of the chunk


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


def line_batches(store: Store, source: LineSource, size: int) -> Generator[Batch]:
    """One batch per chunk of at most `size` of the source's lines, in order. When the source
    fails part-way, the batches of the lines read before come first, then its error. Made in
    a thread one batch ahead of the writes when the store's writes wait on a server."""
    if store.writes_wait_on_server:
        return batches_ahead(store, source, size)
    return prepared_batches(store, source, size)


def batches_ahead(store: Store, source: LineSource, size: int) -> Generator[Batch]:
    """prepared_batches made in a thread, one ahead of the caller: while the caller writes
    one, the thread has the next received and the chunk after sent."""
    ready: queue.Queue[Batch | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()
    thread = threading.Thread(
        target=prepare, args=(store, source, size, ready, stop), name="ingest-prepare", daemon=True
    )
    thread.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:  # the thread stops at its next batch, ending the processes; its puts unblocked
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                ready.get_nowait()
            thread.join(STOP_POLL_S)


def prepare(
    store: Store,
    source: LineSource,
    size: int,
    ready: queue.Queue[Batch | BaseException | None],
    stop: threading.Event,
) -> None:
    """In the thread: the batches of prepared_batches into `ready`, then None or the error
    that ended them, until `stop` is set."""
    batches = prepared_batches(store, source, size)
    try:
        for batch in batches:
            if stop.is_set():
                return
            ready.put(batch)
        ready.put(None)
    except BaseException as error:  # the caller raises it after the batches before it
        ready.put(error)
    finally:
        batches.close()


def prepared_batches(store: Store, source: LineSource, size: int) -> Generator[Batch]:
    """line_batches' batches, made in the calling thread: the lines read and fingerprinted,
    the known ones asked for, the rest sent to the parsing processes and received back. The
    processes are told to end once the last chunk is sent, and exit while the last batches are
    written."""
    salt = f"{source.kind}:{source.parser_version}:".encode()
    chunks = line_chunks(source.raw_lines(), size)
    sent: deque[Pending] = deque()
    failure: PapertideError | None = None
    with ParsingProcesses(source) as parser:
        while True:
            while failure is None and len(sent) < AHEAD:
                try:
                    chunk = next(chunks)
                except StopIteration:
                    parser.finish()
                    break
                except PapertideError as error:
                    failure = error
                    break
                sent.append(send_unseen(store, salt, parser, chunk, here=not sent))
            if not sent:
                break
            yield receive(sent.popleft())
    if failure is not None:
        raise failure


def line_chunks(lines: Iterator[Line], size: int) -> Generator[list[Line]]:
    """`lines` in lists of at most `size` lines and about CHUNK_BYTES; when reading fails, the
    lines read before it come out first, then the error."""
    chunk: list[Line] = []
    held = 0
    try:
        for line in lines:
            chunk.append(line)
            held += line[1].size if isinstance(line[1], Overlong) else len(line[1])
            if len(chunk) >= size or held >= CHUNK_BYTES:
                yield chunk
                chunk, held = [], 0
    except PapertideError:
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk


def send_unseen(
    store: Store, salt: bytes, parser: ParsingProcesses, chunk: list[Line], here: bool
) -> Pending:
    """Send the lines of `chunk` not stored before to be parsed (`here`: in this process,
    when the batch is received); over-long lines are always parsed (into a quarantine row,
    which the store keeps once)."""
    prints = [None if isinstance(raw, Overlong) else fingerprint(salt, raw) for _, raw in chunk]
    seen = store.known_fingerprints([mark for mark in prints if mark is not None])
    unseen = [i for i, mark in enumerate(prints) if mark is None or mark not in seen]
    parsed = parser.parse([chunk[i] for i in unseen], here)
    span = (chunk[0][0], chunk[-1][0])
    return Pending(parsed, [prints[i] for i in unseen], len(chunk) - len(unseen), span)


def receive(pending: Pending) -> Batch:
    """The batch of a chunk once parsed."""
    try:
        items = pending.parsed()
    except BrokenProcessPool:
        raise InputError(  # which parser died, on which chunk, the pool does not say
            f"a parsing process stopped (out of memory?) before lines {pending.lines[0]:,}-"
            f"{pending.lines[1]:,} were parsed; the lines before are stored, run again to finish"
        ) from None
    batch = Batch(skipped=pending.skipped)
    for item, mark in zip(items, pending.fingerprints, strict=True):
        if isinstance(item, Record) and mark is not None:
            batch.fingerprints.append(mark)
        if not isinstance(item, Checkpoint):
            batch.add(item)
    return batch


class ParsingProcesses:
    """Parses chunks of a source's lines in child processes (MAX_PARSERS, or one per core
    if fewer), started on the first chunks not parsed here; ended (their queue dropped) when
    the `with` block ends."""

    def __init__(self, source: LineSource) -> None:
        self.source = source
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ParsingProcesses:
        return self

    def __exit__(self, *_: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def finish(self) -> None:
        """No more chunks come: the processes end once the chunks sent are parsed (their
        exit overlaps the writes, not waited for here)."""
        if self.pool is not None:
            self.pool.shutdown(wait=False)

    def parse(self, lines: list[Line], here: bool) -> Callable[[], list[ParseResult]]:
        """The parse of `lines`, to be waited for by calling it."""
        if here:  # when received: the processes start meanwhile
            return lambda: unpacked(parse_packed(self.source, lines))
        if self.pool is None:  # spawn, not fork: this process may run threads
            context = multiprocessing.get_context("spawn")
            workers = min(MAX_PARSERS, os.cpu_count() or 1)
            self.pool = ProcessPoolExecutor(workers, context, initializer=_start_parsing_process)
        try:
            future = self.pool.submit(parse_packed, self.source, lines)
        except BrokenProcessPool as error:  # a process died since: fail in turn, when received
            return partial(reraise, error)
        return lambda: unpacked(future.result())


def reraise(error: BaseException) -> NoReturn:
    raise error


# a Record as (its paper's field values, listing, extras, content hash): dumped, loaded and
# rebuilt (one Paper(*fields) call) in about a third less time than the dataclasses pickled
# (20,000 real papers: 0.73-0.89 s against 1.0-1.44 s on a busy machine)
Packed = tuple[tuple[Any, ...], Listing | None, PaperExtras | None, str] | Rejected | Checkpoint
PAPER_FIELDS = attrgetter(*Paper.__slots__)


def parse_packed(source: LineSource, lines: list[Line]) -> list[Packed]:
    """Each line parsed; records packed, with their paper's content hash computed here."""
    packed: list[Packed] = []
    for number, raw in lines:
        item = source.parse_line(number, raw)
        if isinstance(item, Record):
            paper = item.paper
            packed.append((PAPER_FIELDS(paper), item.listing, item.extras, content_hash(paper)))
        else:
            packed.append(item)
    return packed


def unpacked(items: list[Packed]) -> list[ParseResult]:
    return [
        Record(Paper(*item[0]), item[1], item[2], item[3]) if isinstance(item, tuple) else item
        for item in items
    ]


def _start_parsing_process() -> None:
    """In the parsing process: Ctrl-C reaches the whole process group; the parent handles
    it (and stops this process), so the child does not print a traceback of its own. And the
    process ends when its parent does: a parent killed outright (SIGKILL, the OOM killer)
    never shuts the pool down, and the pool's queue, whose pipe each process holds both ends
    of, would never tell it; it would wait forever, holding the parent's output pipes open."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    threading.Thread(target=_end_with, args=(parent,), name="parent-watch", daemon=True).start()


def _end_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)


def by_fields(item: Any) -> tuple[type, tuple[Any, ...]]:
    """Pickle a slotted dataclass as its type and field values, rebuilt by one call: a
    quarter faster both ways than the default (a __setstate__ that sets field by field),
    for what comes back from the parsing processes besides packed records."""
    return type(item), tuple(getattr(item, name) for name in item.__slots__)


for _parsed in (Record, Rejected, Paper, Version, Link, Listing, PaperExtras, PaperSummary):
    ForkingPickler.register(_parsed, by_fields)


def fingerprint(salt: bytes, raw: bytes) -> int:
    """A signed 64-bit digest of one raw line (fits an SQLite INTEGER key)."""
    digest = hashlib.blake2b(salt, digest_size=8)
    digest.update(raw)
    return int.from_bytes(digest.digest(), "big", signed=True)
