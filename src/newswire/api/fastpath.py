"""A plain ASGI answer for the hottest read: one item, already cached, for a known key.

It answers only when everything it needs is in memory (the key's principal and the rendered
item) and the request is simple; anything else — a cold cache, an unknown key, a bad
parameter — falls through to the FastAPI route, which has the same semantics and fills the
caches. Skipping FastAPI's routing, dependency injection and response classes on a hit is what
keeps a cached item near the speed of a bare Starlette endpoint.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from newswire.api.content import NEWSML_MEDIA_TYPE
from newswire.api.state import AppState, CachedItem

PREFIX = "/api/v1/items/"
_FORMATS = {"ninjs", "ninjs3", "newsml"}
_CACHE_CONTROL = (b"cache-control", b"private, max-age=0, must-revalidate")


class ItemFastPath:
    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(PREFIX)
            or not await self._answer(scope, send)
        ):
            await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, send: Send) -> bool:
        uri = scope["path"][len(PREFIX) :]
        if not uri:
            return False
        version: int | None = None
        format_name: str | None = None
        query = scope["query_string"]
        if query:
            for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
                if name == "version" and value.isdigit() and int(value) >= 1:
                    version = int(value)
                elif name == "format" and value in _FORMATS:
                    format_name = value
                else:
                    return False
        authorization = accept = if_none_match = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"accept":
                accept = value.decode("latin-1")
            elif name == b"if-none-match":
                if_none_match = value.decode("latin-1")
        if authorization is None or authorization[:7].lower() != "bearer ":
            return False
        principal = self.state.keys.cached(authorization[7:].strip())
        if principal is None:
            return False
        entry = self.state.items.cached(uri, version)
        if not isinstance(entry, CachedItem):
            return False
        if not principal.entitled(entry.facts):
            return False
        if self.state.limits.allow(principal):
            return False  # over its limit: the full path answers 429 (its check fails too)
        if format_name is None:
            format_name = "newsml" if accept and NEWSML_MEDIA_TYPE in accept else "ninjs"
        etag = entry.etag(format_name)
        headers = [(b"etag", etag.encode()), _CACHE_CONTROL]
        if if_none_match is not None and etag in (t.strip() for t in if_none_match.split(",")):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return True
        body = self.state.items.render(entry, format_name)
        media_type = self.state.items.media_type(format_name)
        headers.append((b"content-type", media_type.encode()))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True
