"""Which papers go in a subscriber's digest for a period: periods by cadence, then trending,
personal or both, minus papers sent before. Pure: rankings come in, a plan goes out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from papertide.models import Paper
from papertide.store.digest_base import Subscription

DIGEST_MAX_PAPERS = 10
PERSONAL = "personal"
TRENDING = "trending"
SATURDAY = 5


@dataclass(frozen=True, slots=True)
class Period:
    """What one digest covers: listing days since..until (inclusive), named by `key`.

    daily (weekdays): key is the sending day; it covers the days since the previous weekday's
    digest (Monday: Friday to Sunday; other days: the day before). weekly: key is the ISO week
    ("2026-W02"); it covers the previous ISO week, Monday to Sunday. Days are UTC.
    """

    cadence: str
    key: str
    since: date
    until: date


def current_period(cadence: str, today: date) -> Period | None:
    """The period whose digest is due on `today`; None for daily digests at weekends."""
    if cadence == "daily":
        if today.weekday() >= SATURDAY:
            return None
        back = 3 if today.weekday() == 0 else 1
        yesterday = today - timedelta(days=1)
        return Period(cadence, today.isoformat(), today - timedelta(days=back), yesterday)
    if cadence == "weekly":
        year, week, weekday = today.isocalendar()
        monday = today - timedelta(days=weekday - 1)
        last_monday = monday - timedelta(days=7)
        return Period(cadence, f"{year}-W{week:02d}", last_monday, monday - timedelta(days=1))
    raise ValueError(f"unknown cadence {cadence!r}")


def period_of_key(key: str) -> Period:
    """The period a send log key names: "2026-01-05" (daily) or "2026-W02" (weekly)."""
    if "-W" in key:
        year, week = key.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
        return _required(current_period("weekly", monday))
    return _required(current_period("daily", date.fromisoformat(key)))


def preview_period(cadence: str, today: date) -> Period:
    """The current period, or for daily digests at weekends the last weekday's."""
    day = today
    while (period := current_period(cadence, day)) is None:
        day -= timedelta(days=1)
    return period


def _required(period: Period | None) -> Period:
    if period is None:
        raise ValueError("no digest period on a weekend day")
    return period


@dataclass(frozen=True, slots=True)
class Ranked:
    """A paper a ranking puts forward, its score and the reasons shown to the reader."""

    paper_id: str
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One paper of a digest and the section it appears in (personal or trending)."""

    paper_id: str
    section: str
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """A digest item with its paper, as the templates show it."""

    paper: Paper
    section: str
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Digest:
    """One subscriber's digest for one period, ready to render. `personalised` is False when
    personal content was asked for but no personal ranking exists yet (cold start)."""

    subscription: Subscription
    period: Period
    entries: tuple[DigestEntry, ...]
    personalised: bool


def compose_digest(
    content: str,
    trending: Sequence[Ranked],
    personal: Sequence[Ranked] | None,
    already_sent: Collection[str],
    limit: int = DIGEST_MAX_PAPERS,
) -> tuple[DigestItem, ...]:
    """The papers of one digest, best first, none of them in `already_sent`, at most `limit`.

    `trending` and `personal` are best first; `personal` None means no personal ranking
    (cold start): then trending papers stand in. "both" gives personal papers half the places
    and trending the rest; either fills places the other cannot, never with a paper twice.
    """
    if content == TRENDING or personal is None:
        return _take([(TRENDING, trending)], already_sent, limit)
    if content == PERSONAL:
        return _take([(PERSONAL, personal)], already_sent, limit)
    first = _take([(PERSONAL, personal)], already_sent, (limit + 1) // 2)
    chosen = {item.paper_id for item in first}
    rest = _take(
        [(TRENDING, trending), (PERSONAL, personal)],
        {*already_sent, *chosen},
        limit - len(first),
    )
    return first + rest


def _take(
    sources: Sequence[tuple[str, Sequence[Ranked]]], skip: Collection[str], limit: int
) -> tuple[DigestItem, ...]:
    """Up to `limit` items from the sources in turn, skipping papers seen or chosen."""
    seen = set(skip)
    items: list[DigestItem] = []
    for section, ranked in sources:
        for paper in ranked:
            if len(items) >= limit:
                return tuple(items)
            if paper.paper_id in seen:
                continue
            seen.add(paper.paper_id)
            items.append(DigestItem(paper.paper_id, section, paper.score, paper.reasons))
    return tuple(items)


def digest_entries(
    items: Sequence[DigestItem], papers: Mapping[str, Paper]
) -> tuple[DigestEntry, ...]:
    """The items with their papers; items whose paper is unknown are left out."""
    return tuple(
        DigestEntry(papers[item.paper_id], item.section, item.score, item.reasons)
        for item in items
        if item.paper_id in papers
    )
