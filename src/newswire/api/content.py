"""The content API: published items as ninjs 2.2, ninjs 3.1 or NewsML-G2, and the feed."""

from __future__ import annotations

import asyncio
import functools
from datetime import datetime
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from newswire import languages
from newswire.agency.services import Principal
from newswire.api.deps import PrincipalDep, StateDep, read
from newswire.api.hub import FeedHub, FeedRecord
from newswire.api.state import AppState, CachedItem
from newswire.delivery.products import Facts
from newswire.errors import InvalidInput, NotFound
from newswire.stories.document import ItemDocument
from newswire.stories.models import Item, Story, Version

router = APIRouter(prefix="/api/v1", tags=["content"])

NEWSML_MEDIA_TYPE = "application/vnd.iptc.g2.newsitem+xml"
FormatName = Literal["ninjs", "ninjs3", "newsml"]


def choose_format(format_param: str | None, accept: str | None) -> str:
    if format_param is not None:
        if format_param not in ("ninjs", "ninjs3", "newsml"):
            raise InvalidInput("format is one of ninjs, ninjs3, newsml", field="format")
        return format_param
    if accept and NEWSML_MEDIA_TYPE in accept:
        return "newsml"
    return "ninjs"


def item_response(
    state: AppState, entry: CachedItem, format_name: str, if_none_match: str | None
) -> Response:
    etag = entry.etag(format_name)
    headers = {"ETag": etag, "Cache-Control": "private, max-age=0, must-revalidate"}
    if if_none_match is not None and etag in (t.strip() for t in if_none_match.split(",")):
        return Response(status_code=304, headers=headers)
    return Response(
        state.items.render(entry, format_name),
        media_type=state.items.media_type(format_name),
        headers=headers,
    )


@router.get(
    "/items/{uri:path}",
    responses={
        200: {
            "content": {
                "application/json": {},
                NEWSML_MEDIA_TYPE: {},
            },
            "description": "The item: ninjs 2.2 (default), ninjs 3.1 or NewsML-G2 2.35.",
        },
        304: {"description": "Not modified since the ETag given in If-None-Match."},
    },
)
async def get_item(
    uri: str,
    state: StateDep,
    principal: PrincipalDep,
    version: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="an older version")
    ] = None,
    format: Annotated[FormatName | None, Query(description="ninjs, ninjs3 or newsml")] = None,
    accept: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The latest released version of an item (or `version`), in the format asked for."""
    format_name = choose_format(format, accept)
    entry = await state.items.get(uri, version)
    if entry is None or not principal.entitled(entry.facts):
        raise NotFound(f"no item {uri!r} for this key", field="uri")
    return item_response(state, entry, format_name, if_none_match)


class ItemList(BaseModel):
    items: list[dict[str, object]]
    count: int


@router.get("/items", response_model=ItemList)
async def list_items(
    state: StateDep,
    principal: PrincipalDep,
    lang: Annotated[str | None, Query(description="a working language")] = None,
    topic: Annotated[
        str | None, Query(description="a Media Topic code, e.g. medtop:04000000")
    ] = None,
    since: Annotated[
        datetime | None, Query(description="versions released after (RFC 3339)")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="words in headline or body")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """Published items the key is entitled to, newest first, as ninjs 2.2 documents."""
    if since is not None and since.tzinfo is None:
        raise InvalidInput("since needs a time zone offset (RFC 3339)", field="since")
    if lang is not None and not languages.is_known(lang):
        raise InvalidInput(f"unknown language {lang!r}", field="lang")

    def work(session: Session) -> list[ItemDocument]:
        return _published_documents(session, principal, lang, topic, since, q, limit)

    documents = await read(state, work)
    ninjs = state.formats.get("ninjs")
    body = b'{"items":[' + b",".join(ninjs.render(d) for d in documents) + b"],"
    body += b'"count":' + str(len(documents)).encode() + b"}"
    return Response(body, media_type="application/json")


def _published_documents(
    session: Session,
    principal: Principal,
    lang: str | None,
    topic: str | None,
    since: datetime | None,
    q: str | None,
    limit: int,
) -> list[ItemDocument]:
    query = (
        select(
            Version.document,
            Item.subjects,
            Item.language,
            Item.urgency,
            Story.desk_id,
            Story.bureau_id,
            Story.origin,
        )
        .join(Item, Version.item_id == Item.id)
        .join(Story, Item.story_id == Story.id)
        .where(
            Item.status == "published",
            Version.number == Item.current_version,
            Version.released_at.is_not(None),
        )
        .order_by(Version.released_at.desc(), Version.id.desc())
    )
    if lang:
        query = query.where(Item.language == lang)
    if since:
        query = query.where(Version.released_at > since)
    if q:
        pattern = f"%{q}%"
        query = query.where(or_(Item.headline.ilike(pattern), Item.body_html.ilike(pattern)))
    found: list[ItemDocument] = []
    offset = 0
    batch = max(limit * 2, 50)
    while len(found) < limit:
        rows = session.execute(query.offset(offset).limit(batch)).all()
        if not rows:
            break
        offset += len(rows)
        for document, subjects, language, urgency, desk_id, bureau_id, origin in rows:
            if topic and topic not in subjects:
                continue
            facts = Facts(language, tuple(subjects), desk_id, bureau_id, urgency, origin)
            if not principal.entitled(facts):
                continue
            found.append(ItemDocument.model_validate(document))
            if len(found) == limit:
                break
    return found


# --- the feed -----------------------------------------------------------------------------


def _event_json(record: FeedRecord) -> dict[str, object]:
    return {
        "seq": record.seq,
        "kind": record.kind,
        "uri": record.uri,
        "version": record.version,
        "language": record.language,
        "story_id": record.story_id,
        "urgency": record.urgency,
        "at": record.at.isoformat().replace("+00:00", "Z"),
        "href": f"/api/v1/items/{record.uri}?version={record.version}",
    }


def _from_database(hub: FeedHub, after: int, limit: int, _session: Session) -> list[FeedRecord]:
    return hub.load_after(after, limit * 10)


@router.get("/feed")
async def feed(
    request: Request,
    state: StateDep,
    principal: PrincipalDep,
    cursor: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="the last seq you have; 0 from the start")
    ] = 0,
    wait: Annotated[float, Query(ge=0, le=300, description="long-poll up to this many s")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Every publication event the key is entitled to, in order, after `cursor`.

    With `wait`, the request is held until an event arrives or the time runs out. Store
    `next_cursor` and send it back: no event is ever skipped.
    """
    hub = state.hub
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(wait, state.settings.feed_max_wait)
    scanned = cursor
    while True:
        records = hub.events_after(scanned)
        if records is None:
            records = iter(
                await read(state, functools.partial(_from_database, hub, scanned, limit))
            )
        events: list[dict[str, object]] = []
        for record in records:
            scanned = record.seq
            if principal.entitled(record.facts):
                events.append(_event_json(record))
                if len(events) == limit:
                    break
        remaining = deadline - loop.time()
        if events or remaining <= 0 or await request.is_disconnected():
            break
        await hub.wait(scanned, seconds=remaining)
    body = orjson.dumps({"events": events, "next_cursor": scanned})
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})
