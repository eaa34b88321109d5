"""A story's life through the writing API, and what the content API shows at each step."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import Newsroom, ninjs_story


def test_file_publish_translate_correct_kill(client: TestClient, newsroom: Newsroom) -> None:
    reporter, editor = newsroom.headers("reporter"), newsroom.headers("editor")
    created = client.post("/api/v1/stories", json=ninjs_story("en"), headers=reporter)
    assert created.status_code == 201, created.text
    story_id, uri = created.json()["story_id"], created.json()["uri"]
    assert uri.startswith("urn:newsml:azertac.az:")

    reader = newsroom.headers("all")
    assert client.get(f"/api/v1/items/{uri}", headers=reader).status_code == 404

    published = client.post(f"/api/v1/stories/{story_id}/items/en/publish", headers=editor)
    assert published.status_code == 200, published.text
    assert published.json()["version"] == 1

    item = client.get(f"/api/v1/items/{uri}", headers=reader)
    assert item.status_code == 200
    assert item.json()["headlines"][0]["value"] == "Caspian ports report record cargo"
    assert item.json()["version"] == "1"
    etag = item.headers["etag"]
    assert (
        client.get(f"/api/v1/items/{uri}", headers={**reader, "If-None-Match": etag}).status_code
        == 304
    )

    # a translation, then a correction of the source
    fr = ninjs_story(
        "fr",
        headlines=[{"role": "main", "value": "Record de fret à Bakou"}],
        bodies=[
            {
                "role": "main",
                "contenttype": "text/html",
                "value": "<p>Les ports de la Caspienne ont traité 4,2 millions de tonnes.</p>",
            }
        ],
    )
    saved = client.put(f"/api/v1/stories/{story_id}/items/fr", json=fr, headers=editor)
    assert saved.status_code == 201, saved.text
    assert client.post(f"/api/v1/stories/{story_id}/items/fr/publish", headers=editor).is_success

    state = client.get(f"/api/v1/stories/{story_id}", headers=editor).json()
    revision = state["items"]["en"]["revision"]
    fixed = ninjs_story("en", headlines=[{"role": "main", "value": "Caspian ports: 4.3 Mt"}])
    assert client.put(
        f"/api/v1/stories/{story_id}/items/en",
        json=fixed,
        headers={**editor, "If-Match": f'"{revision}"'},
    ).is_success
    corrected = client.post(
        f"/api/v1/stories/{story_id}/items/en/correct",
        json={"note": "Corrects the tonnage."},
        headers=editor,
    )
    assert corrected.json()["version"] == 2
    latest = client.get(f"/api/v1/items/{uri}", headers=reader).json()
    assert latest["headlines"][0]["value"] == "Caspian ports: 4.3 Mt"
    assert latest["version"] == "2"
    old = client.get(f"/api/v1/items/{uri}?version=1", headers=reader).json()
    assert old["headlines"][0]["value"] == "Caspian ports report record cargo"

    killed = client.post(
        f"/api/v1/stories/{story_id}/items/en/kill", json={"reason": "Wrong port"}, headers=editor
    )
    assert killed.json()["version"] == 3
    gone = client.get(f"/api/v1/items/{uri}", headers=reader).json()
    assert gone["pubstatus"] == "canceled"
    listed = client.get("/api/v1/items?lang=en", headers=reader).json()
    assert uri not in [doc["uri"] for doc in listed["items"]]

    feed = client.get("/api/v1/feed?cursor=0", headers=reader).json()
    kinds = [(e["language"], e["kind"], e["version"]) for e in feed["events"]]
    assert kinds == [
        ("en", "published", 1),
        ("fr", "published", 1),
        ("en", "corrected", 2),
        ("en", "killed", 3),
        ("fr", "killed", 2),  # the translation desk withdraws every language with the source
    ]
    assert feed["next_cursor"] == feed["events"][-1]["seq"]
