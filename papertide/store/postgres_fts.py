"""SQL for PostgreSQL's own full-text index (the weighted `search` tsvector with its GIN index,
pg_migrations/m002): what store/fts.py is for SQLite's FTS5, the in-database baseline that
bench/engines.py measures beside the tantivy index both engines search with.

Each word becomes its own plainto_tsquery, so user text never reaches the tsquery syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from papertide.store.fts import FtsHit

MAX_WORDS = 64


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
