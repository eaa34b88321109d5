"""Translation tasks through the API: opened by a source publication, worked, closed; the
source's corrections and kills reach every language; QA stops a bad translation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import feedparser
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from newswire.agency import admin as administration
from newswire.agency.models import AuditEntry, Desk
from newswire.errors import InvalidInput
from newswire.stories.models import Story
from newswire.translation.models import TranslationTask
from tests.conftest import Newsroom, ninjs_story

SOURCE_BODY = (
    "<p>Ports on the Caspian handled 4.2 million tonnes of cargo in October.</p>"
    "<p>The port of Baku alone handled 1.6 million tonnes, its busiest month since 2019.</p>"
)
RU_BODY = (
    "<p>Порты Каспия в октябре обработали 4,2 млн тонн грузов.</p>"
    "<p>Только Бакинский порт обработал 1,6 млн тонн, это лучший месяц с 2019 года.</p>"
)


def _file(client: TestClient, newsroom: Newsroom, urgency: int = 4) -> int:
    document = ninjs_story(
        "en",
        urgency=urgency,
        bodies=[{"role": "main", "contenttype": "text/html", "value": SOURCE_BODY}],
    )
    created = client.post("/api/v1/stories", json=document, headers=newsroom.headers("reporter"))
    assert created.status_code == 201, created.text
    return int(created.json()["story_id"])


def _publish(
    client: TestClient, newsroom: Newsroom, story_id: int, lang: str, who: str = "editor"
) -> Any:
    return client.post(
        f"/api/v1/stories/{story_id}/items/{lang}/publish", headers=newsroom.headers(who)
    )


def _translate(
    client: TestClient, newsroom: Newsroom, story_id: int, lang: str, headline: str, body: str
) -> None:
    document = ninjs_story(
        lang,
        headlines=[{"role": "main", "value": headline}],
        bodies=[{"role": "main", "contenttype": "text/html", "value": body}],
    )
    saved = client.put(
        f"/api/v1/stories/{story_id}/items/{lang}",
        json=document,
        headers=newsroom.headers("translator"),
    )
    assert saved.status_code == 201, saved.text


def _tasks(client: TestClient, newsroom: Newsroom, who: str, **params: object) -> list[Any]:
    answer = client.get("/api/v1/tasks", params=params, headers=newsroom.headers(who))
    assert answer.status_code == 200, answer.text
    return list(answer.json()["tasks"])


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_publishing_the_source_opens_a_task_per_language_with_deadlines(
    client: TestClient, newsroom: Newsroom
) -> None:
    flash = _file(client, newsroom, urgency=1)
    routine = _file(client, newsroom, urgency=5)
    assert _tasks(client, newsroom, "chief") == []  # nothing before publication
    assert _publish(client, newsroom, routine, "en").status_code == 200
    assert _publish(client, newsroom, flash, "en").status_code == 200

    tasks = _tasks(client, newsroom, "chief", story=flash)
    assert [t["language"] for t in tasks] == ["az", "ru", "fr", "de", "es", "ar", "zh"]
    first = tasks[0]
    assert first["status"] == "pending"
    assert first["kind"] == "translate"
    assert first["machine_draft"]["state"] == "none"  # no engine: translators start from scratch
    assert _when(first["deadline"]) - _when(first["created_at"]) == timedelta(minutes=10)
    slow = _tasks(client, newsroom, "chief", story=routine)[0]
    assert _when(slow["deadline"]) - _when(slow["created_at"]) == timedelta(hours=2)

    # the translator's queue: only their languages (ru, en, ar, zh), soonest deadline first
    queue = _tasks(client, newsroom, "translator")
    assert {t["language"] for t in queue} == {"ru", "ar", "zh"}
    assert [t["story_id"] for t in queue[:3]] == [flash] * 3
    deadlines = [t["deadline"] for t in queue]
    assert deadlines == sorted(deadlines)


def test_the_desk_chooses_its_translation_languages(client: TestClient, newsroom: Newsroom) -> None:
    with newsroom.database.write() as session:
        desk = session.scalars(select(Desk).where(Desk.code == "politics")).one()
        desk.translation_languages = ["ru", "ar"]
    story_id = _file(client, newsroom)
    _publish(client, newsroom, story_id, "en")
    assert [t["language"] for t in _tasks(client, newsroom, "chief", story=story_id)] == [
        "ru",
        "ar",
    ]


def test_a_task_follows_its_translation_to_done_and_the_story_records_its_time(
    client: TestClient, newsroom: Newsroom
) -> None:
    with newsroom.database.write() as session:
        desk = session.scalars(select(Desk).where(Desk.code == "politics")).one()
        desk.translation_languages = ["ru"]
    story_id = _file(client, newsroom)
    _publish(client, newsroom, story_id, "en")
    [task] = _tasks(client, newsroom, "translator")
    taken = client.post(
        f"/api/v1/tasks/{task['id']}/assign", headers=newsroom.headers("translator")
    )
    assert taken.json()["assignee"] == "translator"

    _translate(client, newsroom, story_id, "ru", "Порты Каспия: рекордный грузооборот", RU_BODY)
    assert _tasks(client, newsroom, "translator")[0]["status"] == "in_progress"
    client.post(
        f"/api/v1/stories/{story_id}/items/ru/submit", headers=newsroom.headers("translator")
    )
    assert _tasks(client, newsroom, "translator")[0]["status"] == "review"
    published = _publish(client, newsroom, story_id, "ru", who="translator")
    assert published.status_code == 200, published.text

    assert _tasks(client, newsroom, "translator") == []
    [done] = _tasks(client, newsroom, "translator", status="done")
    assert done["done_at"] is not None
    view = client.get(f"/api/v1/stories/{story_id}", headers=newsroom.headers("editor")).json()
    assert view["items"]["ru"]["translation_task"]["status"] == "done"
    with newsroom.database.read() as session:
        story = session.get(Story, story_id)
        assert story is not None
        assert story.all_languages_at is not None

    # the finished translation is in the memory, sentence by sentence
    match = client.get(
        "/api/v1/tm",
        params={
            "q": "The port of Baku alone handled 1.6 million tonnes, its busiest month since 2019.",
            "source": "en",
            "target": "ru",
        },
        headers=newsroom.headers("translator"),
    ).json()["matches"][0]
    assert match["score"] == 100
    assert match["target"].startswith("Только Бакинский порт")


def test_a_correction_of_the_source_outdates_translations_and_opens_update_tasks(
    client: TestClient, newsroom: Newsroom
) -> None:
    story_id = _file(client, newsroom)
    _publish(client, newsroom, story_id, "en")
    _translate(client, newsroom, story_id, "ru", "Порты Каспия: рекордный грузооборот", RU_BODY)
    assert _publish(client, newsroom, story_id, "ru", who="translator").status_code == 200

    editor = newsroom.headers("editor")
    revision = client.get(f"/api/v1/stories/{story_id}", headers=editor).json()["items"]["en"][
        "revision"
    ]
    fixed = ninjs_story(
        "en",
        bodies=[
            {"role": "main", "contenttype": "text/html", "value": SOURCE_BODY.replace("4.2", "4.3")}
        ],
    )
    client.put(
        f"/api/v1/stories/{story_id}/items/en",
        json=fixed,
        headers={**editor, "If-Match": f'"{revision}"'},
    )
    corrected = client.post(
        f"/api/v1/stories/{story_id}/items/en/correct",
        json={"note": "Corrects the October total."},
        headers=editor,
    )
    assert corrected.status_code == 200, corrected.text

    view = client.get(f"/api/v1/stories/{story_id}", headers=editor).json()
    ru = view["items"]["ru"]
    assert ru["outdated"] is True
    assert ru["status"] == "published"  # still readable until the update is published
    task = ru["translation_task"]
    assert (task["kind"], task["status"]) == ("update", "pending")
    assert (task["previous_source_version"], task["source_version"]) == (1, 2)
    assert task["note"] == "Corrects the October total."
    # untranslated languages keep their first task, now following version 2
    assert view["items"]["fr"]["translation_task"]["kind"] == "translate"
    assert view["items"]["fr"]["translation_task"]["source_version"] == 2
    assert view["items"]["en"]["outdated"] is False


def test_killing_the_source_kills_every_language_in_the_feeds_too(
    client: TestClient, newsroom: Newsroom
) -> None:
    story_id = _file(client, newsroom)
    _publish(client, newsroom, story_id, "en")
    _translate(client, newsroom, story_id, "ru", "Порты Каспия: рекордный грузооборот", RU_BODY)
    _publish(client, newsroom, story_id, "ru", who="translator")
    _translate(
        client,
        newsroom,
        story_id,
        "ar",
        "موانئ بحر قزوين تسجل رقما قياسيا",
        "<p>تعاملت موانئ بحر قزوين مع 4.2 مليون طن من البضائع في أكتوبر.</p>"
        "<p>وتعامل ميناء باكو وحده مع 1.6 مليون طن، وهو أكثر الشهور ازدحاما منذ 2019.</p>",
    )
    rss_before = feedparser.parse(client.get("/ru/rss.xml").content)
    assert any("Каспия" in entry.title for entry in rss_before.entries)

    killed = client.post(
        f"/api/v1/stories/{story_id}/items/en/kill",
        json={"reason": "The port authority withdrew its figures."},
        headers=newsroom.headers("editor"),
    )
    assert killed.status_code == 200, killed.text

    view = client.get(f"/api/v1/stories/{story_id}", headers=newsroom.headers("editor")).json()
    assert view["items"]["en"]["status"] == "killed"
    assert view["items"]["ru"]["status"] == "killed"
    assert view["items"]["ar"]["status"] == "killed"  # a draft, never published, goes too
    assert _tasks(client, newsroom, "chief", story=story_id) == []
    canceled = _tasks(client, newsroom, "chief", story=story_id, status="canceled")
    assert canceled
    assert all("withdrew its figures" in t["note"] for t in canceled)

    feed = client.get("/api/v1/feed?cursor=0", headers=newsroom.headers("all")).json()
    kills = [(e["language"], e["kind"]) for e in feed["events"] if e["kind"] == "killed"]
    assert sorted(kills) == [("en", "killed"), ("ru", "killed")]
    ru_uri = view["items"]["ru"]["uri"]
    withdrawn = client.get(f"/api/v1/items/{ru_uri}", headers=newsroom.headers("all")).json()
    assert withdrawn["pubstatus"] == "canceled"
    rss_after = feedparser.parse(client.get("/ru/rss.xml").content)
    assert not any("Каспия" in entry.title for entry in rss_after.entries)
    assert client.get(f"/ru/news/{story_id}-caspian-ports").status_code in (404, 410)


def test_qa_stops_a_wrong_number_until_an_override_the_audit_log_records(
    client: TestClient, newsroom: Newsroom
) -> None:
    story_id = _file(client, newsroom)
    _publish(client, newsroom, story_id, "en")
    wrong = RU_BODY.replace("4,2 млн", "4,7 млн")
    _translate(client, newsroom, story_id, "ru", "Порты Каспия: рекордный грузооборот", wrong)

    qa = client.get(
        f"/api/v1/stories/{story_id}/items/ru/qa", headers=newsroom.headers("translator")
    ).json()
    assert qa["high"] >= 1
    numbers = [f for f in qa["findings"] if f["check"] == "numbers"]
    assert numbers
    assert numbers[0]["severity"] == "high"

    refused = _publish(client, newsroom, story_id, "ru", who="translator")
    assert refused.status_code == 409
    assert refused.json()["field"] == "qa"
    view = client.get(f"/api/v1/stories/{story_id}", headers=newsroom.headers("editor")).json()
    assert view["items"]["ru"]["status"] == "draft"

    forced = client.post(
        f"/api/v1/stories/{story_id}/items/ru/publish?qa_override=true",
        headers=newsroom.headers("translator"),
    )
    assert forced.status_code == 200, forced.text
    with newsroom.database.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "item.qa_override")
        ).one()
    assert entry.actor == "translator"
    assert entry.detail["language"] == "ru"
    assert any(f["check"] == "numbers" for f in entry.detail["findings"])


def test_a_clean_translation_publishes_without_override(
    client: TestClient, newsroom: Newsroom
) -> None:
    story_id = _file(client, newsroom)
    _publish(client, newsroom, story_id, "en")
    _translate(client, newsroom, story_id, "ru", "Порты Каспия: рекордный грузооборот", RU_BODY)
    qa = client.get(
        f"/api/v1/stories/{story_id}/items/ru/qa", headers=newsroom.headers("translator")
    ).json()
    assert qa["high"] == 0, qa
    assert _publish(client, newsroom, story_id, "ru", who="translator").status_code == 200


def test_tasks_can_be_opened_before_publication_and_assigned_by_an_editor(
    client: TestClient, newsroom: Newsroom
) -> None:
    story_id = _file(client, newsroom, urgency=2)
    opened = client.post(
        f"/api/v1/stories/{story_id}/tasks",
        json={"languages": ["ru", "zh"]},
        headers=newsroom.headers("editor"),
    )
    assert opened.status_code == 201, opened.text
    ru, zh = opened.json()["tasks"]
    given = client.post(
        f"/api/v1/tasks/{zh['id']}/assign",
        json={"assignee": "translator"},
        headers=newsroom.headers("editor"),
    )
    assert given.json()["assignee"] == "translator"
    mine = _tasks(client, newsroom, "translator", mine="true")
    assert [t["language"] for t in mine] == ["zh"]
    # a reporter may not hand out work, nor may anyone give zh work to a non-zh translator
    refused = client.post(
        f"/api/v1/tasks/{ru['id']}/assign",
        json={"assignee": "translator"},
        headers=newsroom.headers("reporter"),
    )
    assert refused.status_code == 403
    unknown = client.post(
        f"/api/v1/stories/{story_id}/tasks",
        json={"languages": ["xx"]},
        headers=newsroom.headers("editor"),
    )
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "languages"
    # publishing the source later opens the remaining languages only, none twice
    _publish(client, newsroom, story_id, "en")
    with newsroom.database.read() as session:
        languages = session.scalars(
            select(TranslationTask.language).where(TranslationTask.story_id == story_id)
        ).all()
    assert sorted(languages) == sorted(["az", "ru", "fr", "de", "es", "ar", "zh"])


def test_an_admin_chooses_a_desks_translation_languages(newsroom: Newsroom) -> None:
    admin = newsroom.principals["admin"]
    with newsroom.database.write() as session:
        desk = session.scalars(select(Desk).where(Desk.code == "politics")).one()
        changed = administration.update_desk(
            session, admin, desk.id, name={"en": "Politics"}, translation_languages=["ar", "ru"]
        )
        assert changed.translation_languages == ["ru", "ar"]  # in the agency's order
        everything = ["az", "ru", "en", "fr", "de", "es", "ar", "zh"]
        administration.update_desk(
            session, admin, desk.id, name={"en": "Politics"}, translation_languages=everything
        )
        assert desk.translation_languages is None  # all: languages added later included
    with pytest.raises(InvalidInput) as refused, newsroom.database.write() as session:
        administration.update_desk(
            session, admin, desk.id, name={"en": "Politics"}, translation_languages=["ru", "xx"]
        )
    assert refused.value.field == "translation_languages"
    with newsroom.database.read() as session:
        assert session.get(Desk, desk.id).translation_languages is None  # nothing changed
