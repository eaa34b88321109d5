"""`newswire serve`: uvicorn with uvloop and httptools."""

from __future__ import annotations

import uvicorn

from newswire.api.app import create_app
from newswire.config import Settings
from newswire.logs import configure_logging


def run(settings: Settings, *, host: str | None, port: int | None, worker: bool) -> None:
    configure_logging(settings.log_level)
    app = create_app(settings, worker=worker)
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        loop="uvloop",
        http="httptools",
        log_level=settings.log_level,
        access_log=False,
        proxy_headers=True,
    )
