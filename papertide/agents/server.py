"""The MCP server: agent tools (search, similar, daily, trending, paper, organization) over
injected services.

Thin: each tool parses its arguments, calls one service and shapes the answer (agents/shape.py).
User errors become MCP tool errors with their message; the server never stops for bad input.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field

from papertide import __version__
from papertide.agents import shape
from papertide.agents.services import AgentServices
from papertide.errors import InputError, NotFoundError, PaperNotFoundError, PapertideError
from papertide.ids import ORG_NAME_MAX_CHARS, canonical_paper_id, org_slug
from papertide.models import Paper
from papertide.rank.extras import extras_shown
from papertide.rank.trending import TRENDING_WINDOW_DAYS
from papertide.search.hybrid import SimilarFacet
from papertide.search.service import POOL

SERVER_NAME = "papertide"
MAX_LIMIT = 100
MAX_DAILY_LIMIT = 200
INSTRUCTIONS = (
    "papertide is a research-paper discovery engine over a local store of arXiv papers and the "
    "curated Daily Papers lists. Use `search` to find papers, `similar` for related work, "
    "`daily` and `trending` for what the community reads now, `paper` for one paper's details, "
    "`organization` for a lab's or company's papers."
)

QueryArg = Annotated[
    str,
    Field(
        description=(
            "Free text, with optional filters: author:Name, cat:cs.CL, year:2025, "
            'since:2025-01-01, until:2025-06-30, "exact phrases", -excluded words, prefix*. '
            "An arXiv id or URL opens that paper; a pasted abstract finds related work."
        )
    ),
]
PaperIdArg = Annotated[
    str,
    Field(description="An arXiv id (2501.01234, hep-th/9901001, with or without version) "
          "or an arXiv / Hugging Face papers URL."),
]  # fmt: skip
SearchLimitArg = Annotated[
    int, Field(ge=1, le=MAX_LIMIT, description="How many results to return (1-100).")
]
FacetArg = Annotated[
    SimilarFacet | None,
    Field(description="Similar in this facet of the abstract only (result: the findings); "
          "default: overall."),
]  # fmt: skip
PageArg = Annotated[
    int, Field(ge=0, le=POOL - 1, description="Which page of results, from 0 (by `limit`).")
]
DailyLimitArg = Annotated[
    int, Field(ge=1, le=MAX_DAILY_LIMIT, description="How many papers of the day to return.")
]
DateArg = Annotated[
    str | None,
    Field(description="Day as YYYY-MM-DD; the latest day with listings on or before it is "
          "shown. Omit for the latest day with listings."),
]  # fmt: skip
CategoryArg = Annotated[
    str | None,
    Field(description="Only papers whose primary arXiv category is this (e.g. cs.CL)."),
]
OrgArg = Annotated[
    str,
    Field(
        max_length=ORG_NAME_MAX_CHARS,
        description="An organisation's slug (as in /org/<slug>, e.g. nvidia) or its name "
        "(e.g. ETH Zürich); a name is turned into its slug.",
    ),
]
OrgLimitArg = Annotated[
    int, Field(ge=1, le=MAX_LIMIT, description="How many of its newest papers to return.")
]
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


def create_mcp_server(services: AgentServices) -> MCPServer[Any]:
    """A new MCP server whose tools call `services`; run it with `.run("stdio")`.

    Tool calls are serialised: the store and indexes are shared by the worker threads the SDK
    runs sync tools in.
    """
    server: MCPServer[Any] = MCPServer(
        SERVER_NAME, version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    tools = _Tools(services, threading.Lock())
    for tool in (
        tools.search,
        tools.similar,
        tools.daily,
        tools.trending,
        tools.paper,
        tools.organization,
    ):
        server.add_tool(tool, annotations=READ_ONLY)
    return server


class _Tools:
    def __init__(self, services: AgentServices, lock: threading.Lock) -> None:
        self._services = services
        self._lock = lock

    def search(
        self, query: QueryArg, limit: SearchLimitArg = 10, page: PageArg = 0
    ) -> Annotated[CallToolResult, shape.SearchOut]:
        """Search papers (hybrid: BM25 keywords and embedding meaning, fused). Each hit says why
        it matched (matched terms, each retriever's rank) and shows a snippet. `page` (from 0)
        pages by `limit`; `more` says whether another page follows."""
        with self._calling():
            found = self._services.search.search_page(query, page, limit)
            if found.result.query.is_empty:
                raise InputError("the query has nothing to search for; give some words")
            out = shape.search_out(found)
        return _result(shape.search_text(out), out)

    def similar(
        self, paper_id: PaperIdArg, limit: SearchLimitArg = 10, facet: FacetArg = None
    ) -> Annotated[CallToolResult, shape.SimilarOut]:
        """Papers similar to one paper (by meaning and shared rare words), best first; works
        for a paper added minutes ago. With `facet` ("result"), similar in its results: re-ranked
        by how the abstracts' result sentences match."""
        with self._calling():
            paper = self._paper(paper_id)
            hits = self._services.search.similar(paper.id, limit, facet)
            out = shape.similar_out(paper, hits)
        return _result(shape.similar_text(out), out)

    def daily(
        self, date: DateArg = None, limit: DailyLimitArg = 50
    ) -> Annotated[CallToolResult, shape.DailyOut]:
        """The curated daily papers list of a day (default: the latest day with listings), in
        page order, with upvotes and comment counts."""
        with self._calling():
            requested = _parse_day(date)
            store = self._services.store
            shown = self._services.listings.daily(requested).day
            rows = store.listings_for(shown) if shown else []
            ids = [paper.id for _, paper in rows[:limit]]
            out = shape.daily_out(
                shown, requested, rows[:limit], len(rows),
                store.upvotes(ids), store.comment_counts(ids),
            )  # fmt: skip
        return _result(shape.daily_text(out), out)

    def trending(
        self, limit: SearchLimitArg = 20, category: CategoryArg = None
    ) -> Annotated[CallToolResult, shape.TrendingOut]:
        """Trending papers of the last days: upvotes and their velocity, age and comments,
        normalised per category. Each paper carries its score breakdown."""
        with self._calling():
            wanted = category.strip() if category and category.strip() else None
            scores = self._services.listings.trending(limit, wanted).scores
            ids = [score.paper_id for score in scores]
            store = self._services.store
            out = shape.trending_out(
                scores, store.get_papers(ids), store.upvotes(ids), wanted, TRENDING_WINDOW_DAYS
            )
        return _result(shape.trending_text(out), out)

    def paper(self, paper_id: PaperIdArg) -> Annotated[CallToolResult, shape.PaperOut]:
        """One paper in full: title, authors, abstract, categories, dates, links (arXiv, PDF,
        code, project page), upvotes, comment count, its daily listings, a one-sentence TL;DR
        with keywords (Hugging Face's when it has one, else papertide's; `summary.source` says
        which), its organisations and media links."""
        with self._calling():
            paper = self._paper(paper_id)
            store = self._services.store
            out = shape.paper_out(
                paper,
                store.listings_of(paper.id),
                store.upvotes([paper.id])[paper.id],
                store.comment_counts([paper.id])[paper.id],
                extras_shown(store, [paper.id])[paper.id],
                store.media_for([paper.id]).get(paper.id, []),
            )
        return _result(shape.paper_text(out), out)

    def organization(
        self, org: OrgArg, limit: OrgLimitArg = 20
    ) -> Annotated[CallToolResult, shape.OrgOut]:
        """An organisation (a lab or company that submitted papers, imported from Hugging
        Face's daily lists or set by a curator) with its paper count and newest papers."""
        with self._calling():
            given = org.strip()
            store = self._services.store
            found = store.org_by_slug(given) or store.org_by_slug(org_slug(given))
            if found is None:
                raise NotFoundError(f"no organisation {given[:80]!r} in the store")
            out = shape.org_out(found, store.papers_of_org(found.org.slug, limit))
        return _result(shape.org_text(out), out)

    @contextmanager
    def _calling(self) -> Iterator[None]:
        """One call at a time; papertide's user errors become tool errors (is_error results)."""
        with self._lock:
            try:
                yield
            except PapertideError as error:
                raise ToolError(str(error)) from error

    def _paper(self, given: str) -> Paper:
        paper_id = canonical_paper_id(given)
        paper = self._services.store.get_paper(paper_id)
        if paper is None:
            raise PaperNotFoundError(f"no paper {paper_id} in the store")
        return paper


def _parse_day(text: str | None) -> date | None:
    if text is None or not text.strip():
        return None
    given = text.strip()
    try:
        if _DAY.fullmatch(given):
            return date.fromisoformat(given)
    except ValueError:
        pass
    raise InputError(f"date must be a real day as YYYY-MM-DD, not {given[:40]!r}")


def _result(text: str, structured: Any) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=dict(structured)
    )
