"""The Kaggle "arxiv-metadata-oai-snapshot" JSON-lines file into records, streaming.

Owns the snapshot's field names and shapes (authors_parsed, versions with RFC 2822 dates,
update_date); must not validate fields itself (build_paper does), fetch, or touch the store.
Format: https://www.kaggle.com/datasets/Cornell-University/arxiv (one JSON object per line).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from papertide.models import Paper, Version
from papertide.sources.base import build_paper, parse_datetime
from papertide.sources.tabular import JsonLinesSource, parse_versions


class SnapshotSource(JsonLinesSource):
    """Every line of a snapshot file (plain, gzip, xz or bz2; "-" for stdin) as a record.

    Constant memory: one line at a time. A bad line becomes a Rejected naming its line number.
    """

    kind = "snapshot"

    def build(self, data: dict[str, Any]) -> Paper:
        return paper_from_snapshot(data)


def paper_from_snapshot(data: dict[str, Any]) -> Paper:
    """One snapshot object as a Paper; raises RecordError for missing or wrong-typed fields.

    The latest version is the highest listed, `published` is v1's date (else the earliest
    listed), `updated` is update_date or, when later (update_date has no time of day), the
    latest version's date.
    """
    versions = parse_versions(data.get("versions"))
    latest = max(versions, key=lambda v: v.number, default=None)
    updated = parse_datetime(data.get("update_date"), "update_date")
    return build_paper(
        id=data.get("id"),
        title=data.get("title"),
        abstract=data.get("abstract"),
        authors=_authors(data),
        categories=data.get("categories"),
        version=latest.number if latest else None,
        versions=versions,
        comment=data.get("comments"),
        journal_ref=data.get("journal-ref"),
        doi=data.get("doi"),
        license=data.get("license"),
        published=_first_date(versions),
        updated=_latest_time(updated, latest.submitted_at if latest else None),
    )


def _authors(data: dict[str, Any]) -> object:
    """authors_parsed as "First Last Suffix" names when it is well formed, else `authors`.

    authors_parsed already has TeX accents resolved ("Bal\\'azs" is "Balázs") and
    affiliations split off, so it is the better source when present.
    """
    names = names_from_parsed(data.get("authors_parsed"))
    return names if names is not None else data.get("authors")


def names_from_parsed(value: object) -> list[str] | None:
    """[[last, first, suffix, (affiliation...)], ...] as names, or None if malformed."""
    if not isinstance(value, list) or not value:
        return None
    names = []
    for entry in value:
        if not isinstance(entry, list) or not entry:
            return None
        parts = entry[:3]
        if not all(isinstance(part, str) for part in parts):
            return None
        last, first, suffix = [*parts, "", ""][:3]
        name = " ".join(part.strip() for part in (first, last, suffix) if part.strip())
        if not name:
            return None
        names.append(name)
    return names


def _first_date(versions: tuple[Version, ...]) -> datetime | None:
    dated = sorted((v for v in versions if v.submitted_at), key=lambda v: v.number)
    return dated[0].submitted_at if dated else None


def _latest_time(*times: datetime | None) -> datetime | None:
    return max((t for t in times if t is not None), default=None)
