"""What `papertide status` and the web's health answer say about freshness: the newest daily
list, the last successful sync, the next one, and the log of the last runs."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from papertide.config import Settings
from papertide.store.base import Store
from papertide.store.sync_base import OK, SyncRun
from papertide.sync.schedule import next_sync_at


def last_sync(store: Store) -> datetime | None:
    """When the last successful sync run ended."""
    return next((run.finished_at for run in store.sync_runs(50) if run.status == OK), None)


class DataUpdated:
    """When the data last changed, for every page's footer: the last successful sync (one small
    query, read each time), else the newest paper change (an instance fed by `papertide ingest`
    alone). That one scans the papers table (over 100 ms for the demo's 22,000 papers on a
    busy machine), so it is read again at most every `max_age_s` seconds."""

    def __init__(self, max_age_s: float) -> None:
        self.max_age_s = max_age_s
        self._changed: tuple[float, datetime | None] | None = None  # (when read, value)

    def __call__(self, store: Store) -> datetime | None:
        synced = last_sync(store)
        if synced is not None:
            return synced
        now = time.monotonic()
        if self._changed is None or now - self._changed[0] >= self.max_age_s:
            changed = store.lexical_watermark().modified_at
            self._changed = (now, datetime.fromisoformat(changed) if changed else None)
        return self._changed[1]


def sync_status(store: Store, now: datetime, settings: Settings) -> dict[str, Any]:
    """The newest daily list, the last successful sync, when the next is due, the last runs."""
    runs = store.sync_runs(10)
    last_ok = next((run for run in runs if run.status == OK), None)
    newest = store.latest_listing_day()
    return {
        "newest_listing": newest.isoformat() if newest else None,
        "last_sync": _iso(last_ok.finished_at) if last_ok else None,
        "next_sync": next_sync_at(
            runs, now, settings.sync_interval_s, settings.sync_hour
        ).isoformat(),
        "runs": [run_json(run) for run in runs],
    }


def run_json(run: SyncRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "started_at": run.started_at.isoformat(),
        "finished_at": _iso(run.finished_at),
        "status": run.status,
        "sources": dict(run.sources),
        "error": run.error,
        "summary": describe(run),
    }


def describe(run: SyncRun) -> str:
    """One line per run, and one per source."""
    lines = [f"run {run.id} {run.status}, started {run.started_at:%Y-%m-%d %H:%M} UTC"]
    for name, log in run.sources.items():
        counts = ", ".join(
            f"{log.get(key, 0)} {key}" for key in ("new", "updated", "unchanged", "quarantined")
        )
        lines.append(
            f"  {name}: {counts}" + (f"; failed: {log['error']}" if log.get("error") else "")
        )
    if run.error and not run.sources:
        lines.append(f"  {run.error}")
    return "\n".join(lines)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
