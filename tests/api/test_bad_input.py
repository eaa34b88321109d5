"""Bad input gets a clear error, and nothing already stored is lost or altered (SPEC §5).

Every refusal is checked twice: the answer a client sees (status, the field it names) and the
database afterwards, which must hold exactly what it held before the request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from lxml import etree
from sqlalchemy import select
from starlette.testclient import TestClient
from starlette.types import Message

from newswire import languages
from newswire.config import Settings
from newswire.db import Database
from newswire.stories.models import Item
from tests.conftest import Newsroom, ninjs_story, stored_state


def stored_texts(database: Database) -> list[tuple[str, str]]:
    """(headline, body) of every item as stored: what the next publication will carry."""
    with database.read() as session:
        rows = session.execute(select(Item.headline, Item.body_html).order_by(Item.id)).all()
    return [(headline, body) for headline, body in rows]


def file_story(client: TestClient, room: Newsroom, language: str = "en") -> dict[str, Any]:
    """A draft source item filed by the reporter; returns {"story_id", "uri"}."""
    response = client.post(
        "/api/v1/stories?desk=politics&bureau=baku",
        json=ninjs_story(language),
        headers=room.headers("reporter"),
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def publish(client: TestClient, room: Newsroom, story_id: int, language: str) -> None:
    response = client.post(
        f"/api/v1/stories/{story_id}/items/{language}/publish", headers=room.headers("editor")
    )
    assert response.status_code == 200, response.text


def revision(client: TestClient, room: Newsroom, story_id: int, language: str = "en") -> int:
    story = client.get(f"/api/v1/stories/{story_id}", headers=room.headers("editor")).json()
    value: int = story["items"][language]["revision"]
    return value


@pytest.fixture
def story(client: TestClient, newsroom: Newsroom) -> int:
    """The id of an English draft that every refused request below must leave alone."""
    story_id: int = file_story(client, newsroom)["story_id"]
    return story_id


class Unchanged:
    """Remembers the stored state and the story as staff see it, to compare after a request."""

    def __init__(self, client: TestClient, room: Newsroom, story_id: int) -> None:
        self.client, self.room, self.story_id = client, room, story_id
        self.before = self._now()

    def _now(self) -> tuple[object, object]:
        shown = self.client.get(
            f"/api/v1/stories/{self.story_id}", headers=self.room.headers("chief")
        )
        assert shown.status_code == 200, shown.text
        return shown.json(), stored_state(self.room.database)

    def check(self) -> None:
        shown, stored = self._now()
        assert shown == self.before[0]
        assert stored == self.before[1]


def update(
    client: TestClient, room: Newsroom, story_id: int, document: object, language: str = "en"
) -> Any:
    """PUT `document` over the story's `language` item as the editor, at its current revision."""
    current = revision(client, room, story_id, language)
    return client.put(
        f"/api/v1/stories/{story_id}/items/{language}",
        json=document,
        headers={**room.headers("editor"), "If-Match": f'"{current}"'},
    )


def without(name: str) -> dict[str, object]:
    document = ninjs_story("en")
    del document[name]
    return document


# document, then the one error expected: its location and pydantic's error type
INVALID_DOCUMENTS = {
    "urgency-12": (ninjs_story("en", urgency=12), ["body", "urgency"], "less_than_equal"),
    "unknown-property": (
        ninjs_story("en", priority=3),
        ["body", "priority"],
        "extra_forbidden",
    ),
    "no-headlines": (without("headlines"), ["body", "headlines"], "missing"),
    "no-language": (without("language"), ["body", "language"], "missing"),
    "headlines-not-a-list": (
        ninjs_story("en", headlines="Caspian ports report record cargo"),
        ["body", "headlines"],
        "list_type",
    ),
}


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize("case", list(INVALID_DOCUMENTS))
def test_invalid_ninjs_is_422_naming_the_field(
    client: TestClient, newsroom: Newsroom, story: int, case: str, method: str
) -> None:
    document, location, error_type = INVALID_DOCUMENTS[case]
    unchanged = Unchanged(client, newsroom, story)
    if method == "POST":
        response = client.post(
            "/api/v1/stories?desk=politics", json=document, headers=newsroom.headers("editor")
        )
    else:
        response = update(client, newsroom, story, document)
    assert response.status_code == 422, response.text
    errors = [(error["loc"], error["type"]) for error in response.json()["detail"]]
    assert errors == [(location, error_type)]
    unchanged.check()


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("xx", "unknown language 'xx' (known: "),
        ("tr", "'tr' is not a working language of the agency"),
    ],
)
def test_a_language_the_agency_does_not_work_in_is_422(
    client: TestClient,
    newsroom: Newsroom,
    settings: Settings,
    story: int,
    language: str,
    detail: str,
) -> None:
    # "tr" is a language newswire knows, but not one of this agency's working languages
    assert languages.is_known("tr")
    assert "tr" not in settings.languages
    unchanged = Unchanged(client, newsroom, story)
    editor = newsroom.headers("editor")
    filed = client.post("/api/v1/stories?desk=politics", json=ninjs_story(language), headers=editor)
    translated = client.put(
        f"/api/v1/stories/{story}/items/{language}", json=ninjs_story(language), headers=editor
    )
    for response in (filed, translated):
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "language"
        assert response.json()["detail"].startswith(detail)
    unchanged.check()


def test_an_unknown_media_topic_is_422_naming_subjects(
    client: TestClient, newsroom: Newsroom, story: int
) -> None:
    if not newsroom.ctx.vocabulary.loaded:
        pytest.skip("the IPTC Media Topics vocabulary is not in shared/standards/vocabularies")
    unchanged = Unchanged(client, newsroom, story)
    document = ninjs_story("en", subjects=[{"literal": "medtop:99999999"}])
    filed = client.post(
        "/api/v1/stories?desk=politics", json=document, headers=newsroom.headers("editor")
    )
    updated = update(client, newsroom, story, document)
    for response in (filed, updated):
        assert response.status_code == 422, response.text
        assert response.json() == {
            "detail": "'medtop:99999999' is not in the IPTC Media Topics vocabulary",
            "field": "subjects",
        }
    unchanged.check()


# --- size ---------------------------------------------------------------------------------


def document_of_size(size: int) -> bytes:
    """A valid ninjs document of exactly `size` bytes, padded in its body text."""
    skeleton = ninjs_story("en", bodies=[{"contenttype": "text/html", "value": "<p></p>"}])
    empty = len(json.dumps(skeleton).encode())
    text = "a" * (size - empty)
    skeleton["bodies"] = [{"contenttype": "text/html", "value": f"<p>{text}</p>"}]
    encoded = json.dumps(skeleton).encode()
    assert len(encoded) == size
    return encoded


JSON = {"Content-Type": "application/json"}


def too_large(settings: Settings) -> dict[str, object]:
    return {"detail": f"the request body is over {settings.max_body_bytes} bytes", "field": "body"}


def test_a_body_at_the_limit_is_accepted(
    client: TestClient, newsroom: Newsroom, settings: Settings
) -> None:
    response = client.post(
        "/api/v1/stories?desk=politics",
        content=document_of_size(settings.max_body_bytes),
        headers={**newsroom.headers("reporter"), **JSON},
    )
    assert response.status_code == 201, response.text[:200]


def test_a_body_over_the_limit_with_content_length_is_413(
    client: TestClient, newsroom: Newsroom, settings: Settings, story: int
) -> None:
    unchanged = Unchanged(client, newsroom, story)
    editor = {**newsroom.headers("editor"), **JSON}
    oversized = document_of_size(settings.max_body_bytes + 1)
    filed = client.post("/api/v1/stories?desk=politics", content=oversized, headers=editor)
    updated = client.put(
        f"/api/v1/stories/{story}/items/en",
        content=oversized,
        headers={**editor, "If-Match": f'"{revision(client, newsroom, story)}"'},
    )
    for response in (filed, updated):
        assert response.status_code == 413, response.text[:200]
        assert response.json() == too_large(settings)
    unchanged.check()


def test_a_chunked_body_over_the_limit_is_413(
    client: TestClient, newsroom: Newsroom, settings: Settings, story: int
) -> None:
    unchanged = Unchanged(client, newsroom, story)
    oversized = document_of_size(settings.max_body_bytes + 1)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(oversized), 65_536):
            yield oversized[start : start + 65_536]

    request = client.build_request(
        "POST",
        "/api/v1/stories?desk=politics",
        content=chunks(),
        headers={**newsroom.headers("editor"), **JSON},
    )
    assert "content-length" not in request.headers  # so the size is counted, not declared
    assert request.headers["transfer-encoding"] == "chunked"
    response = client.send(request)
    assert response.status_code == 413, response.text[:200]
    assert response.json() == too_large(settings)
    unchanged.check()


def test_a_body_over_the_limit_is_refused_across_asgi_chunks(
    client: TestClient, settings: Settings
) -> None:
    # The TestClient hands the application a chunked body in one piece; a server hands it in
    # many. Here the ASGI application gets 64 KiB pieces and must stop counting past the limit.
    limit = settings.max_body_bytes
    pieces = [b"x" * 65_536] * (limit // 65_536 + 2)
    received: list[int] = []
    sent: list[Message] = []

    async def receive() -> Message:
        received.append(1)
        more = len(received) < len(pieces)
        return {"type": "http.request", "body": pieces[len(received) - 1], "more_body": more}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/stories",
        "raw_path": b"/api/v1/stories",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    anyio.run(client.app, scope, receive, send)
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == too_large(settings)
    assert len(received) == limit // 65_536 + 1  # stopped at the first piece past the limit


# --- hostile HTML -------------------------------------------------------------------------

HOSTILE_BODY = (
    "<p>Ports handled 4.2 million tonnes.<script>alert(document.cookie)</script></p>"
    '<iframe src="https://evil.example/"></iframe>'
    "<style>p { display: none }</style>"
    '<p onclick="steal()">Second <b onmouseover="steal()">bold</b> paragraph.</p>'
    '<p><img src="x.png" onerror="steal()">Third paragraph.</p>'
    '<p><a href="javascript:steal()">one link</a> and <a href="https://azertac.az/" '
    'onclick="steal()">another</a>.</p>'
)
CLEAN_BODY = (
    "<p>Ports handled 4.2 million tonnes.</p>"
    "<p>Second <b>bold</b> paragraph.</p>"
    "<p>Third paragraph.</p>"
    '<p><a rel="noopener noreferrer">one link</a> and '
    '<a href="https://azertac.az/" rel="noopener noreferrer">another</a>.</p>'
)


def test_scripts_frames_styles_and_handlers_are_removed_and_the_text_stays(
    client: TestClient, newsroom: Newsroom
) -> None:
    document = ninjs_story(
        "en",
        headlines=[{"role": "main", "value": "<b>Caspian</b> ports<script>x()</script> record"}],
        bodies=[{"role": "main", "contenttype": "text/html", "value": HOSTILE_BODY}],
    )
    created = client.post(
        "/api/v1/stories?desk=politics", json=document, headers=newsroom.headers("reporter")
    )
    assert created.status_code == 201, created.text
    story_id, uri = created.json()["story_id"], created.json()["uri"]
    assert stored_texts(newsroom.database) == [("Caspian ports record", CLEAN_BODY)]

    publish(client, newsroom, story_id, "en")
    reader = newsroom.headers("all")
    ninjs = client.get(f"/api/v1/items/{uri}", headers=reader).json()
    assert ninjs["headlines"] == [{"role": "main", "value": "Caspian ports record"}]
    assert [body["value"] for body in ninjs["bodies"]] == [CLEAN_BODY]
    ninjs3 = client.get(f"/api/v1/items/{uri}?format=ninjs3", headers=reader).json()
    assert [body["value"] for body in ninjs3["bodies"]] == [CLEAN_BODY]
    newsml = client.get(f"/api/v1/items/{uri}?format=newsml", headers=reader).content
    for hostile in (b"script", b"iframe", b"style", b"onclick", b"onerror", b"steal", b"evil"):
        assert hostile not in newsml
    assert b"Third paragraph." in newsml


def test_a_body_nested_too_deeply_is_refused(client: TestClient, newsroom: Newsroom) -> None:
    nested = "<b>" * 300 + "Deep text." + "</b>" * 300
    body = f"<p>First paragraph.</p><p>{nested}</p><p>Last paragraph.</p>"
    document = ninjs_story(
        "en", bodies=[{"role": "main", "contenttype": "text/html", "value": body}]
    )
    before = stored_state(newsroom.database)
    created = client.post(
        "/api/v1/stories?desk=politics", json=document, headers=newsroom.headers("reporter")
    )
    assert created.status_code == 422
    assert created.json() == {
        "detail": "the body nests markup more than 24 levels deep",
        "field": "bodies",
    }
    assert stored_state(newsroom.database) == before


def test_a_body_nested_within_the_limit_keeps_all_its_text_in_newsml(
    client: TestClient, newsroom: Newsroom
) -> None:
    nested = "<b><i>" * 10 + "Deep text." + "</i></b>" * 10
    body = f"<p>First paragraph.</p><p>{nested}</p><p>Last paragraph.</p>"
    document = ninjs_story(
        "en", bodies=[{"role": "main", "contenttype": "text/html", "value": body}]
    )
    created = client.post(
        "/api/v1/stories?desk=politics", json=document, headers=newsroom.headers("reporter")
    )
    assert created.status_code == 201, created.text
    publish(client, newsroom, created.json()["story_id"], "en")
    newsml = client.get(
        f"/api/v1/items/{created.json()['uri']}?format=newsml", headers=newsroom.headers("all")
    )
    root = etree.fromstring(newsml.content)  # a subscriber's parser, with default limits
    text = "".join(root.itertext())
    for paragraph in ("First paragraph.", "Deep text.", "Last paragraph."):
        assert paragraph in text


# --- authentication -----------------------------------------------------------------------

BAD_AUTHORIZATION = {
    "missing": {},
    "wrong-key": {"Authorization": "Bearer nwk_thisKeyWasNeverIssued0000000000000000000"},
    "basic-scheme": {"Authorization": "Basic cmVwb3J0ZXI6Y29ycmVjdCBob3JzZQ=="},
    "no-scheme": {"Authorization": "nwk_thisKeyWasNeverIssued0000000000000000000"},
    "bearer-without-key": {"Authorization": "Bearer "},
}


@pytest.mark.parametrize("case", list(BAD_AUTHORIZATION))
def test_a_missing_wrong_or_malformed_key_is_401_with_a_bearer_challenge(
    client: TestClient, newsroom: Newsroom, story: int, case: str
) -> None:
    publish(client, newsroom, story, "en")
    shown = client.get(f"/api/v1/stories/{story}", headers=newsroom.headers("chief")).json()
    uri = shown["items"]["en"]["uri"]
    # The item is now in the cache that answers known keys without the framework.
    assert client.get(f"/api/v1/items/{uri}", headers=newsroom.headers("all")).status_code == 200
    unchanged = Unchanged(client, newsroom, story)
    headers = BAD_AUTHORIZATION[case]
    responses = {
        "item": client.get(f"/api/v1/items/{uri}", headers=headers),
        "items": client.get("/api/v1/items", headers=headers),
        "feed": client.get("/api/v1/feed?cursor=0", headers=headers),
        "story": client.get(f"/api/v1/stories/{story}", headers=headers),
        "file": client.post("/api/v1/stories?desk=politics", json=ninjs_story(), headers=headers),
        "correct": client.post(f"/api/v1/stories/{story}/items/en/correct", headers=headers),
        "kill": client.post(f"/api/v1/stories/{story}/items/en/kill", headers=headers),
    }
    expected = (
        "unknown or revoked API key"
        if case == "wrong-key"
        else "send your API key as `Authorization: Bearer KEY`"
    )
    for name, response in responses.items():
        assert response.status_code == 401, (name, response.text)
        assert response.headers["www-authenticate"] == "Bearer", name
        assert response.json() == {"detail": expected, "field": None}, name
    unchanged.check()


# --- entitlements -------------------------------------------------------------------------


def test_an_item_the_key_is_not_entitled_to_is_not_found_listed_or_fed(
    client: TestClient, newsroom: Newsroom
) -> None:
    english = file_story(client, newsroom, "en")
    french = file_story(client, newsroom, "fr")
    publish(client, newsroom, english["story_id"], "en")
    publish(client, newsroom, french["story_id"], "fr")
    everything, fr_only = newsroom.headers("all"), newsroom.headers("fr_only")
    stored_before = stored_state(newsroom.database)

    assert client.get(f"/api/v1/items/{french['uri']}", headers=fr_only).status_code == 200
    refused = {"detail": f"no item {english['uri']!r} for this key", "field": "uri"}
    cold = client.get(f"/api/v1/items/{english['uri']}", headers=fr_only)
    assert (cold.status_code, cold.json()) == (404, refused)
    # Once another key has read it, the item and both keys are cached: still refused.
    assert client.get(f"/api/v1/items/{english['uri']}", headers=everything).status_code == 200
    for query in ("", "?format=newsml", "?format=ninjs3", "?version=1"):
        warm = client.get(f"/api/v1/items/{english['uri']}{query}", headers=fr_only)
        assert (warm.status_code, warm.json()) == (404, refused), query

    def listed(headers: dict[str, str], query: str = "") -> list[str]:
        response = client.get(f"/api/v1/items{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [document["uri"] for document in response.json()["items"]]

    assert listed(fr_only) == [french["uri"]]
    assert listed(fr_only, "?lang=en") == []
    assert listed(everything) == [french["uri"], english["uri"]]

    def fed(headers: dict[str, str]) -> list[str]:
        response = client.get("/api/v1/feed?cursor=0", headers=headers)
        assert response.status_code == 200, response.text
        return [event["uri"] for event in response.json()["events"]]

    assert fed(fr_only) == [french["uri"]]
    assert fed(everything) == [english["uri"], french["uri"]]
    assert stored_state(newsroom.database) == stored_before


# --- optimistic locking -------------------------------------------------------------------


def test_the_second_of_two_editors_saving_the_same_revision_gets_409(
    client: TestClient, newsroom: Newsroom, story: int
) -> None:
    editor, chief = newsroom.headers("editor"), newsroom.headers("chief")
    seen_by_editor = revision(client, newsroom, story)
    seen_by_chief = revision(client, newsroom, story)
    assert seen_by_editor == seen_by_chief

    first = ninjs_story(
        "en",
        headlines=[{"role": "main", "value": "Caspian ports: 4.3 Mt"}],
        bodies=[{"contenttype": "text/html", "value": "<p>The editor's text.</p>"}],
    )
    saved = client.put(
        f"/api/v1/stories/{story}/items/en",
        json=first,
        headers={**editor, "If-Match": f'"{seen_by_editor}"'},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["revision"] == seen_by_editor + 1
    assert saved.headers["etag"] == f'"{seen_by_editor + 1}"'

    unchanged = Unchanged(client, newsroom, story)
    second = ninjs_story(
        "en",
        headlines=[{"role": "main", "value": "Caspian ports: 4.1 Mt"}],
        bodies=[{"contenttype": "text/html", "value": "<p>The chief's text.</p>"}],
    )
    refused = client.put(
        f"/api/v1/stories/{story}/items/en",
        json=second,
        headers={**chief, "If-Match": f'"{seen_by_chief}"'},
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["field"] == "If-Match"
    assert refused.json()["detail"].startswith(
        f"the item changed since revision {seen_by_chief}: it is at revision {seen_by_chief + 1}"
    )
    unchanged.check()
    shown = client.get(f"/api/v1/stories/{story}", headers=chief).json()["items"]["en"]
    assert (shown["headline"], shown["revision"]) == ("Caspian ports: 4.3 Mt", seen_by_editor + 1)
    assert stored_texts(newsroom.database) == [
        ("Caspian ports: 4.3 Mt", "<p>The editor's text.</p>")
    ]


@pytest.mark.parametrize(
    ("if_match", "status", "detail"),
    [
        (None, 428, "send If-Match with the revision you edited (now {revision})"),
        ("abc", 422, 'If-Match carries the item\'s revision, e.g. `"3"`'),
        ('"abc"', 422, 'If-Match carries the item\'s revision, e.g. `"3"`'),
    ],
)
def test_updating_an_item_needs_a_numeric_if_match(
    client: TestClient,
    newsroom: Newsroom,
    story: int,
    if_match: str | None,
    status: int,
    detail: str,
) -> None:
    current = revision(client, newsroom, story)
    unchanged = Unchanged(client, newsroom, story)
    headers = newsroom.headers("editor")
    if if_match is not None:
        headers["If-Match"] = if_match
    document = ninjs_story("en", headlines=[{"role": "main", "value": "Overwritten unseen"}])
    response = client.put(f"/api/v1/stories/{story}/items/en", json=document, headers=headers)
    assert response.status_code == status, response.text
    assert response.json() == {"detail": detail.format(revision=current), "field": "If-Match"}
    unchanged.check()


@pytest.mark.parametrize(("path_language", "document_language"), [("fr", "ru"), ("en", "fr")])
def test_a_path_language_unlike_the_documents_is_422_naming_language(
    client: TestClient,
    newsroom: Newsroom,
    story: int,
    path_language: str,
    document_language: str,
) -> None:
    current = revision(client, newsroom, story)
    unchanged = Unchanged(client, newsroom, story)
    response = client.put(
        f"/api/v1/stories/{story}/items/{path_language}",
        json=ninjs_story(document_language),
        headers={**newsroom.headers("editor"), "If-Match": f'"{current}"'},
    )
    assert response.status_code == 422, response.text
    assert response.json() == {
        "detail": f"the document's language {document_language!r} differs from the URL's "
        f"{path_language!r}",
        "field": "language",
    }
    unchanged.check()


# --- out-of-range numbers and odd bodies (found by fuzzing the OpenAPI document) ------------


def test_numbers_beyond_the_database_range_are_422_not_500(
    client: TestClient, newsroom: Newsroom
) -> None:
    editor, reader = newsroom.headers("editor"), newsroom.headers("all")
    huge = 235767176612120690688
    before = stored_state(newsroom.database)
    publish = client.post(f"/api/v1/stories/{huge}/items/en/publish", headers=editor)
    assert publish.status_code == 422
    assert publish.json()["field"] == "story_id"
    feed = client.get(f"/api/v1/feed?cursor={huge}", headers=reader)
    assert feed.status_code == 422
    assert feed.json()["field"] == "cursor"
    assert stored_state(newsroom.database) == before


def test_a_correction_body_that_is_not_an_object_is_422(
    client: TestClient, newsroom: Newsroom, story: int
) -> None:
    before = stored_state(newsroom.database)
    response = client.post(
        f"/api/v1/stories/{story}/items/en/correct",
        content=b"12026213743610694729728",
        headers={**newsroom.headers("editor"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["input"] == 12026213743610694729728
    assert stored_state(newsroom.database) == before
