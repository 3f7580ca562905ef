"""The store side of `papertide sync`: its run log and what it asks about papers, and the
named run lock that lets one process at a time run a job (sync, a digest shard). No SQL here."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

RUNNING, OK, FAILED, INTERRUPTED = "running", "ok", "failed", "interrupted"
SYNC_STATUSES = (RUNNING, OK, FAILED, INTERRUPTED)
# what a run records per source: IngestCounts' numbers, plus "failed" (0 or 1) and "error"
SourceLog = Mapping[str, int | str | None]


@dataclass(frozen=True, slots=True)
class SyncRun:
    """One logged sync run; `finished_at` is None while it runs or when its process died."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    sources: Mapping[str, SourceLog] = field(default_factory=dict)
    error: str | None = None


class SyncStore(Protocol):
    def run_lock(self, name: str) -> AbstractContextManager[bool]:
        """Hold the lock `name` while the block runs; yields False when another process (on
        any host sharing the store) holds it. The lock ends with its process, however that
        ends (SIGKILL included)."""
        ...

    def start_sync_run(self, started_at: datetime) -> int:
        """Log a run as running; its id."""
        ...

    def finish_sync_run(
        self,
        run_id: int,
        finished_at: datetime,
        status: str,
        sources: Mapping[str, SourceLog],
        error: str | None,
    ) -> None:
        """Log how a run ended (status ok or failed) and what each source did."""
        ...

    def end_unfinished_sync_runs(self, at: datetime, reason: str) -> int:
        """Mark runs still logged as running as interrupted (their process died: call only
        while holding the sync lock); how many there were."""
        ...

    def sync_runs(self, limit: int = 20) -> list[SyncRun]:
        """The newest runs first."""
        ...

    def ids_without_categories(self, limit: int) -> list[str]:
        """Ids of stored papers that have no arXiv categories (they came from a list that
        does not carry them), oldest first."""
        ...
