"""The web application: content API, writing API, health and metrics."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import re
from collections.abc import AsyncIterator

import orjson
from fastapi import FastAPI, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.types import ASGIApp

from newswire import metrics
from newswire.api import content, errors, stories
from newswire.api import translation as translation_api
from newswire.api.deps import StateDep, read
from newswire.api.docs import install_docs
from newswire.api.fastpath import ItemFastPath
from newswire.api.hub import FeedRecord
from newswire.api.limits import BodySizeLimit
from newswire.api.state import AppState
from newswire.config import Settings
from newswire.db import Database
from newswire.delivery.worker import DeliveryThread
from newswire.newsroom import views as newsroom_views
from newswire.newsroom.render import STATIC as NEWSROOM_STATIC
from newswire.newsroom.web import install_errors as install_newsroom_errors
from newswire.site import views as site_views
from newswire.site.fastpath import SiteFastPath
from newswire.site.render import STATIC
from newswire.translation import jobs as mt_jobs
from newswire.worker import jobs

# The newsroom's picture uploads, which may be larger than any story.
UPLOAD_PATH = re.compile(r"/newsroom/stories/\d+/[a-z]{2,3}/pictures")


def _count(records: list[FeedRecord]) -> None:
    for record in records:
        metrics.PUBLICATION_EVENTS.labels(record.kind).inc()
    metrics.FEED_SEQ.set(records[-1].seq)


# Whether a running app keeps the collector off what it holds at startup (see the lifespan). The
# test suite turns it off: it freezes the heap itself between tests, which this would undo.
FREEZE_HEAP = True


def create_app(
    settings: Settings, database: Database | None = None, *, worker: bool = True
) -> ASGIApp:
    """The ASGI application. `worker` runs scheduled jobs (embargoes) inside this process."""
    database = database or Database(settings.database_url)
    state = AppState.build(settings, database)
    state.hub.listeners.append(_count)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await state.hub.start()
        # What the process holds by now (modules, vocabulary, locale data: ~150,000 objects)
        # lives as long as it does: frozen, it stays out of the collector's full passes, which
        # otherwise stall a request for ~100 ms every few hundred requests.
        if FREEZE_HEAP:
            gc.freeze()
        tasks = []
        delivery = None
        if worker:
            tasks.append(
                asyncio.create_task(jobs.run_forever(database, state.worker_wake, state.hub.poke))
            )
            mt = state.translation
            drafting = mt_jobs.run_forever(database, state.ctx, mt.engines, mt.terms, mt.waker)
            tasks.append(asyncio.create_task(drafting))
            delivery = DeliveryThread(database, settings, formats=state.formats)
            delivery.start()
        try:
            yield
        finally:
            if delivery is not None:
                await delivery.stop()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await state.hub.stop()
            if FREEZE_HEAP:
                gc.unfreeze()

    app = FastAPI(
        title="newswire",
        version="1",
        summary="A news agency's content API: IPTC ninjs and NewsML-G2, a feed, a writing API.",
        lifespan=lifespan,
        docs_url=None,  # served below from the installed Swagger UI package, not from a CDN
        redoc_url=None,
    )
    install_docs(app)
    app.state.newswire = state
    errors.install(app)
    install_newsroom_errors(app)
    app.include_router(content.router)
    app.include_router(stories.router)
    app.include_router(translation_api.router)

    @app.get("/healthz", tags=["operations"])
    async def healthz(state: StateDep) -> Response:
        await read(state, lambda session: session.execute(text("SELECT 1")))
        body = {"status": "ok", "database": "ok", "feed_seq": state.hub.latest_seq}
        return Response(orjson.dumps(body), media_type="application/json")

    @app.get("/metrics", tags=["operations"])
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.include_router(newsroom_views.router)
    app.mount("/static/site", StaticFiles(directory=STATIC), name="site-static")
    app.mount("/static/newsroom", StaticFiles(directory=NEWSROOM_STATIC), name="newsroom-static")
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    app.mount("/media", StaticFiles(directory=settings.media_dir), name="media")
    # Last: the website's routes include a catch-all that answers unknown paths with a page.
    app.include_router(site_views.router)

    fast = SiteFastPath(ItemFastPath(app, state), state.site.cache)
    return BodySizeLimit(
        fast,
        settings.max_body_bytes,
        upload_path=UPLOAD_PATH,
        upload_bytes=settings.max_upload_bytes + 65_536,  # the form around the picture
    )
