"""HEAD wherever GET answers: pages, the API, feeds, downloads and static files.

FastAPI routes declared with GET do not answer HEAD (405). This middleware serves a HEAD as the
GET it stands for and sends only the status and headers (Content-Length included, as HTTP
wants), so a link checker or a feed reader's HEAD sees what a GET would get.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DISCONNECT: Message = {"type": "http.disconnect"}


class HeadAsGet:
    """Pure ASGI middleware: a HEAD request runs as a GET whose body is not sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def send_headers_only(message: Message) -> None:
            nonlocal finished
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body" and not finished:
                finished = True  # the answer ends here: the body is not sent
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def receive_until_answered() -> Message:
            # once the headers are out, a streaming answer learns that nobody reads on
            return DISCONNECT if finished else await receive()

        await self.app({**scope, "method": "GET"}, receive_until_answered, send_headers_only)
