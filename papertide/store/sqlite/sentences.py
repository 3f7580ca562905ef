"""The per-sentence vectors side of SqliteStore (faceted similar papers): one row per
(model, paper) holding its sentences' facet letters and float16 vectors as bytes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from papertide.store.sqlite.connection import SqliteBase
from papertide.store.vectors_base import EmbedTask, SentenceRow, sentence_pages

_STALE = "s.paper_pk IS NULL OR s.content_hash != p.content_hash"
_PAGE = (
    "SELECT p.id, s.paper_pk, s.content_hash, s.labels, s.vectors"
    " FROM sentence_vectors s JOIN papers p ON p.pk = s.paper_pk"
    " WHERE s.model = ? AND s.paper_pk > ? ORDER BY s.paper_pk LIMIT ?"
)


class SqliteSentences(SqliteBase):
    """Sentence vectors per (model, paper)."""

    def sentence_tasks(self, model: str, after_pk: int = 0, limit: int = 1000) -> list[EmbedTask]:
        rows = self._conn.execute(
            "SELECT p.pk, p.id, p.title, p.abstract, p.content_hash, NULL FROM papers p"
            " LEFT JOIN sentence_vectors s ON s.model = ? AND s.paper_pk = p.pk"
            f" WHERE p.pk > ? AND ({_STALE}) ORDER BY p.pk LIMIT ?",
            (model, after_pk, limit),
        )
        return [EmbedTask(*row) for row in rows]

    def count_sentence_tasks(self, model: str) -> int:
        return self._scalar(
            "SELECT count(*) FROM papers p LEFT JOIN sentence_vectors s"
            f" ON s.model = ? AND s.paper_pk = p.pk WHERE {_STALE}",
            model,
        )

    def save_sentence_vectors(self, model: str, rows: Sequence[SentenceRow]) -> None:
        with self._transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO sentence_vectors"
                " (model, paper_pk, content_hash, labels, vectors) VALUES (?,?,?,?,?)",
                [(model, r.paper_pk, r.content_hash, r.labels, r.vectors) for r in rows],
            )

    def iter_sentence_vectors(
        self, model: str, batch_size: int = 1000
    ) -> Iterator[list[tuple[str, SentenceRow]]]:
        def page(after_pk: int) -> list[Any]:
            return self._conn.execute(_PAGE, (model, after_pk, batch_size)).fetchall()

        return sentence_pages(page)
