"""The JSON API's read endpoints, shaped like the Hugging Face papers API (`/api/daily_papers`,
`/api/papers/{id}`, `/api/papers/search`) plus similar papers and trending. Thin: it reads
through the store and the services; write endpoints are in write.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from papertide.errors import PaperNotFoundError
from papertide.models import Listing, Paper
from papertide.rank.extras import extras_shown
from papertide.rank.trending import TRENDING_WINDOW_DAYS
from papertide.search.hybrid import SimilarFacet
from papertide.search.service import MAX_PAGE_SIZE, SearchHit
from papertide.sync.status import last_sync
from papertide.web.api.errors import ERROR_RESPONSES, ApiRoute, only
from papertide.web.api.reads import counts_of, latest_listing
from papertide.web.api.schemas import (
    CommentPublic,
    DailyPaperPublic,
    DailySort,
    HealthPublic,
    PaperDetailPublic,
    SearchHitPublic,
    TrendingPaperPublic,
    TrendingPartsPublic,
)
from papertide.web.api.shapes import (
    DATE_PATTERN,
    MONTH_PATTERN,
    WEEK_PATTERN,
    Period,
    comment_public,
    item_fields,
    paper_id_of,
    paper_public,
    parse_period,
)
from papertide.web.api.write import add_write_routes
from papertide.web.services import WebServices

MAX_LIMIT = 100
MAX_PAGE = 10_000
MAX_QUERY_CHARS = 2_000
TOTAL_HEADER = "X-Total-Count"

# the parameters of every search surface: the API, the search feeds and the downloads
SearchText = Annotated[
    str,
    Query(
        max_length=MAX_QUERY_CHARS,
        description='Query: words, "phrases", -not, author:, cat:, year:, an arXiv id.',
    ),
]
SearchLimit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Hits per page.")]
SearchPageNumber = Annotated[int, Query(ge=0, description="Page, from 0, of `limit` hits.")]
PaperId = Annotated[
    str,
    Path(description="arXiv id (2506.14429, hep-th/9901001; a version suffix is ignored)."),
]


def api_router(services: WebServices) -> APIRouter:
    """Every /api endpoint; errors answer as {"error": message}."""
    router = APIRouter(route_class=ApiRoute)
    _add_daily(router, services)
    _add_search(router, services)
    _add_trending(router, services)
    _add_health(router, services)
    add_write_routes(router, services)
    _add_papers(router, services)
    return router


def hit_items(services: WebServices, hits: Sequence[SearchHit]) -> list[SearchHitPublic]:
    counts = counts_of(services, [hit.paper.id for hit in hits])
    shown = extras_shown(services.store, [hit.paper.id for hit in hits])
    return [
        SearchHitPublic(
            **item_fields(
                hit.paper,
                latest_listing(services, hit.paper.id),
                counts[hit.paper.id],
                shown[hit.paper.id],
            ),
            score=round(hit.score, 6),
            reasons=list(hit.reasons),
        )
        for hit in hits
    ]


def daily_items(
    services: WebServices, period: Period | None, sort: DailySort, submitter: str | None
) -> list[tuple[Listing, Paper]]:
    """The listed papers of a period (the daily when None), each once, filtered and sorted
    by the listings service."""
    if period is None:
        day = services.listings.daily().day
        if day is None:
            return []
        period = Period(day, day)
    rows = [
        (row.listing, row.paper)
        for row in services.listings.period(period.since, period.until, sort)
    ]
    if submitter:
        rows = [row for row in rows if (row[0].submitted_by or "").lower() == submitter.lower()]
    return rows


def _add_daily(router: APIRouter, services: WebServices) -> None:
    @router.get(
        "/api/daily_papers",
        response_model=list[DailyPaperPublic],
        response_model_exclude_none=True,
        tags=["papers"],
        summary="Daily papers of a day, an ISO week or a month",
        responses=only([422], ERROR_RESPONSES),
    )
    def daily_papers(
        response: Response,
        day: Annotated[
            str | None,
            Query(alias="date", pattern=DATE_PATTERN, description="A day, YYYY-MM-DD."),
        ] = None,
        week: Annotated[
            str | None, Query(pattern=WEEK_PATTERN, description="An ISO week, YYYY-Www.")
        ] = None,
        month: Annotated[
            str | None, Query(pattern=MONTH_PATTERN, description="A month, YYYY-MM.")
        ] = None,
        submitter: Annotated[
            str | None, Query(max_length=100, description="Only papers this user submitted.")
        ] = None,
        sort: Annotated[DailySort, Query(description="Order of the answer.")] = "upvotes",
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Papers per page.")] = 50,
        p: Annotated[int, Query(ge=0, le=MAX_PAGE, description="Page number, from 0.")] = 0,
    ) -> list[DailyPaperPublic]:
        """Like Hugging Face's `/api/daily_papers`: without date, week or month, the latest
        day with papers. `sort=upvotes` (default, HF's order), `publishedAt` (latest submitted
        first) or `trending`. Each paper appears once; `X-Total-Count` gives the total."""
        period = parse_period(day, week, month)
        rows = daily_items(services, period, sort, submitter)
        response.headers[TOTAL_HEADER] = str(len(rows))
        page = rows[p * limit : (p + 1) * limit]
        counts = counts_of(services, [paper.id for _, paper in page])
        shown = extras_shown(services.store, [paper.id for _, paper in page])
        return [
            DailyPaperPublic(**item_fields(paper, listing, counts[paper.id], shown[paper.id]))
            for listing, paper in page
        ]


def _add_search(router: APIRouter, services: WebServices) -> None:
    @router.get(
        "/api/papers/search",
        response_model=list[SearchHitPublic],
        response_model_exclude_none=True,
        tags=["papers"],
        summary="Search papers (hybrid BM25 + meaning)",
        responses=only([422], ERROR_RESPONSES),
    )
    def search_papers(
        q: SearchText = "", limit: SearchLimit = 20, p: SearchPageNumber = 0
    ) -> list[SearchHitPublic]:
        """Like Hugging Face's `/api/papers/search`; each item also has `score` and `reasons`."""
        return hit_items(services, services.search.search_page(q, p, limit).result.hits)


def _add_health(router: APIRouter, services: WebServices) -> None:
    @router.get(
        "/api/health",
        response_model=HealthPublic,
        tags=["site"],
        summary="Whether this worker can reach its store (for load balancers)",
        responses=only([503], ERROR_RESPONSES),
    )
    def health(response: Response) -> HealthPublic:
        """200 when one round trip to the store succeeds; 503 with Retry-After when not.
        Never cached: a proxy asks each worker itself."""
        response.headers["Cache-Control"] = "no-store"
        return HealthPublic(
            newest_listing=services.store.latest_listing_day(), last_sync=last_sync(services.store)
        )


def _add_trending(router: APIRouter, services: WebServices) -> None:
    @router.get(
        "/api/trending",
        response_model=list[TrendingPaperPublic],
        response_model_exclude_none=True,
        tags=["papers"],
        summary="Trending papers with their score breakdown",
        responses=only([422], ERROR_RESPONSES),
    )
    def trending(
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
        category: Annotated[
            str | None, Query(max_length=50, description="Only this arXiv category (cs.CL).")
        ] = None,
        days: Annotated[
            int, Query(ge=1, le=90, description="Window: papers listed in the last days.")
        ] = TRENDING_WINDOW_DAYS,
    ) -> list[TrendingPaperPublic]:
        """Papers listed in the window, best trending score first (formula on the about page)."""
        scores = services.listings.trending(limit, category or None, days).scores
        papers = services.store.get_papers([s.paper_id for s in scores])
        kept = [s for s in scores if s.paper_id in papers]
        counts = counts_of(services, [s.paper_id for s in kept])
        shown = extras_shown(services.store, [s.paper_id for s in kept])
        return [
            TrendingPaperPublic(
                **item_fields(
                    papers[s.paper_id],
                    latest_listing(services, s.paper_id),
                    counts[s.paper_id],
                    shown[s.paper_id],
                ),
                trending=TrendingPartsPublic(score=s.score, parts=dict(s.parts)),
            )
            for s in kept
        ]


def _add_papers(router: APIRouter, services: WebServices) -> None:
    @router.get(
        "/api/papers/{paper_id:path}/similar",
        response_model=list[SearchHitPublic],
        response_model_exclude_none=True,
        tags=["papers"],
        summary="Papers similar to one paper",
        responses=only([404, 422], ERROR_RESPONSES),
    )
    def similar(
        paper_id: PaperId,
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
        facet: Annotated[
            SimilarFacet | None,
            Query(description="Similar in this facet of the abstract only (default: overall)."),
        ] = None,
    ) -> list[SearchHitPublic]:
        """Dense neighbours and more-like-this fused; works the day a paper appears. With
        `facet` ("result"), re-ranked by how the paper's result sentences match theirs."""
        hits = services.search.similar(paper_id_of(paper_id), limit, facet)
        return hit_items(services, hits)

    @router.get(
        "/api/papers/{paper_id:path}/comments",
        response_model=list[CommentPublic],
        tags=["community"],
        summary="A paper's comments, oldest first",
        responses=only([404], ERROR_RESPONSES),
    )
    def comments(paper_id: PaperId) -> list[CommentPublic]:
        """Markdown sources as written; deleted comments are left out."""
        paper = _paper(services, paper_id)
        return [comment_public(c) for c in services.store.comments_for(paper.id)]

    @router.get(
        "/api/papers/{paper_id:path}",
        response_model=PaperDetailPublic,
        response_model_exclude_none=True,
        tags=["papers"],
        summary="One paper",
        responses=only([404], ERROR_RESPONSES),
    )
    def paper_detail(paper_id: PaperId) -> PaperDetailPublic:
        """Like Hugging Face's `/api/papers/{id}`: the paper object, plus `numComments`;
        `ai_summary` and `ai_keywords` are Hugging Face's when it has them, else ours, and
        `ai_summary_source` says which."""
        paper = _paper(services, paper_id)
        counts = counts_of(services, [paper.id])[paper.id]
        claimed = services.claims.on_papers([paper.id]).get(paper.id, {})
        [shown] = extras_shown(services.store, [paper.id]).values()
        return paper_public(paper, latest_listing(services, paper.id), counts, shown, claimed)


def _paper(services: WebServices, paper_id: str) -> Paper:
    paper = services.store.get_paper(paper_id_of(paper_id))
    if paper is None:
        raise PaperNotFoundError(f"no paper {paper_id[:80]!r} here")
    return paper
