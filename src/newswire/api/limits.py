"""Refuse request bodies over the configured size with 413, before the application sees them."""

from __future__ import annotations

import re

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Reads a request's body (up to the limit) before handing the request on.

    A declared Content-Length over the limit is refused at once; a chunked body is counted as
    it arrives. Buffering at most `max_bytes` is cheap and means the application never starts
    on a request it would have to abandon half-way.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        *,
        upload_path: re.Pattern[str] | None = None,
        upload_bytes: int = 0,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Picture uploads are larger than any story: their paths get their own limit.
        self.upload_path = upload_path
        self.upload_bytes = upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        if self.upload_path is not None and self.upload_path.fullmatch(scope["path"]):
            limit = max(limit, self.upload_bytes)
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._refuse(send, limit)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send, limit: int) -> None:
        body = orjson.dumps({"detail": f"the request body is over {limit} bytes", "field": "body"})
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
