"""The store side of papers' TL;DRs and keywords (imported or our own), organisations and
media. No SQL here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from papertide.models import (
    Organization,
    PaperSummary,
)


@dataclass(frozen=True, slots=True)
class SummaryTask:
    """A paper whose summary from some source is missing or stale."""

    paper_pk: int
    paper_id: str
    title: str
    abstract: str
    content_hash: str


class SummaryStore(Protocol):
    """Papers' TL;DRs and keywords, one per (paper, source): imported from Hugging Face or
    computed at index time; and their organisations and media."""

    def put_summaries(self, summaries: Sequence[PaperSummary]) -> None:
        """Insert or replace each (paper, source) summary, in one transaction."""
        ...

    def summaries_for(self, paper_ids: Sequence[str]) -> dict[str, list[PaperSummary]]:
        """The summaries of these papers in one query, by paper id (papers without any are
        left out), each paper's ordered by source."""
        ...

    def summary_hashes(self, source: str) -> dict[str, str]:
        """paper id -> content_hash of every summary from `source`: what is up to date."""
        ...

    def summary_tasks(self, source: str, after_pk: int = 0, limit: int = 1000) -> list[SummaryTask]:
        """Up to `limit` papers after `after_pk`, in pk order, whose `source` summary is missing
        or was made for another content hash."""
        ...

    def set_paper_org(self, paper_id: str, slug: str, name: str, set_by: str) -> Organization:
        """Link a paper to the organisation `slug` (made with `name` when new; the name of
        an existing one is kept), recording who set it ("huggingface", "curator:<name>")."""
        ...

    def orgs_for(self, paper_ids: Sequence[str]) -> dict[str, list[Organization]]:
        """The organisations of these papers in one query, by paper id, by slug."""
        ...

    def put_media(self, paper_id: str, urls: Sequence[str]) -> None:
        """Replace a paper's media URLs (in order)."""
        ...

    def media_for(self, paper_ids: Sequence[str]) -> dict[str, list[str]]:
        """The media URLs of these papers in one query, by paper id, in order."""
        ...
