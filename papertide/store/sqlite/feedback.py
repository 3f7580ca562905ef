"""The recommender's side of SqliteStore: a user's ratings as the for-you model and the paper
lists read them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from papertide.store.sqlite.connection import SqliteBase, chunks, marks


class SqliteFeedback(SqliteBase):
    """Ratings in the two columns the model learns from."""

    def rating_values(self, user_id: int, limit: int) -> list[tuple[str, int]]:
        cursor = self._conn.cursor()
        cursor.row_factory = None  # plain (TEXT, INTEGER) tuples: no Row to convert per rating
        rows = cursor.execute(
            "SELECT paper_id, value FROM ratings WHERE user_id = ?"
            " ORDER BY at DESC, id DESC LIMIT ?",
            (user_id, limit),
        ).fetchall()
        return cast(list[tuple[str, int]], rows)

    def ratings_on(self, user_id: int, paper_ids: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in chunks(list(dict.fromkeys(paper_ids))):
            rows = self._conn.execute(
                "SELECT paper_id, value FROM ratings WHERE user_id = ?"
                f" AND paper_id IN ({marks(chunk)})",
                (user_id, *chunk),
            )
            found.update((str(paper), int(value)) for paper, value in rows)
        return found
