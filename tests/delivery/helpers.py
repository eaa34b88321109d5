"""Shared steps of the delivery tests: subscribe a receiver, publish, correct, kill, wait."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from starlette.testclient import TestClient

from newswire.agency.services import SYSTEM
from newswire.db import Database
from newswire.delivery import services as delivery
from newswire.delivery.models import Delivery
from newswire.stories import services as stories
from tests.conftest import Newsroom, ninjs_story
from tests.delivery.conftest import LOOPBACK
from tests.delivery.receiver import Receiver


def subscribe(
    database: Database,
    vocabulary: Any,
    receiver: Receiver,
    path: str,
    *,
    verify: bool = True,
    **options: Any,
) -> int:
    """A subscriber named `path` whose webhook is `receiver`'s `path`; returns the channel id."""
    with database.write() as session:
        created = delivery.add_subscriber(
            session,
            SYSTEM,
            vocabulary,
            name=path,
            webhook=receiver.url(path),
            allow=LOOPBACK,
            **options,
        )
        assert created.webhook_secret is not None
        assert created.channel is not None
        channel_id = created.channel.id
    if verify:
        receiver.secrets[path] = created.webhook_secret
    return channel_id


def publish(
    client: TestClient, newsroom: Newsroom, language: str = "en", **fields: Any
) -> tuple[int, str]:
    """File and publish a story through the API; returns its id and the item's URI."""
    editor = newsroom.headers("editor")
    created = client.post("/api/v1/stories", json=ninjs_story(language, **fields), headers=editor)
    assert created.status_code == 201, created.text
    story = created.json()
    published = client.post(
        f"/api/v1/stories/{story['story_id']}/items/{language}/publish", headers=editor
    )
    assert published.status_code == 200, published.text
    return int(story["story_id"]), str(story["uri"])


def correct(newsroom: Newsroom, story_id: int, language: str = "en", note: str = "Fixed") -> None:
    with newsroom.database.write() as session:
        stories.correct(
            session, newsroom.principals["editor"], newsroom.ctx, story_id, language, note
        )


def kill(newsroom: Newsroom, story_id: int, language: str = "en", reason: str = "Wrong") -> None:
    with newsroom.database.write() as session:
        stories.kill(
            session, newsroom.principals["editor"], newsroom.ctx, story_id, language, reason
        )


def deliveries(database: Database, channel_id: int) -> list[Delivery]:
    with database.read() as session:
        return list(
            session.scalars(
                select(Delivery).where(Delivery.channel_id == channel_id).order_by(Delivery.id)
            )
        )


def wait_until(condition: Callable[[], Any], seconds: float = 10.0) -> Any:
    """Poll `condition` until it returns something true; returns that, or fails."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {seconds} s: {condition}")
        time.sleep(0.02)
