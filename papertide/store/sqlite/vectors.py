"""The embeddings side of SqliteStore: vectors are stored as the little-endian float16 bytes
every engine exchanges; turning them into arrays is the index layer's job."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from papertide.store.sqlite.connection import SqliteBase
from papertide.store.vectors_base import EmbeddingRow, EmbedTask

_MAX_PK = 2**63 - 1


class SqliteVectors(SqliteBase):
    """Embeddings per (model, paper), with a per-model change sequence."""

    def embed_tasks(self, model: str, after_pk: int = 0, limit: int = 1000) -> list[EmbedTask]:
        rows = self._conn.execute(
            "SELECT p.pk, p.id, p.title, p.abstract, p.content_hash, e.text_hash"
            " FROM papers p LEFT JOIN embeddings e ON e.model = ? AND e.paper_pk = p.pk"
            " WHERE p.pk > ? AND (e.paper_pk IS NULL OR e.content_hash != p.content_hash)"
            " ORDER BY p.pk LIMIT ?",
            (model, after_pk, limit),
        )
        return [EmbedTask(*row) for row in rows]

    def count_embed_tasks(self, model: str) -> int:
        return self._scalar(
            "SELECT count(*) FROM papers p LEFT JOIN embeddings e"
            " ON e.model = ? AND e.paper_pk = p.pk"
            " WHERE e.paper_pk IS NULL OR e.content_hash != p.content_hash",
            model,
        )

    def save_embeddings(self, model: str, rows: Sequence[EmbeddingRow]) -> None:
        """One transaction; vectors written take the model's next change number. A row whose
        vector is None only records the paper's new content hash (its vector, and sequence,
        stay)."""
        with self._transaction() as conn:
            seq = self.vector_seq(model) + 1
            conn.executemany(
                "INSERT INTO embeddings (model, paper_pk, content_hash, text_hash, vector, seq)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT (model, paper_pk) DO UPDATE SET"
                " content_hash=excluded.content_hash, text_hash=excluded.text_hash,"
                " vector=excluded.vector, seq=excluded.seq",
                [
                    (model, r.paper_pk, r.content_hash, r.text_hash, r.vector, seq)
                    for r in rows
                    if r.vector
                ],
            )
            conn.executemany(
                "UPDATE embeddings SET content_hash=? WHERE model=? AND paper_pk=?",
                [(r.content_hash, model, r.paper_pk) for r in rows if r.vector is None],
            )

    def iter_vectors(
        self, model: str, batch_size: int = 10_000
    ) -> Iterator[list[tuple[int, bytes]]]:
        """(paper pk, vector bytes) of every paper embedded with `model`, by pk, in batches."""
        last = 0
        while True:
            rows = self._conn.execute(
                "SELECT paper_pk, vector FROM embeddings WHERE model = ? AND paper_pk > ?"
                " ORDER BY paper_pk LIMIT ?",
                (model, last, batch_size),
            ).fetchall()
            if not rows:
                return
            yield [(int(pk), bytes(vector)) for pk, vector in rows]
            last = rows[-1][0]

    def vector_seq(self, model: str) -> int:
        """The highest change sequence number of `model`'s vectors (0 when none)."""
        row = self._conn.execute(
            "SELECT max(seq) FROM embeddings WHERE model = ?", (model,)
        ).fetchone()
        return int(row[0] or 0)

    def iter_changed_vectors(
        self, model: str, after_seq: int, batch_size: int = 10_000
    ) -> Iterator[list[tuple[int, bytes]]]:
        """(paper pk, vector bytes) of `model`'s vectors written after change `after_seq`, in
        batches, by (seq, pk) through the seq index."""
        seq, pk = after_seq, _MAX_PK  # start after every row of change `after_seq`
        while True:
            rows = self._conn.execute(
                "SELECT seq, paper_pk, vector FROM embeddings WHERE model = ?"
                " AND (seq > ? OR (seq = ? AND paper_pk > ?)) ORDER BY seq, paper_pk LIMIT ?",
                (model, seq, seq, pk, batch_size),
            ).fetchall()
            if not rows:
                return
            yield [(int(row_pk), bytes(vector)) for _, row_pk, vector in rows]
            seq, pk = rows[-1][0], rows[-1][1]

    def vector_of(self, model: str, paper_id: str) -> bytes | None:
        row = self._conn.execute(
            "SELECT e.vector FROM embeddings e JOIN papers p ON p.pk = e.paper_pk"
            " WHERE e.model = ? AND p.id = ?",
            (model, paper_id),
        ).fetchone()
        return None if row is None else bytes(row[0])

    def embedding_models(self) -> list[tuple[str, int]]:
        rows = self._conn.execute(
            "SELECT model, count(*) FROM embeddings GROUP BY model ORDER BY model"
        )
        return [(str(model), int(count)) for model, count in rows]
