"""Daily Papers for bench/trending.py: load the archive, fit a vote-arrival curve, replay votes.

The archive keeps one upvote count per paper (read hours after listing) and, for 94 papers, a
later re-reading. It has no vote times: `replay` draws them from the curve fitted on the
re-readings, so that "what was known at moment D" can be reconstructed. See docs/trending.md.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

CATEGORY = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")
HOUR_S = 3600.0


@dataclass(frozen=True, slots=True)
class ArchivePaper:
    """One paper of the archive: `upvotes`/`comments` are its last recorded counts; its votes
    start arriving at `opened_at` (its submission to the daily page, or listed_at)."""

    paper_id: str
    day: date
    listed_at: datetime
    opened_at: datetime
    upvotes: int
    comments: int
    category: str | None


@dataclass(frozen=True, slots=True)
class ArrivalCurve:
    """Share of a paper's votes cast `t` hours after listing, log-logistic:
    F(t) = 1 / (1 + (t50 / t)^k)."""

    t50_h: float
    k: float

    def share(self, hours: float) -> float:
        return 0.0 if hours <= 0 else 1.0 / (1.0 + (self.t50_h / hours) ** self.k)

    def draw_h(self, rng: random.Random) -> float:
        """One vote's delay after listing (inverse of F at a uniform draw)."""
        u = rng.random() or 1e-12
        return float(self.t50_h * (u / (1.0 - u)) ** (1.0 / self.k))


@dataclass(frozen=True, slots=True)
class Replayed:
    """A paper with simulated vote and comment times (sorted): its final counts stay the same."""

    paper: ArchivePaper
    vote_times: tuple[datetime, ...]
    comment_times: tuple[datetime, ...]


def _rows(path: Path) -> Iterator[dict[str, object]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def _time(text: object) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(UTC)


def load_categories(shared: Path, wanted: set[str]) -> dict[str, str]:
    """Primary arXiv category of the wanted ids found in arxiv-cs-listings (67 % of the overlap)."""
    found = {}
    for row in _rows(shared / "arxiv-cs-listings" / "papers.jsonl.gz"):
        paper_id = str(row["id"])
        categories = [str(c) for c in row["categories"] if CATEGORY.match(str(c))]  # type: ignore[attr-defined]
        if paper_id in wanted and categories:
            found[paper_id] = categories[0]
    return found


def load_archive(shared: Path) -> list[ArchivePaper]:
    """Each paper once, at its first listing; listed_at as the store sets it (the listing day's
    midnight UTC, or the submission time on the daily page when that is earlier)."""
    seen: dict[str, dict[str, object]] = {}
    for row in _rows(shared / "hf-daily-papers" / "daily_papers.jsonl.gz"):
        key = str(row["arxiv_id"])
        if key not in seen or str(row["date"]) < str(seen[key]["date"]):
            seen[key] = row
    categories = load_categories(shared, set(seen))
    papers = []
    for paper_id, row in seen.items():
        day = date.fromisoformat(str(row["date"]))
        listed = opened = datetime(day.year, day.month, day.day, tzinfo=UTC)
        if row["submitted_on_daily_at"]:
            opened = _time(row["submitted_on_daily_at"])
            listed = min(listed, opened)
        upvotes, comments = int(str(row["upvotes"])), int(str(row["num_comments"]))
        category = categories.get(paper_id)
        papers.append(ArchivePaper(paper_id, day, listed, opened, upvotes, comments, category))
    return sorted(papers, key=lambda p: (p.listed_at, p.paper_id))


def rereadings(shared: Path) -> list[tuple[float, float, int, int]]:
    """(hours after listing of an earlier and a later reading, upvotes then, upvotes later)."""
    listed = {
        (str(r["date"]), str(r["arxiv_id"])): _time(r["submitted_on_daily_at"])
        for r in _rows(shared / "hf-daily-papers" / "daily_papers.jsonl.gz")
    }
    readings: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    for row in _rows(shared / "hf-daily-papers" / "upvote_snapshots.jsonl.gz"):
        key = (str(row["date"]), str(row["arxiv_id"]))
        hours = (_time(row["snapshot_committed_at"]) - listed[key]).total_seconds() / HOUR_S
        readings[key].append((hours, int(str(row["upvotes"]))))
    pairs = []
    for values in readings.values():
        values.sort()
        for (t1, u1), (t2, u2) in itertools.pairwise(values):
            if t1 > 0 and u2 > 0 and u1 <= u2:
                pairs.append((t1, t2, u1, u2))
    return pairs


def fit_arrival(pairs: list[tuple[float, float, int, int]]) -> ArrivalCurve:
    """Maximum likelihood on a grid: each earlier count ~ Binomial(later, F(t1) / F(t2))."""
    best = (math.inf, ArrivalCurve(12.0, 1.0))
    for t50 in (x / 2 for x in range(2, 121)):
        for k in (x / 20 for x in range(4, 81)):
            curve = ArrivalCurve(t50, k)
            loss = 0.0
            for t1, t2, u1, u2 in pairs:
                q = min(max(curve.share(t1) / curve.share(t2), 1e-9), 1 - 1e-9)
                loss -= u1 * math.log(q) + (u2 - u1) * math.log(1 - q)
            best = min(best, (loss, curve), key=lambda pair: pair[0])
    return best[1]


def replay(papers: list[ArchivePaper], curve: ArrivalCurve, seed: int) -> list[Replayed]:
    """Give every recorded vote and comment a time drawn from the curve (seeded)."""
    rng = random.Random(seed)
    out = []
    for paper in papers:
        votes = sorted(
            paper.opened_at + timedelta(hours=curve.draw_h(rng)) for _ in range(paper.upvotes)
        )
        comments = sorted(
            paper.opened_at + timedelta(hours=curve.draw_h(rng)) for _ in range(paper.comments)
        )
        out.append(Replayed(paper, tuple(votes), tuple(comments)))
    return out
