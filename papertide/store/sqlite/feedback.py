"""The recommender's side of SqliteStore: a user's ratings as the for-you model reads them."""

from __future__ import annotations

from typing import cast

from papertide.store.sqlite.connection import SqliteBase


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
