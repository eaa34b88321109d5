"""The distribution pages: products, a subscriber's channels and the delivery page, as an admin
uses them in a browser.

Deliveries go to a real webhook receiver on 127.0.0.1 (allow-listed here, as outbound targets
are refused on private and loopback addresses otherwise), sent by the delivery worker that
the application runs; every check reads the page a user would see.
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import httpx
import lxml.html
import pytest
from lxml import etree
from lxml.html import HtmlElement
from sqlalchemy import func, select
from starlette.testclient import TestClient

from newswire.agency.models import ApiKey, AuditEntry
from newswire.config import Settings
from newswire.delivery.models import Channel, Delivery, Product, Subscriber
from tests.conftest import VOCABULARIES, Newsroom, ninjs_story
from tests.delivery.receiver import Receiver
from tests.newsroom.conftest import StaffBrowser

Staff = Callable[[str], StaffBrowser]
T = TypeVar("T")

ADMIN = "/newsroom/admin"
SECRET = re.compile(r'<code id="secret" translate="no">([^<]+)</code>')
SHOWN_ONCE = "Copy it now: it will not be shown again."
AGENCY_ZONE = ZoneInfo("Asia/Baku")  # the admin has no bureau: times are the agency's


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # The receiver listens on 127.0.0.1, which channels may lead to only when allow-listed. A
    # failed attempt waits at least five minutes before the next: only "retry now" is sooner.
    return Settings(
        database_url=database_url,
        media_dir=tmp_path / "media",
        vocabulary_dir=VOCABULARIES if VOCABULARIES.is_dir() else None,
        public_url="https://azertac.example",
        outbound_allow=(ipaddress.ip_network("127.0.0.1/32"),),
        delivery_retry_base=600.0,
        delivery_retry_max=3600.0,
        delivery_timeout=2.0,
        delivery_lease=5.0,
        api_rate_limit=600,  # what a key without a limit of its own may do a minute
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


def html(response: httpx.Response) -> HtmlElement:
    assert response.status_code == 200, response.text
    return lxml.html.fromstring(response.text)


def words(element: etree._Element) -> str:
    return " ".join("".join(str(part) for part in element.itertext()).split())


def eventually(check: Callable[[], T | None], seconds: float = 15.0) -> T:
    """What `check` returns once it is not None, polling until `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found is not None:
            return found
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.05)


def secret_of(response: httpx.Response) -> str:
    found = SECRET.search(response.text)
    assert found, response.text
    return found.group(1)


def count(newsroom: Newsroom, model: type[object]) -> int:
    with newsroom.database.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def stored(newsroom: Newsroom) -> dict[str, object]:
    """What the distribution forms could change."""
    with newsroom.database.read() as session:
        return {
            "products": session.execute(select(Product.name).order_by(Product.id)).all(),
            "channels": session.execute(
                select(Channel.id, Channel.target, Channel.secret, Channel.paused)
            ).all(),
            # Which deliveries exist (their state is the worker's to change meanwhile).
            "deliveries": session.scalars(select(Delivery.id).order_by(Delivery.id)).all(),
            "keys": count(newsroom, ApiKey),
            "audit": count(newsroom, AuditEntry),
        }


def publish(client: TestClient, newsroom: Newsroom, **fields: object) -> str:
    """An English story published through the API by the editor; its URI."""
    client.cookies.clear()
    editor = newsroom.headers("editor")
    created = client.post("/api/v1/stories", json=ninjs_story("en", **fields), headers=editor)
    assert created.status_code == 201, created.text
    story = created.json()
    published = client.post(f"/api/v1/stories/{story['story_id']}/items/en/publish", headers=editor)
    assert published.status_code == 200, published.text
    return str(story["uri"])


def add_product(admin: StaffBrowser, name: str, **fields: object) -> None:
    response = admin.post(f"{ADMIN}/products", {"name": name, **fields})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{ADMIN}/products?done=created"


def add_subscriber(admin: StaffBrowser, newsroom: Newsroom, name: str, product: str) -> int:
    """A subscriber added on the subscribers page, then given `product` on its own page."""
    assert SHOWN_ONCE in admin.post(f"{ADMIN}/subscribers", {"name": name}).text
    with newsroom.database.read() as session:
        subscriber_id = session.scalar(select(Subscriber.id).where(Subscriber.name == name))
    assert subscriber_id is not None
    chosen = admin.post(f"{ADMIN}/subscribers/{subscriber_id}/products", {"products": [product]})
    assert chosen.status_code == 303, chosen.text
    return subscriber_id


def add_webhook(
    admin: StaffBrowser, newsroom: Newsroom, receiver: Receiver, path: str
) -> tuple[int, int]:
    """A subscriber of an "English wire" with a webhook to `path` of the receiver, which then
    verifies every delivery with the secret the page showed once. (subscriber, channel) ids."""
    if "English wire" not in admin.get(f"{ADMIN}/products").text:
        add_product(admin, "English wire", languages=["en"])
    subscriber_id = add_subscriber(admin, newsroom, f"client {path}", "English wire")
    shown = admin.post(
        f"{ADMIN}/subscribers/{subscriber_id}/channels",
        {"kind": "webhook", "target": receiver.url(path), "format": "ninjs"},
    )
    receiver.secrets[path] = secret_of(shown)
    with newsroom.database.read() as session:
        channel_id = session.scalar(
            select(Channel.id).where(Channel.subscriber_id == subscriber_id)
        )
    assert channel_id is not None
    return subscriber_id, channel_id


def channel_row(admin: StaffBrowser, channel_id: int) -> HtmlElement:
    """The channel's row on the delivery page."""
    (row,) = html(admin.get(f"{ADMIN}/delivery")).cssselect(f"#channel-{channel_id}")
    return row


def cell(row: HtmlElement, name: str) -> str:
    (found,) = row.cssselect(f"td.{name}")
    return words(found)


def row_once(
    admin: StaffBrowser, channel_id: int, column: str, value: str, *more: tuple[str, str]
) -> HtmlElement:
    """The channel's row once its `column` says `value` (and each of `more` (column, words)
    is in its column): the worker sends on its own time."""

    def check() -> HtmlElement | None:
        row = channel_row(admin, channel_id)
        if cell(row, column) != value or any(text not in cell(row, c) for c, text in more):
            return None
        return row

    return eventually(check)


# --- products ------------------------------------------------------------------------------


def test_a_product_is_made_on_its_page_and_listed_with_its_filters(
    staff: Staff, newsroom: Newsroom
) -> None:
    admin = staff("admin")
    form = html(admin.get(f"{ADMIN}/products")).cssselect("form#add")[0]
    assert [o.get("value") for o in form.cssselect("select[name=max_urgency] option")] == [
        str(number) for number in range(1, 10)
    ]
    assert form.cssselect("input[name=desks][value=economy]")
    assert form.cssselect("input[name=bureaus][value=baku]")
    assert form.cssselect("input[name=topics][value='medtop:04000000']")

    add_product(
        admin,
        "Baku business",
        languages=["en", "ru"],
        topics=["medtop:04000000"],
        desks=["economy"],
        bureaus=["baku"],
        max_urgency="4",
        content="own",
    )
    page = html(admin.get(f"{ADMIN}/products?done=created"))
    assert words(page.cssselect(".notice")[0]) == "Created."
    (row,) = [r for r in page.cssselect("table.products tbody tr") if "Baku business" in words(r)]
    summary = words(row.cssselect(".filters")[0])
    assert "Languages: English, Русский" in summary
    assert "Topics: economy, business and finance" in summary
    assert "Desks: Economy" in summary
    assert "Bureaus: Baku" in summary
    assert "Urgency 1 to 4" in summary
    assert "Our own content only" in summary
    with newsroom.database.read() as session:
        product = session.scalars(select(Product).where(Product.name == "Baku business")).one()
        assert (product.max_urgency, product.content, len(product.desk_ids)) == (4, "own", 1)

    # The seeded subscriber "everything" has a product of its own that lets everything through.
    (everything,) = [
        r for r in page.cssselect("table.products tbody tr") if "everything" in words(r)
    ]
    assert "everything published" in words(everything)
    assert everything.cssselect("a[href^='/newsroom/admin/subscribers/']")


def test_a_refused_product_says_why_next_to_its_field_and_stores_nothing(
    staff: Staff, newsroom: Newsroom
) -> None:
    admin = staff("admin")
    add_product(admin, "Sport")
    before = stored(newsroom)
    cases: list[tuple[dict[str, object], str, int]] = [
        ({"name": "Flash", "max_urgency": "12"}, "max_urgency", 422),
        ({"name": "Flash", "max_urgency": "one"}, "max_urgency", 422),
        ({"name": "Flash", "desks": ["weather"]}, "desks", 422),
        ({"name": "Flash", "bureaus": ["tokyo"]}, "bureaus", 422),
        ({"name": "Flash", "languages": ["ja"]}, "languages", 422),
        ({"name": "Flash", "more_topics": "medtop:1"}, "topics", 422),
        ({"name": "Flash", "content": "stolen"}, "content", 422),
        ({"name": "Sport"}, "name", 409),
    ]
    for fields, field, status in cases:
        response = admin.post(f"{ADMIN}/products", fields)
        assert response.status_code == status, (fields, response.text)
        page = lxml.html.fromstring(response.text)
        assert page.cssselect(f"#problem-{field}"), fields
        assert page.cssselect("form#add input[name=name]")[0].get("value") == fields["name"]
    assert stored(newsroom) == before


# --- a subscriber's products, channels and keys ----------------------------------------------


def test_a_subscriber_shows_its_products_and_its_webhook_secret_once(
    staff: Staff, newsroom: Newsroom, app_client: TestClient, receiver: Receiver
) -> None:
    admin = staff("admin")
    add_product(admin, "English wire", languages=["en"])
    subscriber_id = add_subscriber(admin, newsroom, "Caspian Daily", "English wire")

    listing = html(admin.get(f"{ADMIN}/subscribers"))
    (row,) = [r for r in listing.cssselect("tbody tr") if "Caspian Daily" in words(r)]
    assert words(row.cssselect("td.products")[0]) == "English wire Languages: English"
    page = html(admin.get(f"{ADMIN}/subscribers/{subscriber_id}"))
    checked = page.cssselect("#products input[name=products][checked]")
    assert [box.get("value") for box in checked] == ["English wire"]
    assert "It has no delivery channel" in words(page.cssselect("#channels")[0])

    shown = admin.post(
        f"{ADMIN}/subscribers/{subscriber_id}/channels",
        {"kind": "webhook", "target": receiver.url("daily"), "format": "ninjs3"},
    )
    secret = secret_of(shown)
    assert secret.startswith("whsec_")
    assert SHOWN_ONCE in shown.text
    assert "A webhook for Caspian Daily has been added" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    receiver.secrets["daily"] = secret

    page = html(admin.get(f"{ADMIN}/subscribers/{subscriber_id}"))
    assert secret not in lxml.html.tostring(page, encoding="unicode")
    (channel,) = page.cssselect("#channels tbody tr")
    assert words(channel.cssselect("td")[0]) == f"Webhook {receiver.url('daily')}"
    assert "ninjs 3.1" in words(channel)
    assert words(channel.cssselect(".health")[0]) == "idle"
    assert secret not in admin.get(f"{ADMIN}/delivery").text

    uri = publish(app_client, newsroom)
    got = receiver.wait_for("daily", 1)
    assert [r.uri for r in got] == [uri]
    assert receiver.rejected == []

    def health() -> str | None:
        page = html(admin.get(f"{ADMIN}/subscribers/{subscriber_id}"))
        shown = words(page.cssselect("#channels .health")[0])
        return shown if shown != "idle" else None

    assert eventually(health) == "ok"


def test_a_refused_target_is_shown_next_to_its_field_and_nothing_is_stored(
    staff: Staff, newsroom: Newsroom
) -> None:
    admin = staff("admin")
    with newsroom.database.read() as session:
        subscriber_id = session.scalar(select(Subscriber.id).where(Subscriber.name == "everything"))
    before = stored(newsroom)
    for fields, field in [
        ({"kind": "webhook", "target": "http://10.0.0.1/hook"}, "target"),
        ({"kind": "webhook", "target": "ftp://example.com/"}, "target"),
        ({"kind": "email", "target": "not an address"}, "target"),
        ({"kind": "sftp", "target": "sftp://feed@10.1.2.3/in"}, "target"),
        ({"kind": "webhook", "target": "https://example.com/", "format": "rss"}, "format"),
        ({"kind": "pigeon", "target": "https://example.com/"}, "kind"),
    ]:
        response = admin.post(f"{ADMIN}/subscribers/{subscriber_id}/channels", fields)
        assert response.status_code == 422, (fields, response.text)
        page = lxml.html.fromstring(response.text)
        (problem,) = page.cssselect(f"#problem-{field}")
        assert words(problem), fields
        assert SHOWN_ONCE not in response.text
        target = page.cssselect("#add-channel input[name=target]")[0]
        assert target.get("value") == fields["target"]
    refused = admin.post(
        f"{ADMIN}/subscribers/{subscriber_id}/channels",
        {"kind": "webhook", "target": "http://10.0.0.1/hook"},
    )
    (problem,) = lxml.html.fromstring(refused.text).cssselect("#problem-target")
    assert "10.0.0.1" in words(problem)
    assert stored(newsroom) == before


def test_rotating_a_signing_secret_shows_the_new_one_once_and_both_sign(
    staff: Staff, newsroom: Newsroom, app_client: TestClient, receiver: Receiver
) -> None:
    admin = staff("admin")
    subscriber_id, channel_id = add_webhook(admin, newsroom, receiver, "rotating")
    old = receiver.secrets["rotating"]
    page = html(admin.get(f"{ADMIN}/subscribers/{subscriber_id}"))
    assert "both the new and the old secret sign" in words(page.cssselect("#channels")[0])

    rotated = admin.post(f"{ADMIN}/subscribers/{subscriber_id}/channels/{channel_id}/rotate")
    new = secret_of(rotated)
    assert new.startswith("whsec_")
    assert new != old
    assert SHOWN_ONCE in rotated.text
    assert "For the next 24 hours" in rotated.text
    assert new not in admin.get(f"{ADMIN}/subscribers/{subscriber_id}").text

    # A receiver still on the old secret accepts the next delivery, and one on the new does too.
    publish(app_client, newsroom)
    receiver.wait_for("rotating", 1)
    receiver.secrets["rotating"] = new
    publish(app_client, newsroom, slugline="SECOND")
    assert len(receiver.wait_for("rotating", 2)) == 2
    assert receiver.rejected == []

    # Another subscriber's channel is not this subscriber's to rotate.
    with newsroom.database.read() as session:
        other = session.scalar(select(Subscriber.id).where(Subscriber.name == "everything"))
    before = stored(newsroom)
    wrong = admin.post(f"{ADMIN}/subscribers/{other}/channels/{channel_id}/rotate")
    assert wrong.status_code == 404
    assert stored(newsroom) == before


def test_a_key_may_have_its_own_rate_limit(staff: Staff, newsroom: Newsroom) -> None:
    admin = staff("admin")
    with newsroom.database.read() as session:
        subscriber_id = session.scalar(select(Subscriber.id).where(Subscriber.name == "everything"))
    issued = admin.post(f"{ADMIN}/subscribers/{subscriber_id}/keys", {"rate_limit": "30"})
    key = secret_of(issued)
    page = html(admin.get(f"{ADMIN}/subscribers/{subscriber_id}"))
    limits = {
        words(row.cssselect("code")[0]): words(row.cssselect(".rate-limit")[0])
        for row in page.cssselect("#keys tbody tr")
    }
    assert limits[f"{key[:10]}…"] == "30"
    assert sorted(limits.values()) == ["30", "600 (the default)"]

    before = stored(newsroom)
    for value in ("0", "many", "-5", "²"):
        refused = admin.post(f"{ADMIN}/subscribers/{subscriber_id}/keys", {"rate_limit": value})
        assert refused.status_code == 422, value
        assert SHOWN_ONCE not in refused.text
        assert lxml.html.fromstring(refused.text).cssselect("#problem-rate_limit"), value
    assert stored(newsroom) == before


# --- the delivery page -----------------------------------------------------------------------


def test_the_delivery_page_shows_health_and_lag_and_pauses_and_resumes(
    staff: Staff, newsroom: Newsroom, app_client: TestClient, receiver: Receiver
) -> None:
    admin = staff("admin")
    page = html(admin.get(f"{ADMIN}/delivery"))
    assert "No subscriber has a delivery channel yet" in words(page.cssselect("tbody")[0])
    nav = page.cssselect(".admin-tabs")[0]
    assert nav.cssselect(f"a[href='{ADMIN}/delivery'][aria-current=page]")
    assert "Times are in Asia/Baku" in words(page)

    _, channel_id = add_webhook(admin, newsroom, receiver, "paused")
    publish(app_client, newsroom)
    receiver.wait_for("paused", 1)
    row = row_once(admin, channel_id, "delivered", "1", ("health", "ok"))
    assert cell(row, "subscriber") == "client paused"
    assert cell(row, "channel") == f"Webhook {receiver.url('paused')}"
    assert cell(row, "health") == "ok"
    assert (cell(row, "open"), cell(row, "lag"), cell(row, "failed")) == ("0", "—", "0")
    assert cell(row, "last-error") == "—"
    assert cell(row, "last-delivered") != "never"

    paused = admin.post(f"{ADMIN}/delivery/{channel_id}/pause", {"from": "list"})
    assert paused.status_code == 303
    assert paused.headers["location"] == f"{ADMIN}/delivery?done=updated"
    publish(app_client, newsroom, slugline="WAITS")
    row = channel_row(admin, channel_id)
    assert cell(row, "health") == "paused"
    assert "Paused" in words(row.cssselect(".paused-reason")[0])
    assert "paused by admin" in words(row.cssselect(".paused-reason")[0])
    assert cell(row, "open") == "1"
    assert re.fullmatch(r"\d+ seconds?", cell(row, "lag")), cell(row, "lag")
    assert row.cssselect("form[action$='/resume']")
    assert not row.cssselect("form[action$='/pause']")
    assert len(receiver.got("paused")) == 1

    resumed = admin.post(f"{ADMIN}/delivery/{channel_id}/resume")
    assert resumed.headers["location"] == f"{ADMIN}/delivery/{channel_id}?done=updated"
    assert len(receiver.wait_for("paused", 2)) == 2
    row = row_once(admin, channel_id, "open", "0")
    assert cell(row, "health") == "ok"
    assert cell(row, "delivered") == "2"
    assert not row.cssselect(".paused-reason")
    with newsroom.database.read() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("channel.%"))
        ).all()
    assert [a for a in actions if a in ("channel.pause", "channel.resume")] == [
        "channel.pause",
        "channel.resume",
    ]


def test_a_receiver_answering_410_leaves_the_channel_visibly_paused(
    staff: Staff, newsroom: Newsroom, app_client: TestClient, receiver: Receiver
) -> None:
    admin = staff("admin")
    _, channel_id = add_webhook(admin, newsroom, receiver, "gone")
    receiver.set_mode("gone", "gone")
    publish(app_client, newsroom)
    row = row_once(admin, channel_id, "health", "paused")
    assert "410" in words(row.cssselect(".paused-reason")[0])
    assert cell(row, "open") == "1"  # it waits for the subscriber to come back

    page = html(admin.get(f"{ADMIN}/delivery/{channel_id}"))
    (reason,) = page.cssselect("main > .paused-reason")
    assert "the receiver answered 410 Gone" in words(reason)
    assert words(page.cssselect("h1 .health")[0]) == "paused"
    assert receiver.got("gone") == []

    # Once the subscriber wants deliveries again, resuming sends what waited.
    receiver.set_mode("gone", "ok")
    admin.post(f"{ADMIN}/delivery/{channel_id}/resume")
    assert len(receiver.wait_for("gone", 1)) == 1


def test_retry_now_sends_a_waiting_retry_at_once(
    staff: Staff, newsroom: Newsroom, app_client: TestClient, receiver: Receiver
) -> None:
    admin = staff("admin")
    _, channel_id = add_webhook(admin, newsroom, receiver, "flaky")
    receiver.set_mode("flaky", "fail")
    publish(app_client, newsroom)
    row = row_once(admin, channel_id, "health", "retrying", ("last-error", "500"))
    assert cell(row, "open") == "1"

    receiver.set_mode("flaky", "ok")  # the next attempt is minutes away, unless…
    retried = admin.post(f"{ADMIN}/delivery/{channel_id}/retry", {"from": "list"})
    assert retried.headers["location"] == f"{ADMIN}/delivery?due=1"
    page = html(admin.get(retried.headers["location"]))
    assert "Deliveries due now: 1." in words(page.cssselect(".notice")[0])
    assert len(receiver.wait_for("flaky", 1)) == 1
    row_once(admin, channel_id, "open", "0", ("health", "ok"))


def test_a_delivery_replayed_from_the_channel_page_arrives_again_as_a_new_one(
    staff: Staff, newsroom: Newsroom, app_client: TestClient, receiver: Receiver
) -> None:
    admin = staff("admin")
    _, channel_id = add_webhook(admin, newsroom, receiver, "replay")
    uri = publish(app_client, newsroom)
    (first,) = receiver.wait_for("replay", 1)

    def delivered_row() -> HtmlElement | None:
        page = html(admin.get(f"{ADMIN}/delivery/{channel_id}"))
        rows = page.cssselect("table.deliveries tbody tr")
        return rows[0] if rows and words(rows[0].cssselect(".state")[0]) == "delivered" else None

    row = eventually(delivered_row)
    assert words(row.cssselect(".message-id")[0]) == first.message_id
    assert "published" in words(row)
    (button,) = row.cssselect("form[action$='/replay']")
    replayed = admin.post(button.get("action"))
    assert replayed.headers["location"] == f"{ADMIN}/delivery/{channel_id}?replayed=1"
    page = html(admin.get(replayed.headers["location"]))
    assert "Deliveries queued again: 1." in words(page.cssselect(".notice")[0])

    got = receiver.wait_for("replay", 2)
    assert [r.uri for r in got] == [uri, uri]
    assert got[1].message_id != first.message_id
    assert receiver.redelivered["replay"] == []
    page = html(admin.get(f"{ADMIN}/delivery/{channel_id}"))
    newest = page.cssselect("table.deliveries tbody tr")[0]
    assert words(newest.cssselect(".message-id")[0]) == got[1].message_id
    assert "replay of" in words(newest)

    # A delivery of another channel is not replayed through this one.
    with newsroom.database.read() as session:
        other = session.scalar(select(Channel.id).where(Channel.id != channel_id))
    before = stored(newsroom)
    with newsroom.database.read() as session:
        delivery_id = session.scalar(select(func.max(Delivery.id)))
    assert (
        admin.post(f"{ADMIN}/delivery/{other or 2**30}/deliveries/{delivery_id}/replay").status_code
        == 404
    )
    assert stored(newsroom) == before


def test_a_time_range_is_replayed_in_the_agency_time_zone(
    staff: Staff, newsroom: Newsroom, app_client: TestClient, receiver: Receiver
) -> None:
    admin = staff("admin")
    _, channel_id = add_webhook(admin, newsroom, receiver, "range")
    publish(app_client, newsroom)
    publish(app_client, newsroom, slugline="SECOND")
    receiver.wait_for("range", 2)
    page = html(admin.get(f"{ADMIN}/delivery/{channel_id}"))
    assert "Times are in Asia/Baku" in words(page.cssselect("form#replay")[0])

    now = datetime.now(AGENCY_ZONE)
    local = "%Y-%m-%dT%H:%M"
    # A range that ended an hour ago holds nothing; one from an hour ago holds both.
    before = stored(newsroom)
    empty = admin.post(
        f"{ADMIN}/delivery/{channel_id}/replay",
        {
            "since": (now - timedelta(hours=3)).strftime(local),
            "until": (now - timedelta(hours=1)).strftime(local),
        },
    )
    assert empty.headers["location"] == f"{ADMIN}/delivery/{channel_id}?replayed=0"
    for fields, field in [
        ({"since": (now - timedelta(hours=1)).strftime(local), "until": "yesterday"}, "until"),
        (
            {"since": now.strftime(local), "until": (now - timedelta(hours=1)).strftime(local)},
            "until",
        ),
        ({"since": ""}, "since"),
        ({"since": "1200-01-01T00:00"}, "since"),
    ]:
        refused = admin.post(f"{ADMIN}/delivery/{channel_id}/replay", fields)
        assert refused.status_code == 422, fields
        assert lxml.html.fromstring(refused.text).cssselect(f"#problem-{field}"), fields
    after = stored(newsroom)
    assert after["deliveries"] == before["deliveries"]

    replayed = admin.post(
        f"{ADMIN}/delivery/{channel_id}/replay",
        {"since": (now - timedelta(hours=1)).strftime(local)},
    )
    assert replayed.headers["location"] == f"{ADMIN}/delivery/{channel_id}?replayed=2"
    got = receiver.wait_for("range", 4)
    assert len({r.message_id for r in got}) == 4


def test_the_channel_page_pages_through_older_deliveries(
    staff: Staff, newsroom: Newsroom, app_client: TestClient, receiver: Receiver
) -> None:
    admin = staff("admin")
    _, channel_id = add_webhook(admin, newsroom, receiver, "pages")
    publish(app_client, newsroom)
    receiver.wait_for("pages", 1)
    # Replays fill the ledger quickly: 55 deliveries in all (50 a page).
    row_once(admin, channel_id, "delivered", "1")
    (first,) = html(admin.get(f"{ADMIN}/delivery/{channel_id}")).cssselect(
        "table.deliveries form[action$='/replay']"
    )
    for _ in range(54):
        admin.post(first.get("action"))
    page = html(admin.get(f"{ADMIN}/delivery/{channel_id}"))
    assert len(page.cssselect("table.deliveries tbody tr")) == 50
    (older,) = page.cssselect(".pager a[rel=next]")
    rest = html(admin.get(older.get("href")))
    assert len(rest.cssselect("table.deliveries tbody tr")) == 5
    assert not rest.cssselect(".pager a[rel=next]")
    assert rest.cssselect(f".pager a[href='{ADMIN}/delivery/{channel_id}']")


# --- who may ---------------------------------------------------------------------------------


def test_only_admins_open_the_distribution_pages(
    staff: Staff, newsroom: Newsroom, app_client: TestClient, receiver: Receiver
) -> None:
    admin = staff("admin")
    subscriber_id, channel_id = add_webhook(admin, newsroom, receiver, "private")
    with newsroom.database.read() as session:
        delivery_id = session.scalar(select(func.max(Delivery.id))) or 1
    pages = [
        f"{ADMIN}/products",
        f"{ADMIN}/delivery",
        f"{ADMIN}/delivery/{channel_id}",
        f"{ADMIN}/subscribers/{subscriber_id}",
    ]
    posts: list[tuple[str, dict[str, object]]] = [
        (f"{ADMIN}/products", {"name": "mole"}),
        (f"{ADMIN}/subscribers/{subscriber_id}/products", {"products": ["mole"]}),
        (f"{ADMIN}/subscribers/{subscriber_id}/channels",
         {"kind": "webhook", "target": "https://example.com/"}),
        (f"{ADMIN}/subscribers/{subscriber_id}/channels/{channel_id}/rotate", {}),
        (f"{ADMIN}/subscribers/{subscriber_id}/keys", {"rate_limit": "5"}),
        (f"{ADMIN}/delivery/{channel_id}/retry", {}),
        (f"{ADMIN}/delivery/{channel_id}/pause", {}),
        (f"{ADMIN}/delivery/{channel_id}/resume", {}),
        (f"{ADMIN}/delivery/{channel_id}/replay", {"since": "2025-01-01T00:00"}),
        (f"{ADMIN}/delivery/{channel_id}/deliveries/{delivery_id}/replay", {}),
    ]  # fmt: skip
    browsers = [staff("editor"), staff("chief")]
    before = stored(newsroom)
    for browser in browsers:
        who = browser.name
        for path in pages:
            response = browser.get(path)
            assert response.status_code == 403, (who, path)
            assert "Not allowed" in response.text
        for path, form in posts:
            assert browser.post(path, form).status_code == 403, (who, path)
    assert stored(newsroom) == before
    assert "/newsroom/admin/delivery" not in browsers[0].get("/newsroom/account").text

    app_client.cookies.clear()
    for path in pages:
        sent_away = app_client.get(path, follow_redirects=False)
        assert sent_away.status_code == 303, path
        assert sent_away.headers["location"].startswith("/newsroom/login?next=")


def test_the_delivery_page_speaks_the_interface_language(
    staff: Staff, newsroom: Newsroom, app_client: TestClient, receiver: Receiver
) -> None:
    admin = staff("admin")
    _, channel_id = add_webhook(admin, newsroom, receiver, "russian")
    admin.post(f"{ADMIN}/delivery/{channel_id}/pause")
    publish(app_client, newsroom)
    page = admin.get(f"{ADMIN}/delivery", headers={"Accept-Language": "ru"})
    (row,) = html(page).cssselect(f"#channel-{channel_id}")
    assert cell(row, "health") == "приостановлен"
    assert re.fullmatch(r"\d+ секунд[аы]?", cell(row, "lag")), cell(row, "lag")
    assert cell(row, "channel").startswith("Вебхук http://127.0.0.1:")
