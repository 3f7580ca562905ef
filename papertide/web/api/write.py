"""The JSON API's write endpoints (vote, submit, comment), authenticated by API token.

`Authorization: Bearer pt_...` only: no cookies, hence no CSRF. Each write goes through
CommunityService, which rate-limits it (429 with Retry-After).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from papertide.community.submissions import FAILED, Submission
from papertide.errors import AuthError, InputError, PaperNotFoundError, SourceUnavailableError
from papertide.models import User
from papertide.rank.extras import extras_shown
from papertide.web.api.errors import WRITE_RESPONSES, only
from papertide.web.api.reads import counts_of
from papertide.web.api.schemas import (
    CommentBody,
    CommentPublic,
    DailyPaperPublic,
    SubmitBody,
    VoteBody,
    VotePublic,
)
from papertide.web.api.shapes import comment_public, item_fields, paper_id_of
from papertide.web.services import WebServices
from papertide.web.submit_jobs import submit_and_wait

BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="An API token from your account page: `Authorization: Bearer pt_...`.",
)
WritePaperId = Annotated[str, Path(description="arXiv id of the paper.")]


def api_user_dependency(services: WebServices) -> Callable[..., User]:
    """A dependency giving the token's user; AuthError (401) without a valid token."""

    def api_user(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
    ) -> User:
        if credentials is None or not credentials.credentials:
            raise AuthError("send an API token: Authorization: Bearer pt_...")
        user = services.accounts.user_for_api_token(credentials.credentials)
        if user is None:
            raise AuthError("unknown or revoked API token")
        return user

    return api_user


def add_write_routes(router: APIRouter, services: WebServices) -> None:
    """POST /api/papers/{id}/vote, POST /api/papers/{id}/comments, POST /api/submit."""
    api_user = Depends(api_user_dependency(services))

    @router.post(
        "/api/papers/{paper_id:path}/vote",
        response_model=VotePublic,
        tags=["community"],
        summary="Upvote a paper, or take the upvote back",
        responses=only([400, 401, 404, 422, 429], WRITE_RESPONSES),
    )
    def vote(paper_id: WritePaperId, body: VoteBody, user: User = api_user) -> VotePublic:
        """Idempotent: voting twice leaves one vote; `{"up": false}` removes it."""
        state = services.community.vote(user, paper_id_of(paper_id), body.up)
        return VotePublic(paper_id=state.paper_id, upvotes=state.upvotes, voted=state.voted)

    @router.post(
        "/api/papers/{paper_id:path}/comments",
        response_model=CommentPublic,
        status_code=status.HTTP_201_CREATED,
        tags=["community"],
        summary="Comment on a paper",
        responses=only([400, 401, 404, 422, 429], WRITE_RESPONSES),
    )
    def comment(paper_id: WritePaperId, body: CommentBody, user: User = api_user) -> CommentPublic:
        """Markdown, 1 to 10,000 characters after trimming; with `parentId`, a reply."""
        key = paper_id_of(paper_id)
        if body.parent_id is None:
            return comment_public(services.community.comment(user, key, body.body))
        parent = services.store.comment_by_id(body.parent_id)
        if parent is None or parent.paper_id != key:
            raise InputError(f"no comment {body.parent_id} on {key}")
        return comment_public(services.community.reply(user, parent.id, body.body))

    @router.post(
        "/api/submit",
        response_model=DailyPaperPublic,
        response_model_exclude_none=True,
        status_code=status.HTTP_201_CREATED,
        tags=["community"],
        summary="Put a paper on today's daily page",
        responses=only([400, 401, 404, 409, 422, 429, 503], WRITE_RESPONSES),
    )
    async def submit(body: SubmitBody, user: User = api_user) -> DailyPaperPublic:
        """By arXiv id or URL; metadata is fetched from arXiv when the paper is new here (by a
        submission job: the request waits for it without holding a worker thread).
        409 when it is already on today's page."""
        done = await submit_and_wait(services.community, user, body.id, None)
        if isinstance(done, Submission) and done.state == FAILED:
            raise done.error or SourceUnavailableError(done.message)
        return await run_in_threadpool(_listed_today, done.paper_id)

    def _listed_today(paper_id: str) -> DailyPaperPublic:
        today = services.store.listings_for(services.clock.now().date())
        found = next(((listing, paper) for listing, paper in today if paper.id == paper_id), None)
        if found is None:  # a race with a curator's unlisting only
            raise PaperNotFoundError(f"paper {paper_id} is not on today's page; try again")
        listing, paper = found
        [counts] = counts_of(services, [paper.id]).values()
        [shown] = extras_shown(services.store, [paper.id]).values()
        return DailyPaperPublic(**item_fields(paper, listing, counts, shown))
