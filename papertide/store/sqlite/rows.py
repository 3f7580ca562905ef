"""Papers and listings to and from SQLite rows, and reading papers back by id. Functions over a
connection; SqliteStore's parts call them inside their own transactions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from papertide.models import Listing, Paper
from papertide.store.codec import iso, json_strings, paper_from_json
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
        for row in conn.execute(sql, chunk):
            paper = row_to_paper(conn, row)
            found[paper.id] = paper
    return found


def papers_in_order(conn: sqlite3.Connection, ids: list[str]) -> list[Paper]:
    """The stored papers of these ids, in the order given."""
    papers = load_papers(conn, ids)
    return [papers[paper_id] for paper_id in ids if paper_id in papers]


def row_to_paper(conn: sqlite3.Connection, row: sqlite3.Row) -> Paper:
    """A row selected as PAPER_COLUMNS, with its versions."""
    versions = conn.execute(
        "SELECT version, submitted_at, size FROM paper_versions WHERE paper_id=? ORDER BY version",
        (row["id"],),
    ).fetchall()
    return paper_from_json(
        {
            **dict(row),
            "authors": json.loads(row["authors"]),
            "categories": json.loads(row["categories"]),
            "links": [{"kind": k, "url": u} for k, u in json.loads(row["links"])],
            "versions": [{"version": v[0], "submitted_at": v[1], "size": v[2]} for v in versions],
        }
    )


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
