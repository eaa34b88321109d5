"""Database engine, sessions and the few places where SQLite and PostgreSQL differ.

SQLite runs in WAL mode with foreign keys on. Python's sqlite3 module is put in autocommit mode
and we issue BEGIN ourselves, so that write transactions can take the write lock up front
(BEGIN IMMEDIATE) instead of failing later when a read transaction tries to upgrade.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import anyio
import structlog
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back time-zone aware, on both databases."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Database:
    """An engine and its session factories. One per process and database URL."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
            kwargs["pool_size"] = 10
            kwargs["max_overflow"] = 20
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        # Sessions know their database, so that code deep in a transaction can reach the
        # process's wakers (a publication wakes the delivery loop).
        info = {"database": self}
        self._read = sessionmaker(self.engine, expire_on_commit=False, info=info)
        self._write = sessionmaker(
            self.engine.execution_options(newswire_write=True), expire_on_commit=False, info=info
        )
        self.delivery_waker = Waker()
        # On SQLite one process writes through one lock: writers queue here rather than
        # spinning on SQLITE_BUSY. PostgreSQL needs no such lock.
        self._write_lock = threading.Lock() if self.is_sqlite else None

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error."""
        if self._write_lock is not None:
            self._write_lock.acquire()
        try:
            with self._write() as session, session.begin():
                yield session
        finally:
            if self._write_lock is not None:
                self._write_lock.release()

    def dispose(self) -> None:
        self.engine.dispose()


@dataclass(slots=True)
class Waker:
    """Wakes a background loop from any thread (typically once the transaction that queued its
    work commits)."""

    loop: asyncio.AbstractEventLoop | None = None
    event: asyncio.Event = field(default_factory=asyncio.Event)

    def poke(self) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.event.set)


def poke_after_commit(session: Session, waker: Waker) -> None:
    """Poke `waker` once this session's transaction commits (once, however often asked)."""
    hooked = session.info.setdefault("wakers", set())
    if id(waker) in hooked:
        return
    hooked.add(id(waker))
    event.listen(session, "after_commit", lambda _session: waker.poke(), once=True)


T = TypeVar("T")

log = structlog.get_logger(__name__)


async def run_in_thread(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a worker thread, for background tasks that a shutdown cancels.

    Cancelling a task does not stop its thread, so the cancellation here waits for the thread
    to finish: otherwise the shutdown would go on to dispose the engine while the thread still
    holds a connection, which it then hands back to the disposed pool, where it leaks.
    """
    call = asyncio.ensure_future(anyio.to_thread.run_sync(function, *args))
    try:
        return await asyncio.shield(call)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await call
        raise


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("newswire_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def serialise_publications(session: Session) -> None:
    """Make feed sequence numbers commit in the order they are handed out.

    On PostgreSQL two transactions can take sequence values 5 and 6 and commit 6 first; a
    client reading in between would store cursor 6 and never see 5. A transaction-scoped
    advisory lock makes publications commit one at a time. SQLite has one writer anyway.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7110001)"))


FEED_CHANNEL = "newswire_feed"


def notify_publication(session: Session) -> None:
    """Tell other processes (on PostgreSQL) that the feed grew; delivered at commit."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {FEED_CHANNEL}"))


async def watch_commits(
    database: Database,
    channel: str,
    changed: Callable[[], Awaitable[None]],
    *,
    interval: float = 0.05,
) -> None:
    """Call `changed` whenever another process may have committed something of interest.

    On PostgreSQL, committers `NOTIFY channel` and this LISTENs (and calls `changed` once on
    each (re)connection, for whatever was committed meanwhile). SQLite has no notifications:
    `PRAGMA data_version` moves whenever another connection commits, and is read every
    `interval` seconds. Runs until cancelled.
    """
    if database.is_sqlite:
        raw = database.engine.raw_connection()
        try:
            cursor = raw.cursor()
            seen = _data_version(cursor)
            while True:
                await asyncio.sleep(interval)
                now = _data_version(cursor)
                if now != seen:
                    seen = now
                    await changed()
        finally:
            raw.close()
    import psycopg

    dsn = database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                await conn.execute(f"LISTEN {channel}")
                await changed()
                async for _ in conn.notifies():
                    await changed()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the database restarted: listen again shortly
            log.warning("db.listen_failed", channel=channel, error=str(error))
            await asyncio.sleep(1.0)


def _data_version(cursor: Any) -> int:
    cursor.execute("PRAGMA data_version")
    row = cursor.fetchone()
    return int(row[0]) if row else 0
