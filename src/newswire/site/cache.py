"""Rendered pages and feeds, kept until the next publication event, with HTTP validators.

A page is rendered once and then served from memory with an ETag and Last-Modified, so
that readers and aggregators revalidating get a 304. Any publication, correction, release
or kill clears the cache (the feed hub tells us, in this process and from others), so that
nothing stale outlives the event by more than the hub's wake-up time. A render that started
before an event is not stored after it: the generation number guards against that race.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
# Revalidate every time: publication and kills must show at once, and a 304 is cheap.
REVALIDATE = "public, max-age=0, must-revalidate"


@dataclass(slots=True)
class Page:
    body: bytes
    content_type: str
    last_modified: datetime | None = None
    status: int = 200
    cache_control: str = REVALIDATE
    extra_headers: tuple[tuple[bytes, bytes], ...] = ()
    etag: str = field(init=False)
    headers: list[tuple[bytes, bytes]] = field(init=False)
    _full_headers: list[tuple[bytes, bytes]] = field(init=False)
    _not_modified_headers: list[tuple[bytes, bytes]] = field(init=False)

    def __post_init__(self) -> None:
        self.etag = '"' + hashlib.blake2b(self.body, digest_size=12).hexdigest() + '"'
        headers = [
            (b"content-type", self.content_type.encode()),
            (b"etag", self.etag.encode()),
            (b"cache-control", self.cache_control.encode()),
            *self.extra_headers,
        ]
        if self.last_modified is not None:
            stamp = format_datetime(self.last_modified.astimezone(UTC), usegmt=True)
            headers.append((b"last-modified", stamp.encode()))
        self.headers = headers
        # Built once: a cached page is answered many thousand times a second.
        self._full_headers = [*headers, (b"content-length", str(len(self.body)).encode())]
        self._not_modified_headers = [h for h in headers if h[0] != b"content-type"]

    def not_modified(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
        if self.status != 200:
            return False
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return self.etag in tags or "*" in tags
        if if_modified_since is not None and self.last_modified is not None:
            try:
                since = parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                return False
            return self.last_modified.replace(microsecond=0) <= since
        return False

    def response(
        self, if_none_match: str | None, if_modified_since: str | None, *, head: bool = False
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        if self.not_modified(if_none_match, if_modified_since):
            return 304, self._not_modified_headers, b""
        return self.status, self._full_headers, b"" if head else self.body


class PageCache:
    """Pages by request path and query string; least recently used out first, within a
    budget of bytes (feeds are large, and a crawler may ask for every page)."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._pages: OrderedDict[str, Page] = OrderedDict()
        self.generation = 0

    def get(self, key: str) -> Page | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: str, page: Page, generation: int) -> None:
        if generation != self.generation or len(page.body) > self._max_bytes // 8:
            return  # rendered from data an event has since changed, or too big to keep
        old = self._pages.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._pages[key] = page
        self._bytes += len(page.body)
        while self._bytes > self._max_bytes:
            _key, dropped = self._pages.popitem(last=False)
            self._bytes -= len(dropped.body)

    def clear(self, *_records: object) -> None:
        self.generation += 1
        self._pages.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._pages)
