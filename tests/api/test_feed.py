"""The feed: ordered events, cursors, and long-polls woken by publications at once —
in the same process and from another process sharing the database."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from newswire.config import Settings
from tests.conftest import Newsroom, free_port, ninjs_story


def _file_and_publish(client: TestClient, newsroom: Newsroom, language: str = "en") -> str:
    editor = newsroom.headers("editor")
    created = client.post("/api/v1/stories", json=ninjs_story(language), headers=editor).json()
    response = client.post(
        f"/api/v1/stories/{created['story_id']}/items/{language}/publish", headers=editor
    )
    assert response.status_code == 200, response.text
    return str(created["uri"])


def test_cursor_pages_through_every_event_once(client: TestClient, newsroom: Newsroom) -> None:
    uris = [_file_and_publish(client, newsroom) for _ in range(5)]
    reader = newsroom.headers("all")
    seen: list[str] = []
    cursor = 0
    while True:
        page = client.get(f"/api/v1/feed?cursor={cursor}&limit=2", headers=reader).json()
        if not page["events"]:
            break
        seen += [event["uri"] for event in page["events"]]
        assert page["next_cursor"] > cursor
        cursor = page["next_cursor"]
    assert seen == uris


def test_feed_shows_only_entitled_events(client: TestClient, newsroom: Newsroom) -> None:
    _file_and_publish(client, newsroom, "en")
    french = _file_and_publish(client, newsroom, "fr")
    page = client.get("/api/v1/feed?cursor=0", headers=newsroom.headers("fr_only")).json()
    assert [event["uri"] for event in page["events"]] == [french]


def test_long_poll_wakes_when_a_story_is_published(client: TestClient, newsroom: Newsroom) -> None:
    reader = newsroom.headers("all")
    start = client.get("/api/v1/feed?cursor=0", headers=reader).json()["next_cursor"]
    result: dict[str, object] = {}

    def poll() -> None:
        began = time.monotonic()
        response = client.get(f"/api/v1/feed?cursor={start}&wait=20", headers=reader)
        result["events"] = response.json()["events"]
        result["returned_at"] = time.monotonic()
        result["waited"] = time.monotonic() - began

    waiter = threading.Thread(target=poll)
    waiter.start()
    time.sleep(0.5)  # the poll is now parked on the hub
    assert "events" not in result
    published_at = time.monotonic()
    uri = _file_and_publish(client, newsroom)
    waiter.join(timeout=10)
    assert [event["uri"] for event in result["events"]] == [uri]  # type: ignore[union-attr]
    # woken by the publication, not by the 20 s timeout
    assert float(result["returned_at"]) - published_at < 5  # type: ignore[arg-type]


def test_long_poll_times_out_empty(client: TestClient, newsroom: Newsroom) -> None:
    reader = newsroom.headers("all")
    began = time.monotonic()
    page = client.get("/api/v1/feed?cursor=0&wait=0.3", headers=reader).json()
    assert page == {"events": [], "next_cursor": 0}
    assert time.monotonic() - began >= 0.3


# --- two `newswire serve` processes sharing one database -----------------------------------


@pytest.fixture
def two_servers(
    settings: Settings, newsroom: Newsroom, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    newswire = Path(sys.executable).with_name("newswire")
    env = {
        **os.environ,
        "NEWSWIRE_DATABASE_URL": settings.database_url,
        "NEWSWIRE_LOG_LEVEL": "warning",
    }
    processes = []
    urls = []
    logs = []
    for n in range(2):
        port = free_port()
        logs.append(tmp_path / f"serve-{n}.log")
        with logs[-1].open("wb") as log:
            processes.append(
                subprocess.Popen(
                    [str(newswire), "serve", "--port", str(port), "--no-worker"],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, process, log_path in zip(urls, processes, logs, strict=True):
            deadline = time.monotonic() + 20
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"serve did not start: {log_path.read_text()}")
                time.sleep(0.1)
        yield urls[0], urls[1]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def test_publication_in_one_process_wakes_a_poll_in_another(
    two_servers: tuple[str, str], newsroom: Newsroom
) -> None:
    reading, writing = two_servers
    reader, editor = newsroom.headers("all"), newsroom.headers("editor")
    result: dict[str, object] = {}

    def poll() -> None:
        response = httpx.get(f"{reading}/api/v1/feed?cursor=0&wait=20", headers=reader, timeout=30)
        result["events"] = response.json()["events"]
        result["returned_at"] = time.monotonic()

    waiter = threading.Thread(target=poll)
    waiter.start()
    time.sleep(0.5)
    assert "events" not in result
    created = httpx.post(f"{writing}/api/v1/stories", json=ninjs_story("en"), headers=editor)
    story_id = created.json()["story_id"]
    published_at = time.monotonic()
    response = httpx.post(
        f"{writing}/api/v1/stories/{story_id}/items/en/publish", headers=editor, timeout=10
    )
    assert response.status_code == 200, response.text
    waiter.join(timeout=25)
    assert [event["uri"] for event in result["events"]] == [created.json()["uri"]]  # type: ignore[union-attr]
    assert float(result["returned_at"]) - published_at < 5  # type: ignore[arg-type]
