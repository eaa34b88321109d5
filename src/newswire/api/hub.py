"""The feed hub: what wakes long-polling feed clients, in this process and across processes.

Every publication commits a `feed_events` row. The hub keeps the newest events in memory and a
future that resolves when more arrive. It learns of new rows three ways:
- in this process, the code that committed calls `poke()`: waiters wake at once;
- on PostgreSQL, publications `NOTIFY newswire_feed` and the hub LISTENs, so a publication
  made by another `serve` or `worker` process wakes waiters here at once as well;
- on SQLite, which has no notifications, the hub watches `PRAGMA data_version` (which moves
  when another connection commits) on a short interval.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import anyio
from sqlalchemy import select

from newswire.db import FEED_CHANNEL, Database, run_in_thread, watch_commits
from newswire.delivery.products import Facts
from newswire.stories.models import FeedEvent

SQLITE_WATCH_INTERVAL = 0.05  # seconds between data_version checks (other processes only)


@dataclass(frozen=True, slots=True)
class FeedRecord:
    seq: int
    kind: str
    uri: str
    version: int
    language: str
    story_id: int
    subjects: tuple[str, ...]
    urgency: int
    at: datetime
    facts: Facts

    @classmethod
    def from_row(cls, row: FeedEvent) -> FeedRecord:
        return cls(
            seq=row.seq,
            kind=row.kind,
            uri=row.uri,
            version=row.version,
            language=row.language,
            story_id=row.story_id,
            subjects=tuple(row.subjects or ()),
            urgency=row.urgency,
            at=row.created_at,
            facts=Facts(
                language=row.language,
                subjects=tuple(row.subjects or ()),
                desk_id=row.desk_id,
                bureau_id=row.bureau_id,
                urgency=row.urgency,
                origin=row.origin,
            ),
        )


class FeedHub:
    def __init__(self, database: Database, *, keep: int = 20_000) -> None:
        self._database = database
        self._recent: deque[FeedRecord] = deque(maxlen=keep)
        self.latest_seq = 0
        self._changed: asyncio.Future[None] | None = None
        self._refresh_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self.listeners: list[Callable[[list[FeedRecord]], None]] = []

    # --- life cycle ---------------------------------------------------------------------

    async def start(self) -> None:
        self.latest_seq = await anyio.to_thread.run_sync(self._max_seq)
        watcher = watch_commits(
            self._database, FEED_CHANNEL, self.refresh, interval=SQLITE_WATCH_INTERVAL
        )
        self._tasks.append(asyncio.create_task(watcher))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()

    # --- waking ---------------------------------------------------------------------------

    def poke(self) -> None:
        """Something was committed in this process: look for new events now."""
        asyncio.get_running_loop().create_task(self.refresh())

    async def refresh(self) -> None:
        async with self._refresh_lock:
            rows = await run_in_thread(self._load_after, self.latest_seq)
            if not rows:
                return
            self._recent.extend(rows)
            self.latest_seq = rows[-1].seq
            for listener in self.listeners:
                listener(rows)
            if self._changed is not None and not self._changed.done():
                self._changed.set_result(None)
            self._changed = None

    async def wait(self, after: int, *, seconds: float) -> bool:
        """Wait until an event newer than `after` exists; False when the time ran out."""
        if self.latest_seq > after:
            return True
        if self._changed is None:
            self._changed = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(asyncio.shield(self._changed), seconds)
        except TimeoutError:
            return self.latest_seq > after
        return True

    # --- reading ----------------------------------------------------------------------------

    def events_after(self, after: int) -> Iterator[FeedRecord] | None:
        """Events newer than `after` from memory; None when memory no longer reaches back."""
        if self.latest_seq <= after:
            return iter(())
        if not self._recent or self._recent[0].seq > after + 1:
            return None
        return (record for record in self._recent if record.seq > after)

    def load_after(self, after: int, limit: int) -> list[FeedRecord]:
        return self._load_after(after, limit)

    def _max_seq(self) -> int:
        with self._database.read() as session:
            seq = session.scalar(select(FeedEvent.seq).order_by(FeedEvent.seq.desc()).limit(1))
        return seq or 0

    def _load_after(self, after: int, limit: int = 10_000) -> list[FeedRecord]:
        with self._database.read() as session:
            rows = session.scalars(
                select(FeedEvent).where(FeedEvent.seq > after).order_by(FeedEvent.seq).limit(limit)
            ).all()
            return [FeedRecord.from_row(row) for row in rows]
