"""Who may do what through the writing API: every role against every endpoint.

The staff are those of the `newsroom` fixture: a reporter, an editor of the politics desk, an
editor of the economy desk, a translator into ru/en/ar/zh, the chief editor and the admin; plus
the subscriber key "all". Unless said otherwise a story is filed in English by the reporter in
the politics desk, so its source language is one the translator works in: that the translator
still may not touch the source shows the rule is "translations only", not "my languages".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from tests.conftest import Newsroom, ninjs_story, stored_state

WHO = ("reporter", "editor", "economy_editor", "translator", "chief", "admin", "subscriber")

# What each caller gets from each endpoint. 201: created, 200: done, 403: refused.
# - a reporter files and edits its own stories until they are published, and publishes nothing;
# - an editor acts only in its desks (the stories here are in politics, except "economy");
# - a translator edits and publishes translations into its languages (ru, en, ar, zh), never
#   the source, and kills nothing;
# - the chief editor may do everything, in every desk; the admin has no editorial rights;
# - a subscriber key is refused by every staff endpoint.
EXPECTED: dict[str, dict[str, int]] = {
    # POST /api/v1/stories?desk=politics
    "file_story": {
        "reporter": 201, "editor": 201, "economy_editor": 403, "translator": 403,
        "chief": 201, "admin": 403, "subscriber": 403,
    },
    # PUT .../items/ru: a new Russian translation of the published English story
    "translate_ru": {
        "reporter": 201, "editor": 201, "economy_editor": 403, "translator": 201,
        "chief": 201, "admin": 403, "subscriber": 403,
    },
    # PUT .../items/fr: a new French translation; French is not one of the translator's
    "translate_fr": {
        "reporter": 201, "editor": 201, "economy_editor": 403, "translator": 403,
        "chief": 201, "admin": 403, "subscriber": 403,
    },
    # PUT .../items/en with If-Match: the reporter's own draft source
    "update_draft_source": {
        "reporter": 200, "editor": 200, "economy_editor": 403, "translator": 403,
        "chief": 200, "admin": 403, "subscriber": 403,
    },
    # PUT .../items/en with If-Match: the source once published (a reporter's part is done)
    "update_published_source": {
        "reporter": 403, "editor": 200, "economy_editor": 403, "translator": 403,
        "chief": 200, "admin": 403, "subscriber": 403,
    },
    # POST .../items/en/submit: the reporter's draft
    "submit_source": {
        "reporter": 200, "editor": 200, "economy_editor": 403, "translator": 403,
        "chief": 200, "admin": 403, "subscriber": 403,
    },
    # POST .../items/en/publish: the submitted source
    "publish_source": {
        "reporter": 403, "editor": 200, "economy_editor": 403, "translator": 403,
        "chief": 200, "admin": 403, "subscriber": 403,
    },
    # POST .../items/en/publish: a submitted source filed by the chief in the economy desk
    "publish_economy_source": {
        "reporter": 403, "editor": 403, "economy_editor": 200, "translator": 403,
        "chief": 200, "admin": 403, "subscriber": 403,
    },
    # POST .../items/ru/publish: a Russian draft translation of the published source
    "publish_translation_ru": {
        "reporter": 403, "editor": 200, "economy_editor": 403, "translator": 200,
        "chief": 200, "admin": 403, "subscriber": 403,
    },
    # POST .../items/en/correct: the published source
    "correct_source": {
        "reporter": 403, "editor": 200, "economy_editor": 403, "translator": 403,
        "chief": 200, "admin": 403, "subscriber": 403,
    },
    # POST .../items/ru/correct: the published Russian translation
    "correct_translation_ru": {
        "reporter": 403, "editor": 200, "economy_editor": 403, "translator": 200,
        "chief": 200, "admin": 403, "subscriber": 403,
    },
    # POST .../items/en/kill: the published source
    "kill_source": {
        "reporter": 403, "editor": 200, "economy_editor": 403, "translator": 403,
        "chief": 200, "admin": 403, "subscriber": 403,
    },
    # POST .../items/ru/kill: the published Russian translation
    "kill_translation_ru": {
        "reporter": 403, "editor": 200, "economy_editor": 403, "translator": 403,
        "chief": 200, "admin": 403, "subscriber": 403,
    },
    # GET /api/v1/stories/{id}: staff who see the story's desk (its drafts are not for others)
    "show_story": {
        "reporter": 200, "editor": 200, "economy_editor": 403, "translator": 200,
        "chief": 200, "admin": 200, "subscriber": 403,
    },
}  # fmt: skip

# --- story states, each reached through the API by the people who would reach it ----------


def _file(client: TestClient, room: Newsroom, who: str = "reporter", desk: str = "politics") -> int:
    response = client.post(
        f"/api/v1/stories?desk={desk}&bureau=baku",
        json=ninjs_story("en"),
        headers=room.headers(who),
    )
    assert response.status_code == 201, response.text
    story_id: int = response.json()["story_id"]
    return story_id


def _post(client: TestClient, room: Newsroom, who: str, path: str) -> None:
    response = client.post(path, headers=room.headers(who))
    assert response.status_code == 200, response.text


def draft(client: TestClient, room: Newsroom) -> int:
    return _file(client, room)


def submitted(client: TestClient, room: Newsroom) -> int:
    story_id = draft(client, room)
    _post(client, room, "reporter", f"/api/v1/stories/{story_id}/items/en/submit")
    return story_id


def published(client: TestClient, room: Newsroom) -> int:
    story_id = submitted(client, room)
    _post(client, room, "editor", f"/api/v1/stories/{story_id}/items/en/publish")
    return story_id


def economy_submitted(client: TestClient, room: Newsroom) -> int:
    story_id = _file(client, room, who="chief", desk="economy")
    _post(client, room, "chief", f"/api/v1/stories/{story_id}/items/en/submit")
    return story_id


# A real translation of ninjs_story's body: QA refuses to publish an English body as Russian.
RU_BODY = "<p>Порты Каспия обработали 4,2 миллиона тонн.</p>"


def ru_draft(client: TestClient, room: Newsroom) -> int:
    story_id = published(client, room)
    response = client.put(
        f"/api/v1/stories/{story_id}/items/ru",
        json=ninjs_story(
            "ru",
            headlines=[{"role": "main", "value": "Рекорд каспийских портов"}],
            bodies=[{"role": "main", "contenttype": "text/html", "value": RU_BODY}],
        ),
        headers=room.headers("translator"),
    )
    assert response.status_code == 201, response.text
    return story_id


def ru_published(client: TestClient, room: Newsroom) -> int:
    story_id = ru_draft(client, room)
    _post(client, room, "translator", f"/api/v1/stories/{story_id}/items/ru/publish")
    return story_id


# --- the requests under test --------------------------------------------------------------

Headers = dict[str, str]
Action = Callable[[TestClient, Newsroom, int, Headers], httpx.Response]


def _revision(client: TestClient, room: Newsroom, story_id: int, lang: str) -> int:
    story = client.get(f"/api/v1/stories/{story_id}", headers=room.headers("chief")).json()
    revision: int = story["items"][lang]["revision"]
    return revision


def file_story(client: TestClient, _room: Newsroom, _story_id: int, headers: Headers) -> Any:
    return client.post("/api/v1/stories?desk=politics", json=ninjs_story("en"), headers=headers)


def translate(lang: str, headline: str) -> Action:
    def action(client: TestClient, _room: Newsroom, story_id: int, headers: Headers) -> Any:
        document = ninjs_story(lang, headlines=[{"role": "main", "value": headline}])
        return client.put(
            f"/api/v1/stories/{story_id}/items/{lang}", json=document, headers=headers
        )

    return action


def update_source(client: TestClient, room: Newsroom, story_id: int, headers: Headers) -> Any:
    revision = _revision(client, room, story_id, "en")
    document = ninjs_story("en", headlines=[{"role": "main", "value": "Caspian ports: 4.3 Mt"}])
    return client.put(
        f"/api/v1/stories/{story_id}/items/en",
        json=document,
        headers={**headers, "If-Match": f'"{revision}"'},
    )


def post(lang: str, verb: str) -> Action:
    def action(client: TestClient, _room: Newsroom, story_id: int, headers: Headers) -> Any:
        return client.post(f"/api/v1/stories/{story_id}/items/{lang}/{verb}", headers=headers)

    return action


def show(client: TestClient, _room: Newsroom, story_id: int, headers: Headers) -> Any:
    return client.get(f"/api/v1/stories/{story_id}", headers=headers)


Setup = Callable[[TestClient, Newsroom], int] | None

ENDPOINTS: dict[str, tuple[Setup, Action]] = {
    "file_story": (None, file_story),
    "translate_ru": (published, translate("ru", "Рекорд каспийских портов")),
    "translate_fr": (published, translate("fr", "Record de fret dans les ports caspiens")),
    "update_draft_source": (draft, update_source),
    "update_published_source": (published, update_source),
    "submit_source": (draft, post("en", "submit")),
    "publish_source": (submitted, post("en", "publish")),
    "publish_economy_source": (economy_submitted, post("en", "publish")),
    "publish_translation_ru": (ru_draft, post("ru", "publish")),
    "correct_source": (published, post("en", "correct")),
    "correct_translation_ru": (ru_published, post("ru", "correct")),
    "kill_source": (published, post("en", "kill")),
    "kill_translation_ru": (ru_published, post("ru", "kill")),
    "show_story": (published, show),
}

# What a successful request reports: the item's status, and the version for publications.
OUTCOMES: dict[str, dict[str, object]] = {
    "file_story": {},
    "translate_ru": {"language": "ru", "status": "draft", "revision": 1},
    "translate_fr": {"language": "fr", "status": "draft", "revision": 1},
    "update_draft_source": {"language": "en", "status": "draft"},
    "update_published_source": {"language": "en", "status": "published"},
    "submit_source": {"language": "en", "status": "submitted"},
    "publish_source": {"language": "en", "status": "published", "version": 1},
    "publish_economy_source": {"language": "en", "status": "published", "version": 1},
    "publish_translation_ru": {"language": "ru", "status": "published", "version": 1},
    "correct_source": {"language": "en", "status": "published", "version": 2},
    "correct_translation_ru": {"language": "ru", "status": "published", "version": 2},
    "kill_source": {"language": "en", "status": "killed", "version": 2},
    "kill_translation_ru": {"language": "ru", "status": "killed", "version": 2},
    "show_story": {"desk": "politics", "source_language": "en"},
}


CASES = [(endpoint, who) for endpoint in EXPECTED for who in WHO]


def test_the_table_covers_every_endpoint_and_caller() -> None:
    assert set(EXPECTED) == set(ENDPOINTS) == set(OUTCOMES)
    assert all(set(row) == set(WHO) for row in EXPECTED.values())


@pytest.mark.parametrize(("endpoint", "who"), CASES)
def test_role_matrix(client: TestClient, newsroom: Newsroom, endpoint: str, who: str) -> None:
    setup, action = ENDPOINTS[endpoint]
    story_id = setup(client, newsroom) if setup else 0
    chief = newsroom.headers("chief")

    def shown() -> object:
        return client.get(f"/api/v1/stories/{story_id}", headers=chief).json() if setup else None

    story_before = shown()
    stored_before = stored_state(newsroom.database)

    caller = newsroom.headers("all" if who == "subscriber" else who)
    response = action(client, newsroom, story_id, caller)

    expected = EXPECTED[endpoint][who]
    assert response.status_code == expected, response.text
    if expected == 403:
        detail = response.json()["detail"]
        if who == "subscriber":
            assert detail == "this endpoint is for staff tokens, not subscriber keys"
        else:
            assert detail.startswith("your role may not "), detail
        assert shown() == story_before
        assert stored_state(newsroom.database) == stored_before
        return
    body = response.json()
    for name, value in OUTCOMES[endpoint].items():
        assert body[name] == value, (name, body)
    if endpoint == "file_story":
        assert set(body) == {"story_id", "uri"}
        created = client.get(f"/api/v1/stories/{body['story_id']}", headers=chief).json()
        assert created["desk"] == "politics"
        assert created["items"]["en"]["status"] == "draft"
    elif endpoint == "show_story":
        assert body["id"] == story_id
        assert body["items"]["en"]["status"] == "published"
    else:
        assert stored_state(newsroom.database) != stored_before
