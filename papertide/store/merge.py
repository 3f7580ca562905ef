"""How a stored paper and an incoming record of it combine, and the content hash. Pure.

An incoming record overrides stored fields only when it is newer: a higher version, or the
same version (or none on both) with a later `updated` time. Any other record only fills
fields the store lacks, so that two sources that disagree (arXiv and Hugging Face titles,
say) cannot flip the paper back and forth: re-ingesting anything already merged changes
nothing. Versions and links are always united.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from papertide.models import Paper, Record, Version
from papertide.store.codec import sorted_json_text

T = TypeVar("T")


def merge_papers(stored: Paper, incoming: Paper) -> Paper:
    """The paper after `incoming` is ingested on top of `stored` (same id)."""
    base, extra = (incoming, stored) if is_newer(incoming, stored) else (stored, incoming)
    return replace(
        base,
        title=base.title or extra.title,
        abstract=base.abstract or extra.abstract,
        authors=base.authors or extra.authors,
        categories=base.categories or extra.categories,
        version=_max_optional(base.version, extra.version),
        versions=merge_versions(stored.versions, incoming.versions),
        comment=base.comment or extra.comment,
        journal_ref=base.journal_ref or extra.journal_ref,
        doi=base.doi or extra.doi,
        license=base.license or extra.license,
        published=_earliest(base.published, extra.published),
        updated=max((t for t in (base.updated, extra.updated) if t), default=None),
        links=_union(base.links, extra.links),
    )


def combine_batch(papers: Iterable[Paper]) -> dict[str, Paper]:
    """One paper per id: records of the same paper within a batch merged in order."""
    combined: dict[str, Paper] = {}
    for paper in papers:
        known = combined.get(paper.id)
        combined[paper.id] = merge_papers(known, paper) if known else paper
    return combined


def combine_records(records: Iterable[Record]) -> tuple[dict[str, Paper], dict[str, str]]:
    """combine_batch over the records' papers, and each combined paper's content hash: the
    record's own when its paper came through unmerged, else computed here."""
    listed = list(records)
    combined = combine_batch(r.paper for r in listed)
    given = {
        r.paper.id: r.content_hash
        for r in listed
        if r.content_hash is not None and combined[r.paper.id] is r.paper
    }
    hashes = {pid: given.get(pid) or content_hash(paper) for pid, paper in combined.items()}
    return combined, hashes


@dataclass(frozen=True, slots=True)
class UpsertPlan:
    """What to write for one batch: (paper, content hash) pairs to insert and to update."""

    inserts: list[tuple[Paper, str]]
    updates: list[tuple[Paper, str]]
    unchanged: int


def plan_upsert(
    incoming: dict[str, Paper],
    fresh: dict[str, str],
    stored_hashes: dict[str, str],
    stored: dict[str, Paper],
) -> UpsertPlan:
    """Decide per paper: new, changed (merged result differs) or unchanged.

    `fresh` holds the incoming papers' hashes; `stored` needs only the papers whose stored
    hash differs from the fresh one (an equal hash means nothing to merge).
    """
    inserts, updates, unchanged = [], [], 0
    for pid, paper in incoming.items():
        if pid not in stored_hashes:
            inserts.append((paper, fresh[pid]))
        elif pid not in stored:
            unchanged += 1
        else:
            merged = merge_papers(stored[pid], paper)
            hashed = content_hash(merged)
            if hashed == stored_hashes[pid]:
                unchanged += 1
            else:
                updates.append((merged, hashed))
    return UpsertPlan(inserts, updates, unchanged)


def merge_versions(first: tuple[Version, ...], second: tuple[Version, ...]) -> tuple[Version, ...]:
    """Versions of both by number; for the same number, known fields win over missing ones."""
    by_number: dict[int, Version] = {}
    for version in (*first, *second):
        known = by_number.get(version.number)
        if known is None:
            by_number[version.number] = version
        else:
            by_number[version.number] = Version(
                version.number,
                version.submitted_at or known.submitted_at,
                version.size or known.size,
            )
    return tuple(by_number[n] for n in sorted(by_number))


def content_hash(paper: Paper) -> str:
    """A hash of everything stored about the paper: equal hashes mean nothing to write."""
    data = sorted_json_text(paper)
    return hashlib.sha256(data.encode()).hexdigest()[:32]


def is_newer(incoming: Paper, stored: Paper) -> bool:
    """Whether `incoming` describes a later state of the paper than `stored`."""
    if incoming.version != stored.version:
        return (incoming.version or 0) > (stored.version or 0)
    if incoming.updated is None or stored.updated is None:
        return False
    return incoming.updated > stored.updated


def _max_optional(a: int | None, b: int | None) -> int | None:
    return max((v for v in (a, b) if v is not None), default=None)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min((t for t in (a, b) if t is not None), default=None)


def _union(first: tuple[T, ...], second: tuple[T, ...]) -> tuple[T, ...]:
    return tuple(dict.fromkeys((*first, *second)))
