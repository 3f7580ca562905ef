"""The built-in sync scheduler for `papertide serve`: a daemon thread that wakes every tick,
works out from the run log whether a sync is due, and runs one. Every worker (on every host)
may run one: the store's sync lock lets one of them sync and the others skip. A failed or
interrupted run is retried with backoff (5 min, doubling, at most the interval), never in a
tight loop. Cron with `papertide sync` does the same job from outside.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from papertide.clock import Clock, Repeating
from papertide.errors import ConflictError, PapertideError
from papertide.store.sync_base import OK, RUNNING, SyncRun
from papertide.sync.service import SyncService

TICK_S = 60.0
RETRY_BASE_S = 300.0
DAY_S = 86_400.0


def next_sync_at(runs: list[SyncRun], now: datetime, interval_s: float, hour: int) -> datetime:
    """When the next run is due, from the run log (newest first): `interval_s` after the last
    successful run started (0: the first `hour`:00 UTC after it), now when there was none;
    after failed or interrupted runs, not before the backoff since the last of them ended."""
    ended = [run for run in runs if run.status != RUNNING]
    last_ok = next((run for run in ended if run.status == OK), None)
    if last_ok is None:
        due = now
    elif interval_s > 0:
        due = last_ok.started_at + timedelta(seconds=interval_s)
    else:
        due = datetime.combine(last_ok.started_at.date(), time(hour), last_ok.started_at.tzinfo)
        if due <= last_ok.started_at:
            due += timedelta(days=1)
    failures = 0
    for run in ended:
        if run.status == OK:
            break
        failures += 1
    if failures:
        last = ended[0]
        backoff = min(RETRY_BASE_S * 2 ** (failures - 1), interval_s or DAY_S)
        due = max(due, (last.finished_at or last.started_at) + timedelta(seconds=backoff))
    return due


class SyncScheduler:
    """Runs `sync` whenever it is due (checked every `tick_s`) until stopped."""

    def __init__(
        self,
        sync: SyncService,
        clock: Clock,
        tick_s: float = TICK_S,
        log: logging.Logger | None = None,
    ) -> None:
        self._sync = sync
        self._clock = clock
        self.tick_s = tick_s
        self._log = log or logging.getLogger("papertide.sync")
        self._ticks = Repeating(self.run_if_due, tick_s, "sync-scheduler")

    def due_at(self) -> datetime:
        settings = self._sync.settings
        runs = self._sync.store.sync_runs(50)
        return next_sync_at(runs, self._clock.now(), settings.sync_interval_s, settings.sync_hour)

    def run_if_due(self) -> SyncRun | None:
        """One tick: a run when one is due and no other process is running one (None else,
        also when the store cannot be read: the next tick tries again)."""
        try:
            if self.due_at() > self._clock.now():
                return None
            run = self._sync.run()
        except ConflictError:
            self._log.info("sync skipped: another process is syncing")
            return None
        except PapertideError as error:
            self._log.warning("sync could not run, next try in %.0f s: %s", self.tick_s, error)
            return None
        if run.error:
            self._log.warning("sync run %d failed: %s", run.id, run.error)
        else:
            self._log.info("sync run %d: %s", run.id, run.sources)
        return run

    def start(self) -> None:
        """Tick on a daemon thread: the first at once."""
        self._ticks.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Ask the thread to stop and wait for the tick under way (at most `timeout_s`; a run
        still going then is ended by the process exit and resumed by the next run)."""
        self._ticks.stop(timeout_s)
