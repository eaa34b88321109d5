"""A plain ASGI answer for pages already in the page cache.

Readers and aggregators mostly fetch the same few pages and feeds; once rendered, answering
them needs no routing, no dependency injection and no database, only a dictionary lookup.
A miss falls through to the FastAPI routes in `newswire.site.views`, which build the page
and put it in the cache under the same key (`views.cache_key`).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from newswire.site.cache import PageCache

_NOT_SITE = ("/api/", "/static/", "/docs", "/newsroom", "/metrics", "/healthz", "/openapi")


class SiteFastPath:
    def __init__(self, app: ASGIApp, cache: PageCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            if not path.startswith(_NOT_SITE):
                query: bytes = scope["query_string"]
                page = self.cache.get(path + "?" + query.decode("latin-1") if query else path)
                if page is not None:
                    if_none_match = if_modified_since = None
                    for name, value in scope["headers"]:
                        if name == b"if-none-match":
                            if_none_match = value.decode("latin-1")
                        elif name == b"if-modified-since":
                            if_modified_since = value.decode("latin-1")
                    status, headers, body = page.response(
                        if_none_match, if_modified_since, head=scope["method"] == "HEAD"
                    )
                    await send(
                        {"type": "http.response.start", "status": status, "headers": headers}
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)
