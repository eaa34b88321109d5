"""Every change leaves an audit row: who, what, when."""

from __future__ import annotations

from sqlalchemy import select
from starlette.testclient import TestClient

from newswire.agency.models import AuditEntry
from tests.conftest import Newsroom, ninjs_story


def test_story_actions_are_audited(client: TestClient, newsroom: Newsroom) -> None:
    reporter, editor = newsroom.headers("reporter"), newsroom.headers("editor")
    story = client.post("/api/v1/stories", json=ninjs_story("en"), headers=reporter).json()
    story_id = story["story_id"]
    client.post(f"/api/v1/stories/{story_id}/items/en/submit", headers=reporter)
    client.post(f"/api/v1/stories/{story_id}/items/en/publish", headers=editor)
    client.put(f"/api/v1/stories/{story_id}/items/ru", json=ninjs_story("ru"), headers=editor)
    client.post(f"/api/v1/stories/{story_id}/items/en/kill", headers=editor)
    with newsroom.database.read() as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "story", AuditEntry.object_id == story_id)
            .order_by(AuditEntry.id)
        ).all()
        trail = [(row.actor, row.action, row.detail.get("language")) for row in rows]
        assert all(row.at is not None for row in rows)
    assert trail == [
        ("reporter", "story.create", "en"),
        ("reporter", "item.submit", "en"),
        ("editor", "item.published", "en"),
        ("editor", "translation.open", None),  # the translation desk's tasks
        ("editor", "item.create", "ru"),
        ("editor", "item.killed", "en"),
        ("editor", "item.killed", "ru"),  # every language goes with the source
    ]
