"""Subscribers and their keys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire import security
from newswire.agency.services import Principal, audit, check_languages, create_subscriber_key
from newswire.delivery.models import Subscriber
from newswire.errors import Conflict, InvalidInput
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
