"""What a paper shows beyond arXiv's record, by one rule for every surface (list rows, the paper
page, the JSON API, the MCP tools): the summary to show and the paper's organisations.

The summary to show is Hugging Face's when it has a TL;DR, else ours (computed at index time,
index/summaries.py); its keywords come with it, so a TL;DR and its keywords always share one
source, which is shown beside them. Two queries for any number of papers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from papertide.models import Organization, PaperSummary
from papertide.store.base import Store

# Sources in order of preference, each with the words that say where a summary comes from.
SOURCE_LABELS = {
    "huggingface": "Summary from Hugging Face",
    "papertide": "Summary by papertide (extractive)",
}
PREFERENCE = tuple(SOURCE_LABELS)
# The same, in the few letters a list row has room for (the full label is its tooltip).
SOURCE_SHORT = {"huggingface": "HF", "papertide": "auto"}


@dataclass(frozen=True, slots=True)
class PaperExtrasShown:
    """A paper's summary to show (None: it has none yet) and its organisations, by slug."""

    summary: PaperSummary | None = None
    orgs: tuple[Organization, ...] = ()


def source_label(source: str) -> str:
    """ "Summary from Hugging Face" and the like; an unknown source by its name."""
    return SOURCE_LABELS.get(source, f"Summary from {source}")


def source_short(source: str) -> str:
    """ "HF" or "auto": the source of a row's TL;DR in a badge."""
    return SOURCE_SHORT.get(source, source)


def summary_to_show(summaries: Sequence[PaperSummary]) -> PaperSummary | None:
    """The first source in PREFERENCE order whose summary has a TL;DR; else the first with
    keywords; None when no summary has either."""
    ranked = sorted(
        (s for s in summaries if s.tldr or s.keywords),
        key=lambda s: (
            not s.tldr,
            PREFERENCE.index(s.source) if s.source in PREFERENCE else len(PREFERENCE),
            s.source,
        ),
    )
    return ranked[0] if ranked else None


def extras_shown(store: Store, paper_ids: Sequence[str]) -> dict[str, PaperExtrasShown]:
    """The summary to show and the organisations of each of these papers (every id gets an
    entry), read with one query for summaries and one for organisations."""
    ids = list(dict.fromkeys(paper_ids))
    if not ids:
        return {}
    summaries = store.summaries_for(ids)
    orgs = store.orgs_for(ids)
    return {
        pid: PaperExtrasShown(summary_to_show(summaries.get(pid, [])), tuple(orgs.get(pid, [])))
        for pid in ids
    }
