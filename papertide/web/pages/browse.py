"""Browsing pages: the daily list (with its calendar), week and month views, trending, about
and the JSON API reference (/docs).

Read-only: every route here is a GET and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from importlib import resources
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from papertide.eval.summaries import published_figures
from papertide.rank.listings import SORTS, Listed, check_sort
from papertide.web.auth import CurrentViewer, Viewer
from papertide.web.page_slots import PageRoute
from papertide.web.pages.common import PageIndex, check_category, page_of, paper_rows
from papertide.web.pages.periods import (
    Period,
    month_calendar,
    month_label,
    month_of,
    parse_day,
    parse_month,
    parse_week,
    week_label,
)
from papertide.web.render import Renderer
from papertide.web.services import WebServices

DEFAULT_SORT = "upvotes"
NEXT_DAY_LOOKAHEAD_DAYS = 62
PREVIOUS_DAY_LOOKBEHIND_DAYS = 7  # read with the month's counts; an older one is asked for
TRENDING_LIMIT = 100
ABOUT_TRENDING = "about_trending.md"


def browse_router(services: WebServices, renderer: Renderer) -> APIRouter:
    """The browsing routes."""
    router = APIRouter(route_class=PageRoute)
    _add_days(router, services, renderer)
    _add_periods(router, services, renderer)
    _add_trending(router, services, renderer)
    _add_info(router, renderer)
    return router


def _add_days(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    @router.get("/", response_class=HTMLResponse)
    def home(
        request: Request,
        who: CurrentViewer,
        page: PageIndex,
        sort: str = DEFAULT_SORT,
    ) -> HTMLResponse:
        context = day_context(services, who, None, sort, page)
        return renderer.page(request, who, "daily.html", context)

    @router.get("/daily/{day}", response_class=HTMLResponse)
    def daily(
        request: Request,
        day: str,
        who: CurrentViewer,
        page: PageIndex,
        sort: str = DEFAULT_SORT,
    ) -> HTMLResponse:
        context = day_context(services, who, parse_day(day), sort, page)
        return renderer.page(request, who, "daily.html", context)


def _add_periods(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    @router.get("/week/{week}", response_class=HTMLResponse)
    def week(
        request: Request,
        week: str,
        who: CurrentViewer,
        page: PageIndex,
        sort: str = DEFAULT_SORT,
    ) -> HTMLResponse:
        context = period_context(services, who, parse_week(week), sort, page)
        return renderer.page(request, who, "period.html", context)

    @router.get("/month/{month}", response_class=HTMLResponse)
    def month(
        request: Request,
        month: str,
        who: CurrentViewer,
        page: PageIndex,
        sort: str = DEFAULT_SORT,
    ) -> HTMLResponse:
        context = period_context(services, who, parse_month(month), sort, page)
        return renderer.page(request, who, "period.html", context)


def _add_trending(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    @router.get("/trending", response_class=HTMLResponse)
    def trending(
        request: Request,
        who: CurrentViewer,
        category: str = Query("", max_length=64),
    ) -> HTMLResponse:
        context = trending_context(services, who, _category(category))
        return renderer.page(request, who, "trending.html", context)


def _add_info(router: APIRouter, renderer: Renderer) -> None:
    @router.get("/about", response_class=HTMLResponse)
    def about(request: Request, who: CurrentViewer) -> HTMLResponse:
        text = about_trending_text()
        figures = published_figures()
        return renderer.page(
            request, who, "about.html", {"trending_doc": text, "summary_figures": figures}
        )

    @router.get("/docs", response_class=HTMLResponse)
    def api_docs(request: Request, who: CurrentViewer) -> HTMLResponse:
        return renderer.page(request, who, "api_docs.html", {})


def day_context(
    services: WebServices, who: Viewer, day: date | None, sort: str, page: int
) -> dict[str, Any]:
    """The daily page of `day`; without a day, the daily the listings service picks (with how
    old it is and the newer days still filling)."""
    store = services.store
    check_sort(sort)
    daily = services.listings.daily()
    today = daily.today
    shown = day or daily.day or services.listings.newest_day() or today
    listed = services.listings.period(shown, shown, sort, brief=True)
    first = shown.replace(day=1)
    last = month_of(first).last
    horizon = shown + timedelta(days=NEXT_DAY_LOOKAHEAD_DAYS)
    # one read of the day counts (newest first) gives the calendar, the next day and, unless
    # it is older still, the previous day
    days = store.listing_days(
        first - timedelta(days=PREVIOUS_DAY_LOOKBEHIND_DAYS), max(last, horizon)
    )
    before = [d for d, _ in days if d < shown]
    previous = before[0] if before else store.latest_listing_day(shown - timedelta(days=1))
    return _listing_context(services, who, listed, sort, page) | {
        "day": shown,
        "asked": day,
        "today": today,
        "age_days": (today - shown).days,
        "filling": daily.filling if day is None else (),
        "previous_day": previous,
        "next_day": min((d for d, _ in days if shown < d <= horizon), default=None),
        "calendar": month_calendar(first, {d: n for d, n in days if first <= d <= last}),
        "calendar_month": first,
        "week": week_label(shown),
        "month": month_label(shown),
    }


def period_context(
    services: WebServices, who: Viewer, period: Period, sort: str, page: int
) -> dict[str, Any]:
    """A week or month view: each paper once (its latest listing), month views with a calendar.
    No "next" link past the newest listed period."""
    store = services.store
    check_sort(sort)
    listed = services.listings.period(period.first, period.last, sort, brief=True)
    context = _listing_context(services, who, listed, sort, page)
    counts = dict(store.listing_days(period.first, period.last))
    calendar = month_calendar(period.first, counts) if period.kind == "month" else None
    newest = services.listings.newest_day()
    if newest is None or newest <= period.last:
        period = replace(period, next=None)
    return context | {"period": period, "calendar": calendar, "calendar_month": period.first}


def trending_context(services: WebServices, who: Viewer, category: str | None) -> dict[str, Any]:
    """Trending as the listings service ranks it: now, or as it stood on the daily's day when
    listings stopped before the window (a demo store)."""
    store = services.store
    trending = services.listings.trending(TRENDING_LIMIT, category)
    scores = trending.scores
    week = store.listings_between(trending.first, trending.last)
    recent = {paper.id: listing for listing, paper in reversed(week)}
    papers = store.get_papers([score.paper_id for score in scores])
    items = [(recent.get(s.paper_id), papers[s.paper_id]) for s in scores if s.paper_id in papers]
    rows = paper_rows(services, who.user, items, {s.paper_id: s for s in scores})
    shown = sorted({row.paper.primary_category or "" for row in rows} - {""})
    return {"rows": rows, "category": category or "", "categories": shown, "as_of": trending.as_of}


def about_trending_text() -> str:
    """The trending formula's documentation as shipped in the package (docs/trending.md)."""
    return (resources.files("papertide.web") / "templates" / ABOUT_TRENDING).read_text("utf-8")


def _listing_context(
    services: WebServices, who: Viewer, listed: list[Listed], sort: str, page: int
) -> dict[str, Any]:
    shown, has_next = page_of(listed, page)
    scores = {r.paper.id: r.score for r in shown if r.score} if sort == "trending" else None
    new = {r.paper.id for r in shown if r.is_new}
    items = [(r.listing, r.paper) for r in shown]
    upvotes = {r.paper.id: r.upvotes for r in shown}
    rows = paper_rows(services, who.user, items, scores, new, upvotes)
    return {"rows": rows, "sort": sort, "sorts": SORTS, "page": page, "has_next": has_next}


def _category(text: str) -> str | None:
    """A category filter as typed ("cs.CL", "cs"); None when empty."""
    text = text.strip()
    return check_category(text) if text else None
