"""The bundled demo corpus (papers.jsonl.xz and daily.jsonl.xz, built by scripts/build_demo.py)
and the note `papertide demo` leaves in the store, so the site says it is showing the demo and
which days it covers instead of passing its last day off as today."""

from __future__ import annotations

import json
import lzma
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papertide.store.base import Store

DEMO_PAPERS = "papers.jsonl.xz"
DEMO_DAILY = "daily.jsonl.xz"
DEMO_CHECKPOINT = "demo:listing-days"  # value: first/last listing day, ISO 8601 interval


@dataclass(frozen=True)
class DemoDays:
    """The first and last listing day of the bundled demo's daily lists."""

    first: date
    last: date


def demo_days(daily: Path) -> DemoDays:
    """The listing days the demo's daily rows (JSON lines, xz) span."""
    with lzma.open(daily, "rt", encoding="utf-8") as rows:
        days = {json.loads(row)["date"] for row in rows}
    return DemoDays(date.fromisoformat(min(days)), date.fromisoformat(max(days)))


def record_demo(store: Store, days: DemoDays) -> None:
    """Note in the store that it holds the bundled demo, and its days."""
    store.write_batch([], [], checkpoint=(DEMO_CHECKPOINT, f"{days.first}/{days.last}"))


def recorded_demo(store: Store) -> DemoDays | None:
    """The demo's days when `papertide demo` loaded it into this store, else None."""
    value = store.get_checkpoint(DEMO_CHECKPOINT)
    if value is None:
        return None
    first, last = value.split("/")
    return DemoDays(date.fromisoformat(first), date.fromisoformat(last))
