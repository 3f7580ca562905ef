"""Submitting a paper from a request without holding a request thread while arXiv answers:
the quick checks run on the thread pool, the fetch is a submission job (community/
submissions.py) that the request awaits, at most `wait_s`, on the event loop."""

from __future__ import annotations

import asyncio
import contextlib

from starlette.concurrency import run_in_threadpool

from papertide.community.actions import CommunityService
from papertide.community.submissions import Submission
from papertide.models import Listing, User


async def submit_and_wait(
    community: CommunityService, user: User, text: str, wait_s: float | None
) -> Listing | Submission:
    """The listing when the paper was stored already, else the job's state after it ended or
    `wait_s` passed (None: until it ends). Check errors (bad id, already listed, rate limit)
    are raised as `submit` raises them."""
    result = await run_in_threadpool(community.submit, user, text)
    if isinstance(result, Listing):
        return result
    running = community.submissions.running(user, result.paper_id)
    if running is not None:
        with contextlib.suppress(TimeoutError):  # still under way: the caller shows its state
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(running)), wait_s)
    state = await run_in_threadpool(community.submission, user, result.paper_id)
    return state or result
