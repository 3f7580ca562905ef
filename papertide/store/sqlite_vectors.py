"""SQL for the embeddings table of SqliteStore (functions over a connection). Stores vectors as
bytes; turning them into arrays is the index layer's job."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from papertide.store.base import EmbeddingRow, EmbedTask


def tasks(conn: sqlite3.Connection, model: str, after_pk: int, limit: int) -> list[EmbedTask]:
    """Papers after `after_pk` whose embedding for `model` is missing or older than the paper."""
    rows = conn.execute(
        "SELECT p.pk, p.id, p.title, p.abstract, p.content_hash, e.text_hash"
        " FROM papers p LEFT JOIN embeddings e ON e.model = ? AND e.paper_pk = p.pk"
        " WHERE p.pk > ? AND (e.paper_pk IS NULL OR e.content_hash != p.content_hash)"
        " ORDER BY p.pk LIMIT ?",
        (model, after_pk, limit),
    )
    return [EmbedTask(*row) for row in rows]


def count_tasks(conn: sqlite3.Connection, model: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM papers p LEFT JOIN embeddings e"
        " ON e.model = ? AND e.paper_pk = p.pk"
        " WHERE e.paper_pk IS NULL OR e.content_hash != p.content_hash",
        (model,),
    ).fetchone()
    return int(row[0])


def save(conn: sqlite3.Connection, model: str, rows: Sequence[EmbeddingRow]) -> None:
    """Upsert vectors under the model's next change sequence number; a row whose vector is
    None only records the paper's new content hash (its vector, and sequence, stay)."""
    seq = last_seq(conn, model) + 1
    conn.executemany(
        "INSERT INTO embeddings (model, paper_pk, content_hash, text_hash, vector, seq)"
        " VALUES (?,?,?,?,?,?) ON CONFLICT (model, paper_pk) DO UPDATE SET"
        " content_hash=excluded.content_hash, text_hash=excluded.text_hash,"
        " vector=excluded.vector, seq=excluded.seq",
        [(model, r.paper_pk, r.content_hash, r.text_hash, r.vector, seq) for r in rows if r.vector],
    )
    conn.executemany(
        "UPDATE embeddings SET content_hash=? WHERE model=? AND paper_pk=?",
        [(r.content_hash, model, r.paper_pk) for r in rows if r.vector is None],
    )


def last_seq(conn: sqlite3.Connection, model: str) -> int:
    """The highest change sequence number of `model`'s vectors (0 when none)."""
    row = conn.execute("SELECT max(seq) FROM embeddings WHERE model = ?", (model,)).fetchone()
    return int(row[0] or 0)


_MAX_PK = 2**63 - 1


def iter_changed_vectors(
    conn: sqlite3.Connection, model: str, after_seq: int, batch_size: int
) -> Iterator[list[tuple[int, bytes]]]:
    """(paper pk, vector bytes) of `model`'s vectors written after change `after_seq`, in
    batches, by (seq, pk) through the seq index."""
    seq, pk = after_seq, _MAX_PK  # start after every row of change `after_seq`
    while True:
        rows = conn.execute(
            "SELECT seq, paper_pk, vector FROM embeddings WHERE model = ?"
            " AND (seq > ? OR (seq = ? AND paper_pk > ?)) ORDER BY seq, paper_pk LIMIT ?",
            (model, seq, seq, pk, batch_size),
        ).fetchall()
        if not rows:
            return
        yield [(int(row_pk), bytes(vector)) for _, row_pk, vector in rows]
        seq, pk = rows[-1][0], rows[-1][1]


def iter_vectors(
    conn: sqlite3.Connection, model: str, batch_size: int
) -> Iterator[list[tuple[int, bytes]]]:
    """(paper pk, vector bytes) of every paper embedded with `model`, by pk, in batches."""
    last = 0
    while True:
        rows = conn.execute(
            "SELECT paper_pk, vector FROM embeddings WHERE model = ? AND paper_pk > ?"
            " ORDER BY paper_pk LIMIT ?",
            (model, last, batch_size),
        ).fetchall()
        if not rows:
            return
        yield [(int(pk), bytes(vector)) for pk, vector in rows]
        last = rows[-1][0]


def vector_of(conn: sqlite3.Connection, model: str, paper_id: str) -> bytes | None:
    row = conn.execute(
        "SELECT e.vector FROM embeddings e JOIN papers p ON p.pk = e.paper_pk"
        " WHERE e.model = ? AND p.id = ?",
        (model, paper_id),
    ).fetchone()
    return None if row is None else bytes(row[0])


def models(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    rows = conn.execute("SELECT model, count(*) FROM embeddings GROUP BY model ORDER BY model")
    return [(str(model), int(count)) for model, count in rows]
