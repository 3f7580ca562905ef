"""The personal ranking as JSON (GET /api/for-you, API token) and as a feed whose signed URL
stands in for a login (/feeds/users/{username}/for-you.rss|atom?token=...)."""

# No `from __future__ import annotations`: FastAPI evaluates the closures' annotations.

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import BaseModel

from papertide.digest.personal import RecommendRanker
from papertide.models import User
from papertide.rank.foryou import ForYouService
from papertide.web.api.errors import (
    ERROR_RESPONSES,
    WRITE_RESPONSES,
    ApiForbiddenError,
    ApiRoute,
    only,
)
from papertide.web.api.write import api_user_dependency
from papertide.web.feeds.routes import FeedFormat, FormatPath, feed_response
from papertide.web.services import WebServices

FOR_YOU_FEED_SALT = "papertide.foryou-feed"
FOR_YOU_LIMIT = 30
FEED_DOC = {
    200: {
        "content": {
            "application/rss+xml": {"schema": {"type": "string"}},
            "application/atom+xml": {"schema": {"type": "string"}},
        }
    },
    **only([422], ERROR_RESPONSES),
    403: ERROR_RESPONSES[401] | {"description": "Bad feed token."},
}


class ForYouItem(BaseModel):
    id: str
    title: str
    score: float
    reasons: list[str]


class ForYouPublic(BaseModel):
    cold_start: bool
    items: list[ForYouItem]


def foryou_service(services: WebServices) -> ForYouService:
    """Over the vectors the digests rank with (else those of the search's embedder)."""
    ranker = services.digests.personal
    if isinstance(ranker, RecommendRanker):
        return ForYouService(services.store, services.clock, ranker.model, ranker.dim)
    embedder = services.search.embedder
    return ForYouService(services.store, services.clock, embedder.name, embedder.dim)


def foryou_feed_url(services: WebServices, user: User, fmt: FeedFormat = "rss") -> str:
    """The absolute URL of a user's For you feed (a token naming the user's id and feed key
    version, as the followed-topics feed's)."""
    version = services.store.feed_key(user.id)
    payload: dict[str, int] = {"user": user.id} | ({"v": version} if version else {})
    token = URLSafeSerializer(services.secret_key, salt=FOR_YOU_FEED_SALT).dumps(payload)
    path = f"/feeds/users/{quote(user.username)}/for-you.{fmt}"
    return f"{services.settings.public_url.rstrip('/')}{path}?{urlencode({'token': token})}"


def user_for_foryou_token(services: WebServices, username: str, token: str) -> User:
    """The user a For you feed token was signed for; ApiForbiddenError otherwise."""
    try:
        data = URLSafeSerializer(services.secret_key, salt=FOR_YOU_FEED_SALT).loads(token)
    except BadSignature:
        data = None
    user_id = data.get("user") if isinstance(data, dict) else None
    user = services.store.user_by_id(user_id) if isinstance(user_id, int) else None
    version = data.get("v", 0) if isinstance(data, dict) else None
    if user is not None and version != services.store.feed_key(user.id):
        user = None  # a link of before the last rotation
    if user is None or user.username.casefold() != username.casefold():
        raise ApiForbiddenError("this feed link is not valid; copy it again from /for-you")
    return user


def foryou_api_router(services: WebServices) -> APIRouter:
    """GET /api/for-you and the For you feed; include it before the HTML routes."""
    router = APIRouter(route_class=ApiRoute, tags=["for you"])
    foryou = foryou_service(services)
    api_user = Depends(api_user_dependency(services))

    @router.get(
        "/api/for-you",
        response_model=ForYouPublic,
        summary="Your personal ranking",
        responses=only([401], WRITE_RESPONSES),
    )
    def api_for_you(user: User = api_user) -> ForYouPublic:
        """Recent papers ranked for the token's user, each with its reasons; `cold_start` is
        true (and `items` empty) while nothing is known of the user."""
        ranked = foryou.rank(user.id, FOR_YOU_LIMIT)
        items = [
            ForYouItem(
                id=r.paper_id,
                title=ranked.papers[r.paper_id].title,
                score=round(r.score, 4),
                reasons=list(r.reasons),
            )
            for r in ranked.items or ()
        ]
        return ForYouPublic(cold_start=ranked.items is None, items=items)

    @router.get(
        "/feeds/users/{username}/for-you.{fmt}",
        response_class=Response,
        responses=FEED_DOC,
    )
    def foryou_feed(
        username: str,
        fmt: FormatPath,
        token: Annotated[str, Query(max_length=500, description="From the For you page.")] = "",
    ) -> Response:
        """The user's For you ranking as a feed, best first."""
        user = user_for_foryou_token(services, username, token)
        ranked = foryou.rank(user.id, FOR_YOU_LIMIT)
        papers = [ranked.papers[r.paper_id] for r in ranked.items or ()]
        # the self link keeps the token: without it the feed's own URL answers 403
        self_path = (
            f"/feeds/users/{quote(user.username)}/for-you.{fmt}?{urlencode({'token': token})}"
        )
        title = f"For {user.username}"
        return feed_response(services, fmt, title, "/for-you", papers, self_path, "private")

    return router
