"""The recommendation benchmark's data: Daily Papers joined with arXiv categories, and the
simulated users (likes of one topic in month N, judged on month N+1). Reads files only.

Topic = an arXiv category a paper is listed in (primary or cross-list), from the listings
archive: chosen by the authors, so no ranker's representation defined it. Only papers found in
both files take part (their topics are known); months with fewer than MIN_MONTH_PAPERS such
papers (the archives' partial first and last months) are left out.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from papertide.eval.datasets import DAILY_PAPERS_FILE, DatasetError, read_jsonl, squeeze

LISTINGS_FILE = Path("arxiv-cs-listings") / "papers.jsonl.gz"
ARXIV_CATEGORY = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")  # drops ACM/MSC classes in the listings
MIN_MONTH_PAPERS = 100
MIN_TOPIC_PAPERS = 10  # a topic needs this many papers in month N (likes) and N+1 (relevant)
USERS_PER_TOPIC = 5
LIKES = (5, 20)  # a user likes between 5 and 20 of the topic's papers of month N
DISLIKES = (0, 5)  # and dislikes up to 5 papers of month N outside the topic
SIMULATION_SEED = 42
DEV, TEST = "dev", "test"


@dataclass(frozen=True, slots=True)
class ArchivePaper:
    """A Daily Papers paper with its arXiv categories; `listed_on` is its first daily page."""

    id: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    listed_on: date
    upvotes: int
    comments: int

    @property
    def month(self) -> str:
        return self.listed_on.strftime("%Y-%m")

    @property
    def listed_at(self) -> datetime:
        return datetime.combine(self.listed_on, time(), UTC)


@dataclass(frozen=True, slots=True)
class SimUser:
    """A simulated user: likes and dislikes from `month`, judged on the digest of `next_month`,
    whose relevant papers are the topic's papers of that month."""

    id: str
    topic: str
    month: str
    next_month: str
    likes: tuple[str, ...]
    dislikes: tuple[str, ...]
    relevant: frozenset[str]
    split: str


@dataclass(frozen=True, slots=True)
class Simulation:
    """Papers by month (kept months only), the users, and how they were made."""

    papers: Mapping[str, tuple[ArchivePaper, ...]]
    users: tuple[SimUser, ...]
    dev_months: tuple[str, ...]
    test_months: tuple[str, ...]
    seed: int

    def by_id(self) -> dict[str, ArchivePaper]:
        return {p.id: p for month in self.papers.values() for p in month}


def load_archive(data_dir: Path) -> list[ArchivePaper]:
    """Daily Papers rows (first listing of each paper) that the listings archive categorises."""
    firsts: dict[str, dict[str, Any]] = {}
    signals: dict[str, tuple[int, int]] = {}
    for row in read_jsonl(data_dir / DAILY_PAPERS_FILE):
        paper_id, day = row.get("arxiv_id"), row.get("date")
        if not isinstance(paper_id, str) or not isinstance(day, str):
            raise DatasetError(f"{DAILY_PAPERS_FILE}: a row without arxiv_id or date")
        upvotes, comments = signals.get(paper_id, (0, 0))
        signals[paper_id] = (
            max(upvotes, int(row.get("upvotes") or 0)),
            max(comments, int(row.get("num_comments") or 0)),
        )
        if paper_id not in firsts or day < firsts[paper_id]["date"]:
            firsts[paper_id] = row
    categories = read_categories(data_dir / LISTINGS_FILE, set(firsts))
    papers = [
        to_paper(row, categories[pid], *signals[pid])
        for pid, row in firsts.items()
        if categories.get(pid)
    ]
    return sorted(papers, key=lambda p: (p.listed_on, p.id))


def read_categories(path: Path, wanted: set[str]) -> dict[str, tuple[str, ...]]:
    """arXiv categories (primary first) of the wanted ids found in the listings archive."""
    found: dict[str, tuple[str, ...]] = {}
    for row in read_jsonl(path):
        paper_id = row.get("id")
        if paper_id in wanted:
            names = row.get("categories") or []
            found[str(paper_id)] = tuple(c for c in names if ARXIV_CATEGORY.match(str(c)))
    return found


def to_paper(
    row: Mapping[str, Any], categories: tuple[str, ...], up: int, com: int
) -> ArchivePaper:
    try:
        return ArchivePaper(
            id=str(row["arxiv_id"]),
            title=squeeze(row["title"]),
            abstract=squeeze(row["abstract"]),
            authors=tuple(str(a) for a in row.get("authors") or ()),
            categories=categories,
            listed_on=date.fromisoformat(str(row["date"])),
            upvotes=up,
            comments=com,
        )
    except (KeyError, ValueError) as error:
        raise DatasetError(f"{DAILY_PAPERS_FILE}: bad row {str(row)[:80]} ({error})") from error


def simulate(
    papers: Sequence[ArchivePaper],
    *,
    seed: int = SIMULATION_SEED,
    users_per_topic: int = USERS_PER_TOPIC,
    min_month_papers: int = MIN_MONTH_PAPERS,
    min_topic_papers: int = MIN_TOPIC_PAPERS,
) -> Simulation:
    """Users for every (topic, month N) with enough papers in N and N+1.

    The kept months are split in half by time: dev users (for tuning) come from consecutive
    months of the first half, test users from the second half; no month serves both.
    """
    by_month: dict[str, list[ArchivePaper]] = {}
    for paper in papers:
        by_month.setdefault(paper.month, []).append(paper)
    months = sorted(m for m, ps in by_month.items() if len(ps) >= min_month_papers)
    if len(months) < 4:
        raise DatasetError(f"need 4 months of at least {min_month_papers} papers, got {months}")
    half = len(months) // 2
    splits = ((DEV, months[:half]), (TEST, months[half:]))
    users: list[SimUser] = []
    for split, span in splits:
        for month, following in itertools.pairwise(span):
            current, upcoming = by_month[month], by_month[following]
            for topic in topics_of(current, upcoming, min_topic_papers):
                rng = random.Random(f"{seed}/{month}/{topic}")
                users += [
                    make_user(f"{topic}@{month}#{n}", topic, current, upcoming, rng, split)
                    for n in range(users_per_topic)
                ]
    kept = {m: tuple(by_month[m]) for m in months}
    return Simulation(kept, tuple(users), tuple(months[:half]), tuple(months[half:]), seed)


def topics_of(
    current: Iterable[ArchivePaper], upcoming: Iterable[ArchivePaper], minimum: int
) -> list[str]:
    """Categories with at least `minimum` papers in both months, sorted."""
    counts = [count_topics(current), count_topics(upcoming)]
    return sorted(t for t in counts[0] if min(counts[0][t], counts[1].get(t, 0)) >= minimum)


def count_topics(papers: Iterable[ArchivePaper]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for paper in papers:
        for topic in set(paper.categories):
            counts[topic] = counts.get(topic, 0) + 1
    return counts


def make_user(
    user_id: str,
    topic: str,
    current: Sequence[ArchivePaper],
    upcoming: Sequence[ArchivePaper],
    rng: random.Random,
    split: str,
) -> SimUser:
    """Sample a user's likes (in topic) and dislikes (outside it) from `current`."""
    inside = [p.id for p in current if topic in p.categories]
    outside = [p.id for p in current if topic not in p.categories]
    likes = rng.sample(inside, min(rng.randint(*LIKES), len(inside)))
    dislikes = rng.sample(outside, min(rng.randint(*DISLIKES), len(outside)))
    relevant = frozenset(p.id for p in upcoming if topic in p.categories)
    month, next_month = current[0].month, upcoming[0].month
    return SimUser(
        user_id, topic, month, next_month, tuple(likes), tuple(dislikes), relevant, split
    )
