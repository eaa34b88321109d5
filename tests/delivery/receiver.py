"""Webhook receivers for tests: a real aiohttp server on 127.0.0.1, in a thread of its own.

Each path is one receiver. It verifies every request with the `standardwebhooks` package (not
our code), accepts each `webhook-id` once (a redelivery is answered 200 and counted, as the
standard asks receivers to do), and can be told to misbehave: answer 500 or 410, hang, or
close the connection.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.conftest import free_port


@dataclass(frozen=True, slots=True)
class Received:
    path: str
    message_id: str
    event: str
    uri: str
    version: int
    body: bytes
    at: float  # time.monotonic() on arrival
    embargoed: str | None


@dataclass
class Receiver:
    secrets: dict[str, str] = field(default_factory=dict)  # path → whsec_… (verify when set)
    modes: dict[str, str] = field(default_factory=dict)  # path → ok | fail | gone | hang | close
    delays: dict[str, float] = field(default_factory=dict)  # path → seconds before answering
    accepted: dict[str, list[Received]] = field(default_factory=lambda: defaultdict(list))
    redelivered: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    attempts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    port: int = field(default_factory=free_port)
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        body = await request.read()
        with self._lock:
            self.attempts[path] += 1
            mode = self.modes.get(path, "ok")
            delay = self.delays.get(path, 0.0)
        if delay:
            await asyncio.sleep(delay)
        if mode == "hang":
            await asyncio.sleep(3600)
        if mode == "close":
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=200)
        if mode == "fail":
            return web.Response(status=500, text="receiver is broken")
        if mode == "gone":
            return web.Response(status=410, text="unsubscribed")
        headers = {k.lower(): v for k, v in request.headers.items()}
        secret = self.secrets.get(path)
        if secret is not None:
            try:
                Webhook(secret).verify(body, headers, json_parse=False)
            except WebhookVerificationError as error:
                with self._lock:
                    self.rejected.append((path, str(error)))
                return web.Response(status=401, text=str(error))
        message_id = headers["webhook-id"]
        with self._lock:
            if any(r.message_id == message_id for r in self.accepted[path]):
                self.redelivered[path].append(message_id)
                return web.Response(status=200, text="already have it")
            self.accepted[path].append(
                Received(
                    path=path,
                    message_id=message_id,
                    event=headers.get("newswire-event", ""),
                    uri=headers.get("newswire-uri", ""),
                    version=int(headers.get("newswire-version", "0")),
                    body=body,
                    at=time.monotonic(),
                    embargoed=headers.get("newswire-embargoed"),
                )
            )
        return web.Response(status=204)

    def start(self) -> Receiver:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application(client_max_size=8 * 1024 * 1024)
            app.router.add_post("/{path}", self._handle)
            runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", self.port)
            loop.run_until_complete(site.start())
            self._runner = runner
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        assert ready.wait(10), "the receiver did not start"
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def set_mode(self, path: str, mode: str) -> None:
        with self._lock:
            self.modes[path] = mode

    def total(self) -> int:
        with self._lock:
            return sum(len(found) for found in self.accepted.values())

    def got(self, path: str) -> list[Received]:
        with self._lock:
            return list(self.accepted[path])

    def wait_for(self, path: str, count: int, seconds: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.got(path)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        return self.got(path)
