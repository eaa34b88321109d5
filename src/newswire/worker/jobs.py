"""Scheduled work: today, releasing embargoed versions at their time.

The same function runs inside `newswire serve` (the embedded worker) and in any number of
`newswire worker` processes: releasing is one transaction, so two workers cannot both
release a version (the second finds nothing due).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog

from newswire.db import Database, run_in_thread, utcnow
from newswire.stories.services import next_embargo, release_due_embargoes

log = structlog.get_logger(__name__)

IDLE_SECONDS = 5.0  # how long a worker sleeps when it knows of nothing due


def run_due(database: Database) -> int:
    """Do what is due now; returns how many versions were released."""
    with database.write() as session:
        released = release_due_embargoes(session)
    if released:
        log.info("embargo.released", count=released)
    return released


def seconds_until_next(database: Database) -> float:
    with database.read() as session:
        due = next_embargo(session)
    if due is None:
        return IDLE_SECONDS
    return max(0.0, min(IDLE_SECONDS, (due - utcnow()) / timedelta(seconds=1)))


async def run_forever(database: Database, wake: asyncio.Event, on_release: object = None) -> None:
    """Release embargoes as they fall due; `wake` is set when a new embargo may be sooner."""
    while True:
        released = await run_in_thread(run_due, database)
        if released and callable(on_release):
            on_release()
        delay = await run_in_thread(seconds_until_next, database)
        wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await wake.wait()
