"""Papers and listings to and from PostgreSQL rows, and reading papers back by id. Functions
over a connection; PostgresStore's parts call them inside their own transactions."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from papertide.models import Link, Listing, Paper, Version
from papertide.store.postgres.connection import Connection

PAPER_COLUMNS = (
    "id, version, title, abstract, authors, categories, comment, journal_ref, doi, license,"
    " published, updated, links"
)
LISTING_COLUMNS = (
    "day, paper_id, position, submitted_by, submitted_at, upvotes, num_comments, github_stars"
)


def load_papers(conn: Connection, ids: Sequence[str]) -> dict[str, Paper]:
    """The stored papers of these ids, by id (missing ids left out)."""
    if not ids:
        return {}
    rows = conn.execute(
        f"SELECT {PAPER_COLUMNS} FROM papers WHERE id = ANY(%s::text[])", (list(ids),)
    ).fetchall()
    return papers_from_rows(conn, rows)


def load_row_papers(conn: Connection, ids: Sequence[str]) -> dict[str, Paper]:
    """These papers as a list row shows them (id, title, authors, categories, published)."""
    rows = conn.execute(
        "SELECT id, title, authors, categories, published FROM papers WHERE id = ANY(%s::text[])",
        (list(ids),),
    )
    return {
        pid: Paper(pid, title, "", tuple(authors), tuple(categories), published=published)
        for pid, title, authors, categories, published in rows
    }


def papers_in_order(conn: Connection, ids: list[str]) -> list[Paper]:
    """The stored papers of these ids, in the order given."""
    papers = load_papers(conn, ids)
    return [papers[paper_id] for paper_id in ids if paper_id in papers]


def papers_from_rows(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> dict[str, Paper]:
    """Papers of rows selected as PAPER_COLUMNS, with their versions, in row order."""
    versions = load_versions(conn, [row[0] for row in rows])
    return {row[0]: row_to_paper(row, versions[row[0]]) for row in rows}


def load_versions(conn: Connection, ids: Sequence[str]) -> dict[str, list[Version]]:
    found: dict[str, list[Version]] = defaultdict(list)
    if ids:
        rows = conn.execute(
            "SELECT paper_id, version, submitted_at, size FROM paper_versions"
            " WHERE paper_id = ANY(%s::text[]) ORDER BY paper_id, version",
            (list(ids),),
        )
        for paper_id, number, submitted_at, size in rows:
            found[paper_id].append(Version(number, submitted_at, size))
    return found


def row_to_paper(row: tuple[Any, ...], versions: list[Version]) -> Paper:
    (pid, version, title, abstract, authors, categories, comment, journal_ref, doi,
     license_, published, updated, links) = row  # fmt: skip
    return Paper(
        id=pid,
        title=title,
        abstract=abstract,
        authors=tuple(authors),
        categories=tuple(categories),
        version=version,
        versions=tuple(versions),
        comment=comment,
        journal_ref=journal_ref,
        doi=doi,
        license=license_,
        published=published,
        updated=updated,
        links=tuple(Link(kind, url) for kind, url in links),
    )


def paper_row(paper: Paper, hashed: str) -> tuple[Any, ...]:
    """Values for (PAPER_COLUMNS, primary_category, content_hash); the authors and categories
    as text[] literals (a statement casts them: `%s::text[]`), the links as JSON text (cast:
    `%s::jsonb`), which the server parses in C."""
    return (
        paper.id,
        paper.version,
        paper.title,
        paper.abstract,
        text_array(paper.authors),
        text_array(paper.categories),
        paper.comment,
        paper.journal_ref,
        paper.doi,
        paper.license,
        paper.published,
        paper.updated,
        # most papers have none: "[]" without json.dumps (0.3 s of the 74,728-paper file's load)
        json.dumps([[link.kind, link.url] for link in paper.links]) if paper.links else "[]",
        paper.primary_category,
        hashed,
    )


def text_array(values: Sequence[str]) -> str:
    """The text[] literal of `values`, which the server parses in C: psycopg dumps a list
    element by element in Python (for the 74,728-paper file's 433,449 author names, about
    half of the writer's time in COPY). Most lists have no quote or backslash to escape: then
    one join makes the literal (half the time of escaping each value)."""
    if not values:
        return "{}"
    body = '","'.join(values)
    if "\\" in body or body.count('"') > 2 * len(values) - 2:  # beyond the separators' quotes
        body = '","'.join(value.replace("\\", "\\\\").replace('"', '\\"') for value in values)
    return '{"' + body + '"}'


def listing_row(listing: Listing) -> tuple[Any, ...]:
    """Values for LISTING_COLUMNS; equal to what reading the stored listing gives back."""
    return (
        listing.day,
        listing.paper_id,
        listing.position,
        listing.submitted_by,
        listing.submitted_at,
        listing.upvotes,
        listing.num_comments,
        listing.github_stars,
    )


def row_to_listing(row: tuple[Any, ...]) -> Listing:
    return Listing(*row)


def bigint_array(values: Sequence[int]) -> str:
    """The bigint[] literal of `values` (as text_array: one join, where psycopg dumps each)."""
    return "{" + ",".join(map(str, values)) + "}"
