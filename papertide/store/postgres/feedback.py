"""The recommender's side of PostgresStore: a user's ratings as the for-you model and the paper
lists read them."""

from __future__ import annotations

from collections.abc import Sequence

from papertide.store.postgres.connection import PgBase


class PgFeedback(PgBase):
    """Ratings in the two columns the model learns from."""

    def rating_values(self, user_id: int, limit: int) -> list[tuple[str, int]]:
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT paper_id, value FROM ratings WHERE user_id = %s"
                " ORDER BY at DESC, id DESC LIMIT %s",
                (user_id, limit),
            ).fetchall()
        return [(str(paper), int(value)) for paper, value in rows]

    def ratings_on(self, user_id: int, paper_ids: Sequence[str]) -> dict[str, int]:
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT paper_id, value FROM ratings WHERE user_id = %s"
                " AND paper_id = ANY(%s::text[])",
                (user_id, list(paper_ids)),
            ).fetchall()
        return {str(paper): int(value) for paper, value in rows}
