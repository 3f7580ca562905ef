"""How a stored paper and an incoming record of it combine, and the content hash. Pure.

Rules: a record of an older version than the stored one only fills fields the store lacks.
Otherwise the incoming non-empty fields win and empty ones keep the stored value; versions and
links are united. So re-ingesting any input already merged changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from papertide.models import Paper, Version
from papertide.store.codec import paper_to_json

T = TypeVar("T")


def merge_papers(stored: Paper, incoming: Paper) -> Paper:
    """The paper after `incoming` is ingested on top of `stored` (same id)."""
    if _is_older(incoming, stored):
        base, extra = stored, incoming
    else:
        base, extra = incoming, stored
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
    data = json.dumps(paper_to_json(paper), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()[:32]


def _is_older(incoming: Paper, stored: Paper) -> bool:
    return (
        incoming.version is not None
        and stored.version is not None
        and incoming.version < stored.version
    )


def _max_optional(a: int | None, b: int | None) -> int | None:
    return max((v for v in (a, b) if v is not None), default=None)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min((t for t in (a, b) if t is not None), default=None)


def _union(first: tuple[T, ...], second: tuple[T, ...]) -> tuple[T, ...]:
    return tuple(dict.fromkeys((*first, *second)))
