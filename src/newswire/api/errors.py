"""Domain errors to HTTP: one mapping, one JSON shape: `{"detail": ..., "field": ...}`."""

from __future__ import annotations

import json

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError

from newswire.errors import NewswireError, TooManyRequests, Unauthorized


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, NewswireError)
    headers = None
    if isinstance(error, Unauthorized):
        headers = {"WWW-Authenticate": "Bearer"}
    elif isinstance(error, TooManyRequests):
        headers = {"Retry-After": str(error.retry_after)}
    return Response(
        orjson.dumps({"detail": error.message, "field": error.field}),
        status_code=error.status_code,
        headers=headers,
        media_type="application/json",
    )


async def _invalid_request(request: Request, error: Exception) -> Response:
    """FastAPI's list of errors, plus `field`: the first one's location, e.g. `urgency`."""
    assert isinstance(error, RequestValidationError)
    errors = jsonable_encoder(error.errors())
    field = None
    if errors:
        location = [str(part) for part in errors[0].get("loc", ()) if part != "body"]
        field = ".".join(
            location[1:] if location[:1] in (["query"], ["header"], ["path"]) else location
        )
    # The standard library's encoder: the echoed input may hold what orjson refuses, such as
    # an integer beyond 64 bits.
    body = json.dumps({"detail": errors, "field": field or None}, ensure_ascii=False, default=str)
    return Response(body.encode(), status_code=422, media_type="application/json")


def install(app: FastAPI) -> None:
    app.add_exception_handler(NewswireError, _domain_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
