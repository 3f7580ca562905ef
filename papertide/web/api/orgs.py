"""An organisation as JSON: `GET /api/organizations/{slug}`, shaped like Hugging Face's
organization overview (`name`, `fullname`, `numPapers`) with a page of its papers. Hugging
Face has no papers-of-an-organisation call, so the `papers` list and its paging are ours."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from papertide.errors import NotFoundError
from papertide.ids import ORG_SLUG_MAX_CHARS, ORG_SLUG_PATTERN
from papertide.rank.extras import extras_shown
from papertide.web.api.errors import ERROR_RESPONSES, ApiRoute, only
from papertide.web.api.papers import MAX_LIMIT, MAX_PAGE
from papertide.web.api.reads import counts_of, latest_listing
from papertide.web.api.schemas import DailyPaperPublic, OrganizationPublic
from papertide.web.api.shapes import item_fields
from papertide.web.services import WebServices


def orgs_api_router(services: WebServices) -> APIRouter:
    """The organisation endpoint; errors answer as {"error": message}."""
    router = APIRouter(route_class=ApiRoute)

    @router.get(
        "/api/organizations/{slug}",
        response_model=OrganizationPublic,
        response_model_exclude_none=True,
        tags=["papers"],
        summary="An organisation and its papers",
        responses=only([404, 422], ERROR_RESPONSES),
    )
    def organization(
        slug: Annotated[
            str,
            Path(
                max_length=ORG_SLUG_MAX_CHARS,
                pattern=ORG_SLUG_PATTERN,
                description="The organisation's slug (from /org/<slug> or a paper's page).",
            ),
        ],
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Papers per page.")] = 50,
        p: Annotated[int, Query(ge=0, le=MAX_PAGE, description="Page number, from 0.")] = 0,
    ) -> OrganizationPublic:
        """Its name, paper count and papers, newest published first (404: no such slug)."""
        found = services.store.org_by_slug(slug)
        if found is None:
            raise NotFoundError(f"no organisation {slug} here")
        papers = services.store.papers_of_org(slug, limit, p * limit)
        counts = counts_of(services, [paper.id for paper in papers])
        shown = extras_shown(services.store, [paper.id for paper in papers])
        return OrganizationPublic(
            name=found.org.slug,
            fullname=found.org.name,
            num_papers=found.papers,
            papers=[
                DailyPaperPublic(
                    **item_fields(
                        paper, latest_listing(services, paper.id), counts[paper.id], shown[paper.id]
                    )
                )
                for paper in papers
            ],
        )

    return router
