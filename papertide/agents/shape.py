"""Shape what the agent tools return: JSON-able dicts (the tools' output schemas) and the same
content as readable text. Pure: values in, dicts and strings out; no store, no MCP SDK.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from typing_extensions import TypedDict  # pydantic reads nested TypedDicts only from here on 3.11

from papertide.ids import is_generated_id
from papertide.models import Listing, OrgCount, Paper
from papertide.rank.extras import PaperExtrasShown, source_label
from papertide.rank.trending import TrendingScore
from papertide.search.service import SearchHit, SearchPage

LINK_LABELS = {"arxiv": "arXiv", "pdf": "PDF", "doi": "DOI", "huggingface": "HF page"}
AUTHORS_SHOWN = 5  # in the text form; the JSON always has every author
TEXT_WIDTH_CHARS = 100


class LinkOut(TypedDict):
    kind: str
    url: str


class HitOut(TypedDict):
    rank: int
    id: str
    title: str
    authors: list[str]
    categories: list[str]
    published: str | None
    score: float
    reasons: list[str]
    snippet: str
    url: str | None


class SearchOut(TypedDict):
    query: str
    understood_as: str
    notes: list[str]
    page: int  # from 0
    more: bool  # whether the next page has hits (there is no honest total)
    hits: list[HitOut]


class SimilarOut(TypedDict):
    paper_id: str
    title: str
    hits: list[HitOut]


class DailyPaperOut(TypedDict):
    position: int
    id: str
    title: str
    authors: list[str]
    upvotes: int
    comments: int  # made here
    hf_comments: int  # on Hugging Face's page, as imported with the listing
    submitted_by: str | None
    url: str | None


class DailyOut(TypedDict):
    date: str | None
    requested_date: str | None
    total: int
    papers: list[DailyPaperOut]


class TrendingPaperOut(TypedDict):
    rank: int
    id: str
    title: str
    authors: list[str]
    categories: list[str]
    score: float
    breakdown: dict[str, float]
    upvotes: int
    url: str | None


class TrendingOut(TypedDict):
    category: str | None
    window_days: int
    papers: list[TrendingPaperOut]


class ListingOut(TypedDict):
    date: str
    position: int
    upvotes: int
    comments: int
    submitted_by: str | None


class SummaryOut(TypedDict):
    tldr: str | None
    keywords: list[str]
    source: str  # "huggingface" or "papertide"
    label: str  # "Summary from Hugging Face", "Summary by papertide (extractive)"


class PaperOrgOut(TypedDict):
    slug: str
    name: str


class PaperOut(TypedDict):
    id: str
    version: int | None
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]
    published: str | None
    updated: str | None
    comment: str | None
    journal_ref: str | None
    doi: str | None
    license: str | None
    links: list[LinkOut]
    upvotes: int
    comments: int
    listings: list[ListingOut]
    summary: SummaryOut | None
    organizations: list[PaperOrgOut]
    media: list[str]


class OrgPaperOut(TypedDict):
    id: str
    title: str
    authors: list[str]
    published: str | None
    url: str | None


class OrgOut(TypedDict):
    slug: str  # its page is /org/<slug>
    name: str
    total: int  # papers of the organisation
    papers: list[OrgPaperOut]  # the newest, up to the limit asked


def paper_url(paper_id: str) -> str | None:
    """The arXiv abstract page of a paper; None for generated (non-arXiv) ids."""
    return None if is_generated_id(paper_id) else f"https://arxiv.org/abs/{paper_id}"


def paper_links(paper: Paper) -> list[LinkOut]:
    """arXiv abstract and PDF, the DOI, then the links found for the paper (code, project...)."""
    links: list[LinkOut] = []
    if not is_generated_id(paper.id):
        links.append({"kind": "arxiv", "url": f"https://arxiv.org/abs/{paper.id}"})
        links.append({"kind": "pdf", "url": f"https://arxiv.org/pdf/{paper.id}"})
    if paper.doi:
        links.append({"kind": "doi", "url": f"https://doi.org/{paper.doi}"})
    links += [{"kind": link.kind, "url": link.url} for link in paper.links]
    return links


def hit_out(rank: int, hit: SearchHit) -> HitOut:
    paper = hit.paper
    return {
        "rank": rank,
        "id": paper.id,
        "title": paper.title,
        "authors": list(paper.authors),
        "categories": list(paper.categories),
        "published": _day(paper.published),
        "score": round(hit.score, 6),
        "reasons": list(hit.reasons),
        "snippet": hit.snippet.text,
        "url": paper_url(paper.id),
    }


def search_out(found: SearchPage) -> SearchOut:
    result, first = found.result, found.page * found.size + 1
    return {
        "query": result.query.text,
        "understood_as": result.query.describe(),
        "notes": list(result.query.warnings),
        "page": found.page,
        "more": found.more,
        "hits": [hit_out(rank, hit) for rank, hit in enumerate(result.hits, start=first)],
    }


def similar_out(paper: Paper, hits: Sequence[SearchHit]) -> SimilarOut:
    return {
        "paper_id": paper.id,
        "title": paper.title,
        "hits": [hit_out(rank, hit) for rank, hit in enumerate(hits, start=1)],
    }


def daily_out(
    shown: date | None,
    requested: date | None,
    rows: Sequence[tuple[Listing, Paper]],
    total: int,
    upvotes: Mapping[str, int],
    comments: Mapping[str, int],
) -> DailyOut:
    """The daily list of `shown` (`rows` may be the first `limit` of `total`), in page order."""
    papers: list[DailyPaperOut] = [
        {
            "position": listing.position + 1,
            "id": paper.id,
            "title": paper.title,
            "authors": list(paper.authors),
            "upvotes": upvotes.get(paper.id, listing.upvotes),
            "comments": comments.get(paper.id, 0),
            "hf_comments": listing.num_comments,
            "submitted_by": listing.submitted_by,
            "url": paper_url(paper.id),
        }
        for listing, paper in rows
    ]
    return {
        "date": _day(shown),
        "requested_date": _day(requested),
        "total": total,
        "papers": papers,
    }


def trending_out(
    scores: Sequence[TrendingScore],
    papers: Mapping[str, Paper],
    upvotes: Mapping[str, int],
    category: str | None,
    window_days: int,
) -> TrendingOut:
    """Trending papers best first, each with its named score parts; unknown papers left out."""
    out: list[TrendingPaperOut] = []
    for score in scores:
        paper = papers.get(score.paper_id)
        if paper is None:
            continue
        out.append(
            {
                "rank": len(out) + 1,
                "id": paper.id,
                "title": paper.title,
                "authors": list(paper.authors),
                "categories": list(paper.categories),
                "score": round(score.score, 6),
                "breakdown": {name: round(value, 6) for name, value in score.parts},
                "upvotes": upvotes.get(paper.id, 0),
                "url": paper_url(paper.id),
            }
        )
    return {"category": category, "window_days": window_days, "papers": out}


def paper_out(
    paper: Paper,
    listings: Sequence[Listing],
    upvotes: int,
    comments: int,
    shown: PaperExtrasShown,
    media: Sequence[str],
) -> PaperOut:
    summary = shown.summary
    return {
        "id": paper.id,
        "version": paper.version,
        "title": paper.title,
        "authors": list(paper.authors),
        "abstract": paper.abstract,
        "categories": list(paper.categories),
        "published": _iso(paper.published),
        "updated": _iso(paper.updated),
        "comment": paper.comment,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "license": paper.license,
        "links": paper_links(paper),
        "upvotes": upvotes,
        "comments": comments,
        "listings": [
            {
                "date": listing.day.isoformat(),
                "position": listing.position + 1,
                "upvotes": listing.upvotes,
                "comments": listing.num_comments,
                "submitted_by": listing.submitted_by,
            }
            for listing in listings
        ],
        "summary": {
            "tldr": summary.tldr,
            "keywords": list(summary.keywords),
            "source": summary.source,
            "label": source_label(summary.source),
        }
        if summary
        else None,
        "organizations": [{"slug": org.slug, "name": org.name} for org in shown.orgs],
        "media": list(media),
    }


def org_out(found: OrgCount, papers: Sequence[Paper]) -> OrgOut:
    """An organisation with its newest papers (`papers`, newest first)."""
    return {
        "slug": found.org.slug,
        "name": found.org.name,
        "total": found.papers,
        "papers": [
            {
                "id": paper.id,
                "title": paper.title,
                "authors": list(paper.authors),
                "published": _day(paper.published),
                "url": paper_url(paper.id),
            }
            for paper in papers
        ],
    }


# --- the same content as text, for models and people reading the tool output ---


def search_text(out: SearchOut) -> str:
    hits = out["hits"]
    if not hits:
        head = f"No results for {out['understood_as']}"
    else:
        span = f"Results {hits[0]['rank']}-{hits[-1]['rank']}"
        head = f"{span} for {out['understood_as']}" + ("; more follow" if out["more"] else "")
    lines = [head]
    lines += [f"note: {note}" for note in out["notes"]]
    return "\n".join(lines + _hits_text(out["hits"]))


def similar_text(out: SimilarOut) -> str:
    head = f"{len(out['hits'])} papers similar to {out['paper_id']} ({out['title']})"
    return "\n".join([head, *_hits_text(out["hits"])])


def daily_text(out: DailyOut) -> str:
    if out["date"] is None:
        when = f" on or before {out['requested_date']}" if out["requested_date"] else ""
        return f"No daily listings{when}."
    lines = []
    if out["requested_date"] and out["requested_date"] != out["date"]:
        lines.append(f"No list for {out['requested_date']}; showing the latest day before it.")
    shown = len(out["papers"])
    count = f"{shown} of {out['total']}" if shown < out["total"] else str(shown)
    lines.append(f"Daily papers of {out['date']}: {count} papers")
    for paper in out["papers"]:
        lines.append(
            f"{paper['position']:>3}. {paper['id']}  {paper['title']}"
            f"  [{paper['upvotes']} upvotes, {paper['comments']} comments]"
        )
        lines.append(f"     {authors_text(paper['authors'])}")
    return "\n".join(lines)


def trending_text(out: TrendingOut) -> str:
    where = f" in {out['category']}" if out["category"] else ""
    if not out["papers"]:
        return f"No papers{where} were listed in the last {out['window_days']} days."
    lines = [f"Trending{where} over the last {out['window_days']} days: {len(out['papers'])}"]
    for paper in out["papers"]:
        parts = ", ".join(f"{name} {value:.3g}" for name, value in paper["breakdown"].items())
        lines.append(f"{paper['rank']:>3}. {paper['id']}  {paper['title']}")
        lines.append(f"     score {paper['score']:.4g} ({parts}) · {paper['upvotes']} upvotes")
    return "\n".join(lines)


def paper_text(out: PaperOut) -> str:
    version = f"v{out['version']}" if out["version"] else ""
    categories = f"  [{', '.join(out['categories'])}]" if out["categories"] else ""
    lines = [f"{out['id']}{version}{categories}", out["title"], ""]
    lines.append("Authors:   " + (", ".join(out["authors"]) or "—"))
    fields = (
        ("Published", out["published"]),
        ("Updated", out["updated"]),
        ("Comment", out["comment"]),
        ("Journal", out["journal_ref"]),
        ("DOI", out["doi"]),
        ("License", out["license"]),
    )
    lines += [f"{label + ':':<11}{value}" for label, value in fields if value]
    for link in out["links"]:
        label = LINK_LABELS.get(link["kind"], link["kind"].capitalize())
        lines.append(f"{label + ':':<11}{link['url']}")
    lines.append(f"Upvotes:   {out['upvotes']} · {out['comments']} comments")
    lines += [
        f"Listed:    {x['date']} #{x['position']} · {x['upvotes']} upvotes" for x in out["listings"]
    ]
    if out["organizations"]:
        lines.append("Org:       " + ", ".join(org["name"] for org in out["organizations"]))
    lines += [f"Media:     {url}" for url in out["media"]]
    summary = out["summary"]
    if summary:
        lines += ["", f"{summary['label']}:"]
        lines += (
            textwrap.wrap(f"TL;DR: {summary['tldr']}", TEXT_WIDTH_CHARS) if summary["tldr"] else []
        )
        lines += [f"Keywords: {', '.join(summary['keywords'])}"] if summary["keywords"] else []
    return "\n".join([*lines, "", *textwrap.wrap(out["abstract"], TEXT_WIDTH_CHARS)])


def org_text(out: OrgOut) -> str:
    shown = len(out["papers"])
    count = f"{shown} newest of {out['total']}" if shown < out["total"] else str(shown)
    lines = [f"{out['name']} (organisation {out['slug']}): {count} papers"]
    for paper in out["papers"]:
        lines.append(f"  {paper['published'] or '—'}  {paper['id']}  {paper['title']}")
        lines.append(f"     {authors_text(paper['authors'])}")
    return "\n".join(lines)


def authors_text(authors: Sequence[str]) -> str:
    if not authors:
        return "—"
    if len(authors) <= AUTHORS_SHOWN:
        return ", ".join(authors)
    return ", ".join(authors[:AUTHORS_SHOWN]) + f" et al. ({len(authors)} authors)"


def _hits_text(hits: Sequence[HitOut]) -> list[str]:
    lines = []
    for hit in hits:
        lines.append(f"{hit['rank']:>3}. {hit['id']}  {hit['title']}")
        lines.append(f"     {authors_text(hit['authors'])}")
        lines.append(f"     score {hit['score']:.4g}: {'; '.join(hit['reasons'])}")
        lines.append(textwrap.indent(textwrap.fill(hit["snippet"], TEXT_WIDTH_CHARS - 5), "     "))
    return lines


def _day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
