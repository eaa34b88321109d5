"""`newswire product|subscriber|channel|delivery`: the real console script, run as an operator
runs it, against SQLite and PostgreSQL, delivering to a real webhook receiver on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from newswire.agency.services import get_bureau, get_desk
from newswire.api.app import create_app
from newswire.config import Settings
from newswire.db import Database
from newswire.stories import services as stories
from newswire.stories.document import ItemInput
from tests.cli.test_cli import ERROR_PREFIX, Run, cli, stored
from tests.conftest import Newsroom
from tests.delivery.receiver import Receiver

LOOPBACK = {"NEWSWIRE_OUTBOUND_ALLOW": "127.0.0.1/32"}
REFUSED = (
    "127.0.0.1 is a private, loopback or link-local address; "
    "allow its network in NEWSWIRE_OUTBOUND_ALLOW to deliver there (target)"
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


def error_of(run: Run) -> str:
    return run.error.removeprefix(ERROR_PREFIX)


LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[")


def worker_once(url: str, cwd: Path) -> str:
    """`newswire worker --once`, allowed to reach 127.0.0.1: its summary, as one line (the
    console wraps it at 80 columns), without the log lines about failed attempts."""
    # A failed attempt is retried minutes later, not while the test runs: only `delivery
    # retry` can bring it forward.
    run = cli(url, cwd, "worker", "--once", env=LOOPBACK | {"NEWSWIRE_DELIVERY_RETRY_BASE": "600"})
    assert run.code == 0, run.stderr
    summary = [line for line in run.stdout.splitlines() if not LOG_LINE.match(line)]
    return " ".join(" ".join(summary).split())


def worker_line(delivered: int, failed: int) -> str:
    return (
        "released 0 embargoed version(s); made 0 machine draft(s); "
        f"delivered {delivered} version(s), {failed} attempt(s) failed"
    )


def publish(newsroom: Newsroom, headline: str) -> str:
    """An English story published by the politics editor; its URI."""
    editor, ctx = newsroom.principals["editor"], newsroom.ctx
    with newsroom.database.write() as session:
        story = stories.create_story(
            session,
            editor,
            ctx,
            ItemInput(
                language="en",
                headline=headline,
                body_html="<p>Ports on the Caspian handled 4.2 million tonnes.</p>",
                urgency=4,
                subjects=("medtop:04000000",),
            ),
            desk_id=get_desk(session, "politics").id,
            bureau=get_bureau(session, "baku"),
        )
        stories.publish(session, editor, ctx, story.id, "en")
        return stories.get_item(session, story.id, "en").uri


def by_name(documents: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(d for d in documents if d["name"] == name)


# --- products ---------------------------------------------------------------------------------


def test_product_add_and_list(database_url: str, newsroom: Newsroom, tmp_path: Path) -> None:
    added = cli(
        database_url,
        tmp_path,
        "product",
        "add",
        "caspian-business",
        "--languages",
        "az,ru",
        "--topics",
        "medtop:04000000",
        "--desks",
        "economy,politics",
        "--bureaus",
        "baku",
        "--max-urgency",
        "4",
        "--content",
        "own",
        "--json",
    ).json()
    expected = {
        "id": added["id"],
        "name": "caspian-business",
        "languages": ["az", "ru"],
        "topics": ["medtop:04000000"],
        "desks": ["economy", "politics"],
        "bureaus": ["baku"],
        "max_urgency": 4,
        "content": "own",
    }
    assert added == expected
    everything = cli(database_url, tmp_path, "product", "add", "wire", "--json").json()
    assert everything == {
        "id": everything["id"],
        "name": "wire",
        "languages": [],
        "topics": [],
        "desks": [],
        "bureaus": [],
        "max_urgency": 9,
        "content": "all",
    }

    listed = cli(database_url, tmp_path, "product", "list", "--json").json()
    # the newsroom's two subscribers came with products of their own, under their names
    assert [p["name"] for p in listed] == ["caspian-business", "everything", "french", "wire"]
    assert listed[0] == expected
    assert by_name(listed, "french")["languages"] == ["fr"]

    table = cli(database_url, tmp_path, "product", "list")
    assert table.code == 0, table.stderr
    header, *rows = table.stdout.splitlines()
    assert header.split() == [
        "name", "languages", "topics", "desks", "bureaus", "urgency", "content",
    ]  # fmt: skip
    assert rows[0].split()[:2] == ["caspian-business", "az,ru"]
    assert rows[-1].split() == ["wire", "any", "any", "any", "any", "1-9", "all"]


def test_bad_products_are_refused_in_one_line(
    database_url: str, newsroom: Newsroom, tmp_path: Path
) -> None:
    assert cli(database_url, tmp_path, "product", "add", "wire").code == 0
    before = stored(database_url)
    cases = {
        ("wire",): "a product 'wire' exists already (name)",
        ("sport", "--desks", "sport"): "no desk 'sport' (desks)",
        ("sport", "--bureaus", "rome"): "no bureau 'rome' (bureaus)",
        ("sport", "--max-urgency", "0"): "urgency runs from 1 (flash) to 9 (max_urgency)",
        ("sport", "--content", "mine"): "content is one of all, own, partner (content)",
        ("sport", "--languages", "tlh"): "unknown language 'tlh'",
    }
    for args, message in cases.items():
        line = error_of(cli(database_url, tmp_path, "product", "add", *args))
        assert line.startswith(message), line
    assert stored(database_url) == before


# --- subscribers ------------------------------------------------------------------------------


def test_subscriber_with_products_and_a_loopback_webhook(
    database_url: str,
    newsroom: Newsroom,
    settings: Settings,
    database: Database,
    tmp_path: Path,
) -> None:
    assert cli(database_url, tmp_path, "product", "add", "wire", "--languages", "en").code == 0
    hook = "http://127.0.0.1:9/trend"
    before = stored(database_url)
    refused = cli(database_url, tmp_path, "subscriber", "add", "trend", "--webhook", hook)
    assert error_of(refused) == REFUSED
    assert stored(database_url) == before

    added = cli(
        database_url,
        tmp_path,
        "subscriber",
        "add",
        "trend",
        "--product",
        "wire",
        "--webhook",
        hook,
        "--format",
        "ninjs3",
        "--json",
        env=LOOPBACK,
    ).json()
    api_key, secret = added.pop("api_key"), added.pop("webhook_secret")
    assert added == {
        "id": added["id"],
        "name": "trend",
        "products": ["wire"],
        "languages": [],
        "topics": [],
        "webhook": hook,
        "channel_id": added["channel_id"],
    }
    assert isinstance(added["channel_id"], int)
    assert api_key.startswith("nwk_")
    assert secret.startswith("whsec_")

    channels = cli(database_url, tmp_path, "channel", "list", "--subscriber", "trend", "--json")
    [channel] = channels.json()
    assert {k: channel[k] for k in ("id", "kind", "target", "format", "health", "open")} == {
        "id": added["channel_id"],
        "kind": "webhook",
        "target": hook,
        "format": "ninjs3",
        "health": "idle",
        "open": 0,
    }
    assert secret not in channels.stdout

    listed = cli(database_url, tmp_path, "subscriber", "list", "--json").json()
    assert [s["name"] for s in listed] == ["everything", "french", "trend"]
    trend = by_name(listed, "trend")
    assert (trend["active"], trend["products"], trend["channels"], trend["live_keys"]) == (
        True,
        ["wire"],
        1,
        1,
    )
    first_key = trend["keys"][0]
    assert api_key.startswith(first_key["prefix"])
    assert first_key["rate_limit"] is None

    # another key, then the first revoked: rotation without a gap
    issued = cli(
        database_url, tmp_path, "subscriber", "key", "trend", "--rate-limit", "30", "--json"
    ).json()
    new_key = issued.pop("api_key")
    assert new_key.startswith(issued["prefix"])
    assert (issued["subscriber"], issued["rate_limit"]) == ("trend", 30)
    revoked = cli(
        database_url, tmp_path, "subscriber", "revoke-key", "trend", str(first_key["id"]), "--json"
    )
    assert revoked.json() == {"subscriber": "trend", "key_id": first_key["id"], "revoked": True}
    again = cli(database_url, tmp_path, "subscriber", "revoke-key", "trend", str(first_key["id"]))
    assert error_of(again) == f"the subscriber has no live key {first_key['id']} (key)"
    trend = by_name(cli(database_url, tmp_path, "subscriber", "list", "--json").json(), "trend")
    assert [(k["id"], k["rate_limit"]) for k in trend["keys"]] == [(issued["id"], 30)]
    with TestClient(create_app(settings, database, worker=False)) as client:
        old = client.get("/api/v1/items", headers={"Authorization": f"Bearer {api_key}"})
        assert old.status_code == 401
        new = client.get("/api/v1/items", headers={"Authorization": f"Bearer {new_key}"})
        assert new.status_code == 200

    products = cli(
        database_url, tmp_path, "subscriber", "products", "trend", "french", "wire", "--json"
    ).json()
    assert products["products"] == ["french", "wire"]
    before = stored(database_url)
    missing = cli(database_url, tmp_path, "subscriber", "products", "trend", "wire", "sport")
    assert error_of(missing) == "no product 'sport' (product)"
    nobody = cli(database_url, tmp_path, "subscriber", "key", "nobody")
    assert error_of(nobody) == "no subscriber 'nobody' (subscriber)"
    assert stored(database_url) == before

    human = cli(database_url, tmp_path, "subscriber", "list")
    assert human.code == 0, human.stderr
    row = next(line for line in human.stdout.splitlines() if line.startswith("trend "))
    assert row.split()[:4] == ["trend", "yes", "french,", "wire"]


# --- channels ---------------------------------------------------------------------------------


def test_channels_of_each_kind(database_url: str, newsroom: Newsroom, tmp_path: Path) -> None:
    assert cli(database_url, tmp_path, "subscriber", "add", "trend").code == 0

    def add(*args: str) -> Run:
        return cli(database_url, tmp_path, "channel", "add", "trend", *args, env=LOOPBACK)

    webhook = add("--webhook", "https://127.0.0.1:8443/in?token=t0p", "--json").json()
    assert webhook["kind"] == "webhook"
    assert webhook["target"] == "https://127.0.0.1:8443/in?…"  # a query may carry a token
    assert webhook["webhook_secret"].startswith("whsec_")

    sftp = add(
        "--sftp",
        "sftp://feed@127.0.0.1:2222/incoming",
        "--password",
        "sftp-pass-9",
        "--host-key",
        "SHA256:2mG8nYt0ZbQ",
        "--format",
        "newsml",
        "--json",
    )
    assert "sftp-pass-9" not in sftp.stdout
    assert sftp.json() == {
        "id": sftp.json()["id"],
        "subscriber": "trend",
        "kind": "sftp",
        "target": "sftp://feed@127.0.0.1:2222/incoming",
        "format": "newsml",
        "embargoed_copy": False,
        "host_key": "SHA256:2mG8nYt0ZbQ",
        "paused": False,
        "paused_reason": None,
        "paused_at": None,
        "webhook_secret": None,
    }

    email = add("--email", "desk@trend.az, night@trend.az", "--embargoed", "--json").json()
    assert (email["kind"], email["target"], email["embargoed_copy"], email["format"]) == (
        "email",
        "desk@trend.az, night@trend.az",
        True,
        "ninjs",
    )
    human = add("--email", "ops@trend.az")
    assert human.code == 0, human.stderr
    assert human.stdout.strip() == f"channel {email['id'] + 1} (email) added for trend"

    listed = cli(database_url, tmp_path, "channel", "list", "--json").json()
    assert [(c["kind"], c["health"], c["open"]) for c in listed] == [
        ("webhook", "idle", 0),
        ("sftp", "idle", 0),
        ("email", "idle", 0),
        ("email", "idle", 0),
    ]

    before = stored(database_url)
    refused = {
        (
            "--sftp",
            "sftp:///incoming",
        ): "an SFTP channel needs an sftp://user@host/folder URL (target)",
        (
            "--sftp",
            "ftp://feed@127.0.0.1/in",
        ): "an SFTP channel needs an sftp://user@host/folder URL (target)",
        ("--sftp", "sftp://feed:pw@127.0.0.1/in"): (
            "give the SFTP password apart, not in the URL (target)"
        ),
        ("--sftp", "sftp://feed@127.0.0.1/in", "--host-key", "2mG8nYt0ZbQ"): (
            "a host key is its SHA256 fingerprint: SHA256:… (host_key)"
        ),
        ("--email", "desk@trend.az, not-an-address"): (
            "e-mail channels take addresses, comma-separated (target)"
        ),
        ("--email", "desk@trend.az", "--password", "x"): (
            "--password is for SFTP channels only (--password)"
        ),
        ("--webhook", "http://127.0.0.1/in", "--email", "desk@trend.az"): (
            "give exactly one of --webhook, --sftp or --email (kind)"
        ),
        (): "give exactly one of --webhook, --sftp or --email (kind)",
        ("--webhook", "http://127.0.0.1/in", "--format", "rss"): (
            "a channel's format is one of ninjs, ninjs3, newsml (format)"
        ),
    }
    for args, message in refused.items():
        assert error_of(add(*args)) == message, args
    private = cli(database_url, tmp_path, "channel", "add", "trend", "--sftp", "sftp://f@10.0.0.7/")
    assert error_of(private) == REFUSED.replace("127.0.0.1", "10.0.0.7")
    assert stored(database_url) == before


def test_pause_resume_and_rotate_a_secret(
    database_url: str, newsroom: Newsroom, tmp_path: Path
) -> None:
    added = cli(
        database_url,
        tmp_path,
        "subscriber",
        "add",
        "trend",
        "--webhook",
        "http://127.0.0.1:9/in",
        "--json",
        env=LOOPBACK,
    ).json()
    channel = str(added["channel_id"])

    paused = cli(
        database_url, tmp_path, "channel", "pause", channel, "--reason", "client moves servers"
    )
    assert paused.stdout.strip() == f"channel {channel} paused: client moves servers"
    [shown] = cli(database_url, tmp_path, "channel", "list", "--json").json()
    assert (shown["health"], shown["paused"], shown["paused_reason"]) == (
        "paused",
        True,
        "client moves servers",
    )
    resumed = cli(database_url, tmp_path, "channel", "resume", channel, "--json").json()
    assert (resumed["paused"], resumed["paused_reason"], resumed["paused_at"]) == (
        False,
        None,
        None,
    )
    [shown] = cli(database_url, tmp_path, "channel", "list", "--json").json()
    assert shown["health"] == "idle"

    rotated = cli(database_url, tmp_path, "channel", "rotate-secret", channel, "--json").json()
    assert rotated["id"] == added["channel_id"]
    assert rotated["webhook_secret"].startswith("whsec_")
    assert rotated["webhook_secret"] != added["webhook_secret"]
    until = datetime.fromisoformat(rotated["previous_secret_until"])
    assert abs(until - (datetime.now(UTC) + timedelta(hours=24))) < timedelta(minutes=1)
    human = cli(database_url, tmp_path, "channel", "rotate-secret", channel)
    first, second = human.stdout.splitlines()
    assert first.startswith("new webhook signing secret: whsec_")
    assert second.startswith("the old secret keeps signing too for 24 h, until ")

    email = cli(
        database_url, tmp_path, "channel", "add", "trend", "--email", "a@trend.az", "--json"
    ).json()
    before = stored(database_url)
    no_secret = cli(database_url, tmp_path, "channel", "rotate-secret", str(email["id"]))
    assert error_of(no_secret) == "only webhooks have signing secrets (channel)"
    assert error_of(cli(database_url, tmp_path, "channel", "pause", "999")) == (
        "no channel 999 (channel)"
    )
    assert stored(database_url) == before


# --- deliveries -------------------------------------------------------------------------------


def test_deliveries_listed_replayed_and_retried(
    database_url: str, newsroom: Newsroom, tmp_path: Path, receiver: Receiver
) -> None:
    added = cli(
        database_url,
        tmp_path,
        "subscriber",
        "add",
        "trend",
        "--webhook",
        receiver.url("trend"),
        "--json",
        env=LOOPBACK,
    ).json()
    receiver.secrets["trend"] = added["webhook_secret"]
    channel = str(added["channel_id"])
    before_publication = datetime.now(UTC) - timedelta(seconds=1)
    uri = publish(newsroom, "Caspian ports report record cargo")

    pending = cli(database_url, tmp_path, "delivery", "list", "--json").json()
    assert [(d["uri"], d["version"], d["state"]) for d in pending] == [(uri, 1, "pending")]
    assert worker_once(database_url, tmp_path) == worker_line(delivered=1, failed=0)
    [got] = receiver.got("trend")
    [made] = cli(database_url, tmp_path, "delivery", "list", "--channel", channel, "--json").json()
    assert made == {
        "id": made["id"],
        "message_id": got.message_id,
        "channel_id": added["channel_id"],
        "uri": uri,
        "version": 1,
        "kind": "published",
        "embargoed": False,
        "state": "delivered",
        "attempts": 1,
        "created_at": made["created_at"],
        "first_attempt_at": made["first_attempt_at"],
        "next_attempt_at": None,
        "delivered_at": made["delivered_at"],
        "last_error": None,
        "replay_of": None,
    }

    # a replay is a new delivery: the receiver gets it again, under another webhook-id,
    # signed with the secret of the day
    rotated = cli(database_url, tmp_path, "channel", "rotate-secret", channel, "--json").json()
    receiver.secrets["trend"] = rotated["webhook_secret"]
    queued = cli(database_url, tmp_path, "delivery", "replay", str(made["id"]), "--json")
    assert queued.json() == {"queued": 1}
    assert worker_once(database_url, tmp_path) == worker_line(delivered=1, failed=0)
    first, second = receiver.got("trend")
    assert (second.uri, second.version) == (first.uri, first.version) == (uri, 1)
    assert second.message_id != first.message_id
    assert receiver.redelivered["trend"] == []
    assert receiver.rejected == []
    listed = cli(database_url, tmp_path, "delivery", "list", "--json").json()
    assert [(d["state"], d["replay_of"], d["message_id"]) for d in listed] == [
        ("delivered", made["id"], second.message_id),
        ("delivered", None, first.message_id),
    ]

    # a time range replays the channel's original deliveries made in it, not the replays
    since = before_publication.isoformat().replace("+00:00", "Z")
    empty = cli(
        database_url, tmp_path, "delivery", "replay", "--channel", channel,
        "--since", (before_publication - timedelta(hours=1)).isoformat(),
        "--until", before_publication.isoformat(), "--json",
    )  # fmt: skip
    assert empty.json() == {"queued": 0}
    ranged = cli(
        database_url, tmp_path, "delivery", "replay", "--channel", channel, "--since", since
    )
    assert ranged.stdout.strip() == "queued 1 delivery(ies) again"
    assert worker_once(database_url, tmp_path) == worker_line(delivered=1, failed=0)
    assert len({r.message_id for r in receiver.got("trend")}) == 3

    # a failing receiver: the delivery waits for its retry, which an operator brings forward
    receiver.set_mode("trend", "fail")
    second_uri = publish(newsroom, "Baku hosts energy week")
    assert worker_once(database_url, tmp_path) == worker_line(delivered=0, failed=1)
    [waiting] = cli(
        database_url, tmp_path, "delivery", "list", "--state", "retrying", "--json"
    ).json()
    assert (waiting["uri"], waiting["attempts"]) == (second_uri, 1)
    assert "500" in waiting["last_error"]
    [health] = cli(database_url, tmp_path, "channel", "list", "--json").json()
    assert (health["health"], health["open"]) == ("retrying", 1)
    assert "500" in health["last_error"]
    receiver.set_mode("trend", "ok")
    assert worker_once(database_url, tmp_path) == worker_line(delivered=0, failed=0)  # not due
    retried = cli(database_url, tmp_path, "delivery", "retry", "--channel", channel, "--json")
    assert retried.json() == {"channel": added["channel_id"], "retrying_now": 1}
    assert worker_once(database_url, tmp_path) == worker_line(delivered=1, failed=0)
    assert [r.uri for r in receiver.got("trend")][-1] == second_uri
    [health] = cli(database_url, tmp_path, "channel", "list", "--json").json()
    assert (health["health"], health["open"], health["delivered_24h"]) == ("ok", 0, 4)

    table = cli(database_url, tmp_path, "delivery", "list", "--limit", "2")
    header, *rows = table.stdout.splitlines()
    assert header.split()[:5] == ["id", "channel", "item", "kind", "state"]
    assert rows[0].split()[0] == str(waiting["id"])


def test_bad_delivery_commands_are_refused_in_one_line(
    database_url: str, newsroom: Newsroom, tmp_path: Path
) -> None:
    before = stored(database_url)
    cases = {
        ("list", "--state", "lost"): (
            "a delivery state is one of pending, in_flight, retrying, delivered, failed (state)"
        ),
        ("list", "--channel", "7"): "no channel 7 (channel)",
        ("replay",): "give delivery ids, or --channel with --since (--channel)",
        ("replay", "41"): "no delivery 41 (delivery)",
        ("replay", "41", "--channel", "7"): "give delivery ids or --channel, not both (--channel)",
        ("replay", "--channel", "7"): "--channel needs --since: from when to replay (--since)",
        ("replay", "--channel", "7", "--since", "yesterday"): (
            "'yesterday' is not an RFC 3339 time such as 2025-05-01T09:00:00Z (--since)"
        ),
        ("replay", "--channel", "7", "--since", "2025-05-01T09:00:00"): (
            "'2025-05-01T09:00:00' has no time zone: end it with Z or an offset such as "
            "+04:00 (--since)"
        ),
        ("replay", "--channel", "7", "--since", "2025-05-01T09:00:00Z"): "no channel 7 (channel)",
        ("replay", "--channel", "7", "--since", "2025-05-02T00:00Z",
         "--until", "2025-05-01T00:00Z"): "--until comes after --since (--until)",
        ("retry", "--channel", "7"): "no channel 7 (channel)",
    }  # fmt: skip
    for args, message in cases.items():
        assert error_of(cli(database_url, tmp_path, "delivery", *args)) == message, args
    assert stored(database_url) == before
