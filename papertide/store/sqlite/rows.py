"""Papers and listings to and from SQLite rows, and reading papers back by id. Functions over a
connection; SqliteStore's parts call them inside their own transactions."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from papertide.models import Link, Listing, Paper, Version
from papertide.store.codec import iso, json_strings
from papertide.store.sqlite.connection import chunks, marks

PAPER_COLUMNS = (
    "id, version, title, abstract, authors, categories, primary_category, comment, journal_ref,"
    " doi, license, published, updated, links, content_hash"
)


def load_papers(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Paper]:
    """The stored papers of these ids, by id (missing ids left out)."""
    found: dict[str, Paper] = {}
    for chunk in chunks(list(ids)):
        sql = f"SELECT {PAPER_COLUMNS} FROM papers WHERE id IN ({marks(chunk)})"
        found |= papers_from_rows(conn, conn.execute(sql, chunk).fetchall())
    return found


def papers_in_order(conn: sqlite3.Connection, ids: list[str]) -> list[Paper]:
    """The stored papers of these ids, in the order given."""
    papers = load_papers(conn, ids)
    return [papers[paper_id] for paper_id in ids if paper_id in papers]


def papers_from_rows(conn: sqlite3.Connection, rows: Sequence[sqlite3.Row]) -> dict[str, Paper]:
    """Papers of rows selected as PAPER_COLUMNS, with their versions (read in one query per
    CHUNK of papers, not one per paper), in row order."""
    versions = load_versions(conn, [row["id"] for row in rows])
    return {row["id"]: row_to_paper(row, versions[row["id"]]) for row in rows}


def load_versions(conn: sqlite3.Connection, ids: list[str]) -> dict[str, list[sqlite3.Row]]:
    """The version rows (version, submitted_at, size) of these papers, by paper, in order."""
    found: dict[str, list[sqlite3.Row]] = defaultdict(list)
    for chunk in chunks(ids):
        for row in conn.execute(
            "SELECT paper_id, version, submitted_at, size FROM paper_versions"
            f" WHERE paper_id IN ({marks(chunk)}) ORDER BY paper_id, version",
            chunk,
        ):
            found[row["paper_id"]].append(row)
    return found


def row_to_paper(row: sqlite3.Row, versions: list[sqlite3.Row]) -> Paper:
    """A row selected with PAPER_COLUMNS (by name: some queries select more), with its
    version rows; built directly, as every list page decodes its papers here. Its three
    JSON arrays are decoded in one call (a call costs more than the text it reads)."""
    authors, categories, links = json.loads(
        f"[{row['authors']},{row['categories']},{row['links']}]"
    )
    return Paper(
        id=row["id"],
        version=row["version"],
        title=row["title"],
        abstract=row["abstract"],
        authors=tuple(authors),
        categories=tuple(categories),
        comment=row["comment"],
        journal_ref=row["journal_ref"],
        doi=row["doi"],
        license=row["license"],
        published=_when(row["published"]),
        updated=_when(row["updated"]),
        versions=tuple(Version(number, _when(sent), size) for _, number, sent, size in versions),
        links=tuple(Link(kind, url) for kind, url in links),
    )


def row_paper(row: sqlite3.Row) -> Paper:
    """A paper as a list row shows it, of a row with its id (`paper_id`), title, authors,
    categories and published."""
    authors, categories = json.loads(f"[{row['authors']},{row['categories']}]")
    return Paper(
        id=row["paper_id"],
        title=row["title"],
        abstract="",
        authors=tuple(authors),
        categories=tuple(categories),
        published=_when(row["published"]),
    )


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def paper_row(paper: Paper, hashed: str) -> tuple[Any, ...]:
    """Values for PAPER_COLUMNS."""
    return (
        paper.id,
        paper.version,
        paper.title,
        paper.abstract,
        json_strings(paper.authors),
        json_strings(paper.categories),
        paper.primary_category,
        paper.comment,
        paper.journal_ref,
        paper.doi,
        paper.license,
        iso(paper.published),
        iso(paper.updated),
        "[" + ", ".join(json_strings((link.kind, link.url)) for link in paper.links) + "]",
        hashed,
    )


def listing_row(listing: Listing) -> tuple[Any, ...]:
    """Values for the listings columns, in table order."""
    return (
        listing.day.isoformat(),
        listing.paper_id,
        listing.position,
        listing.submitted_by,
        iso(listing.submitted_at),
        listing.upvotes,
        listing.num_comments,
        listing.github_stars,
    )


def row_to_listing(row: sqlite3.Row) -> Listing:
    return Listing(
        day=date.fromisoformat(row["day"]),
        paper_id=row["paper_id"],
        position=row["position"],
        submitted_by=row["submitted_by"],
        submitted_at=datetime.fromisoformat(row["submitted_at"]) if row["submitted_at"] else None,
        upvotes=row["upvotes"],
        num_comments=row["num_comments"],
        github_stars=row["github_stars"],
    )
