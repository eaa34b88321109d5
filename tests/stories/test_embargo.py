"""An embargoed item shows nowhere before its time and publishes itself at its time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from starlette.testclient import TestClient

from newswire.config import Settings
from newswire.stories import services
from tests.conftest import Newsroom, ninjs_story


def _embargoed_story(client: TestClient, newsroom: Newsroom, until: datetime) -> tuple[int, str]:
    editor = newsroom.headers("editor")
    document = ninjs_story("en", embargoed=until.isoformat())
    created = client.post("/api/v1/stories", json=document, headers=editor).json()
    published = client.post(
        f"/api/v1/stories/{created['story_id']}/items/en/publish", headers=editor
    )
    assert published.json()["status"] == "scheduled"
    return int(created["story_id"]), str(created["uri"])


def test_embargoed_item_is_released_at_its_time(client: TestClient, newsroom: Newsroom) -> None:
    reader = newsroom.headers("all")
    until = datetime.now(UTC) + timedelta(seconds=1.5)
    _, uri = _embargoed_story(client, newsroom, until)

    assert client.get(f"/api/v1/items/{uri}", headers=reader).status_code == 404
    assert client.get("/api/v1/items", headers=reader).json()["items"] == []
    assert client.get("/api/v1/feed?cursor=0", headers=reader).json()["events"] == []

    # the embedded worker releases it by itself; the feed long-poll sees it come out
    page = client.get("/api/v1/feed?cursor=0&wait=10", headers=reader).json()
    released_at = datetime.now(UTC)
    assert [(e["uri"], e["kind"]) for e in page["events"]] == [(uri, "published")]
    assert released_at >= until
    assert (released_at - until).total_seconds() < 3
    document = client.get(f"/api/v1/items/{uri}", headers=reader).json()
    assert document["pubstatus"] == "usable"
    assert document["embargoed"].startswith(until.strftime("%Y-%m-%dT%H:%M:%S"))


def test_killing_a_scheduled_item_stops_its_release(client: TestClient, newsroom: Newsroom) -> None:
    until = datetime.now(UTC) + timedelta(hours=2)
    story_id, _ = _embargoed_story(client, newsroom, until)
    killed = client.post(
        f"/api/v1/stories/{story_id}/items/en/kill", headers=newsroom.headers("editor")
    )
    assert killed.json()["status"] == "killed"
    with newsroom.database.write() as session:
        assert services.release_due_embargoes(session, now=until + timedelta(minutes=1)) == 0
        assert services.next_embargo(session) is None


def test_a_separate_worker_releases_due_embargoes(
    client: TestClient, newsroom: Newsroom, settings: Settings
) -> None:
    until = datetime.now(UTC) + timedelta(seconds=1)
    _, uri = _embargoed_story(client, newsroom, until)
    time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.2)
    newswire = Path(sys.executable).with_name("newswire")
    run = subprocess.run(
        [str(newswire), "worker", "--once"],
        env={**os.environ, "NEWSWIRE_DATABASE_URL": settings.database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    # either this worker or the embedded one released it; exactly once (the newsroom's
    # subscribers pull through the feed: nothing is pushed)
    assert " ".join(run.stdout.split()) in (
        f"released {n} embargoed version(s); made 0 machine draft(s); "
        "delivered 0 version(s), 0 attempt(s) failed"
        for n in (0, 1)
    )
    events = client.get("/api/v1/feed?cursor=0&wait=5", headers=newsroom.headers("all")).json()
    assert [e["uri"] for e in events["events"]] == [uri]
