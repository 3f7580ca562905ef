"""The embeddings side of PostgresStore: vectors live in a pgvector `halfvec` column (so the
server can search them too), and cross the Store boundary as the little-endian float16 bytes
every engine uses; this module converts between the two. Only vector_of may read a replica
(see PgBase): the index builder reads its own writes on the primary.

halfvec's binary form (pgvector's halfvec_send/halfvec_recv) is int16 dim, int16 unused, then
each value as a big-endian float16: writes send it as a binary parameter cast to halfvec,
reads call halfvec_send, and only the byte order of each value changes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from psycopg.adapt import Dumper
from psycopg.pq import Format

from papertide.store.postgres.connection import Connection, PgBase
from papertide.store.vectors_base import EmbeddingRow, EmbedTask

_MAX_PK = 2**63 - 1


@dataclass(frozen=True, slots=True)
class HalfVector:
    """Little-endian float16 bytes to be written as a halfvec parameter."""

    data: bytes


class HalfVectorDumper(Dumper):
    """HalfVector -> halfvec binary; oid 0 lets the server take the type from `::halfvec`."""

    format = Format.BINARY

    def dump(self, obj: HalfVector) -> bytes:
        if len(obj.data) % 2:
            raise ValueError("a float16 vector has an even number of bytes")
        return struct.pack(">hh", len(obj.data) // 2, 0) + swap_halves(obj.data)


def from_halfvec_send(wire: bytes) -> bytes:
    """halfvec_send output -> little-endian float16 bytes."""
    return swap_halves(wire[4:])


def swap_halves(data: bytes) -> bytes:
    """Swap the two bytes of every 16-bit value (little- <-> big-endian)."""
    swapped = bytearray(len(data))
    swapped[0::2] = data[1::2]
    swapped[1::2] = data[0::2]
    return bytes(swapped)


class PgVectors(PgBase):
    """Embeddings per (model, paper), with a per-model change sequence."""

    def embed_tasks(self, model: str, after_pk: int = 0, limit: int = 1000) -> list[EmbedTask]:
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT p.pk, p.id, p.title, p.abstract, p.content_hash, e.text_hash"
                " FROM papers p LEFT JOIN embeddings e ON e.model = %s AND e.paper_pk = p.pk"
                " WHERE p.pk > %s AND (e.paper_pk IS NULL OR e.content_hash <> p.content_hash)"
                " ORDER BY p.pk LIMIT %s",
                (model, after_pk, limit),
            ).fetchall()
        return [EmbedTask(*row) for row in rows]

    def count_embed_tasks(self, model: str) -> int:
        return self._count(
            "SELECT count(*) FROM papers p LEFT JOIN embeddings e"
            " ON e.model = %s AND e.paper_pk = p.pk"
            " WHERE e.paper_pk IS NULL OR e.content_hash <> p.content_hash",
            model,
        )

    def save_embeddings(self, model: str, rows: Sequence[EmbeddingRow]) -> None:
        """One transaction; vectors written take the model's next change number. Writers of
        one model queue on an advisory lock, so numbers are never shared or committed out
        of order."""
        with self._transaction() as conn:
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('papertide.embeddings:' || %s, 0))",
                (model,),
            )
            seq = _last_seq(conn, model) + 1
            cursor = conn.cursor()
            cursor.adapters.register_dumper(HalfVector, HalfVectorDumper)
            cursor.executemany(
                "INSERT INTO embeddings (model, paper_pk, content_hash, text_hash, vector, seq)"
                " VALUES (%s, %s, %s, %s, %b::halfvec, %s) ON CONFLICT (model, paper_pk)"
                " DO UPDATE SET content_hash=excluded.content_hash,"
                " text_hash=excluded.text_hash, vector=excluded.vector, seq=excluded.seq",
                [
                    (model, r.paper_pk, r.content_hash, r.text_hash, HalfVector(r.vector), seq)
                    for r in rows
                    if r.vector
                ],
            )
            cursor.executemany(
                "UPDATE embeddings SET content_hash=%s WHERE model=%s AND paper_pk=%s",
                [(r.content_hash, model, r.paper_pk) for r in rows if r.vector is None],
            )

    def iter_vectors(
        self, model: str, batch_size: int = 10_000
    ) -> Iterator[list[tuple[int, bytes]]]:
        last = 0
        while True:
            with self._transaction() as conn:
                rows = conn.execute(
                    "SELECT paper_pk, halfvec_send(vector) FROM embeddings"
                    " WHERE model = %s AND paper_pk > %s ORDER BY paper_pk LIMIT %s",
                    (model, last, batch_size),
                ).fetchall()
            if not rows:
                return
            yield [(int(pk), from_halfvec_send(wire)) for pk, wire in rows]
            last = rows[-1][0]

    def vector_seq(self, model: str) -> int:
        with self._transaction() as conn:
            return _last_seq(conn, model)

    def iter_changed_vectors(
        self, model: str, after_seq: int, batch_size: int = 10_000
    ) -> Iterator[list[tuple[int, bytes]]]:
        seq, pk = after_seq, _MAX_PK  # start after every row of change `after_seq`
        while True:
            with self._transaction() as conn:
                rows = conn.execute(
                    "SELECT seq, paper_pk, halfvec_send(vector) FROM embeddings WHERE model = %s"
                    " AND (seq, paper_pk) > (%s, %s) ORDER BY seq, paper_pk LIMIT %s",
                    (model, seq, pk, batch_size),
                ).fetchall()
            if not rows:
                return
            yield [(int(row_pk), from_halfvec_send(wire)) for _, row_pk, wire in rows]
            seq, pk = rows[-1][0], rows[-1][1]

    def vector_of(self, model: str, paper_id: str) -> bytes | None:
        def find(conn: Connection, ids: list[str]) -> dict[str, bytes]:
            rows = conn.execute(
                "SELECT p.id, halfvec_send(e.vector) FROM embeddings e"
                " JOIN papers p ON p.pk = e.paper_pk WHERE e.model = %s AND p.id = ANY(%s)",
                (model, ids),
            )
            return {str(pid): from_halfvec_send(wire) for pid, wire in rows}

        return self._lookup(find, [paper_id]).get(paper_id)  # replica

    def embedding_models(self) -> list[tuple[str, int]]:
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT model, count(*) FROM embeddings GROUP BY model ORDER BY model"
            ).fetchall()
        return [(str(model), int(count)) for model, count in rows]

    def _count(self, sql: str, *params: object) -> int:
        with self._transaction() as conn:
            row = conn.execute(sql, params).fetchone()
        assert row is not None
        return int(row[0])


def _last_seq(conn: Connection, model: str) -> int:
    row = conn.execute("SELECT max(seq) FROM embeddings WHERE model = %s", (model,)).fetchone()
    return int(row[0] or 0) if row else 0
