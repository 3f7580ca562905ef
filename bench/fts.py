"""The in-database full-text indexes the benchmarks compare the tantivy index against: SQLite
FTS5 (bm25 with field weights) and PostgreSQL's weighted tsvector with its GIN index (ts_rank_cd).

The product keeps neither (store migration m009 dropped them: search reads tantivy), so a
benchmark installs one on its own copy of a store, exactly as the stores once kept it, and
queries it through the functions here. User text never reaches either query syntax: every FTS5
token is quoted, every tsvector word is its own plainto_tsquery.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from papertide.store.postgres.migrations import m002_fts as postgres_fts
from papertide.store.sqlite.migrations import m002_fts as sqlite_fts

MAX_WORDS = 64

# The FTS5 index exactly as SQLite stores kept it (migration m002: external content keyed on
# papers.pk, triggers for updates and deletes), plus an insert trigger: the stores indexed new
# rows with one INSERT ... SELECT per batch, which a benchmark cannot add inside `papertide
# ingest`, so here each row is indexed as it is inserted, in the same transaction.
FTS5_SCHEMA = (
    sqlite_fts.SQL
    + """
CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts(rowid, title, authors, abstract)
    VALUES (new.pk, new.title, new.authors, new.abstract);
END;
"""
)
# PostgreSQL's weighted tsvector column, generated on every write, and its GIN index, exactly as
# PostgreSQL stores kept them (migration m002).
TSVECTOR_SCHEMA = postgres_fts.SQL


@dataclass(frozen=True, slots=True)
class FtsHit:
    """A full-text match: the paper id and the engine's score (higher is better)."""

    paper_id: str
    score: float


def install_fts5(conn: sqlite3.Connection) -> None:
    """Add the FTS5 index to a migrated SQLite store; papers written from now on are indexed
    (those already there by `rebuild_fts`)."""
    conn.executescript(FTS5_SCHEMA)


def rebuild_fts(conn: sqlite3.Connection) -> None:
    """Re-index every paper from the content table (https://sqlite.org/fts5.html#the_rebuild_command)."""
    conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")


def fts_index_bytes(conn: sqlite3.Connection) -> int:
    """Bytes in the FTS5 shadow tables (papers_fts_*), from the dbstat virtual table."""
    row = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'papers_fts%'").fetchone()
    return int(row[0] or 0)


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


def install_tsvector(conn: psycopg.Connection[Any]) -> None:
    """Add the generated tsvector column and its GIN index to a migrated PostgreSQL store (rows
    already there are indexed as the column is added); commits."""
    conn.execute(TSVECTOR_SCHEMA.encode())
    conn.commit()


def search_tsvector(
    conn: psycopg.Connection[Any], words: Sequence[str], limit: int
) -> list[FtsHit]:
    """Top `limit` papers matching any of `words` (title, authors, abstract), by ts_rank_cd
    over the tsvector's weights (title A, authors B, abstract C); ties by id."""
    kept = [word for word in words if word.strip()][:MAX_WORDS]
    if not kept:
        return []
    either = " || ".join(["plainto_tsquery('english', %s)"] * len(kept))
    rows = conn.execute(
        f"SELECT id, ts_rank_cd(search, q) AS score FROM papers, (SELECT {either}) AS found(q)"
        " WHERE search @@ q ORDER BY score DESC, id LIMIT %s",
        (*kept, limit),
    )
    return [FtsHit(str(row[0]), float(row[1])) for row in rows]
