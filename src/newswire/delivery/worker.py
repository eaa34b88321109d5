"""The delivery loop: claim runs of due deliveries, send each channel's run in order, record.

Every channel's run is its own task, so a slow or failing receiver holds up only itself. Runs
report their outcomes to one recorder, which writes them in batches; once a run's outcomes
are written its channel can be claimed again, by this worker or any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
import sys
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import structlog

from newswire import metrics
from newswire.config import Settings
from newswire.db import Database, Waker, run_in_thread, utcnow, watch_commits
from newswire.delivery import queue
from newswire.delivery.queue import Claimed, Outcome, RetryPolicy, Run
from newswire.delivery.transports import DeliveryFailed, Payload, Transport, default_transports
from newswire.delivery.transports.base import Target
from newswire.formats.registry import FormatRegistry, default_formats
from newswire.stories.document import ItemDocument

log = structlog.get_logger(__name__)

T = TypeVar("T")

IDLE_SECONDS = 5.0  # the longest a worker sleeps with nothing due that it knows of
SWITCH_INTERVAL = 0.001  # seconds: see DeliveryThread.start
DUE_TTL = 0.5  # how long the soonest due time is trusted while runs are going (seconds)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Renderer:
    """Documents of versions in each channel format; versions never change, so renderings are
    kept (the newest few thousand)."""

    def __init__(self, formats: FormatRegistry, size: int = 4096) -> None:
        self._formats = formats
        self._size = size
        self._documents: OrderedDict[int, ItemDocument] = OrderedDict()
        self._bodies: OrderedDict[tuple[int, str], bytes] = OrderedDict()

    def missing(self, version_ids: set[int]) -> set[int]:
        return {v for v in version_ids if v not in self._documents}

    def add(self, documents: Mapping[int, dict[str, Any]]) -> None:
        for version_id, document in documents.items():
            self._documents[version_id] = ItemDocument.model_validate(document)
        while len(self._documents) > self._size:
            self._documents.popitem(last=False)

    def payload(self, delivery: Claimed, format_name: str) -> Payload:
        document = self._documents[delivery.version_id]
        fmt = self._formats.get(format_name)
        key = (delivery.version_id, format_name)
        body = self._bodies.get(key)
        if body is None:
            body = self._bodies[key] = fmt.render(document)
            if len(self._bodies) > self._size:
                self._bodies.popitem(last=False)
        return Payload(
            message_id=delivery.message_id,
            kind=delivery.kind,
            body=body,
            media_type=fmt.media_type,
            extension=fmt.file_extension,
            uri=document.uri,
            version=document.version,
            language=document.language,
            headline=document.headline,
            body_html=document.body_html or "",
            embargoed=document.embargoed if delivery.embargoed else None,
        )


class RecordFailed(Exception):
    """Outcomes could not be written (the database is away); their rows stay leased."""


@dataclass(slots=True)
class Stats:
    delivered: int = 0
    failed: int = 0
    claimed: int = 0


@dataclass(slots=True)
class DeliveryWorker:
    database: Database
    settings: Settings
    name: str = field(default_factory=worker_name)
    formats: FormatRegistry = field(default_factory=default_formats)
    transports: dict[str, Transport] = field(default_factory=dict)
    # Database calls on this loop rather than in threads: for `worker --once`, where nothing
    # else runs meanwhile.
    inline: bool = False
    stats: Stats = field(default_factory=Stats)
    _renderer: Renderer | None = None
    _outcomes: list[Outcome] = field(default_factory=list)
    _released: list[int] = field(default_factory=list)
    _written: asyncio.Future[None] | None = None  # resolves when the noted outcomes are
    _recording: asyncio.Event = field(default_factory=asyncio.Event)
    _write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _runs_ended: int = 0
    _running: dict[int, asyncio.Task[None]] = field(default_factory=dict)
    _due: datetime | None = None  # the last answer of queue.next_due
    _due_read: float = -DUE_TTL  # when it was read (monotonic)
    _due_stale: bool = False  # a failure or a release was written since

    def __post_init__(self) -> None:
        if not self.transports:
            self.transports = default_transports(self.settings)
        self._renderer = Renderer(self.formats)

    @property
    def waker(self) -> Waker:
        return self.database.delivery_waker

    @property
    def policy(self) -> RetryPolicy:
        s = self.settings
        return RetryPolicy(
            base=timedelta(seconds=s.delivery_retry_base),
            cap=timedelta(seconds=s.delivery_retry_max),
            window=timedelta(seconds=s.delivery_retry_window),
        )

    async def _db(self, function: Callable[..., T], *args: Any) -> T:
        if self.inline:
            return function(*args)
        return await run_in_thread(function, *args)

    # --- one pass ---------------------------------------------------------------------------

    async def _claim(self) -> list[Run]:
        room = self.settings.delivery_channels - len(self._running)
        if room <= 0:
            return []  # busy enough: a run that ends wakes the loop
        runs = await self._db(
            lambda: queue.claim(
                self.database,
                self.name,
                lease=timedelta(seconds=self.settings.delivery_lease),
                channels=room,
                per_channel=self.settings.delivery_run,
            )
        )
        if not runs:
            return []
        renderer = self._renderer
        assert renderer is not None
        missing = renderer.missing({d.version_id for run in runs for d in run.deliveries})
        if missing:

            def load() -> dict[int, dict[str, Any]]:
                with self.database.read() as session:
                    return queue.versions(session, missing)

            renderer.add(await self._db(load))
        self.stats.claimed += sum(len(run.deliveries) for run in runs)
        return runs

    async def _send_run(self, run: Run) -> None:
        """Send a channel's run in order; stop at the first failure and give the rest back.

        Successes are written in group commits (with whatever else finished meanwhile), and
        no more than `delivery_window` of a channel's successes are ever unwritten: a worker
        killed at any moment leaves at most that many deliveries per channel to be sent
        again (with the same webhook-id, by which receivers drop repeats).
        """
        renderer = self._renderer
        assert renderer is not None
        transport = self.transports.get(run.kind)
        deliveries = run.deliveries
        sent = 0
        started = time.monotonic()
        budget = self.settings.delivery_lease / 2  # leave the lease before it runs out
        try:
            if transport is None:
                raise DeliveryFailed(f"no transport for {run.kind!r} channels")
            target = Target(run.channel_id, run.target, run.secrets, run.host_key)
            unwritten: deque[asyncio.Future[None]] = deque()
            window = self.settings.delivery_window
            delivered = metrics.DELIVERY_ATTEMPTS.labels(run.kind, "delivered")
            async with transport.session(target) as send:
                for delivery in deliveries:
                    if time.monotonic() - started > budget:
                        break
                    while len(unwritten) >= window:
                        await unwritten.popleft()
                    try:
                        await send(renderer.payload(delivery, run.format))
                    except DeliveryFailed as error:
                        self._fail(run, delivery, error)
                        sent += 1
                        break
                    sent += 1
                    self.stats.delivered += 1
                    now = utcnow()
                    delivered.inc()
                    metrics.DELIVERY_LATENCY.observe((now - delivery.created_at).total_seconds())
                    unwritten.append(self._note(Outcome(delivery, run.channel_id, now)))
                while unwritten:
                    await unwritten.popleft()
        except DeliveryFailed as error:  # the session itself failed: the head's attempt fails
            if sent == 0 and deliveries:
                self._fail(run, deliveries[0], error)
                sent = 1
        except RecordFailed:
            pass  # what was not written stays leased, and is sent again when the lease ends
        except Exception as error:
            log.exception("delivery.run_failed", channel=run.channel_id)
            if sent == 0 and deliveries:
                self._fail(run, deliveries[0], DeliveryFailed(f"internal error: {error!r}"))
                sent = 1
        finally:
            self._released.extend(d.id for d in deliveries[sent:])
            self._runs_ended += 1
            self._recording.set()

    def _fail(self, run: Run, delivery: Claimed, error: DeliveryFailed) -> None:
        self._note(Outcome(delivery, run.channel_id, utcnow(), error=str(error), gone=error.gone))
        self.stats.failed += 1
        metrics.DELIVERY_ATTEMPTS.labels(run.kind, "gone" if error.gone else "failed").inc()
        log.info(
            "delivery.failed",
            channel=run.channel_id,
            delivery=delivery.id,
            attempt=delivery.attempts + 1,
            error=str(error),
        )

    def _note(self, outcome: Outcome) -> asyncio.Future[None]:
        """Queue an outcome for writing; the future resolves once it is committed."""
        self._outcomes.append(outcome)
        if self._written is None:
            self._written = asyncio.get_running_loop().create_future()
        self._recording.set()
        return self._written

    async def _write_batch(self) -> None:
        """Write every outcome and release noted so far, in one transaction."""
        async with self._write_lock:
            outcomes, self._outcomes = self._outcomes, []
            released, self._released = self._released, []
            written, self._written = self._written, None
            if released or any(outcome.error is not None for outcome in outcomes):
                self._due_stale = True  # a retry time was set, or a row handed back
            try:
                if outcomes or released:
                    await self._db(
                        queue.record, self.database, self.name, outcomes, released, self.policy
                    )
            except asyncio.CancelledError:
                if written is not None and not written.done():
                    written.cancel()
                raise
            except Exception:  # the rows stay leased, and are sent again when the lease ends
                log.exception("delivery.record_failed")
                if written is not None and not written.done():
                    written.set_exception(RecordFailed())
                    written.exception()  # retrieved: a run may have stopped waiting
            else:
                if written is not None and not written.done():
                    written.set_result(None)

    async def _recorder(self) -> None:
        while True:
            await self._recording.wait()
            self._recording.clear()
            ended, self._runs_ended = self._runs_ended, 0
            await self._write_batch()
            if ended:
                self.waker.event.set()  # channels whose runs were written may be claimed again

    # --- loops --------------------------------------------------------------------------------

    async def drain(self, *, seconds: float = 60.0) -> Stats:
        """Send whatever is due now, channel by channel, until nothing is (`worker --once`)."""
        deadline = time.monotonic() + seconds
        recorder = asyncio.create_task(self._recorder())
        try:
            while time.monotonic() < deadline:
                runs = await self._claim()
                if not runs:
                    break
                await asyncio.gather(*(self._send_run(run) for run in runs))
                await self._write_batch()
        finally:
            recorder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recorder
            await self.close()
        return self.stats

    async def run_forever(self) -> None:
        """Deliver as publications come, until cancelled."""
        waker = self.waker
        waker.loop = asyncio.get_running_loop()
        recorder = asyncio.create_task(self._recorder())

        async def wake() -> None:
            waker.event.set()

        # publications and replays made by other processes
        watcher = asyncio.create_task(watch_commits(self.database, queue.NOTIFY_CHANNEL, wake))
        try:
            while True:
                waker.event.clear()
                try:
                    runs = await self._claim()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("delivery.claim_failed")
                    runs = []
                for run in runs:
                    task = asyncio.create_task(self._send_run(run))
                    self._running[run.channel_id] = task
                    task.add_done_callback(functools.partial(self._finished, run.channel_id))
                if runs:
                    continue  # more channels may be due
                if len(self._running) >= self.settings.delivery_channels:
                    delay = IDLE_SECONDS  # a run that ends wakes the loop
                else:
                    delay = await self._idle_delay()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await waker.event.wait()
        finally:
            for task in (recorder, watcher, *self._running.values()):
                task.cancel()
            for task in (recorder, watcher, *list(self._running.values())):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            with contextlib.suppress(Exception):
                await self._write_batch()
            await self.close()

    def _finished(self, channel_id: int, _task: asyncio.Task[None]) -> None:
        self._running.pop(channel_id, None)

    async def _idle_delay(self) -> float:
        """How long to sleep when nothing could be claimed: until the soonest retry or lease
        end. While runs are going (each wakes the loop as it ends) the last answer is used
        for up to `DUE_TTL` s, unless this worker has since failed or given back a delivery."""
        now = time.monotonic()
        due = self._due
        fresh = now - self._due_read < DUE_TTL and (due is None or due > utcnow())
        if not (self._running and fresh and not self._due_stale):
            self._due_stale = False
            try:
                due = await self._db(queue.next_due, self.database)
            except Exception:
                log.exception("delivery.next_due_failed")
                return IDLE_SECONDS
            self._due, self._due_read = due, now
        if due is None:
            return IDLE_SECONDS
        return max(0.01, min(IDLE_SECONDS, (due - utcnow()) / timedelta(seconds=1)))

    async def close(self) -> None:
        for transport in self.transports.values():
            with contextlib.suppress(Exception):
                await transport.close()


class DeliveryThread:
    """A `DeliveryWorker` on an event loop of its own, in a thread of its own: how `newswire
    serve` and `newswire worker` run it, so that a web server's loop never waits on
    deliveries, nor deliveries on a busy web server's loop (see `start` for the GIL).

    Its database calls still go to threads: measured, running them inline on its loop sent
    more while nothing else happened, but under a stream of publications each claim or record
    then waited for the publications' write transactions with the whole loop stopped.
    """

    def __init__(
        self, database: Database, settings: Settings, formats: FormatRegistry | None = None
    ) -> None:
        self.worker = DeliveryWorker(database, settings, formats=formats or default_formats())
        self._thread = threading.Thread(target=self._main, name="newswire-delivery", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._started = threading.Event()

    def start(self) -> None:
        # The worker's loop waits on sockets, often: each time, another thread may take the
        # GIL, and with the default 5 ms before it must hand it back, sending waited on the
        # web server's loop (and its housekeeping) more than on its own work. With 1 ms the
        # benchmark sent more a second and, under a stream of publications, with less delay.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        self._thread.start()
        self._started.wait()

    def _main(self) -> None:
        try:
            with asyncio.Runner(loop_factory=loop_factory()) as runner:
                runner.run(self._run())
        except Exception:
            log.exception("delivery.thread_failed")
        finally:
            self._started.set()

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._started.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self.worker.run_forever()

    def _cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def stop(self) -> None:
        """Stop the worker (what it sent is recorded first) and wait for the thread to end."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._cancel)
        await asyncio.to_thread(self._thread.join)


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """uvloop's event loops where uvloop is built, asyncio's elsewhere."""
    try:
        import uvloop
    except ImportError:  # not built for Windows
        return asyncio.new_event_loop
    return uvloop.new_event_loop
