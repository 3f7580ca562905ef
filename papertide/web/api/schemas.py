"""JSON API schemas (pydantic, the API boundary only), shaped like the Hugging Face papers API.

Field names follow Hugging Face's camelCase (`publishedAt`, `numComments`) so its clients read
our answers; fields of our own are listed in OUR_PAPER_KEYS / OUR_ITEM_KEYS. No logic here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic.alias_generators import to_camel

from papertide.web.path_ids import MAX_ID


def hf_time(value: datetime) -> str:
    """A time as Hugging Face prints it: UTC, milliseconds, Z (2025-06-18T00:18:23.135Z)."""
    moment = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


HF_TIME_EXAMPLE = "2025-06-18T00:18:23.135Z"
HfTime = Annotated[
    datetime,
    PlainSerializer(hf_time, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": [HF_TIME_EXAMPLE]}),
]

DailySort = Literal["publishedAt", "trending", "upvotes"]
OUR_PAPER_KEYS = frozenset({"categories", "numComments", "ai_summary_source"})
OUR_ITEM_KEYS = frozenset(
    {
        "score",
        "reasons",
        "trending",
        "upvotes",
        "githubRepo",
        "githubStars",
        "projectPage",
        "ai_summary",
        "ai_keywords",
        "ai_summary_source",
    }
)


class CamelModel(BaseModel):
    """Fields are snake_case in Python and camelCase in JSON, as Hugging Face names them."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )


class AuthorPublic(CamelModel):
    name: str = Field(description="The author's name as arXiv lists it.")
    hidden: bool = Field(
        default=False, description="Always false here (Hugging Face can hide authors)."
    )
    user: SubmitterPublic | None = Field(
        default=None,
        description="The account a curator (or a domain rule) approved as this author; only"
        " on `/api/papers/{id}`.",
    )
    status: Literal["claimed_verified"] | None = Field(
        default=None, description="`claimed_verified` when `user` is set, as on Hugging Face."
    )
    status_last_changed_at: HfTime | None = Field(
        default=None, description="When the claim was approved."
    )


class SubmitterPublic(BaseModel):
    """Who put a paper on a daily page: `name`/`user` is the username (both, as HF's variants)."""

    name: str
    user: str
    fullname: str
    type: Literal["user"] = "user"


class PaperOrganizationPublic(BaseModel):
    """The organisation that submitted a paper, as Hugging Face shapes it (its page here is
    /org/<name>)."""

    name: str = Field(description="The organisation's slug, e.g. google.")
    fullname: str = Field(description="Its display name, e.g. Google.")


class PaperPublic(CamelModel):
    """A paper: Hugging Face's `paper` object (plus `categories` and `ai_summary_source`, ours)."""

    id: str = Field(description="Canonical arXiv id without version, e.g. 2506.14429.")
    authors: list[AuthorPublic]
    published_at: HfTime | None = Field(default=None, description="arXiv v1 publication time.")
    submitted_on_daily_at: HfTime | None = Field(
        default=None, description="When the paper was put on a daily page (latest listing)."
    )
    submitted_on_daily_by: SubmitterPublic | None = None
    title: str
    summary: str = Field(description="The abstract, LaTeX kept as written.")
    upvotes: int = Field(description="Imported Daily Papers upvotes plus local votes.")
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    categories: list[str] = Field(
        default_factory=list, description="arXiv categories, primary first (ours)."
    )
    ai_summary: str | None = Field(
        default=None,
        alias="ai_summary",
        description="A one-sentence TL;DR: Hugging Face's when it has one, else ours.",
    )
    ai_keywords: list[str] | None = Field(
        default=None, alias="ai_keywords", description="The keywords that go with `ai_summary`."
    )
    ai_summary_source: str | None = Field(
        default=None,
        alias="ai_summary_source",
        description="Where `ai_summary` and `ai_keywords` come from: imported from Hugging Face,"
        " or computed here from the abstract (extractive) (ours).",
    )
    organization: PaperOrganizationPublic | None = None


class PaperDetailPublic(PaperPublic):
    """`GET /api/papers/{id}`: the paper object plus its comment count."""

    num_comments: int = 0


class DailyPaperPublic(CamelModel):
    """One item of `GET /api/daily_papers`, as Hugging Face shapes it."""

    paper: PaperPublic
    published_at: HfTime = Field(
        description="When the paper went on a daily page (huggingface_hub reads it as "
        "`submitted_at`); the arXiv time for a paper never listed. `paper.publishedAt` is arXiv's."
    )
    title: str
    summary: str
    upvotes: int = Field(description="= `paper.upvotes`, where huggingface_hub also looks (ours).")
    github_repo: str | None = Field(default=None, description="= `paper.githubRepo` (ours).")
    github_stars: int | None = Field(default=None, description="= `paper.githubStars` (ours).")
    project_page: str | None = Field(default=None, description="= `paper.projectPage` (ours).")
    num_comments: int = Field(
        description="Comments made here: what `GET /api/papers/{id}/comments` returns "
        "(Hugging Face's own comments stay on Hugging Face and are not counted)."
    )
    submitted_by: SubmitterPublic | None = None
    is_author_participating: bool = Field(
        default=False,
        description="An author with an approved claim has a comment on the paper here.",
    )
    organization: PaperOrganizationPublic | None = None
    ai_summary: str | None = Field(
        default=None, alias="ai_summary", description="= `paper.ai_summary` (ours)."
    )
    ai_keywords: list[str] | None = Field(
        default=None, alias="ai_keywords", description="= `paper.ai_keywords` (ours)."
    )
    ai_summary_source: str | None = Field(
        default=None, alias="ai_summary_source", description="= `paper.ai_summary_source` (ours)."
    )


class SearchHitPublic(DailyPaperPublic):
    """One item of `GET /api/papers/search` or `/similar`: the HF item plus why it matched."""

    score: float = Field(description="Fused relevance score (higher is better; ours).")
    reasons: list[str] = Field(description="Why it matched, in words (ours).")


class TrendingPartsPublic(BaseModel):
    score: float
    parts: dict[str, float] = Field(description="Named parts of the trending score.")


class TrendingPaperPublic(DailyPaperPublic):
    """One item of `GET /api/trending`: the HF item plus the score breakdown."""

    trending: TrendingPartsPublic


class VoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    up: bool = Field(default=True, description="true to upvote, false to take the upvote back.")


class VotePublic(CamelModel):
    paper_id: str
    upvotes: int
    voted: bool = Field(description="Whether the caller's upvote is on the paper now.")


class SubmitBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(
        min_length=1,
        max_length=300,
        description="An arXiv id or URL (abs, pdf, DOI or Hugging Face paper page).",
        examples=["2506.14429"],
    )


class CommentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(
        min_length=1, max_length=10_000, description="Markdown; rendered safely on the page."
    )
    parent_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        alias="parentId",
        description="Reply to this comment of the same paper; a reply to a reply joins the"
        " top-level comment's thread.",
    )


class CommentPublic(CamelModel):
    id: int
    paper_id: str
    author: str = Field(description="The commenter's username.")
    body: str = Field(description="Markdown source as written.")
    created_at: HfTime
    parent_id: int | None = Field(
        None, description="The top-level comment this one replies to; null for top level."
    )
    edited_at: HfTime | None = Field(None, description="When its author last edited it.")


class ErrorPublic(BaseModel):
    """Every error answer: a message for people, and the fields at fault for a 422."""

    error: str
    fields: list[str] | None = None


class HealthPublic(CamelModel):
    """A worker that can reach its store (a load balancer's health check)."""

    status: Literal["ok"] = "ok"
    newest_listing: date | None = Field(description="The latest day with a daily list.")
    last_sync: datetime | None = Field(
        description="When the last successful `papertide sync` run ended (none: never)."
    )


class OrganizationPublic(CamelModel):
    """`GET /api/organizations/{slug}`: Hugging Face's organization overview fields we hold
    (`name`, `fullname`, `numPapers`) and a page of its papers (ours)."""

    name: str = Field(description="The organisation's slug, as in /org/<slug>.")
    fullname: str = Field(description="Its name as imported or set by a curator.")
    num_papers: int
    papers: list[DailyPaperPublic] = Field(
        description="Its papers, newest published first: page `p` of `limit` (ours)."
    )
