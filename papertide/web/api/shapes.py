"""Domain values -> Hugging Face-shaped API items, and the API's period and sort rules. Pure.

No store and no HTTP here: papers.py loads the rows and counts (ordered by rank/listings.py), these
functions shape them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from papertide.errors import InputError
from papertide.ids import canonical_paper_id
from papertide.models import AuthorClaim, Comment, Listing, Paper
from papertide.rank.extras import PaperExtrasShown
from papertide.web.api.schemas import (
    AuthorPublic,
    CommentPublic,
    PaperDetailPublic,
    PaperOrganizationPublic,
    PaperPublic,
    SubmitterPublic,
)

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
WEEK_PATTERN = r"^\d{4}-W\d{2}$"
MONTH_PATTERN = r"^\d{4}-\d{2}$"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Period:
    """Days `since`..`until`, both included."""

    since: date
    until: date


@dataclass(frozen=True, slots=True)
class Counts:
    """A paper's community figures: upvotes (imported + local), comments, and whether an
    author with an approved claim takes part in its comments."""

    upvotes: int = 0
    comments: int = 0
    author_participating: bool = False


def parse_period(day: str | None, week: str | None, month: str | None) -> Period | None:
    """The days one of `date`, `week`, `month` names; None when none is given (latest day)."""
    given = [name for name, value in (("date", day), ("week", week), ("month", month)) if value]
    if len(given) > 1:
        raise InputError(f"give only one of date, week and month, not {' and '.join(given)}")
    try:
        if day:
            return _one_day(day)
        if week:
            return _week(week)
        if month:
            return _month(month)
    except (ValueError, OverflowError):
        which, text = given[0], day or week or month
        raise InputError(f"{which} {str(text)[:40]!r} is not a real {which}") from None
    return None


def _one_day(text: str) -> Period:
    if not re.fullmatch(DATE_PATTERN, text):
        raise ValueError(text)
    day = date.fromisoformat(text)
    return Period(day, day)


def _week(text: str) -> Period:
    if not re.fullmatch(WEEK_PATTERN, text):
        raise ValueError(text)
    year, week = int(text[:4]), int(text[6:])
    monday = date.fromisocalendar(year, week, 1)
    return Period(monday, monday + timedelta(days=6))


def _month(text: str) -> Period:
    if not re.fullmatch(MONTH_PATTERN, text):
        raise ValueError(text)
    first = date(int(text[:4]), int(text[5:]), 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Period(first, following - timedelta(days=1))


def paper_id_of(text: str) -> str:
    """The stored id for a path segment: canonical arXiv id (no version), else the text as given."""
    try:
        return canonical_paper_id(text)
    except InputError:
        return text.strip()


def submitted_at(listing: Listing) -> datetime:
    """When a paper went on a daily page: its recorded time, else the start of that day."""
    return listing.submitted_at or datetime.combine(listing.day, time(), tzinfo=UTC)


def first_link(paper: Paper, kind: str) -> str | None:
    return next((link.url for link in paper.links if link.kind == kind), None)


def _submitter(username: str | None) -> SubmitterPublic | None:
    if not username:
        return None
    return SubmitterPublic(name=username, user=username, fullname=username)


def author_public(name: str, claim: AuthorClaim | None) -> AuthorPublic:
    """An author, with the account that claimed it (approved) as Hugging Face's `user`."""
    if claim is None:
        return AuthorPublic(name=name)
    return AuthorPublic(
        name=name,
        user=_submitter(claim.username),
        status="claimed_verified",
        status_last_changed_at=claim.decided_at,
    )


def _organization(shown: PaperExtrasShown) -> PaperOrganizationPublic | None:
    """The paper's first organisation (Hugging Face gives one), by slug and name."""
    if not shown.orgs:
        return None
    return PaperOrganizationPublic(name=shown.orgs[0].slug, fullname=shown.orgs[0].name)


def paper_fields(
    paper: Paper,
    listing: Listing | None,
    upvotes: int,
    shown: PaperExtrasShown,
    claimed: Mapping[str, AuthorClaim] | None = None,
) -> dict[str, Any]:
    """The fields of Hugging Face's `paper` object for one stored paper; `shown`: its summary
    to show and organisations (rank/extras.py); `claimed` maps author names to their approved
    claims."""
    summary = shown.summary
    claims = claimed or {}
    return {
        "id": paper.id,
        "authors": [author_public(name, claims.get(name)) for name in paper.authors],
        "published_at": paper.published,
        "submitted_on_daily_at": submitted_at(listing) if listing else None,
        "submitted_on_daily_by": _submitter(listing.submitted_by if listing else None),
        "title": paper.title,
        "summary": paper.abstract,
        "upvotes": upvotes,
        "github_repo": first_link(paper, "code"),
        "github_stars": listing.github_stars if listing else None,
        "project_page": first_link(paper, "project"),
        "categories": list(paper.categories),
        "ai_summary": summary.tldr if summary else None,
        "ai_keywords": list(summary.keywords) if summary else None,
        "ai_summary_source": summary.source if summary else None,
        "organization": _organization(shown),
    }


def paper_public(
    paper: Paper,
    listing: Listing | None,
    counts: Counts,
    shown: PaperExtrasShown,
    claimed: Mapping[str, AuthorClaim],
) -> PaperDetailPublic:
    """`GET /api/papers/{id}`: the paper object (claimed authors with their account) plus its
    comment count."""
    fields = paper_fields(paper, listing, counts.upvotes, shown, claimed)
    return PaperDetailPublic(**fields, num_comments=counts.comments)


def item_fields(
    paper: Paper, listing: Listing | None, counts: Counts, shown: PaperExtrasShown
) -> dict[str, Any]:
    """The fields of one Hugging Face daily-papers item; subclasses add their own. The summary
    and organisation are also on the item, where huggingface_hub's list_daily_papers reads them."""
    fields = paper_fields(paper, listing, counts.upvotes, shown)
    published = submitted_at(listing) if listing else paper.published or EPOCH
    return {
        "paper": PaperPublic(**fields),
        "published_at": published,
        "title": paper.title,
        "summary": paper.abstract,
        "upvotes": counts.upvotes,
        **{
            key: fields[key]
            for key in (
                "github_repo",
                "github_stars",
                "project_page",
                "ai_summary",
                "ai_keywords",
                "ai_summary_source",
                "organization",
            )
        },
        "num_comments": counts.comments,
        "submitted_by": _submitter(listing.submitted_by if listing else None),
        "is_author_participating": counts.author_participating,
    }


def comment_public(comment: Comment) -> CommentPublic:
    return CommentPublic(
        id=comment.id,
        paper_id=comment.paper_id,
        author=comment.username,
        body=comment.body,
        created_at=comment.created_at,
        parent_id=comment.parent_id,
        edited_at=comment.edited_at,
    )
