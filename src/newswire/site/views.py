"""The website's routes: thin handlers that find the page in the cache or build it."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from newswire.api.deps import StateDep, read
from newswire.api.state import AppState
from newswire.site import pages
from newswire.site.cache import Page
from newswire.site.negotiation import preferred_language
from newswire.site.pages import NOT_FOUND, Outcome, Problem, Redirect, SiteContext

router = APIRouter(include_in_schema=False)
GET = ["GET", "HEAD"]
_STORY = re.compile(r"^(\d{1,9})(?:-[a-z0-9-]*)?$")
_TOPIC = re.compile(r"^(?:medtop:)?(\d{8})$")
_SITEMAP = re.compile(r"^([a-z]{2,3}(?:-[A-Za-z0-9]+)?)(?:-(\d{1,6}))?$")


class RawResponse(Response):
    """Status, header list and body exactly as the page cache holds them."""

    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status_code = status
        self.body = body
        self.background = None
        self.raw_headers = headers


def cache_key(request: Request, parameters: tuple[str, ...] = ()) -> str:
    """The key the page is cached under: the path, plus the query parameters the page reads.

    Others (utm_source, cache busters) share the page without them, so that they cannot fill
    the cache with copies. A request that sends only those parameters finds its page in the
    fast path, which looks up the raw path and query string.
    """
    path: str = request.scope["path"]
    query: bytes = request.scope.get("query_string", b"")
    if not query:
        return path
    kept = [
        (name, value) for name, value in request.query_params.multi_items() if name in parameters
    ]
    return path + ("?" + urlencode(kept) if kept else "")


def respond(request: Request, page: Page) -> Response:
    status, headers, body = page.response(
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
        head=request.method == "HEAD",
    )
    return RawResponse(status, headers, body)


async def _context(state: AppState) -> SiteContext:
    site = state.site
    if site.context is None:
        agency = await read(state, state.ctx.agency)
        settings = state.settings
        site.context = SiteContext(
            renderer=site.renderer,
            vocabulary=state.ctx.vocabulary,
            public_url=settings.public_url.rstrip("/"),
            default_language=settings.site_language,
            full_text_feeds=settings.feed_full_text,
            feed_size=settings.feed_size,
            agency=agency,
        )
    return site.context


async def _serve(
    request: Request,
    state: AppState,
    language: str | None,
    build: Callable[[Session, SiteContext], Outcome],
    parameters: tuple[str, ...] = (),
) -> Response:
    """A page from the cache, or built, cached and served; redirects and errors are not kept.
    `parameters` names the query parameters the page reads."""
    cache = state.site.cache
    key = cache_key(request, parameters)
    page = cache.get(key)
    if page is None:
        ctx = await _context(state)
        if language is not None and language not in ctx.languages:
            return await _problem(request, state, None, NOT_FOUND)
        generation = cache.generation
        outcome = await read(state, lambda session: build(session, ctx))
        if isinstance(outcome, Redirect):
            return Response(status_code=outcome.status, headers={"location": outcome.location})
        if isinstance(outcome, Problem):
            return await _problem(request, state, language, outcome)
        page = outcome
        if page.status == 200 and page.cache_control != "no-cache":
            cache.put(key, page, generation)
    return respond(request, page)


async def _problem(
    request: Request, state: AppState, language: str | None, problem: Problem
) -> Response:
    ctx = await _context(state)
    page = pages.error_page(ctx, language, problem)
    status, headers, body = page.response(None, None, head=request.method == "HEAD")
    return RawResponse(status, headers, body)


@router.api_route("/", methods=GET)
async def front_door(request: Request, state: StateDep) -> Response:
    ctx = await _context(state)
    language = preferred_language(
        request.headers.get("accept-language"), ctx.languages, ctx.home_language()
    )
    return Response(
        status_code=302,
        headers={
            "location": f"/{language}/",
            "vary": "Accept-Language",
            "cache-control": "no-cache",
        },
    )


@router.api_route("/robots.txt", methods=GET)
async def robots(request: Request, state: StateDep) -> Response:
    return respond(request, pages.robots(await _context(state)))


@router.api_route("/sitemap.xml", methods=GET)
async def sitemap_index(request: Request, state: StateDep) -> Response:
    return await _serve(request, state, None, pages.sitemap_index)


@router.api_route("/sitemap-{name}.xml", methods=GET)
async def sitemap(request: Request, state: StateDep, name: str) -> Response:
    if name == "news":
        return await _serve(request, state, None, pages.news_sitemap)
    match = _SITEMAP.match(name)
    if match is None:
        return await _problem(request, state, None, NOT_FOUND)
    language, number = match.group(1), int(match.group(2) or 1)
    if number < 1:
        return await _problem(request, state, None, NOT_FOUND)
    return await _serve(
        request,
        state,
        language,
        lambda session, ctx: pages.language_sitemap(session, ctx, language, number),
    )


@router.api_route("/{language}", methods=GET)
async def language_without_slash(request: Request, state: StateDep, language: str) -> Response:
    ctx = await _context(state)
    if language in ctx.languages:
        return Response(status_code=301, headers={"location": f"/{language}/"})
    return await _problem(request, state, None, NOT_FOUND)


@router.api_route("/{language}/", methods=GET)
async def front_page(request: Request, state: StateDep, language: str) -> Response:
    page = pages.parse_page(request.query_params.get("page"))
    if isinstance(page, Problem):
        return await _problem(request, state, language, page)
    return await _serve(
        request,
        state,
        language,
        lambda s, ctx: pages.listing_page(s, ctx, language, page),
        ("page",),
    )


def _topic_code(raw: str) -> str | None:
    match = _TOPIC.match(raw)
    return f"medtop:{match.group(1)}" if match else None


@router.api_route("/{language}/topic/{code}", methods=GET)
async def topic_page(request: Request, state: StateDep, language: str, code: str) -> Response:
    topic = _topic_code(code)
    if topic is None:
        return await _problem(request, state, language, NOT_FOUND)
    if code.startswith("medtop:"):
        return Response(status_code=301, headers={"location": f"/{language}/topic/{topic[7:]}"})
    page = pages.parse_page(request.query_params.get("page"))
    if isinstance(page, Problem):
        return await _problem(request, state, language, page)
    return await _serve(
        request,
        state,
        language,
        lambda s, ctx: pages.listing_page(s, ctx, language, page, topic),
        ("page",),
    )


@router.api_route("/{language}/topic/{code}/{kind}.xml", methods=GET)
async def topic_feed(
    request: Request, state: StateDep, language: str, code: str, kind: str
) -> Response:
    topic = _topic_code(code)
    if topic is None or kind not in ("rss", "atom"):
        return await _problem(request, state, language, NOT_FOUND)
    return await _serve(
        request, state, language, lambda s, ctx: pages.feed(s, ctx, language, kind, topic)
    )


@router.api_route("/{language}/{kind}.xml", methods=GET)
async def language_feed(request: Request, state: StateDep, language: str, kind: str) -> Response:
    if kind not in ("rss", "atom"):
        return await _problem(request, state, language, NOT_FOUND)
    return await _serve(
        request, state, language, lambda s, ctx: pages.feed(s, ctx, language, kind, None)
    )


@router.api_route("/{language}/news/{reference}", methods=GET)
async def story_page(request: Request, state: StateDep, language: str, reference: str) -> Response:
    match = _STORY.match(reference)
    if match is None:
        return await _problem(request, state, language, NOT_FOUND)
    story_id = int(match.group(1))
    path = request.url.path
    return await _serve(
        request,
        state,
        language,
        lambda s, ctx: pages.story_page(s, ctx, language, story_id, path),
    )


@router.api_route("/{language}/search", methods=GET)
async def search_page(request: Request, state: StateDep, language: str) -> Response:
    page = pages.parse_page(request.query_params.get("page"))
    if isinstance(page, Problem):
        return await _problem(request, state, language, page)
    query = request.query_params.get("q")
    return await _serve(
        request,
        state,
        language,
        lambda s, ctx: pages.search_page(s, ctx, language, query, page),
        ("q", "page"),
    )


@router.api_route("/{path:path}", methods=GET)
async def not_found(request: Request, state: StateDep, path: str) -> Response:
    """Any other address: an HTML 404 in the language its first segment names, if any."""
    if path.startswith("api/"):
        return Response(b'{"detail":"Not Found"}', status_code=404, media_type="application/json")
    first = path.split("/", 1)[0]
    return await _problem(request, state, first, NOT_FOUND)
