"""Publications reach SFTP subscribers as whole files, one per version, on a real SFTP server."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest
from lxml import etree
from sqlalchemy import func, select
from starlette.testclient import TestClient

from newswire.agency.services import SYSTEM
from newswire.db import Database
from newswire.delivery import services as delivery
from newswire.delivery.models import Channel, Delivery
from newswire.errors import InvalidInput
from tests.conftest import Newsroom, ninjs_story
from tests.delivery.conftest import LOOPBACK
from tests.delivery.servers_sftp import SftpServer

FOLDER = "incoming"
NAR = "http://iptc.org/std/nar/2006-10-01/"


@pytest.fixture
def sftp(tmp_path: Path) -> Iterator[SftpServer]:
    root = tmp_path / "sftp-root"
    (root / FOLDER).mkdir(parents=True)
    server = SftpServer(root).start()
    yield server
    server.stop()


def _channel(newsroom: Newsroom, name: str, target: str, **options: object) -> int:
    with newsroom.database.write() as session:
        subscriber = delivery.add_subscriber(
            session, SYSTEM, newsroom.ctx.vocabulary, name=name
        ).subscriber
        channel = delivery.add_channel(
            session,
            SYSTEM,
            subscriber,
            kind="sftp",
            target=target,
            allow=LOOPBACK,
            **options,  # type: ignore[arg-type]
        )
        return channel.id


def _sftp_channel(newsroom: Newsroom, sftp: SftpServer, **options: object) -> int:
    settings: dict[str, object] = {"password": sftp.password, "host_key": sftp.fingerprint}
    return _channel(newsroom, "pick-up", sftp.url(FOLDER), **(settings | options))


def _publish(client: TestClient, newsroom: Newsroom) -> tuple[int, str]:
    editor = newsroom.headers("editor")
    created = client.post("/api/v1/stories", json=ninjs_story("en"), headers=editor)
    assert created.status_code == 201, created.text
    story_id, uri = created.json()["story_id"], created.json()["uri"]
    published = client.post(f"/api/v1/stories/{story_id}/items/en/publish", headers=editor)
    assert published.status_code == 200, published.text
    return story_id, uri


def _correct(client: TestClient, newsroom: Newsroom, story_id: int, headline: str) -> None:
    editor = newsroom.headers("editor")
    state = client.get(f"/api/v1/stories/{story_id}", headers=editor).json()
    revision = state["items"]["en"]["revision"]
    fixed = ninjs_story("en", headlines=[{"role": "main", "value": headline}])
    saved = client.put(
        f"/api/v1/stories/{story_id}/items/en",
        json=fixed,
        headers={**editor, "If-Match": f'"{revision}"'},
    )
    assert saved.is_success, saved.text
    corrected = client.post(
        f"/api/v1/stories/{story_id}/items/en/correct",
        json={"note": "Corrects the headline."},
        headers=editor,
    )
    assert corrected.status_code == 200, corrected.text


def _kill(client: TestClient, newsroom: Newsroom, story_id: int) -> None:
    killed = client.post(
        f"/api/v1/stories/{story_id}/items/en/kill",
        json={"reason": "Wrong port"},
        headers=newsroom.headers("editor"),
    )
    assert killed.status_code == 200, killed.text


def _deliveries(database: Database, channel_id: int) -> list[Delivery]:
    with database.read() as session:
        query = select(Delivery).where(Delivery.channel_id == channel_id).order_by(Delivery.id)
        return list(session.scalars(query))


def _wait_for(
    database: Database, channel_id: int, count: int, state: str, seconds: float = 15.0
) -> list[Delivery]:
    """The channel's deliveries once `count` of them are in `state` (or when time runs out)."""
    deadline = time.monotonic() + seconds
    while True:
        rows = _deliveries(database, channel_id)
        if sum(row.state == state for row in rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.02)


def _channel_error(database: Database, channel_id: int) -> str | None:
    with database.read() as session:
        return session.get_one(Channel, channel_id).last_error


def _file(uri: str, version: int, suffix: str = "", extension: str = "json") -> str:
    return f"{uri.replace(':', '_')}-v{version}{suffix}.{extension}"


def test_each_version_arrives_as_a_whole_file(
    client: TestClient, newsroom: Newsroom, sftp: SftpServer
) -> None:
    channel_id = _sftp_channel(newsroom, sftp)
    story_id, uri = _publish(client, newsroom)
    rows = _wait_for(newsroom.database, channel_id, 1, "delivered")
    assert [(row.kind, row.state) for row in rows] == [("published", "delivered")]
    assert list(sftp.files(FOLDER)) == [_file(uri, 1)]  # and no `.part` file beside it

    _correct(client, newsroom, story_id, "Caspian ports: 4.3 Mt")
    _wait_for(newsroom.database, channel_id, 2, "delivered")
    _kill(client, newsroom, story_id)
    rows = _wait_for(newsroom.database, channel_id, 3, "delivered")
    assert [(row.kind, row.state) for row in rows] == [
        ("published", "delivered"),
        ("corrected", "delivered"),
        ("killed", "delivered"),
    ]

    files = sftp.files(FOLDER)
    assert sorted(files) == sorted([_file(uri, 1), _file(uri, 2), _file(uri, 3, "-killed")])
    first, second, last = (
        json.loads(files[name]) for name in (_file(uri, 1), _file(uri, 2), _file(uri, 3, "-killed"))
    )
    assert (first["uri"], first["version"]) == (uri, "1")
    assert first["headlines"][0]["value"] == "Caspian ports report record cargo"
    assert (second["uri"], second["version"]) == (uri, "2")
    assert second["headlines"][0]["value"] == "Caspian ports: 4.3 Mt"
    assert (last["uri"], last["version"], last["pubstatus"]) == (uri, "3", "canceled")


def test_a_newsml_channel_gets_newsml_items(
    client: TestClient, newsroom: Newsroom, sftp: SftpServer
) -> None:
    channel_id = _sftp_channel(newsroom, sftp, format="newsml")
    _story_id, uri = _publish(client, newsroom)
    rows = _wait_for(newsroom.database, channel_id, 1, "delivered")
    assert [row.state for row in rows] == ["delivered"]

    files = sftp.files(FOLDER)
    assert list(files) == [_file(uri, 1, extension="xml")]
    item = etree.fromstring(files[_file(uri, 1, extension="xml")])
    assert item.tag == f"{{{NAR}}}newsItem"
    assert (item.get("guid"), item.get("version")) == (uri, "1")
    headline = item.find(f".//{{{NAR}}}contentMeta/{{{NAR}}}headline")
    assert headline is not None
    assert headline.text == "Caspian ports report record cargo"


def test_a_wrong_password_leaves_the_delivery_retrying(
    client: TestClient, newsroom: Newsroom, sftp: SftpServer
) -> None:
    channel_id = _sftp_channel(newsroom, sftp, password="not the password")
    _publish(client, newsroom)
    rows = _wait_for(newsroom.database, channel_id, 1, "retrying")
    assert [row.state for row in rows] == ["retrying"]
    error = rows[0].last_error
    assert error is not None
    assert "refused the login of user 'wire'" in error
    assert _channel_error(newsroom.database, channel_id) == error
    assert sftp.password_checks[0] == "wire"  # the server did see (and refuse) the login
    assert sftp.files(FOLDER) == {}


def test_a_server_with_another_host_key_never_sees_the_password(
    client: TestClient, newsroom: Newsroom, sftp: SftpServer
) -> None:
    expected = asyncssh.generate_private_key("ssh-ed25519").get_fingerprint("sha256")
    channel_id = _sftp_channel(newsroom, sftp, host_key=expected)
    _publish(client, newsroom)
    rows = _wait_for(newsroom.database, channel_id, 1, "retrying")
    assert [row.state for row in rows] == ["retrying"]
    error = rows[0].last_error
    assert error is not None
    assert f"host key {sftp.fingerprint} is not trusted" in error
    assert expected in error
    assert _channel_error(newsroom.database, channel_id) == error
    assert sftp.password_checks == []
    assert sftp.files(FOLDER) == {}


def test_a_fingerprint_pasted_with_padding_is_the_same_key(
    client: TestClient, newsroom: Newsroom, sftp: SftpServer
) -> None:
    channel_id = _sftp_channel(newsroom, sftp, host_key=sftp.fingerprint + "=")
    _story_id, uri = _publish(client, newsroom)
    rows = _wait_for(newsroom.database, channel_id, 1, "delivered")
    assert [row.state for row in rows] == ["delivered"]
    assert list(sftp.files(FOLDER)) == [_file(uri, 1)]


@pytest.mark.parametrize(
    ("target", "allow"),
    [
        ("sftp://wire@10.20.30.40:22/incoming", LOOPBACK),
        ("sftp://wire@192.168.1.7/incoming", LOOPBACK),
        ("sftp://wire@127.0.0.1:2222/incoming", ()),
    ],
)
def test_a_private_target_is_refused_unless_allow_listed(
    newsroom: Newsroom, target: str, allow: tuple[object, ...]
) -> None:
    with newsroom.database.write() as session:
        subscriber_id = delivery.add_subscriber(
            session, SYSTEM, newsroom.ctx.vocabulary, name="pick-up"
        ).subscriber.id
    with newsroom.database.write() as session:
        subscriber = delivery.subscriber_by_id(session, subscriber_id)
        with pytest.raises(InvalidInput) as refused:
            delivery.add_channel(
                session,
                SYSTEM,
                subscriber,
                kind="sftp",
                target=target,
                password="pick-up 42",
                allow=allow,  # type: ignore[arg-type]
            )
    assert refused.value.field == "target"
    assert "NEWSWIRE_OUTBOUND_ALLOW" in str(refused.value)
    with newsroom.database.read() as session:
        assert session.scalar(select(func.count()).select_from(Channel)) == 0
