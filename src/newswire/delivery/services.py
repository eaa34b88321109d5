"""Subscribers and their keys."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from newswire import security
from newswire.agency.admin import check_admin, check_label, check_working_languages
from newswire.agency.models import ApiKey, Bureau, Desk
from newswire.agency.services import (
    Principal,
    audit,
    check_languages,
    create_subscriber_key,
    revoke_key,
)
from newswire.db import utcnow
from newswire.delivery import outbound
from newswire.delivery.models import (
    CHANNEL_KINDS,
    CONTENT_KINDS,
    DELIVERY_STATES,
    OPEN_STATES,
    Channel,
    Delivery,
    Product,
    Subscriber,
)
from newswire.delivery.outbound import Network
from newswire.delivery.queue import insert_rows, new_row, wake_workers
from newswire.errors import Conflict, InvalidInput, NotFound
from newswire.stories.topics import Vocabulary

FORMATS = ("ninjs", "ninjs3", "newsml")
EMAIL = re.compile(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+")
FAILING_AFTER = 5  # failures in a row after which a retrying channel shows as failing


@dataclass(slots=True)
class NewSubscriber:
    subscriber: Subscriber
    api_key: str = field(repr=False)
    webhook_secret: str | None = field(default=None, repr=False)
    channel: Channel | None = None


def add_subscriber(
    session: Session,
    actor: Principal,
    vocabulary: Vocabulary,
    *,
    name: str,
    languages: Iterable[str] = (),
    topics: Iterable[str] = (),
    webhook: str | None = None,
    products: Iterable[str] = (),
    allow: Sequence[Network] = (),
    webhook_format: str = "ninjs",
) -> NewSubscriber:
    """A subscriber with its first API key (and, with a webhook, a channel and its signing
    secret), shown once. Named products are attached; languages and topics (or no product at
    all) make a product of the subscriber's own, under its name."""
    if not name or len(name) > 100:
        raise InvalidInput("a subscriber name has 1 to 100 characters", field="name")
    if session.scalars(select(Subscriber).where(Subscriber.name == name)).first():
        raise Conflict(f"a subscriber {name!r} exists already", field="name")
    attached = [product_by_name(session, product) for product in dict.fromkeys(products)]
    language_codes = check_languages(languages)
    topic_codes = check_topics(vocabulary, topics)
    subscriber = Subscriber(name=name)
    if language_codes or topic_codes or not attached:
        if session.scalars(select(Product).where(Product.name == name)).first():
            raise Conflict(f"a product {name!r} exists already", field="name")
        own = Product(name=name, languages=language_codes, topics=topic_codes)
        session.add(own)
        attached.append(own)
    subscriber.products = attached
    session.add(subscriber)
    session.flush()
    audit(session, actor, "subscriber.add", "subscriber", subscriber.id, name=name)
    key = create_subscriber_key(session, actor, subscriber)
    created = NewSubscriber(subscriber, key)
    if webhook is not None:
        channel = add_channel(
            session,
            actor,
            subscriber,
            kind="webhook",
            target=webhook,
            format=webhook_format,
            allow=allow,
        )
        created.channel = channel
        created.webhook_secret = channel.secret
    return created


def check_topics(vocabulary: Vocabulary, topics: Iterable[str]) -> list[str]:
    codes = list(dict.fromkeys(topics))
    for code in codes:
        problem = vocabulary.check(code)
        if problem:
            raise InvalidInput(problem, field="topics")
    return codes


# --- products ---------------------------------------------------------------------------------


def product_by_name(session: Session, name: str) -> Product:
    product = session.scalars(select(Product).where(Product.name == name)).first()
    if product is None:
        raise NotFound(f"no product {name!r}", field="product")
    return product


def _codes_to_ids(
    session: Session, model: type[Desk] | type[Bureau], codes: Iterable[str], field: str
) -> list[int]:
    ids = []
    for code in dict.fromkeys(codes):
        found = session.scalars(select(model.id).where(model.code == code)).first()
        if found is None:
            raise InvalidInput(f"no {field.rstrip('s')} {code!r}", field=field)
        ids.append(found)
    return ids


def add_product(
    session: Session,
    actor: Principal,
    vocabulary: Vocabulary,
    *,
    name: str,
    languages: Iterable[str] = (),
    topics: Iterable[str] = (),
    desks: Iterable[str] = (),
    bureaus: Iterable[str] = (),
    max_urgency: int = 9,
    content: str = "all",
) -> Product:
    """A product: a named filter over published versions (desks and bureaus by code)."""
    check_admin(actor)
    name = check_label(name, field="name", limit=100)
    if not name:
        raise InvalidInput("a product needs a name", field="name")
    if session.scalars(select(Product).where(Product.name == name)).first():
        raise Conflict(f"a product {name!r} exists already", field="name")
    if not 1 <= max_urgency <= 9:
        raise InvalidInput("urgency runs from 1 (flash) to 9", field="max_urgency")
    if content not in CONTENT_KINDS:
        raise InvalidInput(f"content is one of {', '.join(CONTENT_KINDS)}", field="content")
    product = Product(
        name=name,
        languages=check_working_languages(session, languages),
        topics=check_topics(vocabulary, topics),
        desk_ids=_codes_to_ids(session, Desk, desks, "desks"),
        bureau_ids=_codes_to_ids(session, Bureau, bureaus, "bureaus"),
        max_urgency=max_urgency,
        content=content,
    )
    session.add(product)
    session.flush()
    audit(session, actor, "product.add", "product", product.id, name=name)
    return product


def list_products(session: Session) -> list[Product]:
    return list(session.scalars(select(Product).order_by(Product.name)))


def set_products(
    session: Session, actor: Principal, subscriber_id: int, product_names: Iterable[str]
) -> Subscriber:
    """What a subscriber is entitled to, for pull and push alike."""
    check_admin(actor)
    subscriber = subscriber_by_id(session, subscriber_id)
    subscriber.products = [product_by_name(session, name) for name in dict.fromkeys(product_names)]
    audit(
        session,
        actor,
        "subscriber.products",
        "subscriber",
        subscriber.id,
        products=[p.name for p in subscriber.products],
    )
    return subscriber


# --- channels ---------------------------------------------------------------------------------


def check_target(kind: str, target: str, allow: Sequence[Network]) -> str:
    """A channel's target, checked: its form, and where it may lead (outbound safety)."""
    target = target.strip()
    if kind == "email":
        addresses = [a.strip() for a in target.split(",") if a.strip()]
        if not addresses or not all(EMAIL.fullmatch(a) for a in addresses):
            raise InvalidInput("e-mail channels take addresses, comma-separated", field="target")
        return ", ".join(addresses)
    parts = urlsplit(target)
    schemes, wanted = {
        "webhook": (("https", "http"), "a webhook channel needs an https:// or http:// URL"),
        "sftp": (("sftp",), "an SFTP channel needs an sftp://user@host/folder URL"),
    }[kind]
    if parts.scheme not in schemes or not parts.hostname:
        raise InvalidInput(wanted, field="target")
    if kind == "sftp" and not parts.username:
        raise InvalidInput("an SFTP URL names its user: sftp://user@host/folder", field="target")
    if len(target) > 2000:
        raise InvalidInput("at most 2,000 characters", field="target")
    try:
        port = parts.port or (22 if kind == "sftp" else 443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InvalidInput("the URL's port is not a number", field="target") from None
    try:
        outbound.check_host(parts.hostname, port, allow)
    except outbound.RefusedAddress as error:
        raise InvalidInput(str(error), field="target") from None
    return target


def add_channel(
    session: Session,
    actor: Principal,
    subscriber: Subscriber,
    *,
    kind: str,
    target: str,
    format: str = "ninjs",
    password: str | None = None,
    host_key: str | None = None,
    embargoed_copy: bool = False,
    allow: Sequence[Network] = (),
) -> Channel:
    """A delivery channel. A webhook gets a new `whsec_` signing secret (shown once)."""
    check_admin(actor)
    if kind not in CHANNEL_KINDS:
        raise InvalidInput(f"a channel is one of {', '.join(CHANNEL_KINDS)}", field="kind")
    if format not in FORMATS:
        raise InvalidInput(f"a channel's format is one of {', '.join(FORMATS)}", field="format")
    target = check_target(kind, target, allow)
    if kind == "webhook":
        secret: str | None = security.new_webhook_secret()
    elif kind == "sftp":
        if urlsplit(target).password:
            raise InvalidInput("give the SFTP password apart, not in the URL", field="target")
        secret = password
    else:
        secret = None
    if host_key is not None and not host_key.startswith("SHA256:"):
        raise InvalidInput("a host key is its SHA256 fingerprint: SHA256:…", field="host_key")
    channel = Channel(
        subscriber_id=subscriber.id,
        kind=kind,
        target=target,
        format=format,
        secret=secret,
        host_key=host_key,
        embargoed_copy=embargoed_copy,
        paused=False,
        failures=0,
    )
    session.add(channel)
    session.flush()
    audit(
        session,
        actor,
        "channel.add",
        "channel",
        channel.id,
        subscriber=subscriber.name,
        kind=kind,
        target=shown_target(channel),
    )
    return channel


def shown_target(channel: Channel) -> str:
    """Where a channel leads, as pages, listings and the audit log show it: without what may
    be a credential (a password in the URL, a query that may carry a token)."""
    if channel.kind == "email":
        return channel.target
    parts = urlsplit(channel.target)
    if parts.password is not None:
        host = parts.netloc.rsplit("@", 1)[1]
        parts = parts._replace(netloc=f"{parts.username}:…@{host}")
    if parts.query:
        parts = parts._replace(query="…")
    return parts.geturl()


def channel_by_id(session: Session, channel_id: int) -> Channel:
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"no channel {channel_id}", field="channel")
    return channel


def set_paused(
    session: Session, actor: Principal, channel_id: int, paused: bool, reason: str | None = None
) -> Channel:
    """Pause a channel (its deliveries wait, in order) or resume it (they go out at once)."""
    check_admin(actor)
    channel = channel_by_id(session, channel_id)
    channel.paused = paused
    channel.paused_reason = (reason or f"paused by {actor.name}") if paused else None
    channel.paused_at = utcnow() if paused else None
    if not paused:
        channel.failures = 0
        wake_workers(session)
    audit(session, actor, "channel.pause" if paused else "channel.resume", "channel", channel.id)
    return channel


def rotate_secret(
    session: Session, actor: Principal, channel_id: int, overlap: timedelta = timedelta(hours=24)
) -> str:
    """A new signing secret for a webhook; the old one keeps signing too for `overlap`, so
    the receiver can switch without rejecting a delivery. Returns the new secret, once."""
    check_admin(actor)
    channel = channel_by_id(session, channel_id)
    if channel.kind != "webhook":
        raise InvalidInput("only webhooks have signing secrets", field="channel")
    channel.previous_secret = channel.secret
    channel.previous_secret_until = utcnow() + overlap
    channel.secret = security.new_webhook_secret()
    audit(session, actor, "channel.rotate_secret", "channel", channel.id)
    return channel.secret


def retry_now(session: Session, actor: Principal, channel_id: int) -> int:
    """Make a channel's waiting retries due now; returns how many."""
    check_admin(actor)
    channel_by_id(session, channel_id)
    result = session.execute(
        update(Delivery)
        .where(Delivery.channel_id == channel_id, Delivery.state == "retrying")
        .values(next_attempt_at=utcnow())
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    audit(session, actor, "channel.retry_now", "channel", channel_id, deliveries=count)
    wake_workers(session)
    return count


def replay(
    session: Session,
    actor: Principal,
    *,
    delivery_ids: Iterable[int] = (),
    channel_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """Send again: given deliveries, or a channel's deliveries made in a time range. Each
    replay is a new delivery (a new `webhook-id`), queued behind what the channel has open."""
    check_admin(actor)
    ids = list(dict.fromkeys(delivery_ids))
    query = select(Delivery).order_by(Delivery.id)
    if ids:
        query = query.where(Delivery.id.in_(ids))
    else:
        if channel_id is None:
            raise InvalidInput("replay needs delivery ids or a channel", field="channel")
        channel_by_id(session, channel_id)
        query = query.where(Delivery.channel_id == channel_id, Delivery.replay_of.is_(None))
        if since is not None:
            query = query.where(Delivery.created_at >= since)
        if until is not None:
            query = query.where(Delivery.created_at < until)
    originals = session.scalars(query).all()
    if ids and len(originals) != len(ids):
        missing = sorted(set(ids) - {row.id for row in originals})
        raise NotFound(f"no delivery {', '.join(map(str, missing))}", field="delivery")
    now = utcnow()
    insert_rows(
        session,
        [
            new_row(
                row.channel_id,
                row.version_id,
                row.item_id,
                row.kind,
                now,
                feed_seq=row.feed_seq,
                embargoed=row.embargoed,
                replay_of=row.id,
            )
            for row in originals
        ],
    )
    audit(
        session,
        actor,
        "delivery.replay",
        "channel",
        channel_id,
        deliveries=len(originals),
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
    )
    wake_workers(session)
    return len(originals)


# --- administration: the admin pages' subscribers and keys --------------------------------


@dataclass(frozen=True, slots=True)
class SubscriberSummary:
    subscriber: Subscriber
    live_keys: int


def list_subscribers(session: Session) -> list[SubscriberSummary]:
    """Every subscriber by name, with how many of its keys still work."""
    counts: dict[int | None, int] = dict(
        session.execute(
            select(ApiKey.subscriber_id, func.count())
            .where(ApiKey.subscriber_id.is_not(None), ApiKey.revoked_at.is_(None))
            .group_by(ApiKey.subscriber_id)
        ).all()
    )
    return [
        SubscriberSummary(row, counts.get(row.id, 0))
        for row in session.scalars(select(Subscriber).order_by(Subscriber.name))
    ]


def subscriber_by_name(session: Session, name: str) -> Subscriber:
    subscriber = session.scalars(select(Subscriber).where(Subscriber.name == name)).first()
    if subscriber is None:
        raise NotFound(f"no subscriber {name!r}", field="subscriber")
    return subscriber


def subscriber_by_id(session: Session, subscriber_id: int) -> Subscriber:
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None:
        raise NotFound(f"no subscriber {subscriber_id}", field="subscriber")
    return subscriber


def live_keys(session: Session, subscriber_id: int) -> list[ApiKey]:
    """A subscriber's keys that still work, oldest first. Only prefixes are known: no secrets."""
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.subscriber_id == subscriber_id, ApiKey.revoked_at.is_(None))
            .order_by(ApiKey.created_at, ApiKey.id)
        )
    )


def create_subscriber(
    session: Session,
    actor: Principal,
    vocabulary: Vocabulary,
    *,
    name: str,
    languages: Iterable[str] = (),
    topics: Iterable[str] = (),
) -> NewSubscriber:
    """`add_subscriber` for the admin pages: its first API key is returned once."""
    check_admin(actor)
    name = check_label(name, field="name", limit=100)
    entitled = check_working_languages(session, languages)
    return add_subscriber(
        session,
        actor,
        vocabulary,
        name=name,
        languages=entitled,
        topics=list(dict.fromkeys(topics)),
    )


def issue_key(
    session: Session, actor: Principal, subscriber_id: int, rate_limit: int | None = None
) -> str:
    """Another API key for a subscriber (to rotate keys without a gap), returned once."""
    check_admin(actor)
    subscriber = subscriber_by_id(session, subscriber_id)
    return create_subscriber_key(session, actor, subscriber, rate_limit)


def revoke_subscriber_key(
    session: Session, actor: Principal, subscriber_id: int, key_id: int
) -> None:
    check_admin(actor)
    subscriber_by_id(session, subscriber_id)
    row = session.get(ApiKey, key_id)
    if row is None or row.subscriber_id != subscriber_id or row.revoked_at is not None:
        raise NotFound(f"the subscriber has no live key {key_id}", field="key")
    revoke_key(session, actor, key_id)


def set_subscriber_active(
    session: Session, actor: Principal, subscriber_id: int, active: bool
) -> Subscriber:
    """Deactivate (every key stops working, deliveries stop) or reactivate a subscriber."""
    check_admin(actor)
    subscriber = subscriber_by_id(session, subscriber_id)
    subscriber.active = active
    action = "subscriber.reactivate" if active else "subscriber.deactivate"
    audit(session, actor, action, "subscriber", subscriber.id, name=subscriber.name)
    return subscriber


# --- the delivery page ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelHealth:
    channel: Channel
    health: str  # ok | retrying | failing | paused | idle
    open: int  # deliveries not yet made
    oldest_open: datetime | None  # the lag: since when the oldest waits
    delivered_24h: int
    failed: int  # given up, replayable

    def lag_seconds(self, now: datetime) -> float:
        return (
            0.0 if self.oldest_open is None else max(0.0, (now - self.oldest_open).total_seconds())
        )


def channel_health(session: Session, subscriber_id: int | None = None) -> list[ChannelHealth]:
    """Every channel (or a subscriber's) with its health, lag and counts."""
    now = utcnow()
    query = select(Channel).order_by(Channel.subscriber_id, Channel.id)
    if subscriber_id is not None:
        query = query.where(Channel.subscriber_id == subscriber_id)
    channels = session.scalars(query).all()
    ids = [c.id for c in channels]
    if not ids:
        return []
    open_rows = {
        channel_id: (count, oldest)
        for channel_id, count, oldest in session.execute(
            select(Delivery.channel_id, func.count(), func.min(Delivery.created_at))
            .where(Delivery.channel_id.in_(ids), Delivery.state.in_(OPEN_STATES))
            .group_by(Delivery.channel_id)
        )
    }
    retrying = set(
        session.scalars(
            select(Delivery.channel_id)
            .where(Delivery.channel_id.in_(ids), Delivery.state == "retrying")
            .distinct()
        )
    )
    delivered = dict(
        session.execute(
            select(Delivery.channel_id, func.count())
            .where(
                Delivery.channel_id.in_(ids),
                Delivery.state == "delivered",
                Delivery.delivered_at >= now - timedelta(hours=24),
            )
            .group_by(Delivery.channel_id)
        ).all()
    )
    failed = dict(
        session.execute(
            select(Delivery.channel_id, func.count())
            .where(Delivery.channel_id.in_(ids), Delivery.state == "failed")
            .group_by(Delivery.channel_id)
        ).all()
    )
    found = []
    for channel in channels:
        count, oldest = open_rows.get(channel.id, (0, None))
        if channel.paused:
            health = "paused"
        elif channel.id in retrying:
            health = "failing" if channel.failures >= FAILING_AFTER else "retrying"
        elif count or channel.last_delivered_at:
            health = "ok"
        else:
            health = "idle"
        found.append(
            ChannelHealth(
                channel,
                health,
                count,
                oldest,
                delivered.get(channel.id, 0),
                failed.get(channel.id, 0),
            )
        )
    return found


def list_deliveries(
    session: Session,
    *,
    channel_id: int | None = None,
    state: str | None = None,
    limit: int = 100,
    before: int | None = None,
) -> list[Delivery]:
    """The ledger, newest first."""
    if state is not None and state not in DELIVERY_STATES:
        raise InvalidInput(
            f"a delivery state is one of {', '.join(DELIVERY_STATES)}", field="state"
        )
    query = select(Delivery).order_by(Delivery.id.desc()).limit(limit)
    if channel_id is not None:
        query = query.where(Delivery.channel_id == channel_id)
    if state is not None:
        query = query.where(Delivery.state == state)
    if before is not None:
        query = query.where(Delivery.id < before)
    return list(session.scalars(query))
