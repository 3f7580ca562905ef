"""The recommender's side of SqliteStore: a user's ratings as the for-you model reads them."""

from __future__ import annotations

from papertide.store.sqlite.connection import SqliteBase


class SqliteFeedback(SqliteBase):
    """Ratings in the two columns the model learns from."""

    def rating_values(self, user_id: int, limit: int) -> list[tuple[str, int]]:
        rows = self._conn.execute(
            "SELECT paper_id, value FROM ratings WHERE user_id = ?"
            " ORDER BY at DESC, id DESC LIMIT ?",
            (user_id, limit),
        )
        return [(str(paper), int(value)) for paper, value in rows]
