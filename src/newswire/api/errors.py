"""Domain errors to HTTP: one mapping, one JSON shape: `{"detail": ..., "field": ...}`."""

from __future__ import annotations

import orjson
from fastapi import FastAPI, Request, Response

from newswire.errors import NewswireError, Unauthorized


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, NewswireError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else None
    return Response(
        orjson.dumps({"detail": error.message, "field": error.field}),
        status_code=error.status_code,
        headers=headers,
        media_type="application/json",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(NewswireError, _domain_error)
