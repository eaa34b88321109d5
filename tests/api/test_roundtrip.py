"""ninjs in → ninjs out: every field newswire supports comes back as it went in."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import Newsroom

SOURCE = {
    "uri": "urn:newsml:azertac.az:20261127:roundtrip",
    "type": "text",
    "language": "en",
    "headlines": [
        {"role": "main", "value": "Caspian ports report record cargo"},
        {"role": "sub", "value": "Freight through Alat grew by a fifth"},
    ],
    "bodies": [
        {
            "role": "main",
            "contenttype": "text/html",
            "value": "<p>Ports on the Caspian handled <b>4.2 million</b> tonnes.</p>"
            "<p>Rail links carried most of it.</p>",
        }
    ],
    "located": "Alat",
    "firstcreated": "2026-11-27T06:30:00Z",
    "urgency": 3,
    "slugline": "CASPIAN-PORTS",
    "by": "Leyla Mammadova",
    "ednote": "Figures from the port authority.",
    "subjects": [
        {"literal": "medtop:20000343", "uri": "http://cv.iptc.org/newscodes/mediatopic/20000343"},
        {"name": "freight", "rel": "keyword"},
    ],
    "places": [{"name": "Alat"}, {"name": "Caspian Sea"}],
    "people": [{"name": "Kamran Aliyev"}],
    "organisations": [{"name": "Port of Baku"}],
}


def test_every_supported_field_survives(client: TestClient, newsroom: Newsroom) -> None:
    editor = newsroom.headers("editor")
    created = client.post("/api/v1/stories?bureau=baku", json=SOURCE, headers=editor)
    assert created.status_code == 201, created.text
    assert created.json()["uri"] == SOURCE["uri"]
    story_id = created.json()["story_id"]
    client.post(f"/api/v1/stories/{story_id}/items/en/publish", headers=editor)
    out = client.get(f"/api/v1/items/{SOURCE['uri']}", headers=newsroom.headers("all")).json()

    assert out["uri"] == SOURCE["uri"]
    assert out["language"] == "en"
    assert out["headlines"] == SOURCE["headlines"]
    assert out["bodies"][0]["value"] == SOURCE["bodies"][0]["value"]  # type: ignore[index]
    assert out["bodies"][0]["contenttype"] == "text/html"
    assert out["located"] == "Alat"
    assert out["firstcreated"] == "2026-11-27T06:30:00Z"
    assert out["urgency"] == 3
    assert out["slugline"] == "CASPIAN-PORTS"
    assert out["by"] == "Leyla Mammadova"
    assert out["ednote"] == "Figures from the port authority."
    codes = [s.get("literal") for s in out["subjects"] if s.get("literal")]
    assert codes == ["medtop:20000343"]
    assert {"name": "freight", "rel": "keyword"} in out["subjects"]
    assert [p["name"] for p in out["places"]] == ["Alat", "Caspian Sea"]
    assert [p["name"] for p in out["people"]] == ["Kamran Aliyev"]
    assert [o["name"] for o in out["organisations"]] == ["Port of Baku"]
    assert {"role": "dateline", "value": "Alat, 27 November, AZERTAC"} in out["descriptions"]
    assert out["version"] == "1"
    assert out["pubstatus"] == "usable"
