"""The ingest pipeline of line sources (papertide/ingest/pipeline.py) into a real SQLite store:
chunks parsed in a second process come back in order with their quarantine rows, memory is
bounded by the queue, a parsing process that dies or fails leaves whole batches and a clear
error, and checkpoints are stored only with the batch they close.
"""

from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, date, datetime
from multiprocessing.reduction import ForkingPickler
from pathlib import Path

import pytest

from papertide.clock import FixedClock
from papertide.errors import InputError
from papertide.ingest import ingest
from papertide.ingest.pipeline import AHEAD, ParsingProcesses, line_batches, line_chunks
from papertide.models import (
    Checkpoint,
    IngestCounts,
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
from papertide.sources.files import Overlong
from papertide.sources.tabular import JsonlSource
from papertide.store.sqlite import SqliteStore

FILES = Path(__file__).resolve().parents[2] / "data" / "files"


def mixed_file(path: Path) -> Path:
    """The 50 real papers with the 13 lines of papers_bad.jsonl spread among them."""
    good = (FILES / "cs_listings_50.jsonl").read_bytes().splitlines()
    bad = iter((FILES / "papers_bad.jsonl").read_bytes().splitlines())  # one not UTF-8
    lines = []
    for n, paper in enumerate(good, start=1):
        lines.append(paper)
        if n % 4 == 0:
            lines.append(next(bad))
    lines.extend(bad)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def stored(store: SqliteStore) -> tuple[list[str], list[tuple[str, str]]]:
    """Paper ids in the order they were inserted, and the quarantine's (reason, raw) rows."""
    ids = [paper.id for paper in store.iter_papers_modified_since(None)]
    quarantined = [(entry.reason, entry.raw) for entry in store.list_quarantine(limit=1000)]
    return ids, sorted(quarantined)


def test_chunks_parsed_in_the_process_store_what_one_batch_stores(
    store: SqliteStore, tmp_path: Path
) -> None:
    path = mixed_file(tmp_path / "mixed.jsonl")
    reference = SqliteStore(tmp_path / "reference.db", store.clock)
    reference.migrate()
    try:
        whole = ingest(reference, JsonlSource(path), batch_size=10_000)  # one chunk: no process
        chunked = ingest(store, JsonlSource(path), batch_size=4)  # 16 chunks, 15 in the process
        # (papers_bad.jsonl repeats papers of the 50: counted unchanged when in a later batch)
        new, quarantined = chunked.counts.new, chunked.counts.quarantined
        assert (new, quarantined) == (whole.counts.new, whole.counts.quarantined) == (51, 10)
        assert stored(store) == stored(reference)
    finally:
        reference.close()


def test_batches_come_in_line_order_one_chunk_each(store: SqliteStore, tmp_path: Path) -> None:
    path = mixed_file(tmp_path / "mixed.jsonl")
    source = JsonlSource(path)
    expected = [source.parse_line(n, raw) for n, raw in source.raw_lines()]
    batches = list(line_batches(store, JsonlSource(path), 5))
    sizes = [len(batch) for batch in batches]
    assert sizes[:-1] == [5] * (len(sizes) - 1) and sum(sizes) == len(expected) > 60
    records = [record.paper.id for batch in batches for record in batch.records]
    assert records == [item.paper.id for item in expected if isinstance(item, Record)]
    reasons = [item.reason for batch in batches for item in batch.rejected]
    assert reasons == [item.reason for item in expected if isinstance(item, Rejected)]
    assert all(record.content_hash for batch in batches for record in batch.records)


class CountingSource(JsonlSource):
    """Counts the lines read so far (in this process, where reading happens)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.read = 0

    def raw_lines(self) -> Iterator[tuple[int, bytes | Overlong]]:
        for line in super().raw_lines():
            self.read += 1
            yield line


def test_lines_read_ahead_of_the_writes_are_bounded_by_the_queue(
    store: SqliteStore,
) -> None:
    source = CountingSource(FILES / "cs_listings_50.jsonl")
    ahead: list[int] = []  # lines read and not written, after each batch
    result = ingest(
        store, source, batch_size=5, on_progress=lambda c: ahead.append(source.read - c.new)
    )
    assert result.counts == IngestCounts(new=50)
    # AHEAD chunks read before a write; after it, the AHEAD - 1 still queued
    assert ahead == [min((k + AHEAD - 1) * 5, 50) - k * 5 for k in range(1, 11)]
    assert ahead[0] == (AHEAD - 1) * 5 > 0


def test_chunks_end_at_their_byte_limit_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("papertide.ingest.pipeline.CHUNK_BYTES", 1000)
    lines: list[tuple[int, bytes | Overlong]] = [(n, b"x" * 300) for n in range(1, 11)]
    lines.insert(5, (6, Overlong(50_000_000, b"y")))  # counted at its full size, not held
    sizes = [len(chunk) for chunk in line_chunks(iter(lines), 100)]
    assert sizes == [4, 2, 4, 1]


class DyingSource(JsonlSource):
    """Kills the parsing process (as the kernel's OOM killer would) on one line; parses that
    line as usual when it is parsed in the process that reads."""

    def __init__(self, path: Path, die_at: int) -> None:
        super().__init__(path)
        self.reader = os.getpid()
        self.die_at = die_at

    def parse_line(self, number: int, raw: bytes | Overlong) -> ParseResult:
        if number == self.die_at and os.getpid() != self.reader:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().parse_line(number, raw)


class FailingSource(JsonlSource):
    """A bug in parsing: raises on one line (in whichever process parses it)."""

    def parse_line(self, number: int, raw: bytes | Overlong) -> ParseResult:
        if number == 23:
            raise RuntimeError(f"a bug at line {number}")
        return super().parse_line(number, raw)


def test_a_killed_parsing_process_leaves_whole_batches_and_a_clear_error(
    store: SqliteStore,
) -> None:
    path = FILES / "cs_listings_50.jsonl"
    result = ingest(store, DyingSource(path, die_at=23), batch_size=5)
    # the other parser's chunks in flight fail with it: whole batches before line 21 are kept
    kept = result.counts.new
    assert kept in (10, 15, 20)  # AHEAD = 3: at most two chunks before it in flight
    assert isinstance(result.error, InputError)
    assert str(result.error) == (
        f"a parsing process stopped (out of memory?) before lines {kept + 1}-{kept + 5} were"
        " parsed; the lines before are stored, run again to finish"
    )
    assert len(list(store.iter_papers())) == kept
    again = ingest(store, JsonlSource(path), batch_size=5)
    assert again.counts == IngestCounts(new=50 - kept, unchanged=kept)


def test_a_chunk_sent_after_a_parsing_process_died_fails_when_received_not_when_sent() -> None:
    # the reader may send its next chunk after the pool broke: sending must not raise (out of
    # the reading loop, past `receive`, which names the lines), the chunk fails in its turn
    source = DyingSource(FILES / "cs_listings_50.jsonl", die_at=1)
    lines = list(source.raw_lines())
    with ParsingProcesses(source) as parser:
        with pytest.raises(BrokenProcessPool):
            parser.parse(lines[:1], here=False)()
        later = parser.parse(lines[1:2], here=False)
        with pytest.raises(BrokenProcessPool):
            later()


def test_an_error_in_the_parsing_process_reaches_the_caller_after_whole_batches(
    store: SqliteStore,
) -> None:
    with pytest.raises(RuntimeError, match="a bug at line 23"):
        ingest(store, FailingSource(FILES / "cs_listings_50.jsonl"), batch_size=5)
    assert len(list(store.iter_papers())) == 20


def test_parsed_records_cross_processes_unchanged() -> None:
    moment = datetime(2026, 3, 5, 12, 30, tzinfo=UTC)
    paper = Paper(
        id="2603.01234",
        title="T",
        abstract="A",
        authors=("Ada", "Bo"),
        categories=("cs.LG",),
        version=2,
        versions=(Version(1, moment, "1kb"), Version(2)),
        comment="c",
        published=moment,
        updated=moment,
        links=(Link("code", "https://github.com/a/b"),),
    )
    extras = PaperExtras(PaperSummary("2603.01234", "hf", "tl;dr", ("k",)), "Org", "org", ("m",))
    items: Sequence[ParseResult] = [
        Record(paper, Listing(date(2026, 3, 5), "2603.01234", 1, upvotes=3), extras, "h" * 32),
        Rejected("jsonl:x", "raw", "why"),
    ]
    assert pickle.loads(ForkingPickler.dumps(list(items))) == items


class CheckpointedSource:
    """Records with a checkpoint after every third, as OAI-PMH and arXiv API pages are."""

    name = "harvest"

    def __init__(self, papers: list[Paper]) -> None:
        self.papers = papers

    def records(self) -> Iterator[ParseResult]:
        for n, paper in enumerate(self.papers, start=1):
            yield Record(paper)
            if n % 3 == 0:
                yield Checkpoint("harvest", f"page-{n // 3}")


class FailingWrites(SqliteStore):
    """Fails the write of its third batch, as a full disk would."""

    writes = 0

    def write_batch(
        self,
        records: Sequence[Record],
        rejected: Sequence[Rejected],
        checkpoint: tuple[str, str | None] | None = None,
        fingerprints: Sequence[int] = (),
    ) -> IngestCounts:
        self.writes += 1
        if self.writes == 3:
            raise OSError("disk full")
        return super().write_batch(records, rejected, checkpoint, fingerprints)


def test_a_checkpoint_is_stored_only_with_the_batch_it_closes(tmp_path: Path) -> None:
    store = FailingWrites(tmp_path / "t.db", FixedClock())
    store.migrate()
    papers = [Paper(id=f"2603.{n:05d}", title=f"Paper {n}", abstract="A") for n in range(1, 11)]
    try:
        with pytest.raises(OSError, match="disk full"):
            ingest(store, CheckpointedSource(papers))
        assert store.get_checkpoint("harvest") == "page-2"
        assert len(list(store.iter_papers())) == 6
    finally:
        store.close()
