"""Health, metrics and the OpenAPI document."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import Newsroom, ninjs_story


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_metrics_count_publications(client: TestClient, newsroom: Newsroom) -> None:
    editor = newsroom.headers("editor")
    story = client.post("/api/v1/stories", json=ninjs_story("en"), headers=editor).json()
    client.post(f"/api/v1/stories/{story['story_id']}/items/en/publish", headers=editor)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert any(line.startswith('newswire_feed_events_total{kind="published"}') for line in lines)
    seq = client.get("/healthz").json()["feed_seq"]
    assert f"newswire_feed_seq {float(seq)}" in lines


def test_openapi_describes_the_spec_endpoints(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths = set(document["paths"])
    assert {
        "/api/v1/items",
        "/api/v1/items/{uri}",
        "/api/v1/feed",
        "/api/v1/stories",
        "/api/v1/stories/{story_id}",
        "/api/v1/stories/{story_id}/items/{lang}",
        "/api/v1/stories/{story_id}/items/{lang}/publish",
        "/api/v1/stories/{story_id}/items/{lang}/correct",
        "/api/v1/stories/{story_id}/items/{lang}/kill",
        "/healthz",
        "/metrics",
    } <= paths


def test_docs_page_uses_the_installed_swagger_ui(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/docs/static/swagger-ui-bundle.js" in page.text
    assert "cdn." not in page.text  # works on a machine with no way out
    script = client.get("/docs/static/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert len(script.content) > 100_000


def test_the_front_door_leads_to_the_website_in_the_readers_language(client: TestClient) -> None:
    response = client.get(
        "/", headers={"accept-language": "fr-CH, fr;q=0.9"}, follow_redirects=False
    )
    assert response.status_code == 302
    assert response.headers["location"] == "/fr/"
    assert client.get("/docs").status_code == 200
