"""SQL for the lexical side: the FTS5 baseline and what a derived search index reads.

Functions take a sqlite3.Connection; SqliteStore wraps them in thin methods. FTS5 MATCH
strings are built here from plain tokens, each quoted, so user text never reaches the FTS5
query syntax. Nothing here ranks beyond SQLite's own bm25().
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FtsHit:
    """A papers_fts match: the paper id and FTS5's bm25 (higher is better, sign flipped)."""

    paper_id: str
    score: float


@dataclass(frozen=True, slots=True)
class StoreWatermark:
    """How far the store has got: its paper count and newest `modified_at` (ISO 8601)."""

    papers: int
    modified_at: str | None


def quote_fts_token(token: str) -> str:
    """One FTS5 string literal: `"` doubled, so `*`, `(`, `NEAR`, `:` are plain text."""
    return '"' + token.replace('"', '""') + '"'


def match_any(tokens: Sequence[str]) -> str:
    """An FTS5 MATCH string where any token may match (OR), each quoted."""
    return " OR ".join(quote_fts_token(token) for token in tokens if token)


def match_all(tokens: Sequence[str]) -> str:
    """An FTS5 MATCH string where every token must match (implicit AND), each quoted."""
    return " ".join(quote_fts_token(token) for token in tokens if token)


def search_fts(
    conn: sqlite3.Connection, match: str, weights: tuple[float, float, float], limit: int
) -> list[FtsHit]:
    """Top `limit` papers for an FTS5 MATCH string, by bm25 with (title, authors, abstract)
    column weights. FTS5 scores every matching row before it can sort."""
    if not match:
        return []
    rows = conn.execute(
        "SELECT p.id, -bm25(papers_fts, ?, ?, ?) AS score FROM papers_fts"
        " JOIN papers p ON p.pk = papers_fts.rowid"
        " WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts, ?, ?, ?) LIMIT ?",
        (*weights, match, *weights, limit),
    )
    return [FtsHit(str(row[0]), float(row[1])) for row in rows]


def rebuild_fts(conn: sqlite3.Connection) -> None:
    """Re-index every paper from the content table (https://sqlite.org/fts5.html#the_rebuild_command)."""
    conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")


def fts_index_bytes(conn: sqlite3.Connection) -> int:
    """Bytes in the FTS5 shadow tables (papers_fts_*), from the dbstat virtual table."""
    row = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'papers_fts%'").fetchone()
    return int(row[0] or 0)


def store_watermark(conn: sqlite3.Connection) -> StoreWatermark:
    row = conn.execute("SELECT count(*), max(modified_at) FROM papers").fetchone()
    return StoreWatermark(int(row[0]), None if row[1] is None else str(row[1]))


def iter_modified_ids(
    conn: sqlite3.Connection, since: str | None, batch_size: int = 1000
) -> Iterator[list[str]]:
    """Ids of papers with `modified_at >= since` (all when None), in batches, ordered by pk.

    `>=` rather than `>`: rows written in the same instant as the last sync are read again,
    which a derived index must treat as idempotent re-adds.
    """
    last_pk = 0
    while True:
        rows = conn.execute(
            "SELECT pk, id FROM papers WHERE pk > ? AND (? IS NULL OR modified_at >= ?)"
            " ORDER BY pk LIMIT ?",
            (last_pk, since, since, batch_size),
        ).fetchall()
        if not rows:
            return
        yield [str(row[1]) for row in rows]
        last_pk = int(rows[-1][0])
