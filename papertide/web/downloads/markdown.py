"""A paper as Markdown for LLM tools: `GET /papers/{id}.md` (Hugging Face's path) and the paper
page's `Accept: text/markdown` answer. Text is kept as written (LaTeX included): the answer is
served as text/markdown with nosniff, never as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fastapi import APIRouter, Request, Response

from papertide.ids import is_generated_id
from papertide.models import Comment, Listing, Paper
from papertide.web.api.shapes import first_link, paper_id_of
from papertide.web.services import WebServices

MARKDOWN_TYPE = "text/markdown; charset=utf-8"
_MARKDOWN_TYPES = ("text/markdown", "text/x-markdown")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SPACES = re.compile(r"\s+")


def wants_markdown(request: Request) -> bool:
    """Whether the Accept header names Markdown, at least as strongly as HTML.

    Browsers never name text/markdown, so they keep getting the HTML page; `Accept:
    text/markdown` (or `text/markdown, text/html;q=0.9`) gets Markdown."""
    weights = accept_weights(request.headers.get("accept", ""))
    markdown = max((weights.get(kind, 0.0) for kind in _MARKDOWN_TYPES), default=0.0)
    html = max((weights.get(kind, 0.0) for kind in _HTML_TYPES), default=0.0)
    return markdown > 0 and markdown >= html


def accept_weights(header: str) -> dict[str, float]:
    """Media type -> q of an Accept header (RFC 9110 section 12.5.1); bad q values count as 0."""
    weights: dict[str, float] = {}
    for part in header.split(",")[:50]:
        kind, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                quality = _quality(value.strip())
        if kind:
            weights[kind.lower()] = max(weights.get(kind.lower(), 0.0), quality)
    return weights


def _quality(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if 0.0 <= value <= 1.0 else 0.0


def paper_markdown(
    paper: Paper,
    upvotes: int,
    comments: Sequence[Comment] = (),
    num_comments: int | None = None,
    listing: Listing | None = None,
) -> str:
    """The paper as a Markdown document: title, facts, abstract and the comments, quoted."""
    lines = [f"# {_one_line(paper.title)}", "", *_facts(paper, upvotes, num_comments, listing)]
    lines += ["", "## Abstract", "", paper.abstract.strip()]
    if comments:
        lines += ["", f"## Comments ({len(comments)})"]
        for comment in comments:
            when = comment.created_at.strftime("%Y-%m-%d %H:%M UTC")
            lines += ["", f"**{comment.username}** wrote on {when}:", ""]
            lines += [f"> {line}".rstrip() for line in comment.body.strip().splitlines()]
    return "\n".join(lines) + "\n"


def _facts(
    paper: Paper, upvotes: int, num_comments: int | None, listing: Listing | None
) -> list[str]:
    facts = [f"- arXiv: {paper.id}"]
    if not is_generated_id(paper.id):
        abs_url, pdf_url = f"https://arxiv.org/abs/{paper.id}", f"https://arxiv.org/pdf/{paper.id}"
        facts.append(f"- Links: <{abs_url}> (PDF: <{pdf_url}>)")
    if paper.authors:
        facts.append(f"- Authors: {', '.join(_one_line(a) for a in paper.authors)}")
    if paper.published:
        facts.append(f"- Published: {paper.published.date().isoformat()}")
    if paper.categories:
        facts.append(f"- Categories: {', '.join(paper.categories)}")
    counts = f"- Upvotes: {upvotes}"
    facts.append(counts if num_comments is None else f"{counts}; comments: {num_comments}")
    if listing is not None:
        by = f" (submitted by {listing.submitted_by})" if listing.submitted_by else ""
        facts.append(f"- Daily papers: {listing.day.isoformat()}{by}")
    for kind, label in (("code", "Code"), ("project", "Project page")):
        url = first_link(paper, kind)
        if url:
            facts.append(f"- {label}: <{url}>")
    if paper.doi:
        facts.append(f"- DOI: {paper.doi}")
    return facts


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def markdown_response(services: WebServices, paper_id: str) -> Response:
    """The text/markdown answer for a paper (404 in Markdown when it is not stored)."""
    headers = {"Vary": "Accept", "X-Content-Type-Options": "nosniff"}
    paper = services.store.get_paper(paper_id_of(paper_id))
    if paper is None:
        body = f"# Not found\n\nNo paper {_one_line(paper_id)[:80]} here.\n"
        return Response(body, 404, headers, media_type=MARKDOWN_TYPE)
    upvotes = services.store.upvotes([paper.id]).get(paper.id, 0)
    total = services.store.comment_counts([paper.id]).get(paper.id, 0)
    listings = services.store.listings_of(paper.id)
    text = paper_markdown(
        paper,
        upvotes,
        services.store.comments_for(paper.id),
        total,
        listings[0] if listings else None,
    )
    return Response(text, 200, headers, media_type=MARKDOWN_TYPE)


def markdown_router(services: WebServices) -> APIRouter:
    """`GET /papers/{id}.md`; register it before the HTML `/papers/{id}` route."""
    router = APIRouter()

    @router.get(
        "/papers/{paper_id:path}.md",
        tags=["papers"],
        summary="One paper as Markdown (for LLM tools)",
        response_class=Response,
        responses={
            200: {"content": {"text/markdown": {"schema": {"type": "string"}}}},
            404: {"content": {"text/markdown": {"schema": {"type": "string"}}}},
        },
    )
    def paper_md(paper_id: str) -> Response:
        """The paper page's text: title, facts, abstract (LaTeX as written) and comments."""
        return markdown_response(services, paper_id)

    return router
