"""Publications reach webhook subscribers: signed, in order, once, whatever receivers do."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.testclient import TestClient

from newswire.agency.services import SYSTEM
from newswire.api.app import create_app
from newswire.config import Settings
from newswire.db import Database
from newswire.delivery import services as delivery
from newswire.delivery.models import Channel
from newswire.delivery.signing import secret_key, signature
from newswire.errors import InvalidInput
from tests.conftest import Newsroom
from tests.delivery.helpers import correct, deliveries, kill, publish, subscribe, wait_until
from tests.delivery.receiver import Receiver
from tests.iptc import validate_newsml, validate_ninjs2, validate_ninjs3


def test_a_publication_reaches_a_webhook_signed_per_standard_webhooks(
    client: TestClient, newsroom: Newsroom, receiver: Receiver
) -> None:
    subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "agency")
    _, uri = publish(client, newsroom)
    got = receiver.wait_for("agency", 1)
    assert [(r.uri, r.version, r.event) for r in got] == [(uri, 1, "published")]
    assert receiver.rejected == []
    document = json.loads(got[0].body)
    assert document["uri"] == uri
    assert document["headlines"][0]["value"] == "Caspian ports report record cargo"
    metrics = client.get("/metrics").text
    delivered = 'newswire_delivery_attempts_total{kind="webhook",outcome="delivered"}'
    assert any(line.startswith(delivered) for line in metrics.splitlines())
    assert "newswire_delivery_latency_seconds_bucket" in metrics


def test_a_tampered_body_or_a_stale_timestamp_fails_verification(
    client: TestClient, newsroom: Newsroom, receiver: Receiver
) -> None:
    channel_id = subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "agency")
    publish(client, newsroom)
    got = receiver.wait_for("agency", 1)[0]
    with newsroom.database.read() as session:
        secret = session.get_one(Channel, channel_id).secret
    assert secret is not None
    hook = Webhook(secret)
    now = int(time.time())
    headers = {
        "webhook-id": got.message_id,
        "webhook-timestamp": str(now),
        "webhook-signature": signature((secret_key(secret),), got.message_id, now, got.body),
    }
    assert hook.verify(got.body, headers)["uri"] == got.uri  # our signature, their check
    with pytest.raises(WebhookVerificationError):
        hook.verify(got.body.replace(b"Caspian", b"Kaspian"), headers)
    stale = now - 10 * 60
    old = {
        **headers,
        "webhook-timestamp": str(stale),
        "webhook-signature": signature((secret_key(secret),), got.message_id, stale, got.body),
    }
    with pytest.raises(WebhookVerificationError, match="too old"):
        hook.verify(got.body, old)


def test_each_channel_gets_versions_in_publication_order(
    client: TestClient, newsroom: Newsroom, receiver: Receiver
) -> None:
    for path in ("first", "second"):
        subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, path)
    published = []
    for number in range(12):
        story_id, uri = publish(
            client, newsroom, headlines=[{"role": "main", "value": f"No {number}"}]
        )
        published.append((uri, 1))
        if number % 3 == 0:
            correct(newsroom, story_id)
            published.append((uri, 2))
    for path in ("first", "second"):
        got = receiver.wait_for(path, len(published))
        assert [(r.uri, r.version) for r in got] == published
    assert receiver.redelivered == {}


def test_a_failing_receiver_holds_up_no_other_and_gets_its_backlog_in_order(
    client: TestClient, newsroom: Newsroom, receiver: Receiver
) -> None:
    broken = subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "broken")
    subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "healthy")
    receiver.set_mode("broken", "fail")
    uris = [publish(client, newsroom)[1] for _ in range(5)]
    assert [r.uri for r in receiver.wait_for("healthy", 5, seconds=5)] == uris
    rows = wait_until(lambda: [d for d in deliveries(newsroom.database, broken) if d.attempts >= 2])
    assert rows[0].state == "retrying"
    assert rows[0].last_error == "HTTP 500: receiver is broken"
    # only the head was tried: the rest wait behind it, in order
    assert all(d.attempts == 0 for d in deliveries(newsroom.database, broken)[1:])
    with newsroom.database.read() as session:
        channel = session.get_one(Channel, broken)
        assert channel.last_error == "HTTP 500: receiver is broken"
        assert channel.failures >= 2
    receiver.set_mode("broken", "ok")
    assert [r.uri for r in receiver.wait_for("broken", 5, seconds=10)] == uris
    wait_until(lambda: {d.state for d in deliveries(newsroom.database, broken)} == {"delivered"})


@pytest.mark.parametrize(
    ("mode", "error"),
    [("hang", "no answer within 2 s"), ("close", "connection failed")],
)
def test_a_hanging_or_closing_receiver_is_retried_with_the_reason(
    client: TestClient, newsroom: Newsroom, receiver: Receiver, mode: str, error: str
) -> None:
    bad = subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "bad")
    subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "good")
    receiver.set_mode("bad", mode)
    started = time.monotonic()
    publish(client, newsroom)
    receiver.wait_for("good", 1)
    assert time.monotonic() - started < 1.5  # not held up by the other receiver
    row = wait_until(lambda: [d for d in deliveries(newsroom.database, bad) if d.last_error])[0]
    assert row.state == "retrying"
    assert row.last_error is not None
    assert row.last_error.startswith(error)
    receiver.set_mode("bad", "ok")
    assert len(receiver.wait_for("bad", 1, seconds=10)) == 1


def test_a_receiver_answering_410_pauses_its_channel_visibly(
    client: TestClient, newsroom: Newsroom, receiver: Receiver
) -> None:
    gone = subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "gone")
    receiver.set_mode("gone", "gone")
    publish(client, newsroom)
    wait_until(lambda: deliveries(newsroom.database, gone)[0].last_error)
    with newsroom.database.read() as session:
        health = delivery.channel_health(session)[0]
    assert health.health == "paused"
    assert health.channel.paused_reason is not None
    assert "410" in health.channel.paused_reason
    row = deliveries(newsroom.database, gone)[0]
    assert (row.state, row.attempts) == ("pending", 0)  # kept for when it is resumed
    tries = receiver.attempts["gone"]
    publish(client, newsroom)
    time.sleep(0.5)
    assert receiver.attempts["gone"] == tries  # a paused channel is not called
    receiver.set_mode("gone", "ok")
    with newsroom.database.write() as session:
        delivery.set_paused(session, newsroom.principals["admin"], gone, False)
    assert len(receiver.wait_for("gone", 2)) == 2


def test_corrections_and_kills_follow_every_channel_that_had_the_item(
    client: TestClient, newsroom: Newsroom, receiver: Receiver
) -> None:
    channel = subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "partner")
    story_id, uri = publish(client, newsroom)
    receiver.wait_for("partner", 1)
    # the partner's product changes to French only: English no longer matches...
    with newsroom.database.write() as session:
        admin = newsroom.principals["admin"]
        delivery.add_product(session, admin, newsroom.ctx.vocabulary, name="fr", languages=["fr"])
        delivery.set_products(session, admin, deliveries_subscriber(session, channel), ["fr"])
    publish(client, newsroom)  # ...so a new English story does not go there,
    correct(newsroom, story_id)  # but the correction of what it had does,
    kill(newsroom, story_id, reason="The port figures were wrong")  # and so does the kill.
    got = receiver.wait_for("partner", 3)
    assert [(r.uri, r.version, r.event) for r in got] == [
        (uri, 1, "published"),
        (uri, 2, "corrected"),
        (uri, 3, "killed"),
    ]
    killed = json.loads(got[2].body)
    assert killed["pubstatus"] == "canceled"
    time.sleep(0.3)
    assert len(receiver.got("partner")) == 3


def deliveries_subscriber(session: object, channel_id: int) -> int:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    return session.get_one(Channel, channel_id).subscriber_id


def test_embargoed_copy_goes_early_only_where_allowed_and_flagged(
    client: TestClient, newsroom: Newsroom, receiver: Receiver
) -> None:
    subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "early")
    subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "ontime")
    with newsroom.database.write() as session:
        row = session.scalars(select(Channel).where(Channel.target.endswith("/early"))).one()
        row.embargoed_copy = True
    until = datetime.now(UTC) + timedelta(seconds=2)
    _, uri = publish(client, newsroom, embargoed=until.isoformat())
    early = receiver.wait_for("early", 1)
    assert early[0].uri == uri
    assert early[0].embargoed is not None
    assert datetime.fromisoformat(early[0].embargoed) == until.replace(
        microsecond=until.microsecond
    )
    assert json.loads(early[0].body)["embargoed"].startswith(until.strftime("%Y-%m-%dT%H:%M:%S"))
    assert receiver.got("ontime") == []
    ontime = receiver.wait_for("ontime", 1, seconds=10)
    assert datetime.now(UTC) >= until
    assert ontime[0].embargoed is None
    time.sleep(0.3)
    assert len(receiver.got("early")) == 1  # no second copy at release


def test_during_a_secret_rotation_both_secrets_verify(
    client: TestClient, newsroom: Newsroom, receiver: Receiver
) -> None:
    channel = subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "rotating")
    old = receiver.secrets["rotating"]
    with newsroom.database.write() as session:
        new = delivery.rotate_secret(session, newsroom.principals["admin"], channel)
    assert new != old
    assert new.startswith("whsec_")
    receiver.secrets["rotating"] = new
    publish(client, newsroom)
    got = receiver.wait_for("rotating", 1)
    assert receiver.rejected == []
    # the same request verifies with the old secret too: receivers switch when they like
    with newsroom.database.read() as session:
        row = deliveries(newsroom.database, channel)[0]
        assert session.get_one(Channel, channel).previous_secret == old
    assert row.message_id == got[0].message_id


def test_a_channel_to_a_private_address_is_refused_unless_allow_listed(
    newsroom: Newsroom,
) -> None:
    with newsroom.database.write() as session:
        for target in ("http://127.0.0.1:9/hook", "http://localhost/hook", "https://10.1.2.3/x"):
            subscriber = delivery.add_subscriber(
                session, SYSTEM, newsroom.ctx.vocabulary, name=f"s{len(target)}{target[-3:]}"
            ).subscriber
            with pytest.raises(InvalidInput, match="NEWSWIRE_OUTBOUND_ALLOW") as caught:
                delivery.add_channel(session, SYSTEM, subscriber, kind="webhook", target=target)
            assert caught.value.field == "target"


def test_signature_header_is_base64_hmac(newsroom: Newsroom) -> None:
    key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    header = signature((key,), "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}')
    # the worked example of the Standard Webhooks specification
    assert header == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


@pytest.mark.parametrize("format_name", ["ninjs", "ninjs3", "newsml"])
def test_each_channel_gets_its_format_valid_against_the_official_schemas(
    client: TestClient, newsroom: Newsroom, receiver: Receiver, format_name: str
) -> None:
    subscribe(
        newsroom.database,
        newsroom.ctx.vocabulary,
        receiver,
        format_name,
        webhook_format=format_name,
    )
    story_id, uri = publish(client, newsroom, "ar")
    kill(newsroom, story_id, "ar", reason="سحب الخبر")
    got = receiver.wait_for(format_name, 2)
    assert [(r.uri, r.event) for r in got] == [(uri, "published"), (uri, "killed")]
    for received in got:
        if format_name == "newsml":
            validate_newsml(received.body)
            assert b"<newsItem" in received.body
        else:
            document = json.loads(received.body)
            (validate_ninjs2 if format_name == "ninjs" else validate_ninjs3)(document)
    if format_name == "ninjs":
        assert json.loads(got[1].body)["pubstatus"] == "canceled"
    elif format_name == "ninjs3":
        assert json.loads(got[1].body)["pubStatus"] == "canceled"  # ninjs 3 spells it so
    else:
        assert b'pubStatus qcode="stat:canceled"' in got[1].body


@contextmanager
def app_of(settings: Settings) -> Iterator[TestClient]:
    """The app with other settings (and its embedded worker) on the test's database."""
    database = Database(settings.database_url)
    try:
        with TestClient(create_app(settings, database)) as client:
            yield client
    finally:
        database.dispose()


def test_a_delivery_is_failed_after_the_retry_window_and_can_be_replayed(
    newsroom: Newsroom, receiver: Receiver, settings: Settings
) -> None:
    # only the worker of the app below, with its short window, may send (no `client` here)
    channel = subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "flaky")
    receiver.set_mode("flaky", "fail")
    # a one-second window stands for the 24 hours of a real installation
    with app_of(settings.model_copy(update={"delivery_retry_window": 1.0})) as app:
        publish(app, newsroom)
        failed = wait_until(
            lambda: [d for d in deliveries(newsroom.database, channel) if d.state == "failed"]
        )[0]
        assert failed.attempts >= 2
        assert failed.last_error == "HTTP 500: receiver is broken"
        receiver.set_mode("flaky", "ok")
        time.sleep(0.5)
        assert receiver.got("flaky") == []  # a failed delivery is not retried by itself
        with newsroom.database.write() as session:
            replayed = delivery.replay(
                session, newsroom.principals["admin"], delivery_ids=[failed.id]
            )
        assert replayed == 1
        got = receiver.wait_for("flaky", 1)
    assert got[0].message_id != failed.message_id  # a replay is a new delivery
    replayed = deliveries(newsroom.database, channel)[-1]
    assert (replayed.replay_of, replayed.message_id) == (failed.id, got[0].message_id)


def test_an_address_turned_private_after_the_channel_was_added_is_refused_when_sending(
    newsroom: Newsroom, receiver: Receiver, settings: Settings
) -> None:
    channel = subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "moved")
    # the worker of an installation that does not allow loopback (as if the name had moved)
    strict = settings.model_copy(update={"outbound_allow": ()})
    with app_of(strict) as app:
        publish(app, newsroom)
        row = wait_until(
            lambda: [d for d in deliveries(newsroom.database, channel) if d.last_error]
        )[0]
    assert row.state == "retrying"
    assert row.last_error is not None
    assert "NEWSWIRE_OUTBOUND_ALLOW" in row.last_error
    assert receiver.attempts["moved"] == 0
