"""RSS and Atom feeds for every list (daily, trending, a search, an author, a category, an
organisation, a user's followed topics). Picks the papers; render.py writes the XML.

Links in feeds are absolute, built on settings.public_url (never on the request's Host header).
A user's feed is authorised by a signed token in its URL: feed readers carry no cookies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Response
from itsdangerous import BadSignature, URLSafeSerializer

from papertide.errors import NotFoundError
from papertide.ids import ORG_SLUG_MAX_CHARS, ORG_SLUG_PATTERN
from papertide.models import Follow, Paper, User
from papertide.rank.trending import TRENDING_WINDOW_DAYS
from papertide.web.api.errors import ERROR_RESPONSES, ApiForbiddenError, ApiRoute, only
from papertide.web.api.papers import daily_items
from papertide.web.api.shapes import DATE_PATTERN, parse_period
from papertide.web.feeds.render import (
    ATOM_MEDIA_TYPE,
    RSS_MEDIA_TYPE,
    Feed,
    feed_item,
    render_feed,
)
from papertide.web.services import WebServices

FEED_SIZE = 50
MAX_FOLLOWS = 50  # topics read for one user's feed
MAX_FEED_KEYWORDS = 10  # followed keywords searched for it (each is a search; #13)
KEYWORD_HITS = 20  # papers per followed keyword
FOLLOWING_CACHE_S = 300.0  # a user's feed is built at most once in this long (per worker)
FEED_TOKEN_SALT = "papertide.following-feed"
PUBLIC_CACHE = "public, max-age=300"
FeedFormat = Literal["rss", "atom"]
_OLDEST = datetime.min.replace(tzinfo=UTC)
_FEED_DOC = {
    200: {
        "content": {
            "application/rss+xml": {"schema": {"type": "string"}},
            "application/atom+xml": {"schema": {"type": "string"}},
        }
    },
    **only([422], ERROR_RESPONSES),
}
FormatPath = Annotated[FeedFormat, Path(description="rss (RSS 2.0) or atom (Atom 1.0).")]
OrgSlugPath = Annotated[
    str,
    Path(
        max_length=ORG_SLUG_MAX_CHARS,
        pattern=ORG_SLUG_PATTERN,
        description="An organisation's slug, as in /org/<slug>.",
    ),
]


def feeds_router(services: WebServices) -> APIRouter:
    """Every /feeds/... route."""
    router = APIRouter(route_class=ApiRoute, tags=["feeds"])
    _add_list_feeds(router, services)
    _add_topic_feeds(router, services)
    return router


def following_feed_token(secret_key: bytes, user: User, version: int = 0) -> str:
    """The signed token of a user's followed-topics feed: the user's id and the version of
    their feed key (rotating it on the account page retires the tokens of before)."""
    payload: dict[str, int] = {"user": user.id} | ({"v": version} if version else {})
    return str(URLSafeSerializer(secret_key, salt=FEED_TOKEN_SALT).dumps(payload))


def following_feed_url(services: WebServices, user: User, fmt: FeedFormat = "rss") -> str:
    """The absolute URL of a user's followed-topics feed, for their account page."""
    token = following_feed_token(services.secret_key, user, services.store.feed_key(user.id))
    path = f"/feeds/users/{quote(user.username)}/following.{fmt}"
    return f"{_base(services)}{path}?{urlencode({'token': token})}"


def user_for_feed_token(services: WebServices, username: str, token: str) -> User:
    """The user a feed token was signed for; ApiForbiddenError when it is not this user's."""
    try:
        data = URLSafeSerializer(services.secret_key, salt=FEED_TOKEN_SALT).loads(token)
    except BadSignature:
        data = None
    user_id = data.get("user") if isinstance(data, dict) else None
    user = services.store.user_by_id(user_id) if isinstance(user_id, int) else None
    version = data.get("v", 0) if isinstance(data, dict) else None
    if user is not None and version != services.store.feed_key(user.id):
        user = None  # a link of before the last rotation
    if user is None or user.username.casefold() != username.casefold():
        raise ApiForbiddenError("this feed link is not valid; copy it again from your account")
    return user


def feed_response(
    services: WebServices,
    fmt: FeedFormat,
    title: str,
    page: str,
    papers: Sequence[Paper],
    self_path: str,
    cache: str = PUBLIC_CACHE,
) -> Response:
    """The feed of `papers` (in order) in `fmt`; `page` and `self_path` are site paths."""
    base = _base(services)
    feed = Feed(
        title=title,
        self_url=base + self_path,
        page_url=base + page,
        updated=services.clock.now(),
        items=tuple(feed_item(p, f"{base}/papers/{quote(p.id)}") for p in papers),
        description=f"{title}: papers from papertide",
    )
    media_type = RSS_MEDIA_TYPE if fmt == "rss" else ATOM_MEDIA_TYPE
    headers = {"Cache-Control": cache}
    return Response(render_feed(feed, fmt), 200, headers, media_type=media_type)


def _base(services: WebServices) -> str:
    return services.settings.public_url.rstrip("/")


def _with_query(path: str, **params: str | int | None) -> str:
    given = {name: value for name, value in params.items() if value not in (None, "")}
    return f"{path}?{urlencode(given)}" if given else path


def _add_list_feeds(router: APIRouter, services: WebServices) -> None:
    @router.get("/feeds/daily.{fmt}", response_class=Response, responses=_FEED_DOC)
    def daily_feed(
        fmt: FormatPath,
        day: Annotated[
            str | None, Query(alias="date", pattern=DATE_PATTERN, description="YYYY-MM-DD")
        ] = None,
    ) -> Response:
        """A daily page, most upvoted first (the latest day with papers by default)."""
        rows = daily_items(services, parse_period(day, None, None), "upvotes", None)
        shown = rows[0][0].day.isoformat() if rows else (day or "")
        page = f"/daily/{shown}" if shown else "/"
        title = f"Daily papers {shown}".strip()
        papers = [paper for _, paper in rows[:FEED_SIZE]]
        return feed_response(
            services, fmt, title, page, papers, _with_query(f"/feeds/daily.{fmt}", date=day)
        )

    @router.get("/feeds/trending.{fmt}", response_class=Response, responses=_FEED_DOC)
    def trending_feed(
        fmt: FormatPath,
        category: Annotated[str | None, Query(max_length=50)] = None,
        days: Annotated[int, Query(ge=1, le=90)] = TRENDING_WINDOW_DAYS,
    ) -> Response:
        """Trending papers, best first."""
        scores = services.listings.trending(FEED_SIZE, category or None, days).scores
        papers = _in_order(services, [s.paper_id for s in scores])
        title = f"Trending papers{f' in {category}' if category else ''}"
        self_path = _with_query(f"/feeds/trending.{fmt}", category=category, days=days)
        return feed_response(services, fmt, title, "/trending", papers, self_path)

    @router.get("/feeds/search.{fmt}", response_class=Response, responses=_FEED_DOC)
    def search_feed(
        fmt: FormatPath,
        q: Annotated[str, Query(max_length=2_000, description="A search query.")] = "",
    ) -> Response:
        """A search's hits, best first: subscribe to a query."""
        papers = [hit.paper for hit in services.search.search(q, FEED_SIZE).hits]
        page = _with_query("/search", q=q)
        return feed_response(
            services, fmt, f"Search: {q}", page, papers, _with_query(f"/feeds/search.{fmt}", q=q)
        )


def _add_topic_feeds(router: APIRouter, services: WebServices) -> None:
    @router.get("/feeds/authors/{name:path}.{fmt}", response_class=Response, responses=_FEED_DOC)
    def author_feed(name: str, fmt: FormatPath) -> Response:
        """An author's papers, newest first."""
        papers = services.store.papers_by_author(name.strip(), FEED_SIZE)
        page = f"/authors/{quote(name)}"
        return feed_response(
            services, fmt, f"Papers by {name}", page, papers, f"/feeds/authors/{quote(name)}.{fmt}"
        )

    @router.get("/feeds/categories/{category}.{fmt}", response_class=Response, responses=_FEED_DOC)
    def category_feed(category: str, fmt: FormatPath) -> Response:
        """A category's papers, newest first."""
        papers = services.store.papers_in_category(category.strip(), FEED_SIZE)
        page = f"/categories/{quote(category)}"
        self_path = f"/feeds/categories/{quote(category)}.{fmt}"
        return feed_response(services, fmt, f"Papers in {category}", page, papers, self_path)

    @router.get(
        "/feeds/orgs/{slug}.{fmt}",
        response_class=Response,
        responses={**_FEED_DOC, **only([404], ERROR_RESPONSES)},
    )
    def org_feed(slug: OrgSlugPath, fmt: FormatPath) -> Response:
        """An organisation's papers, newest first (404 for an unknown organisation)."""
        found = services.store.org_by_slug(slug)
        if found is None:
            raise NotFoundError(f"no organisation {slug} here")
        papers = services.store.papers_of_org(slug, FEED_SIZE)
        title = f"Papers from {found.org.name}"
        return feed_response(
            services, fmt, title, f"/org/{slug}", papers, f"/feeds/orgs/{slug}.{fmt}"
        )

    kept: dict[tuple[int, tuple[Follow, ...]], tuple[datetime, list[Paper]]] = {}

    def cached_papers(user: User) -> list[Paper]:
        """The user's followed papers, built again only when their follows change or the
        kept copy is FOLLOWING_CACHE_S old: feed readers poll, and a feed runs searches."""
        follows = tuple(services.store.follows_of(user.id))
        now = services.clock.now()
        found = kept.get((user.id, follows))
        if found is None or (now - found[0]).total_seconds() >= FOLLOWING_CACHE_S:
            if len(kept) > 1_000:
                kept.clear()
            found = (now, followed_papers(services, follows))
            kept[(user.id, follows)] = found
        return found[1]

    @router.get(
        "/feeds/users/{username}/following.{fmt}",
        response_class=Response,
        responses={**_FEED_DOC, 403: ERROR_RESPONSES[401] | {"description": "Bad feed token."}},
    )
    def following_feed(
        username: str,
        fmt: FormatPath,
        token: Annotated[str, Query(max_length=500, description="From the account page.")] = "",
    ) -> Response:
        """Papers of the authors, categories, keywords and organisations a user follows,
        newest first.
        The token (signed, in the URL the account page shows) stands in for a login."""
        user = user_for_feed_token(services, username, token)
        papers = cached_papers(user)
        # the self link keeps the token: without it the feed's own URL answers 403
        self_path = _with_query(f"/feeds/users/{quote(user.username)}/following.{fmt}", token=token)
        title = f"Followed by {user.username}"
        return feed_response(services, fmt, title, "/account", papers, self_path, "private")


def followed_papers(services: WebServices, follows: Iterable[Follow]) -> list[Paper]:
    """The newest FEED_SIZE papers of the followed topics (the first MAX_FOLLOWS, of which
    at most MAX_FEED_KEYWORDS keywords), each paper once."""
    found: dict[str, Paper] = {}
    keywords = [f for f in follows if f.kind == "keyword"][:MAX_FEED_KEYWORDS]
    chosen = [f for f in follows if f.kind != "keyword" or f in keywords][:MAX_FOLLOWS]
    for follow in chosen:
        for paper in _papers_of(services, follow):
            found.setdefault(paper.id, paper)
    newest = sorted(found.values(), key=lambda p: p.published or p.updated or _OLDEST, reverse=True)
    return newest[:FEED_SIZE]


def _papers_of(services: WebServices, follow: Follow) -> list[Paper]:
    if follow.kind == "author":
        return services.store.papers_by_author(follow.value, FEED_SIZE)
    if follow.kind == "category":
        return services.store.papers_in_category(follow.value, FEED_SIZE)
    if follow.kind == "keyword":
        return [hit.paper for hit in services.search.search(follow.value, KEYWORD_HITS).hits]
    if follow.kind == "org":
        return services.store.papers_of_org(follow.value, FEED_SIZE)
    return []


def _in_order(services: WebServices, paper_ids: Sequence[str]) -> list[Paper]:
    papers = services.store.get_papers(list(paper_ids))
    return [papers[pid] for pid in paper_ids if pid in papers]
