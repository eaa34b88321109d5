"""A minimal webhook receiver for bench_delivery, run as its own process:

    python -m bench._delivery_receiver --port 8123

aiohttp on uvloop. Every `POST /hook/{path}` is answered 204 once its body is read; the receiver
notes the path, the `webhook-id` and `newswire-uri` headers and the arrival time on
`time.monotonic()` (CLOCK_MONOTONIC: one clock for the whole machine on Linux, so the benchmark
process can compare it with its own readings). It checks no signature: it stands for the
cheapest receiver a subscriber could run.

    GET  /count    how many requests arrived since the last reset
    GET  /records  [[path, webhook_id, uri, at], ...]
    GET  /bodies   {uri: body}: the first body that arrived for each URI
    POST /reset    forget everything
"""

from __future__ import annotations

import argparse
import time

import uvloop
from aiohttp import web

Record = tuple[str, str, str, float]


def make_app() -> web.Application:
    records: list[Record] = []
    bodies: dict[str, str] = {}

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        at = time.monotonic()
        headers = request.headers
        uri = headers.get("newswire-uri", "")
        records.append((request.match_info["path"], headers.get("webhook-id", ""), uri, at))
        if uri and uri not in bodies:
            bodies[uri] = body.decode("utf-8")
        return web.Response(status=204)

    async def count(_request: web.Request) -> web.Response:
        return web.Response(text=str(len(records)))

    async def all_records(_request: web.Request) -> web.Response:
        return web.json_response(records)

    async def all_bodies(_request: web.Request) -> web.Response:
        return web.json_response(bodies)

    async def reset(_request: web.Request) -> web.Response:
        records.clear()
        bodies.clear()
        return web.Response(status=204)

    app = web.Application(client_max_size=8 * 1024 * 1024)
    app.router.add_post("/hook/{path}", hook)
    app.router.add_get("/count", count)
    app.router.add_get("/records", all_records)
    app.router.add_get("/bodies", all_bodies)
    app.router.add_post("/reset", reset)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvloop.install()
    web.run_app(make_app(), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
