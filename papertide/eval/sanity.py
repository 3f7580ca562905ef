"""Reference rankers that bracket every real one: RandomRanker (chance) and OracleRanker (qrels).

They check the harness itself, not retrieval: the oracle must score 1.0, chance must score low.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from papertide.eval.base import EvalDoc, EvalQuery, Qrels


@dataclass(frozen=True, slots=True)
class RandomRanker:
    """Shuffles the candidates; the same (seed, query) always gives the same order.

    Each query gets its own `random.Random(f"{seed}:{query.id}")`, so results do not depend
    on the order in which queries are evaluated.
    """

    seed: int = 0
    name: str = "random"

    def rank(self, query: EvalQuery, candidates: Sequence[EvalDoc], k: int) -> list[str]:
        """A seeded shuffle of the candidates' ids, cut at `k`."""
        ids = [doc.id for doc in candidates]
        random.Random(f"{self.seed}:{query.id}").shuffle(ids)
        return ids[:k]


@dataclass(frozen=True, slots=True)
class OracleRanker:
    """Ranks by the true grades (ties by id): the best ranking the judgments allow."""

    qrels: Qrels
    name: str = "oracle"

    def rank(self, query: EvalQuery, candidates: Sequence[EvalDoc], k: int) -> list[str]:
        """The candidates' ids by descending grade, unjudged last."""
        judged = self.qrels.get(query.id, {})
        ordered = sorted(candidates, key=lambda doc: (-judged.get(doc.id, 0), doc.id))
        return [doc.id for doc in ordered[:k]]
