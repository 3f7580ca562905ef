"""Page slots: a serve worker builds and renders at most `page_slots` HTML pages at once.

A page is CPU work under one interpreter lock. On anyio's 40 threads a worker's queued pages
all run at once and take turns in 5 ms slices (a thread back from a database read waits for a
slice too), so each page takes as long as all of them together and the slowest the longest:
the uncached daily page at 16 connections flat out had p99 110 to 240 ms. With a slot or two,
pages run nearly in arrival order and each waits only on those ahead of it.

Only GET pages take a slot, and only while their route runs (dependencies, endpoint, template):
sending the answer to a slow reader holds none. Form posts (some send mail), the JSON API,
feeds and downloads keep anyio's threads, so nothing that waits on a mail server takes a slot;
a page that waits on a lost PostgreSQL does, for as long as the store's pool waits once
(store/postgres/connection.py then fails the pages queued behind it at once).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from anyio import CapacityLimiter
from fastapi import Request, Response
from fastapi.routing import APIRoute

from papertide.errors import InputError

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def page_slots(count: int) -> CapacityLimiter | None:
    """The slots of an app whose GET pages run `count` at a time; None (0): no limit."""
    if count < 0:
        raise InputError(f"page_slots must be 0 (no limit) or more, not {count}")
    return CapacityLimiter(count) if count > 0 else None


class PageRoute(APIRoute):
    """A page route whose GETs wait for one of the app's page slots (`app.state.page_slots`,
    set by create_app; None: no limit) while the route runs."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        if "GET" not in (self.methods or ()):
            return handler

        async def in_turn(request: Request) -> Response:
            slots: CapacityLimiter | None = request.app.state.page_slots
            if slots is None:
                return await handler(request)
            async with slots:
                return await handler(request)

        return in_turn
