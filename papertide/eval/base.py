"""The vocabulary of the evaluation harness: queries, candidate documents and the Ranker protocol.

Pure values only: no I/O, no scoring (see metrics.py), no loading (see datasets.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

FACETS = ("background", "method", "result")

# query id -> document id -> graded relevance (CSFCube: 0-3; Daily Papers: 1 for the paper itself)
Qrels = Mapping[str, Mapping[str, int]]


@dataclass(frozen=True, slots=True)
class EvalDoc:
    """A candidate document: `title` may be empty (Daily Papers abstracts are judged untitled)."""

    id: str
    title: str
    abstract: str


@dataclass(frozen=True, slots=True)
class EvalQuery:
    """One query: `text` is what a user would type or paste.

    For a query-by-example query (CSFCube), `facet` names the aspect asked about, `text` holds
    the query abstract's sentences for that facet and `paper` is the whole query paper.
    For a typed query (Daily Papers titles), `facet` and `paper` are None.
    """

    id: str
    text: str
    facet: str | None = None
    paper: EvalDoc | None = None


class Ranker(Protocol):
    """A ranking function under evaluation; `name` labels its row in the report."""

    @property
    def name(self) -> str: ...

    def rank(self, query: EvalQuery, candidates: Sequence[EvalDoc], k: int) -> list[str]:
        """Return up to `k` ids of `candidates`, best first, each at most once.

        The harness passes the same `candidates` object for every query that shares a pool,
        so a ranker may cache per-pool work keyed on the candidates' ids.
        """
        ...
