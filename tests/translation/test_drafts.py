"""Machine drafts through the whole desk, against a LibreTranslate server on 127.0.0.1: the
termbase's preferred forms enforced, memory matches used and offered, and an engine that fails
or hangs leaving the task to the translator with its error, never blocking publication."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiohttp import web
from starlette.testclient import TestClient

from newswire.api.app import create_app
from newswire.config import Settings
from newswire.db import Database
from newswire.translation import memory
from tests.conftest import Newsroom, free_port, ninjs_story

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

BODY = (
    "<p>President Ilham Aliyev opened the forum in Baku.</p>"
    "<p>The forum runs until Friday.</p>"
    "<p>Delegations from twelve countries attend the forum this year.</p>"
)


@contextmanager
def engine_server(handler: Handler) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A LibreTranslate-speaking server in its own thread; yields its URL and the requests."""
    received: list[dict[str, Any]] = []
    port = free_port()
    started = threading.Event()
    loop = asyncio.new_event_loop()

    async def record(request: web.Request) -> web.StreamResponse:
        received.append(await request.json())
        return await handler(request)

    async def serve() -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/translate", record)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    def run() -> None:
        asyncio.set_event_loop(loop)
        runner = loop.run_until_complete(serve())
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield f"http://127.0.0.1:{port}", received
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


async def variant_engine(request: web.Request) -> web.StreamResponse:
    """Translates by prefixing each text, and ignores `translate="no"`: it writes the name in
    a form the termbase lists as wrong, as a careless engine would."""
    document = await request.json()
    texts = [
        "RU " + text.replace('<span translate="no">Ильхам Алиев</span>', "Ильхам Алиеву")
        for text in document["q"]
    ]
    return web.json_response({"translatedText": texts})


@contextmanager
def desk_client(
    settings: Settings, database: Database, url: str, **changes: Any
) -> Iterator[TestClient]:
    configured = settings.model_copy(update={"mt_libretranslate_url": url, **changes})
    with TestClient(create_app(configured, database)) as client:
        yield client


def publish_story(client: TestClient, newsroom: Newsroom, body: str = BODY) -> int:
    document = ninjs_story(
        "en",
        headlines=[{"role": "main", "value": "Ilham Aliyev opens the Baku forum"}],
        bodies=[{"role": "main", "contenttype": "text/html", "value": body}],
    )
    created = client.post("/api/v1/stories", json=document, headers=newsroom.headers("reporter"))
    assert created.status_code == 201, created.text
    story_id = int(created.json()["story_id"])
    published = client.post(
        f"/api/v1/stories/{story_id}/items/en/publish", headers=newsroom.headers("editor")
    )
    assert published.status_code == 200, published.text
    return story_id


def settled_task(
    client: TestClient, newsroom: Newsroom, story_id: int, language: str
) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        tasks = client.get(
            "/api/v1/tasks", params={"story": story_id}, headers=newsroom.headers("chief")
        ).json()["tasks"]
        task = next(t for t in tasks if t["language"] == language)
        if task["machine_draft"]["state"] not in ("queued", "running"):
            shown = client.get(f"/api/v1/tasks/{task['id']}", headers=newsroom.headers("chief"))
            return dict(shown.json())
        assert time.monotonic() < deadline, task
        time.sleep(0.1)


def add_aliyev(client: TestClient, newsroom: Newsroom) -> None:
    added = client.post(
        "/api/v1/terms",
        json={
            "kind": "person",
            "forms": {"en": "Ilham Aliyev", "ru": "Ильхам Алиев", "fr": "Ilham Aliyev"},
            "variants": {"ru": ["Ильхам Алиеву"], "en": ["Ilham Aliev"]},
        },
        headers=newsroom.headers("chief"),
    )
    assert added.status_code == 201, added.text


def test_drafts_use_the_termbase_and_the_memory(
    settings: Settings, database: Database, newsroom: Newsroom
) -> None:
    with database.write() as session:
        memory.store(
            session,
            "en",
            "ru",
            [
                ("The forum runs until Friday.", "Форум продлится до пятницы."),
                (
                    "Delegations from eleven countries attended the forum last year.",
                    "В прошлом году в форуме участвовали делегации одиннадцати стран.",
                ),
            ],
            story_id=None,
            user_id=None,
        )
    with (
        engine_server(variant_engine) as (url, received),
        desk_client(settings, database, url) as client,
    ):
        add_aliyev(client, newsroom)
        story_id = publish_story(client, newsroom)
        task = settled_task(client, newsroom, story_id, "ru")
        draft = task["machine_draft"]
        assert draft["state"] == "ready", draft
        assert draft["engine"] == "libretranslate"
        made = draft["draft"]
        # the termbase's Russian form, though the engine wrote the name wrongly
        assert "Ильхам Алиев" in made["headline"]
        assert "Ильхам Алиеву" not in made["body_html"]
        assert "Ильхам Алиев" in made["body_html"]
        segments = [s for s in made["segments"] if s["field"] == "body"]
        exact, fuzzy = segments[1], segments[2]
        # an exact memory match is the draft, and the engine never saw that sentence
        assert (exact["origin"], exact["memory_score"]) == ("memory", 100)
        assert exact["target"] == "Форум продлится до пятницы."
        sent = [text for request in received if request["target"] == "ru" for text in request["q"]]
        assert not any("until Friday" in text for text in sent)
        # a fuzzy match is offered beside the engine's draft, with its score
        assert fuzzy["origin"] == "machine"
        assert 70 <= fuzzy["memory_score"] < 100
        assert fuzzy["memory_target"].startswith("В прошлом году")
        # the draft is the Russian working copy now
        story = client.get(f"/api/v1/stories/{story_id}", headers=newsroom.headers("editor"))
        assert story.json()["items"]["ru"]["headline"] == made["headline"]


async def failing_engine(request: web.Request) -> web.StreamResponse:
    return web.json_response({"error": "model crashed"}, status=503)


async def hanging_engine(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(3)
    return web.json_response({"translatedText": []})


@pytest.mark.parametrize(
    ("handler", "changes", "expected"),
    [
        (failing_engine, {}, "503"),
        (hanging_engine, {"mt_timeout": 0.5}, "no answer from 127.0.0.1"),
    ],
    ids=["5xx", "timeout"],
)
def test_an_engine_failure_leaves_the_task_to_the_translator(
    settings: Settings,
    database: Database,
    newsroom: Newsroom,
    handler: Handler,
    changes: dict[str, Any],
    expected: str,
) -> None:
    with (
        engine_server(handler) as (url, _),
        desk_client(settings, database, url, **changes) as client,
    ):
        story_id = publish_story(client, newsroom)  # publishing did not wait for the engine
        task = settled_task(client, newsroom, story_id, "ru")
        assert task["machine_draft"]["state"] == "failed"
        assert expected in task["machine_draft"]["error"]
        assert task["status"] == "pending"
        view = client.get(f"/api/v1/stories/{story_id}", headers=newsroom.headers("editor"))
        assert view.json()["items"]["en"]["status"] == "published"
        assert view.json()["items"]["ru"]["status"] == "untranslated"
        # the translator works from scratch and publishes
        document = ninjs_story(
            "ru",
            headlines=[{"role": "main", "value": "Ильхам Алиев открыл форум в Баку"}],
            bodies=[
                {
                    "role": "main",
                    "contenttype": "text/html",
                    "value": "<p>Президент Ильхам Алиев открыл форум в Баку.</p>"
                    "<p>Форум продлится до пятницы.</p>"
                    "<p>В этом году в форуме участвуют делегации двенадцати стран.</p>",
                }
            ],
        )
        translator = newsroom.headers("translator")
        saved = client.put(
            f"/api/v1/stories/{story_id}/items/ru", json=document, headers=translator
        )
        assert saved.status_code == 201, saved.text
        published = client.post(f"/api/v1/stories/{story_id}/items/ru/publish", headers=translator)
        assert published.status_code == 200, published.text
        # asking again is possible; the engine is still down, so the error comes back
        again = client.post(
            f"/api/v1/tasks/{task['id']}/machine-draft", headers=newsroom.headers("translator")
        )
        assert again.status_code == 409  # the task is done now
