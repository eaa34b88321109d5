"""The publish queue: delivery rows written with each publication, claimed by workers in order.

Guarantees, and how they are kept:
- *Nothing lost.* `enqueue` runs inside the publication's transaction, so a version and its
  deliveries commit together or not at all.
- *Publication order per channel.* A channel's open rows go out in `id` order, and only the
  oldest open row (the head) decides whether a channel may be claimed: while it waits for a
  retry or is in flight, nothing behind it moves. A claim takes a run of rows from the head.
- *One worker per channel at a time.* On PostgreSQL the claim locks the channel rows with
  `FOR UPDATE SKIP LOCKED`, so two workers never take runs of the same channel; on SQLite the
  claim is a write transaction, and SQLite has one writer.
- *Dead workers.* A claim is a lease: rows whose lease ran out are open again, in order.
- *A failing channel never holds up another:* each channel has its own head.
"""

from __future__ import annotations

import functools
import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import orjson
from sqlalchemy import (
    ARRAY,
    Integer,
    and_,
    any_,
    bindparam,
    case,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select, Update
from sqlalchemy.sql.elements import BindParameter, TextClause
from sqlalchemy.sql.schema import Table

from newswire.db import Database, poke_after_commit, utcnow
from newswire.delivery.models import (
    OPEN_STATES,
    Channel,
    Delivery,
    Product,
    Subscriber,
    subscriber_products,
)
from newswire.delivery.products import Facts, ProductFilter, any_matches
from newswire.stories.models import FeedEvent, Item, Story, Version

NOTIFY_CHANNEL = "newswire_delivery"


DELIVERIES = cast(Table, Delivery.__table__)
CHANNELS = cast(Table, Channel.__table__)


def _is_open(table: Any = DELIVERIES) -> ColumnElement[bool]:
    """`state IN ('pending', 'in_flight', 'retrying')` written out, not bound: only then does
    SQLite see that the partial index `ix_deliveries_open` applies (its planner matches the
    index's WHERE clause textually), and the queue stays fast however long the ledger grows."""
    return cast(
        ColumnElement[bool],
        table.c.state.in_([literal_column(f"'{state}'") for state in OPEN_STATES]),
    )


def _deliverable_channels() -> ColumnElement[bool]:
    """Channels a worker may send to now: not paused, of an active subscriber."""
    return and_(
        CHANNELS.c.paused.is_(False),
        CHANNELS.c.subscriber_id.in_(select(Subscriber.id).where(Subscriber.active)),
    )


def _fronts(
    dialect: str, columns: Sequence[str], limit: int | BindParameter[int]
) -> tuple[Select[Any], Any]:
    """The first `limit` open deliveries of each channel (in order), with the channel's id as
    `channel_id`; and what holds their columns, for conditions on them (which apply after the
    limit: a channel's front is found first, then judged). Filter `CHANNELS` for channels.

    The work is proportional to the rows returned, not to the queue: each channel's front is
    one walk of `ix_deliveries_open` from its start. PostgreSQL does that with a LATERAL join;
    SQLite (which has none) with a correlated `IN (… LIMIT n)` that it evaluates per channel
    (claims filter channels by id, which keeps SQLite's loop on the channels).
    """
    if dialect == "postgresql":
        front = (
            select(*(DELIVERIES.c[name] for name in columns))
            .where(DELIVERIES.c.channel_id == CHANNELS.c.id, _is_open())
            .order_by(DELIVERIES.c.id)
            .limit(limit)
            .lateral("front")
        )
        statement = select(
            CHANNELS.c.id.label("channel_id"), *(front.c[name] for name in columns)
        ).select_from(CHANNELS.join(front, literal_column("true")))
        return statement, front
    inner = DELIVERIES.alias("inner")
    first = (
        select(inner.c.id)
        .where(inner.c.channel_id == CHANNELS.c.id, _is_open(inner))
        .order_by(inner.c.id)
        .limit(limit)
        .correlate(CHANNELS)
    )
    # A head as `= (… LIMIT 1)`: with `IN`, SQLite would rather scan the whole queue.
    head = isinstance(limit, int) and limit == 1
    joined = DELIVERIES.c.id == first.scalar_subquery() if head else DELIVERIES.c.id.in_(first)
    statement = select(
        CHANNELS.c.id.label("channel_id"), *(DELIVERIES.c[name] for name in columns)
    ).select_from(CHANNELS.join(DELIVERIES, joined))
    return statement, DELIVERIES


def _due(head: Any) -> ColumnElement[bool]:
    """Whether a channel's head may be sent at `:now`: due for its (first or next) attempt, or
    in flight under a lease that ran out."""
    now: BindParameter[datetime] = bindparam("now")
    return or_(
        and_(head.c.state != "in_flight", head.c.next_attempt_at <= now),
        and_(head.c.state == "in_flight", head.c.lease_until <= now),
    )


# --- writing: with each publication ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Route:
    """A channel that may receive versions, with its subscriber's products."""

    channel_id: int
    products: tuple[ProductFilter, ...]
    embargoed_copy: bool

    def wants(self, facts: Facts) -> bool:
        return any_matches(self.products, facts)


def routes(session: Session) -> list[Route]:
    """Every channel of an active subscriber (paused ones too: their deliveries wait).

    Plain rows, three small queries: this runs in every publication's transaction.
    """
    products = {
        row.id: ProductFilter.of(row)
        for row in session.execute(select(cast(Table, Product.__table__)))
    }
    bought: dict[int, list[ProductFilter]] = {}
    for subscriber_id, product_id in session.execute(
        select(subscriber_products.c.subscriber_id, subscriber_products.c.product_id)
    ):
        bought.setdefault(subscriber_id, []).append(products[product_id])
    rows = session.execute(
        select(CHANNELS.c.id, CHANNELS.c.embargoed_copy, CHANNELS.c.subscriber_id)
        .join(Subscriber, CHANNELS.c.subscriber_id == Subscriber.id)
        .where(Subscriber.active.is_(True))
        .order_by(CHANNELS.c.id)
    )
    return [
        Route(channel_id, tuple(bought.get(subscriber_id, ())), embargoed)
        for channel_id, embargoed, subscriber_id in rows
    ]


def _facts(story: Story, item: Item) -> Facts:
    return Facts(
        language=item.language,
        subjects=tuple(item.subjects or ()),
        desk_id=story.desk_id,
        bureau_id=story.bureau_id,
        urgency=item.urgency,
        origin=story.origin,
    )


def _earlier_channels(session: Session, item_id: int) -> set[int]:
    """Channels that were sent (or are to be sent) an earlier version of an item."""
    return set(
        session.scalars(select(Delivery.channel_id).where(Delivery.item_id == item_id).distinct())
    )


def wake_workers(session: Session) -> None:
    """Once this transaction commits, wake the workers: this process's at once, and on
    PostgreSQL every other through NOTIFY (SQLite workers watch the data version)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
    database = session.info.get("database")
    if isinstance(database, Database):
        poke_after_commit(session, database.delivery_waker)


def insert_rows(session: Session, rows: list[dict[str, object]]) -> None:
    if rows:
        session.execute(insert(DELIVERIES), rows)  # Core: no ORM bookkeeping per row
        wake_workers(session)


def new_row(
    channel_id: int, version_id: int, item_id: int, kind: str, now: datetime, **extra: object
) -> dict[str, object]:
    return {
        "message_id": "msg_" + uuid.uuid4().hex,
        "channel_id": channel_id,
        "version_id": version_id,
        "item_id": item_id,
        "kind": kind,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "embargoed": False,
        **extra,
    }


def enqueue(session: Session, event: FeedEvent, *, embargoed: bool = False) -> int:
    """The deliveries of a feed event: to every channel whose products match the version, and
    for a correction or kill also to every channel that had an earlier version. Channels that
    already hold an early embargoed copy of this very version get nothing more."""
    item = session.get_one(Item, event.item_id)
    story = session.get_one(Story, event.story_id)
    facts = _facts(story, item)
    wanted = {route.channel_id for route in routes(session) if route.wants(facts)}
    if event.kind != "published" or event.version > 1:
        wanted |= _earlier_channels(session, item.id)
    if event.kind == "published":
        wanted -= set(
            session.scalars(
                select(Delivery.channel_id).where(
                    Delivery.item_id == item.id, Delivery.version_id == event.version_id
                )
            )
        )
    now = utcnow()
    rows = [
        new_row(channel_id, event.version_id, item.id, event.kind, now, feed_seq=event.seq)
        for channel_id in sorted(wanted)
    ]
    insert_rows(session, rows)
    return len(rows)


def enqueue_embargoed(session: Session, story: Story, item: Item, version: Version) -> int:
    """Early copies of an embargoed version, to channels allowed to receive them, flagged."""
    facts = _facts(story, item)
    now = utcnow()
    rows = [
        new_row(route.channel_id, version.id, item.id, "published", now, embargoed=True)
        for route in routes(session)
        if route.embargoed_copy and route.wants(facts)
    ]
    insert_rows(session, rows)
    return len(rows)


# --- claiming and recording: the workers ------------------------------------------------------


@dataclass(slots=True)
class Claimed:
    """One delivery a worker holds, with what it needs to send it."""

    id: int
    message_id: str
    version_id: int
    kind: str
    embargoed: bool
    attempts: int
    first_attempt_at: datetime | None
    created_at: datetime


@dataclass(slots=True)
class Run:
    """A channel's next deliveries, in order, leased to one worker."""

    channel_id: int
    kind: str
    target: str
    format: str
    secrets: tuple[str, ...]  # the current secret first; during a rotation the previous too
    host_key: str | None
    deliveries: list[Claimed] = field(default_factory=list)


CLAIMED = (
    "id",
    "message_id",
    "version_id",
    "kind",
    "embargoed",
    "attempts",
    "first_attempt_at",
    "created_at",
    "state",
    "lease_until",
    "next_attempt_at",
)
HEAD = ("state", "next_attempt_at", "lease_until")


def _eligible(row: Any, now: datetime) -> bool:
    if row.state == "in_flight":
        return row.lease_until is None or bool(row.lease_until <= now)
    return bool(row.next_attempt_at <= now)


def claim(
    database: Database,
    worker: str,
    *,
    lease: timedelta,
    channels: int = 200,
    per_channel: int = 100,
    most: int = 5000,
) -> list[Run]:
    """Lease runs of due deliveries, for about half the channels whose head is due (at most
    `channels`): up to `per_channel` rows each from the head on, in order, `most` in all.

    Half, so that another worker woken by the same publication finds the other half; a lone
    worker comes straight back for it. The cost is one look at each channel's head and one
    at the runs taken, however long the queue.
    """
    with database.write() as session:
        now = utcnow()
        statements = _claiming(session.get_bind().dialect.name)
        due = session.scalars(statements.due, {"now": now}).all()
        if not due:
            return []
        take = min(channels, (len(due) + 1) // 2)
        locked = session.execute(statements.lock, {"due": due, "take": take}).all()
        if not locked:
            return []
        by_id = {channel.id: channel for channel in locked}
        per_run = max(1, min(per_channel, most // len(locked)))
        found = session.execute(statements.fronts, {"channels": list(by_id), "n": per_run})
        rows = sorted(found, key=lambda row: (row.channel_id, row.id))
        runs: dict[int, Run] = {}
        blocked: set[int] = set()
        taken: list[int] = []
        for row in rows:
            if row.channel_id in blocked:
                continue
            if not _eligible(row, now):
                # the head was taken meanwhile, or a row behind it is not due: stop there
                blocked.add(row.channel_id)
                continue
            run = runs.get(row.channel_id)
            if run is None:
                channel = by_id[row.channel_id]
                run = runs[row.channel_id] = Run(
                    channel_id=channel.id,
                    kind=channel.kind,
                    target=channel.target,
                    format=channel.format,
                    secrets=_secrets(channel, now),
                    host_key=channel.host_key,
                )
            run.deliveries.append(
                Claimed(
                    id=row.id,
                    message_id=row.message_id,
                    version_id=row.version_id,
                    kind=row.kind,
                    embargoed=row.embargoed,
                    attempts=row.attempts,
                    first_attempt_at=row.first_attempt_at,
                    created_at=row.created_at,
                )
            )
            taken.append(row.id)
        if taken:
            _by_key(session)
            session.execute(statements.take, {"ids": taken, "until": now + lease, "worker": worker})
        return list(runs.values())


@dataclass(frozen=True, slots=True)
class _Claiming:
    """The statements of claims and of `next_due`, built once per dialect (building them
    costs more than running them)."""

    due: Select[Any]  # :now -> ids of channels whose head is due
    lock: Select[Any]  # :due, :take -> up to :take of those channels, locked
    fronts: Select[Any]  # :channels, :n -> their first :n open deliveries
    take: Update  # :ids, :until, :worker -> the rows leased
    soonest: Select[Any]  # when the soonest head falls due


@functools.cache
def _claiming(dialect: str) -> _Claiming:
    heads, head = _fronts(dialect, HEAD, 1)
    fronts, _ = _fronts(dialect, CLAIMED, bindparam("n", type_=Integer))
    if dialect == "postgresql":  # one array parameter however many rows
        leased = DELIVERIES.c.id == any_(bindparam("ids", type_=ARRAY(Integer)))
    else:
        leased = DELIVERIES.c.id.in_(bindparam("ids", expanding=True))
    soonest = func.min(
        case((head.c.state == "in_flight", head.c.lease_until), else_=head.c.next_attempt_at)
    )
    return _Claiming(
        due=heads.with_only_columns(CHANNELS.c.id).where(_deliverable_channels(), _due(head)),
        lock=select(
            CHANNELS.c.id,
            CHANNELS.c.kind,
            CHANNELS.c.target,
            CHANNELS.c.format,
            CHANNELS.c.secret,
            CHANNELS.c.previous_secret,
            CHANNELS.c.previous_secret_until,
            CHANNELS.c.host_key,
        )
        .where(CHANNELS.c.id.in_(bindparam("due", expanding=True)), _deliverable_channels())
        .order_by(CHANNELS.c.last_delivered_at.asc().nulls_first(), CHANNELS.c.id)
        .limit(bindparam("take", type_=Integer))
        # FOR NO KEY UPDATE on PostgreSQL: a publication inserting deliveries takes
        # FOR KEY SHARE on the channel (the foreign key), which FOR UPDATE would block.
        .with_for_update(skip_locked=True, key_share=True),
        fronts=fronts.where(CHANNELS.c.id.in_(bindparam("channels", expanding=True))),
        take=update(DELIVERIES)
        .where(leased)
        .values(state="in_flight", lease_until=bindparam("until"), worker=bindparam("worker")),
        soonest=heads.with_only_columns(soonest).where(_deliverable_channels()),
    )


def _by_key(session: Session) -> None:
    """On PostgreSQL, have the rest of this transaction find rows by key, never by a full scan.

    Claims and records touch a batch of rows named by id. While the table is young (a fresh
    installation's first backlog) its statistics are missing or small, and the planner then
    prefers scanning the whole table, dead row versions and all, for every batch: tens of
    milliseconds each under a backlog, where the primary key takes one or two.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL enable_seqscan = off"))


def _secrets(channel: Any, now: datetime) -> tuple[str, ...]:
    found = [channel.secret] if channel.secret else []
    if channel.previous_secret and (
        channel.previous_secret_until is None or channel.previous_secret_until > now
    ):
        found.append(channel.previous_secret)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter, for at least `window` after the first attempt."""

    base: timedelta = timedelta(seconds=5)
    cap: timedelta = timedelta(hours=1)
    window: timedelta = timedelta(hours=24)

    def delay(self, attempts: int) -> timedelta:
        """Before attempt `attempts + 1`: up to base · 2^(attempts − 1), capped; at least half."""
        ceiling: timedelta = min(self.cap, self.base * (2 ** min(attempts - 1, 30)))
        jitter: float = random.uniform(0.5, 1.0)  # noqa: S311 (jitter, not a secret)
        return ceiling * jitter


@dataclass(slots=True)
class Outcome:
    """What became of one attempt."""

    delivery: Claimed
    channel_id: int
    at: datetime
    error: str | None = None  # none: delivered
    gone: bool = False  # the receiver answered 410: pause the channel


def record(
    database: Database,
    worker: str,
    outcomes: Sequence[Outcome],
    released: Iterable[int],
    policy: RetryPolicy,
) -> None:
    """Write attempts' outcomes, and give back claimed rows that were not attempted.

    Only rows this worker still holds are touched: if a lease ran out and another worker took
    a row over, the other worker's record stands.
    """
    released = list(released)
    if not outcomes and not released:
        return
    with database.write() as session:
        _by_key(session)
        mine = and_(Delivery.state == "in_flight", Delivery.worker == worker)
        delivered = [o for o in outcomes if o.error is None]
        if delivered:
            dialect = session.get_bind().dialect.name
            _stamp(
                session,
                dialect,
                _DELIVERED,
                [(o.delivery.id, o.at) for o in delivered],
                worker=worker,
            )
            last: dict[int, datetime] = {}
            for o in delivered:
                last[o.channel_id] = max(last.get(o.channel_id, o.at), o.at)
            _stamp(session, dialect, _CHANNEL_DELIVERED, sorted(last.items()))
        for o in outcomes:
            if o.error is None:
                continue
            attempts = o.delivery.attempts + (0 if o.gone else 1)
            first = o.delivery.first_attempt_at or o.at
            values: dict[str, object] = {
                "attempts": attempts,
                "first_attempt_at": first,
                "lease_until": None,
                "last_error": o.error[:2000],
            }
            if o.gone:
                values.update(state="pending", next_attempt_at=o.at)
            elif o.at - first >= policy.window:
                values.update(state="failed")
            else:
                values.update(state="retrying", next_attempt_at=o.at + policy.delay(attempts))
            session.execute(
                update(Delivery)
                .where(Delivery.id == o.delivery.id, mine)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            channel_values: dict[str, object] = {
                "last_error": o.error[:1000],
                "last_error_at": o.at,
                "failures": Channel.failures + 1,
            }
            if o.gone:
                channel_values.update(
                    paused=True,
                    paused_reason="the receiver answered 410 Gone: it asks for no more deliveries",
                    paused_at=o.at,
                )
            session.execute(
                update(Channel).where(Channel.id == o.channel_id).values(**channel_values)
            )
        if released:
            # Given back unattempted, a row is as it was: retrying if it had failed before.
            session.execute(
                update(Delivery)
                .where(Delivery.id.in_(released), mine)
                .values(
                    state=case((Delivery.attempts > 0, "retrying"), else_="pending"),
                    lease_until=None,
                )
                .execution_options(synchronize_session=False)
            )


# Successes are written a batch in one statement, each row with its own time: one statement
# is one round trip on PostgreSQL, and on SQLite one step (a row at a time, each step hands
# the GIL back and forth with the event loop, which costs more than the update itself).
_DELIVERED = """
    UPDATE deliveries SET state = 'delivered', delivered_at = {at}, attempts = attempts + 1,
        first_attempt_at = coalesce(first_attempt_at, {at}), lease_until = NULL,
        last_error = NULL
    FROM {batch}
    WHERE deliveries.id = {id} AND {in_flight} AND worker = :worker
"""
_CHANNEL_DELIVERED = """
    UPDATE channels SET last_delivered_at = {at}, failures = 0
    FROM {batch}
    WHERE channels.id = {id}
"""
_BATCH = {
    "postgresql": {
        "batch": "unnest(CAST(:ids AS INTEGER[]), CAST(:ats AS TIMESTAMPTZ[])) AS batch(id, at)",
        # `state` through coalesce (it is never null): a plain `state = 'in_flight'` lets
        # the planner prefer the partial index of open rows, which under a backlog is a scan
        # of the whole queue, to the primary key's lookup of the batch
        "in_flight": "coalesce(state, '') = 'in_flight'",
        "id": "batch.id",
        "at": "batch.at",
    },
    "sqlite": {
        "batch": "json_each(:pairs) AS batch",
        "in_flight": "state = 'in_flight'",
        "id": "json_extract(batch.value, '$[0]')",
        "at": "json_extract(batch.value, '$[1]')",
    },
}


@functools.cache
def _batched(dialect: str, statement: str) -> TextClause:
    return text(statement.format(**_BATCH[dialect]))


def _stamp(
    session: Session,
    dialect: str,
    statement: str,
    pairs: Sequence[tuple[int, datetime]],
    **params: object,
) -> None:
    """Run `statement` over (row id, time) pairs, given as arrays on PostgreSQL and as one
    JSON array on SQLite (times as SQLAlchemy stores them there: UTC, without the offset)."""
    sql = _batched(dialect, statement)
    if dialect == "postgresql":
        params |= {"ids": [id_ for id_, _ in pairs], "ats": [at for _, at in pairs]}
    else:
        stored = [(id_, _sqlite_time(at)) for id_, at in pairs]
        params["pairs"] = orjson.dumps(stored).decode()
    session.execute(sql, params)


def _sqlite_time(at: datetime) -> str:
    """`YYYY-MM-DD HH:MM:SS.ffffff` in UTC (as SQLite stores times), faster than strftime."""
    return at.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def next_due(database: Database) -> datetime | None:
    """When the soonest channel head falls due (a retry, or a lease running out), among the
    channels a worker may send to."""
    with database.read() as session:
        statement = _claiming(session.get_bind().dialect.name).soonest
        due: datetime | None = session.scalar(statement)
    return due


def versions(session: Session, version_ids: Iterable[int]) -> dict[int, dict[str, object]]:
    """The stored documents of versions, by id."""
    ids = sorted(set(version_ids))
    found: dict[int, dict[str, object]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for version_id, document in session.execute(
            select(Version.id, Version.document).where(Version.id.in_(chunk))
        ):
            found[version_id] = document
    return found
