"""The result of one evaluation run: per-ranker scores, one aligned text table and JSON.

Pure: values in, strings out; computing the scores is runner.py's job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from papertide.eval.base import FACETS

OVERALL = "overall"
MISSING = "-"
COLUMN_GAP = "  "
# (group, label) per column; neighbours with the same group share one group heading
COLUMNS: tuple[tuple[str, str], ...] = (
    ("", "ranker"),
    *(("nDCG@20 on CSFCube test", facet) for facet in (*FACETS, OVERALL)),
    ("MAP on", "CSFCube test"),
    ("MRR on", "Daily Papers"),
)


@dataclass(frozen=True, slots=True)
class QueryScore:
    """One query's scores: nDCG@k, average precision and reciprocal rank."""

    query_id: str
    facet: str | None
    ndcg: float
    ap: float
    rr: float


@dataclass(frozen=True, slots=True)
class EvalSetup:
    """What was measured, so that a report can be read on its own."""

    csfcube_split: str
    csfcube_test_queries: int
    ndcg_k: int
    relevant_grade: int
    daily_papers_queries: int | None
    daily_papers_seed: int | None
    mrr_depth: int


@dataclass(frozen=True, slots=True)
class RankerResult:
    """A ranker's test scores: `ndcg` and `mean_ap` map each facet and "overall" to a mean.

    `mrr` is None when the Daily Papers collection was not evaluated; `seconds` is the
    ranker's wall time over both collections; `queries` are its CSFCube per-query scores.
    """

    name: str
    ndcg: Mapping[str, float]
    mean_ap: Mapping[str, float]
    mrr: float | None
    seconds: float
    queries: tuple[QueryScore, ...] = ()


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Rankers side by side, in the order they were given."""

    setup: EvalSetup
    results: tuple[RankerResult, ...]

    def table(self) -> str:
        """One aligned text table: a row per ranker, columns as in COLUMNS."""
        rows = [table_row(result) for result in self.results]
        return render_table(COLUMNS, rows)

    def to_dict(self) -> dict[str, Any]:
        """Everything in the report as JSON-ready values."""
        return {"setup": asdict(self.setup), "rankers": [asdict(r) for r in self.results]}

    def to_json(self) -> str:
        """The report as indented JSON."""
        return json.dumps(self.to_dict(), indent=2)


def table_row(result: RankerResult) -> list[str]:
    """A ranker's cells in COLUMNS order."""
    ndcg = [format_score(result.ndcg.get(name)) for name in (*FACETS, OVERALL)]
    return [
        result.name,
        *ndcg,
        format_score(result.mean_ap.get(OVERALL)),
        format_score(result.mrr),
    ]


def format_score(value: float | None) -> str:
    """Three decimals, or MISSING."""
    return MISSING if value is None else f"{value:.3f}"


def render_table(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]]) -> str:
    """Group headings, column labels, a rule and the rows; the first column left-aligned."""
    widths = [
        max(len(label), *(len(row[i]) for row in rows)) for i, (_, label) in enumerate(columns)
    ]
    spans = group_spans([group for group, _ in columns])
    for group, start, end in spans:
        spanned = sum(widths[start:end]) + len(COLUMN_GAP) * (end - start - 1)
        widths[end - 1] += max(0, len(group) - spanned)
    heading = COLUMN_GAP.join(
        group.ljust(sum(widths[s:e]) + len(COLUMN_GAP) * (e - s - 1)) for group, s, e in spans
    )
    lines = [
        heading,
        format_line([label for _, label in columns], widths),
        format_line(["-" * width for width in widths], widths),
        *(format_line(row, widths) for row in rows),
    ]
    return "\n".join(line.rstrip() for line in lines)


def group_spans(groups: Sequence[str]) -> list[tuple[str, int, int]]:
    """Runs of equal neighbouring groups as (group, start, end) with `end` exclusive."""
    spans: list[tuple[str, int, int]] = []
    for i, group in enumerate(groups):
        if spans and spans[-1][0] == group:
            spans[-1] = (group, spans[-1][1], i + 1)
        else:
            spans.append((group, i, i + 1))
    return spans


def format_line(cells: Sequence[str], widths: Sequence[int]) -> str:
    """Cells padded to their widths: the first left-aligned, the others right-aligned."""
    padded = [cells[0].ljust(widths[0])]
    padded += [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
    return COLUMN_GAP.join(padded)
