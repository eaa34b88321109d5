"""Everything a running web process shares: settings, database, caches, the feed hub."""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import anyio
from sqlalchemy.orm import Session

from newswire.agency.services import Principal, authenticate_key
from newswire.api.hub import FeedHub, FeedRecord
from newswire.config import Settings
from newswire.db import Database
from newswire.delivery.products import Facts
from newswire.errors import TooManyRequests, Unauthorized
from newswire.formats.registry import FormatRegistry, default_formats
from newswire.newsroom.queues import QueueCache
from newswire.newsroom.render import Renderer as NewsroomRenderer
from newswire.security import hash_key
from newswire.site.state import SiteState
from newswire.stories.document import ItemDocument
from newswire.stories.models import Item, Story
from newswire.stories.services import StoryContext, released_version
from newswire.translation.desk import TranslationServices
from newswire.translation.desk import build as build_translation

KEY_CACHE_SECONDS = 10.0


class KeyCache:
    """API key → principal, for a few seconds, so that reads need no database round trip."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._entries: dict[str, tuple[Principal, float]] = {}

    def cached(self, key: str) -> Principal | None:
        entry = self._entries.get(hash_key(key))
        if entry is not None and entry[1] > time.monotonic():
            return entry[0]
        return None

    async def principal(self, key: str) -> Principal:
        found = self.cached(key)
        if found is not None:
            return found
        principal = await anyio.to_thread.run_sync(self._load, key)
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[hash_key(key)] = (principal, time.monotonic() + KEY_CACHE_SECONDS)
        return principal

    def _load(self, key: str) -> Principal:
        with self._database.read() as session:
            return authenticate_key(session, key)

    def clear(self) -> None:
        """Forget every key, so that a revoked key or a disabled user's token fails at once."""
        self._entries.clear()


class RateLimits:
    """Each subscriber key's requests per minute, as a token bucket in this process: a key may
    spend its whole minute's allowance at once, then one request per 60/limit seconds."""

    def __init__(self, default: int) -> None:
        self._default = default
        self._buckets: dict[int, tuple[float, float]] = {}  # key id → (tokens, at)

    def allow(self, principal: Principal) -> float:
        """0 when the request may go ahead; otherwise the seconds until it may."""
        if principal.key_id is None or principal.is_staff:
            return 0.0
        limit = float(principal.rate_limit or self._default)
        now = time.monotonic()
        tokens, at = self._buckets.get(principal.key_id, (limit, now))
        tokens = min(limit, tokens + (now - at) * limit / 60.0)
        if tokens < 1.0:
            self._buckets[principal.key_id] = (tokens, now)
            return (1.0 - tokens) * 60.0 / limit
        self._buckets[principal.key_id] = (tokens - 1.0, now)
        return 0.0

    def check(self, principal: Principal) -> None:
        wait = self.allow(principal)
        if wait > 0:
            limit = principal.rate_limit or self._default
            raise TooManyRequests(
                f"this key may make {limit} requests a minute; try again in {math.ceil(wait)} s",
                retry_after=math.ceil(wait),
            )


@dataclass(slots=True)
class CachedItem:
    """One released version with its renderings, made on first request."""

    document: ItemDocument
    item_id: int
    facts: Facts  # what entitlement looks at
    rendered: dict[str, bytes] = field(default_factory=dict)

    def etag(self, format_name: str) -> str:
        return f'"{self.item_id}-{self.document.version}-{format_name}"'


class ItemCache:
    """Released versions by (uri, version); `version=None` is "the latest" and is dropped when
    the feed hub sees a new event for that uri. Numbered versions never change."""

    def __init__(self, database: Database, formats: FormatRegistry, size: int = 20_000) -> None:
        self._database = database
        self._formats = formats
        self._size = size
        self._entries: OrderedDict[tuple[str, int | None], CachedItem | None] = OrderedDict()

    def cached(self, uri: str, version: int | None) -> CachedItem | bool | None:
        """The entry, None for a known miss, or False when the cache does not know."""
        key = (uri, version)
        if key not in self._entries:
            return False
        self._entries.move_to_end(key)
        return self._entries[key]

    async def get(self, uri: str, version: int | None) -> CachedItem | None:
        hit = self.cached(uri, version)
        if hit is not False:
            return hit  # type: ignore[return-value]  # a CachedItem or a remembered miss
        entry = await anyio.to_thread.run_sync(self._load, uri, version)
        if entry is not None:  # misses are not remembered: the item may be published next
            self._entries[(uri, version)] = entry
            if len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return entry

    def render(self, entry: CachedItem, format_name: str) -> bytes:
        body = entry.rendered.get(format_name)
        if body is None:
            body = self._formats.get(format_name).render(entry.document)
            entry.rendered[format_name] = body
        return body

    def media_type(self, format_name: str) -> str:
        return self._formats.get(format_name).media_type

    def on_events(self, records: list[FeedRecord]) -> None:
        for record in records:
            self.forget(record.uri)

    def forget(self, uri: str) -> None:
        self._entries.pop((uri, None), None)

    def _load(self, uri: str, version: int | None) -> CachedItem | None:
        with self._database.read() as session:
            return load_cached_item(session, uri, version)


def load_cached_item(session: Session, uri: str, version: int | None) -> CachedItem | None:
    row = released_version(session, uri, version)
    if row is None:
        return None
    document = ItemDocument.model_validate(row.document)
    story = session.get_one(Story, session.get_one(Item, row.item_id).story_id)
    return CachedItem(
        document=document,
        item_id=row.item_id,
        facts=Facts(
            language=document.language,
            subjects=tuple(s.code for s in document.subjects),
            desk_id=story.desk_id,
            bureau_id=story.bureau_id,
            urgency=document.urgency,
            origin=story.origin,
        ),
    )


@dataclass(slots=True)
class AppState:
    settings: Settings
    database: Database
    ctx: StoryContext
    formats: FormatRegistry
    hub: FeedHub
    keys: KeyCache
    items: ItemCache
    site: SiteState
    newsroom: NewsroomRenderer
    queues: QueueCache
    translation: TranslationServices
    limits: RateLimits
    worker_wake: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def build(cls, settings: Settings, database: Database) -> AppState:
        formats = default_formats()
        hub = FeedHub(database)
        items = ItemCache(database, formats)
        hub.listeners.append(items.on_events)
        site = SiteState()
        hub.listeners.append(site.cache.clear)
        translation = build_translation(settings)
        return cls(
            settings=settings,
            database=database,
            ctx=StoryContext.from_settings(
                settings.vocabulary_dir, settings.public_url, (translation.desk,)
            ),
            formats=formats,
            hub=hub,
            keys=KeyCache(database),
            items=items,
            site=site,
            newsroom=NewsroomRenderer(),
            queues=QueueCache(),
            translation=translation,
            limits=RateLimits(settings.api_rate_limit),
        )


def bearer_key(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized("send your API key as `Authorization: Bearer KEY`")
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("send your API key as `Authorization: Bearer KEY`")
    return key.strip()
