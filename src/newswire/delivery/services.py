"""Subscribers and their keys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newswire import security
from newswire.agency.admin import check_admin, check_label, check_working_languages
from newswire.agency.models import ApiKey
from newswire.agency.services import (
    Principal,
    audit,
    check_languages,
    create_subscriber_key,
    revoke_key,
)
from newswire.delivery.models import Subscriber
from newswire.errors import Conflict, InvalidInput, NotFound
from newswire.stories.topics import Vocabulary


@dataclass(slots=True)
class NewSubscriber:
    subscriber: Subscriber
    api_key: str = field(repr=False)
    webhook_secret: str | None = field(default=None, repr=False)


def add_subscriber(
    session: Session,
    actor: Principal,
    vocabulary: Vocabulary,
    *,
    name: str,
    languages: Iterable[str] = (),
    topics: Iterable[str] = (),
    webhook: str | None = None,
) -> NewSubscriber:
    """A subscriber with its first API key (and signing secret, with a webhook), shown once."""
    if not name or len(name) > 100:
        raise InvalidInput("a subscriber name has 1 to 100 characters", field="name")
    if session.scalars(select(Subscriber).where(Subscriber.name == name)).first():
        raise Conflict(f"a subscriber {name!r} exists already", field="name")
    topic_codes = list(topics)
    for code in topic_codes:
        problem = vocabulary.check(code)
        if problem:
            raise InvalidInput(problem, field="topics")
    secret = None
    if webhook is not None:
        parts = urlsplit(webhook)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput("the webhook must be an http(s) URL", field="webhook")
        secret = security.new_webhook_secret()
    subscriber = Subscriber(
        name=name,
        languages=check_languages(languages),
        topics=topic_codes,
        webhook_url=webhook,
        webhook_secret=secret,
    )
    session.add(subscriber)
    session.flush()
    audit(session, actor, "subscriber.add", "subscriber", subscriber.id, name=name)
    key = create_subscriber_key(session, actor, subscriber)
    return NewSubscriber(subscriber, key, secret)


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


def issue_key(session: Session, actor: Principal, subscriber_id: int) -> str:
    """Another API key for a subscriber (to rotate keys without a gap), returned once."""
    check_admin(actor)
    return create_subscriber_key(session, actor, subscriber_by_id(session, subscriber_id))


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
