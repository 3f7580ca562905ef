"""Copy a whole store into an empty one of any engine (`papertide migrate`), table by table in
key order. Resumable: each batch commits with a checkpoint (table, last key) in the target, so
a re-run continues after the last committed batch and never copies a row twice. Verified:
row counts and an order-independent checksum of every table, on both sides.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from papertide.errors import InputError
from papertide.store.base import Store
from papertide.store.tables import TABLES, Row, Table, decode_key, encode_key

MIGRATE_BATCH_ROWS = 2_000
MARK = "migrate:"  # checkpoint keys of a copy in progress (in the target's checkpoints table)
SOURCE_MARK = f"{MARK}source"
DONE = "done"
_CHECKSUM_BITS = 128

Progress = Callable[[str, int, int], None]  # (table, rows copied so far, rows in the source)


@dataclass(frozen=True, slots=True)
class TableCheck:
    """One table on both sides: rows and checksum (sum of 128-bit row digests, hex)."""

    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        return (self.source_rows, self.source_checksum) == (self.target_rows, self.target_checksum)


@dataclass(frozen=True, slots=True)
class MigrateReport:
    """What one run copied (rows per table), whether it resumed an earlier run, and the
    verification of every table."""

    copied: tuple[tuple[str, int], ...]
    checks: tuple[TableCheck, ...]
    resumed: bool

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def migrate_store(
    source: Store,
    target: Store,
    source_name: str,
    batch_rows: int = MIGRATE_BATCH_ROWS,
    progress: Progress | None = None,
) -> MigrateReport:
    """Copy every table of `source` into `target`, then verify both.

    `target` must be empty, or hold an unfinished copy of the same `source_name`. Once every
    table verifies, the checkpoints of the copy are removed; until then a re-run resumes.
    The source must not be written meanwhile (stop ingest and the web tier first).
    """
    resumed = _claim(target, source_name)
    copied = tuple(
        (table.name, _copy_table(source, target, table, batch_rows, progress)) for table in TABLES
    )
    checks = tuple(verify_table(source, target, table) for table in TABLES)
    report = MigrateReport(copied, checks, resumed)
    if report.ok:
        for key in (*(MARK + table.name for table in TABLES), SOURCE_MARK):
            target.import_rows("checkpoints", [], checkpoint=(key, None))
    return report


def _claim(target: Store, source_name: str) -> bool:
    """Mark the target as a copy of `source_name`; True when it was one already (a resume)."""
    marked = target.get_checkpoint(SOURCE_MARK)
    if marked is not None and marked != source_name:
        raise InputError(f"the target holds an unfinished copy of {marked}, not of {source_name}")
    if marked is None:
        filled = [table.name for table in TABLES if target.count_rows(table.name)]
        if filled:
            raise InputError(
                f"the target is not empty (it has {', '.join(filled)}): migrate copies into"
                " an empty store"
            )
        target.import_rows("checkpoints", [], checkpoint=(SOURCE_MARK, source_name))
    return marked is not None


def _copy_table(
    source: Store, target: Store, table: Table, batch_rows: int, progress: Progress | None
) -> int:
    """Copy the rows after the table's checkpoint, one committed batch at a time; the number
    of rows this call inserted."""
    mark = MARK + table.name
    state = target.get_checkpoint(mark)
    total = source.count_rows(table.name)
    if state == DONE:
        return 0
    after = None if state is None else decode_key(table, state)
    done = 0 if after is None else target.count_rows(table.name)
    inserted = 0
    while rows := source.export_rows(table.name, after, batch_rows):
        after = table.key_of(rows[-1])
        kept = [row for row in rows if not _is_mark(table, row)]
        inserted += target.import_rows(table.name, kept, checkpoint=(mark, encode_key(after)))
        done += len(kept)
        if progress is not None:
            progress(table.name, done, total)
    target.import_rows(table.name, [], checkpoint=(mark, DONE))
    return inserted


def verify_table(source: Store, target: Store, table: Table) -> TableCheck:
    """Counts and checksums of one table on both sides (the copy's own checkpoints left out)."""
    source_rows, source_sum = _fingerprint(_all_rows(source, table))
    target_rows, target_sum = _fingerprint(_all_rows(target, table))
    return TableCheck(table.name, source_rows, target_rows, source_sum, target_sum)


def _all_rows(store: Store, table: Table, batch_rows: int = MIGRATE_BATCH_ROWS) -> Iterator[Row]:
    after = None
    while rows := store.export_rows(table.name, after, batch_rows):
        yield from (row for row in rows if not _is_mark(table, row))
        after = table.key_of(rows[-1])


def _fingerprint(rows: Iterator[Row]) -> tuple[int, str]:
    """(row count, checksum): the sum of each row's 128-bit digest, so row order (which may
    differ between engines for equal data) does not matter."""
    count = total = 0
    for row in rows:
        digest = hashlib.blake2b(canonical_row(row), digest_size=_CHECKSUM_BITS // 8).digest()
        total = (total + int.from_bytes(digest, "big")) % (1 << _CHECKSUM_BITS)
        count += 1
    return count, f"{total:032x}"


def canonical_row(row: Row) -> bytes:
    """One row as bytes equal on every engine for equal data: times in UTC with
    microseconds, dates and bytes as text, NUL in text as U+FFFD (PostgreSQL cannot hold NUL,
    so the copy stores it so), JSON objects with sorted keys (jsonb reorders them)."""
    row_values = [_canonical(value) for value in row]
    return json.dumps(row_values, ensure_ascii=False, sort_keys=True).encode()


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    return value


def _is_mark(table: Table, row: Row) -> bool:
    return table.name == "checkpoints" and str(row[0]).startswith(MARK)


def describe_db(db: str) -> str:
    """A database setting without its password (postgresql://user:secret@host -> user@host)."""
    scheme, sep, rest = db.partition("://")
    authority, slash, path = rest.partition("/")
    if not sep or "@" not in authority:
        return db
    credentials, host = authority.rsplit("@", 1)
    return f"{scheme}://{credentials.split(':', 1)[0]}@{host}{slash}{path}"
