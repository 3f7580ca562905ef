"""HEAD answers wherever GET does (RFC 9110 §9.3.2): the same status and headers, no body.

FastAPI routes answer only the methods they name, so without this a HEAD of any page, feed or
API path is a 405. One ASGI layer, outermost, asks the app for GET and sends the answer's
head only; every layer inside (page cache, compression, headers) sees an ordinary GET, so the
headers (Content-Length included) are exactly those of the GET.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def send_head(message: Message) -> None:
            nonlocal finished
            if finished:  # the GET's body goes on (a stream): the client has its answer
                return
            if message["type"] == "http.response.body":
                finished = True
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_head)
