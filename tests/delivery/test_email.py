"""Publications reach e-mail subscribers through the agency's SMTP server (a real local one)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from newswire.agency.services import SYSTEM
from newswire.config import Settings
from newswire.db import Database
from newswire.delivery import services as delivery
from newswire.delivery.models import Channel, Delivery
from tests.conftest import Newsroom, free_port, ninjs_story
from tests.delivery.servers_smtp import Mailbox

DESKS = ("desk@paper.example", "night.desk@paper.example")
BODY = (
    "<p>Ports on the Caspian handled 4.2 million tonnes of cargo in October.</p>"
    "<p>Baku alone handled <strong>half</strong> of it, the port authority said.</p>"
    "<ul><li>Aktau: 1.1 million tonnes</li><li>Turkmenbashi: 0.9 million tonnes</li></ul>"
)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    started = Mailbox().start()
    yield started
    started.stop()


@pytest.fixture
def smtp(request: pytest.FixtureRequest) -> tuple[str | None, int]:
    """Where settings send mail: the mailbox (default), a port nobody listens on, or nowhere."""
    where = getattr(request, "param", "mailbox")
    if where == "mailbox":
        mailbox: Mailbox = request.getfixturevalue("mailbox")
        return "127.0.0.1", mailbox.port
    if where == "closed port":
        return "127.0.0.1", free_port()
    return None, 25


@pytest.fixture
def settings(settings: Settings, smtp: tuple[str | None, int]) -> Settings:
    host, port = smtp
    return settings.model_copy(
        update={"smtp_host": host, "smtp_port": port, "smtp_from": "AZERTAC <wire@azertac.az>"}
    )


def _email_channel(newsroom: Newsroom, addresses: str = ", ".join(DESKS)) -> int:
    with newsroom.database.write() as session:
        subscriber = delivery.add_subscriber(
            session, SYSTEM, newsroom.ctx.vocabulary, name="paper"
        ).subscriber
        return delivery.add_channel(session, SYSTEM, subscriber, kind="email", target=addresses).id


def _story(language: str, headline: str, body: str) -> dict[str, object]:
    return ninjs_story(
        language,
        headlines=[{"role": "main", "value": headline}],
        bodies=[{"role": "main", "contenttype": "text/html", "value": body}],
    )


def _publish(client: TestClient, newsroom: Newsroom, story: dict[str, object]) -> tuple[int, str]:
    editor = newsroom.headers("editor")
    created = client.post("/api/v1/stories", json=story, headers=editor)
    assert created.status_code == 201, created.text
    story_id, uri = created.json()["story_id"], created.json()["uri"]
    published = client.post(
        f"/api/v1/stories/{story_id}/items/{story['language']}/publish", headers=editor
    )
    assert published.status_code == 200, published.text
    return story_id, uri


def _correct(
    client: TestClient, newsroom: Newsroom, story_id: int, story: dict[str, object]
) -> None:
    editor = newsroom.headers("editor")
    revision = client.get(f"/api/v1/stories/{story_id}", headers=editor).json()["items"]["en"][
        "revision"
    ]
    saved = client.put(
        f"/api/v1/stories/{story_id}/items/en",
        json=story,
        headers={**editor, "If-Match": f'"{revision}"'},
    )
    assert saved.is_success, saved.text
    corrected = client.post(f"/api/v1/stories/{story_id}/items/en/correct", headers=editor)
    assert corrected.status_code == 200, corrected.text


def _wait_for(
    database: Database, channel_id: int, count: int, state: str, seconds: float = 15.0
) -> list[Delivery]:
    """The channel's deliveries once `count` of them are in `state` (or when time runs out)."""
    deadline = time.monotonic() + seconds
    while True:
        with database.read() as session:
            query = select(Delivery).where(Delivery.channel_id == channel_id)
            rows = list(session.scalars(query.order_by(Delivery.id)))
        if sum(row.state == state for row in rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.02)


def _text(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _attachment(mail: EmailMessage) -> EmailMessage:
    found = list(mail.iter_attachments())
    assert len(found) == 1
    return found[0]


def test_each_version_is_one_message_to_every_address(
    client: TestClient, newsroom: Newsroom, mailbox: Mailbox
) -> None:
    channel_id = _email_channel(newsroom)
    headline = "Caspian ports report record cargo"
    story_id, uri = _publish(client, newsroom, _story("en", headline, BODY))
    _wait_for(newsroom.database, channel_id, 1, "delivered")
    _correct(client, newsroom, story_id, _story("en", "Caspian ports: 4.3 Mt", BODY))
    _wait_for(newsroom.database, channel_id, 2, "delivered")
    killed = client.post(
        f"/api/v1/stories/{story_id}/items/en/kill",
        json={"reason": "Wrong port"},
        headers=newsroom.headers("editor"),
    )
    assert killed.status_code == 200, killed.text
    rows = _wait_for(newsroom.database, channel_id, 3, "delivered")
    assert [(row.kind, row.state) for row in rows] == [
        ("published", "delivered"),
        ("corrected", "delivered"),
        ("killed", "delivered"),
    ]

    received = mailbox.messages()
    assert len(received) == 3
    assert all(r.recipients == DESKS for r in received)
    mails = [r.mail for r in received]
    assert [m["Subject"] for m in mails] == [
        headline,
        "CORRECTION: Caspian ports: 4.3 Mt",
        "KILL: Caspian ports: 4.3 Mt",
    ]
    assert [m["X-Newswire-Delivery"] for m in mails] == [row.message_id for row in rows]
    assert mails[0]["To"] == ", ".join(DESKS)
    assert mails[0]["From"] == "AZERTAC <wire@azertac.az>"

    lines = _text(mails[0]).splitlines()
    assert "Ports on the Caspian handled 4.2 million tonnes of cargo in October." in lines
    assert "Baku alone handled half of it, the port authority said." in lines
    assert "- Aktau: 1.1 million tonnes" in lines
    assert uri in lines

    for version, mail in enumerate(mails, start=1):
        attached = _attachment(mail)
        assert attached.get_content_type() == "application/json"
        suffix = "-killed" if version == 3 else ""
        assert attached.get_filename() == f"{uri.replace(':', '_')}-v{version}{suffix}.json"
        document = json.loads(attached.get_content())
        assert (document["uri"], document["version"]) == (uri, str(version))
    assert json.loads(_attachment(mails[2]).get_content())["pubstatus"] == "canceled"


def test_a_newsml_channel_attaches_the_newsml_item(
    client: TestClient, newsroom: Newsroom, mailbox: Mailbox
) -> None:
    with newsroom.database.write() as session:
        subscriber = delivery.add_subscriber(
            session, SYSTEM, newsroom.ctx.vocabulary, name="paper"
        ).subscriber
        channel_id = delivery.add_channel(
            session, SYSTEM, subscriber, kind="email", target=DESKS[0], format="newsml"
        ).id
    _story_id, uri = _publish(client, newsroom, ninjs_story("en"))
    _wait_for(newsroom.database, channel_id, 1, "delivered")

    (received,) = mailbox.messages()
    attached = _attachment(received.mail)
    assert attached.get_content_type() == "application/vnd.iptc.g2.newsitem+xml"
    assert attached.get_filename() == f"{uri.replace(':', '_')}-v1.xml"
    assert b"<newsItem" in attached.get_payload(decode=True)


def test_arabic_and_chinese_arrive_intact(
    client: TestClient, newsroom: Newsroom, mailbox: Mailbox
) -> None:
    channel_id = _email_channel(newsroom)
    stories = {
        "ar": (
            "موانئ بحر قزوين تسجل رقما قياسيا في الشحن",
            "تعاملت موانئ بحر قزوين مع 4.2 مليون طن من البضائع.",
        ),
        "zh": ("里海港口货运量创纪录", "里海各港口处理了420万吨货物。"),
    }
    for language, (headline, sentence) in stories.items():
        _publish(client, newsroom, _story(language, headline, f"<p>{sentence}</p>"))
    rows = _wait_for(newsroom.database, channel_id, 2, "delivered")
    assert [row.state for row in rows] == ["delivered", "delivered"]

    received = mailbox.messages()
    assert all(r.data.isascii() for r in received)  # encoded for any relay, not raw 8-bit
    mails = {r.mail["Subject"]: r.mail for r in received}
    assert set(mails) == {headline for headline, _ in stories.values()}
    for headline, sentence in stories.values():
        lines = _text(mails[headline]).splitlines()
        assert lines[0] == headline
        assert sentence in lines


@pytest.mark.parametrize("smtp", ["closed port"], indirect=True)
def test_an_unreachable_smtp_server_leaves_the_delivery_retrying(
    client: TestClient, newsroom: Newsroom, settings: Settings
) -> None:
    channel_id = _email_channel(newsroom)
    _publish(client, newsroom, ninjs_story("en"))
    rows = _wait_for(newsroom.database, channel_id, 1, "retrying")
    assert [row.state for row in rows] == ["retrying"]
    error = rows[0].last_error
    assert error is not None
    assert error.startswith(f"cannot connect to the SMTP server 127.0.0.1:{settings.smtp_port}")
    assert "Connection refused" in error
    with newsroom.database.read() as session:
        assert session.get_one(Channel, channel_id).last_error == error


@pytest.mark.parametrize("smtp", ["unset"], indirect=True)
def test_without_an_smtp_server_the_error_says_which_setting_is_missing(
    client: TestClient, newsroom: Newsroom
) -> None:
    channel_id = _email_channel(newsroom)
    _publish(client, newsroom, ninjs_story("en"))
    rows = _wait_for(newsroom.database, channel_id, 1, "retrying")
    assert [(row.state, row.last_error) for row in rows] == [
        ("retrying", "no SMTP server is set (NEWSWIRE_SMTP_HOST)")
    ]
    with newsroom.database.read() as session:
        channel = session.get_one(Channel, channel_id)
        assert channel.last_error == "no SMTP server is set (NEWSWIRE_SMTP_HOST)"
