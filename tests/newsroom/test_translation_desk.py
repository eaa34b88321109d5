"""The translation desk in the newsroom: the translators' queue, the side-by-side editor with
its machine draft, memory matches and term hits, QA before publication, and the shortcuts."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import lxml.html
import pytest
import uvicorn
from lxml.html import HtmlElement
from playwright.sync_api import Page, expect
from sqlalchemy import event, select
from starlette.testclient import TestClient

from newswire import db
from newswire.agency import services as agency
from newswire.agency.models import AuditEntry, Desk, User
from newswire.agency.services import SYSTEM
from newswire.api.app import create_app
from newswire.api.state import AppState
from newswire.config import Settings
from newswire.db import Database
from newswire.newsroom import translating
from newswire.newsroom.render import format_when
from newswire.newsroom.translating import QueueFilters
from newswire.stories import services as stories
from newswire.stories.document import ItemInput
from newswire.stories.models import Item
from newswire.translation import drafts, jobs, memory, termbase
from newswire.translation.models import TranslationTask
from tests.conftest import CHROMIUM, REPO, Newsroom, free_port
from tests.newsroom.conftest import PASSWORD, StaffBrowser

Staff = Callable[[str], StaffBrowser]
ARTIFACTS = Path(os.environ.get("NEWSWIRE_TEST_ARTIFACTS") or REPO / "test-artifacts")

SOURCE_BODY = (
    "<p>President Ilham Aliyev opened the port of Alat on Monday. "
    "It handled 4.2 million tonnes of cargo in October.</p>"
    "<p>The port of Baku alone handled 1.6 million tonnes.</p>"
)
# What the "engine" writes for each segment of SOURCE_BODY (headline first).
MACHINE = [
    "Порт Алят открыт",
    "Президент Ильхам Алиев открыл порт Алят в понедельник.",
    "В октябре он обработал 4,2 млн тонн грузов.",
    "Только порт Баку обработал 1,6 млн тонн.",
]
TM_SOURCE = "The port of Baku alone handled 1.6 million tonnes."
TM_TARGET = "Один лишь Бакинский порт обработал 1,6 млн тонн."


def app_state(app: object) -> AppState:
    """The AppState of an application, under its middleware."""
    while not isinstance(getattr(app, "state", None), AppState):
        app = app.app  # type: ignore[attr-defined]
    found: AppState = app.state  # type: ignore[attr-defined]
    return found


@pytest.fixture
def state(app_client: TestClient) -> AppState:
    return app_state(app_client.app)


def publish_source(
    newsroom: Newsroom,
    state: AppState,
    headline: str = "Alat port opens",
    *,
    desk: str = "politics",
    urgency: int = 4,
    body: str = SOURCE_BODY,
) -> int:
    """A source story in English, published by its desk's editor: the desk opens its tasks."""
    editor = "economy_editor" if desk == "economy" else "editor"
    with newsroom.database.write() as session:
        desk_id = session.scalars(select(Desk.id).where(Desk.code == desk)).one()
        story = stories.create_story(
            session,
            newsroom.principals[editor],
            state.ctx,
            ItemInput(
                language="en", headline=headline, body_html=body, slugline="ALAT", urgency=urgency
            ),
            desk_id=desk_id,
            bureau=agency.get_bureau(session, "baku"),
        )
        stories.publish(session, newsroom.principals[editor], state.ctx, story.id, "en")
        return story.id


def task_of(newsroom: Newsroom, story_id: int, language: str) -> int:
    with newsroom.database.read() as session:
        return (
            session.scalars(
                select(TranslationTask.id)
                .where(TranslationTask.story_id == story_id, TranslationTask.language == language)
                .order_by(TranslationTask.id.desc())
            ).first()
            or 0
        )


def land_machine_draft(newsroom: Newsroom, state: AppState, task_id: int) -> None:
    """The draft pipeline with MACHINE standing in for an engine's output."""
    with newsroom.database.write() as session:
        task = session.get(TranslationTask, task_id)
        assert task is not None
        story = stories.get_story(session, task.story_id)
        job = drafts.prepare(
            session,
            task.id,
            story,
            task.language,
            task.source_version,
            termbase.TermIndex.load(session),
        )
        # exact memory matches skip the engine: it translates the other segments
        outputs = [text for unit, text in zip(job.units, MACHINE, strict=True) if not unit.exact]
        assert len(drafts.engine_inputs(job)) == len(outputs)
        draft = drafts.finish(None, job, outputs)
        task.mt_state = "running"
    assert jobs.land(newsroom.database, state.ctx, draft, task_id)


def add_aids(newsroom: Newsroom) -> None:
    with newsroom.database.write() as session:
        memory.store(session, "en", "ru", [(TM_SOURCE, TM_TARGET)], story_id=None, user_id=None)
        termbase.add_term(
            session,
            SYSTEM,
            termbase.TermInput(
                kind="person",
                forms={"en": "Ilham Aliyev", "ru": "Ильхам Алиев", "ar": "إلهام علييف"},
            ),
        )


def add_translator(newsroom: Newsroom, name: str, languages: list[str]) -> None:
    with newsroom.database.write() as session:
        agency.add_user(
            session,
            SYSTEM,
            name=name,
            role="translator",
            password=PASSWORD,
            bureau="baku",
            user_languages=languages,
        )


def document(response: object) -> HtmlElement:
    return lxml.html.fromstring(response.text)  # type: ignore[attr-defined]


def text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def task_rows(html: HtmlElement) -> list[HtmlElement]:
    return list(html.cssselect("tr[data-task]"))


def form_values(html: HtmlElement) -> dict[str, str]:
    """The translation form's fields as a browser sends them (no button)."""
    form = html.get_element_by_id("translation-form")
    values: dict[str, str] = {}
    for field in form.xpath(".//input[@name] | .//textarea[@name]"):
        if field.get("type") == "checkbox":
            continue
        values[field.get("name")] = (
            field.text or "" if field.tag == "textarea" else field.get("value") or ""
        )
    return values


def load_item(newsroom: Newsroom, story_id: int, language: str) -> Item:
    with newsroom.database.read() as session:
        item = session.scalars(
            select(Item).where(Item.story_id == story_id, Item.language == language)
        ).one()
        session.expunge(item)
        return item


# --- the queue ----------------------------------------------------------------------------------


def test_the_queue_is_ordered_by_deadline_and_each_role_sees_its_own(
    staff: Staff, newsroom: Newsroom, state: AppState
) -> None:
    routine = publish_source(newsroom, state, "Routine port news", urgency=5)
    publish_source(newsroom, state, "Flash: port explosion", urgency=1)
    economy = publish_source(newsroom, state, "Economy news", desk="economy", urgency=3)
    add_translator(newsroom, "ru_translator", ["ru"])
    with newsroom.database.write() as session:  # one routine task is late
        late = session.scalars(
            select(TranslationTask).where(
                TranslationTask.story_id == routine, TranslationTask.language == "ar"
            )
        ).one()
        late.deadline = db.utcnow() - timedelta(minutes=7)

    translator = staff("translator")
    page = translator.get("/newsroom/translation")
    assert page.status_code == 200
    html = document(page)
    rows = task_rows(html)
    assert {row.get("data-language") for row in rows} == {"ru", "ar", "zh"}
    deadlines = [row.cssselect("time")[0].get("datetime") for row in rows]
    assert deadlines == sorted(deadlines)
    shown = rows[0].cssselect("time")[0]  # in the user's time zone (the Baku bureau's)
    moment = datetime.fromisoformat(shown.get("datetime"))
    assert text(shown) == format_when(moment, "en", "Asia/Baku", short=True)
    first = rows[0]  # the late one, then the flash's (10 minutes), urgent, routine
    assert "overdue" in first.get("class").split()
    assert "overdue" in text(first.cssselect(".deadline")[0])
    assert "Routine port news" in text(first)
    flash_rows = [row for row in rows if "Flash: port explosion" in text(row)]
    assert len(flash_rows) == 3
    assert all("urgency-flash" in row.get("class").split() for row in flash_rows)
    assert rows[1:4] == flash_rows
    assert "left" in text(flash_rows[0].cssselect(".deadline")[0])
    assert "No engine: translate from scratch" in text(flash_rows[0])
    nav = html.cssselect('.mainnav a[href="/newsroom/translation"]')
    assert nav
    assert nav[0].get("aria-current") == "page"

    only_ru = staff("ru_translator")
    languages = {
        row.get("data-language")
        for row in task_rows(document(only_ru.get("/newsroom/translation")))
    }
    assert languages == {"ru"}
    filtered = document(translator.get("/newsroom/translation?lang=zh"))
    assert {row.get("data-language") for row in task_rows(filtered)} == {"zh"}

    politics = {
        text(r.cssselect(".headline")[0])
        for r in task_rows(document(staff("editor").get("/newsroom/translation")))
    }
    assert politics == {"Routine port news", "Flash: port explosion"}
    economy_rows = task_rows(document(staff("economy_editor").get("/newsroom/translation")))
    assert {text(r.cssselect(".headline")[0]) for r in economy_rows} == {"Economy news"}
    assert len(economy_rows) == 7
    assert economy

    reporter = staff("reporter")
    assert reporter.get("/newsroom/translation").status_code == 403
    assert not document(reporter.get("/newsroom/account")).cssselect(
        'a[href="/newsroom/translation"]'
    )


def test_the_queue_takes_as_many_queries_for_a_hundred_tasks_as_for_seven(
    newsroom: Newsroom, state: AppState
) -> None:
    def load() -> tuple[int, int]:
        statements: list[str] = []

        me = threading.get_ident()  # the application's own tasks share the engine

        def count(*args: object) -> None:
            if threading.get_ident() == me and str(args[2]).lstrip().startswith("SELECT"):
                statements.append(str(args[2]))

        event.listen(newsroom.database.engine, "before_cursor_execute", count)
        try:
            with newsroom.database.read() as session:
                queue = translating.load_queue(
                    session, newsroom.principals["editor"], QueueFilters(), ["en", "az", "ru"]
                )
        finally:
            event.remove(newsroom.database.engine, "before_cursor_execute", count)
        return len(queue.rows), len(statements)

    publish_source(newsroom, state)
    few, queries_for_few = load()
    for number in range(15):
        publish_source(newsroom, state, f"Story {number}")
    many, queries_for_many = load()
    assert (few, many) == (7, 100)
    assert queries_for_many == queries_for_few <= 3


def test_a_translator_takes_a_task_and_an_editor_assigns_one(
    staff: Staff, newsroom: Newsroom, state: AppState
) -> None:
    story_id = publish_source(newsroom, state)
    add_translator(newsroom, "ru_translator", ["ru"])
    ru_task, zh_task = task_of(newsroom, story_id, "ru"), task_of(newsroom, story_id, "zh")

    translator = staff("translator")
    taken = translator.post(
        f"/newsroom/translation/{zh_task}/take", {"next": "/newsroom/translation?mine=1"}
    )
    assert taken.status_code == 303
    assert taken.headers["location"] == "/newsroom/translation?mine=1&done=updated"
    mine = task_rows(document(translator.get("/newsroom/translation?mine=1")))
    assert [row.get("data-task") for row in mine] == [str(zh_task)]
    assert "translator" in text(mine[0].cssselect(".assignee")[0])
    assert not mine[0].cssselect(f'form[action="/newsroom/translation/{zh_task}/take"]')

    # a translator into Russian only may not take the Chinese task, even by forging the form
    forged = staff("ru_translator").post(f"/newsroom/translation/{zh_task}/take")
    assert forged.status_code == 403

    editor = staff("editor")
    queue = document(editor.get("/newsroom/translation"))
    row = queue.cssselect(f'tr[data-task="{ru_task}"]')[0]
    choices = [o.get("value") for o in row.cssselect('form.assign select[name="assignee"] option')]
    assert choices == ["ru_translator", "translator"]  # translators into Russian only
    zh_row = queue.cssselect(f'tr[data-task="{zh_task}"]')[0]
    assert [o.get("value") for o in zh_row.cssselect("option")] == ["translator"]
    assigned = editor.post(f"/newsroom/translation/{ru_task}/assign", {"assignee": "ru_translator"})
    assert assigned.status_code == 303
    assigned_row = document(staff("ru_translator").get("/newsroom/translation?mine=1"))
    assert [r.get("data-task") for r in task_rows(assigned_row)] == [str(ru_task)]
    with newsroom.database.read() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "translation.assign")
        ).all()
    assert len(actions) == 2
    # the translators may not give tasks away
    assert (
        translator.post(
            f"/newsroom/translation/{ru_task}/assign", {"assignee": "ru_translator"}
        ).status_code
        == 403
    )


# --- the editor ----------------------------------------------------------------------------------


def test_the_editor_shows_source_and_target_side_by_side_with_its_aids(
    staff: Staff, newsroom: Newsroom, state: AppState
) -> None:
    add_aids(newsroom)
    story_id = publish_source(newsroom, state)
    task_id = task_of(newsroom, story_id, "ru")
    land_machine_draft(newsroom, state, task_id)

    translator = staff("translator")
    page = translator.get(f"/newsroom/translation/{task_id}")
    assert page.status_code == 200, page.text
    html = document(page)
    rows = html.cssselect(".segment-row")
    assert [row.get("data-key") for row in rows] == ["headline", "seg-0-0", "seg-0-1", "seg-1-0"]
    first = html.cssselect('[data-key="seg-0-0"]')[0]
    source = first.cssselect(".source")[0]
    assert source.get("lang") == "en"
    assert text(source) == "President Ilham Aliyev opened the port of Alat on Monday."
    assert [text(mark) for mark in source.cssselect("mark.term")] == ["Ilham Aliyev"]
    assert "Ilham Aliyev → Ильхам Алиев" in text(first.cssselect(".terms")[0])
    target = first.cssselect("textarea")[0]
    assert (target.get("name"), target.get("lang"), target.get("dir")) == ("seg-0-0", "ru", "ltr")
    assert target.text == MACHINE[1]  # the machine draft became the first working copy
    assert first.cssselect(".machine .aid-text")[0].get("data-text") == MACHINE[1]
    assert first.cssselect('.machine button[name="use"]')[0].get("value") == "seg-0-0"

    last = html.cssselect('[data-key="seg-1-0"]')[0]
    [match] = last.cssselect(".tm-match")
    assert match.get("data-score") == "100"
    assert text(match.cssselect(".score")[0]) == "100%"
    assert text(match.cssselect(".aid-text")[0]) == TM_TARGET
    assert html.cssselect("input#t-headline")[0].get("value") == MACHINE[0]
    assert "Machine draft ready" in text(html.cssselect(".task-facts")[0])
    # The QA panel is there, the shortcuts box waits for the script, buttons follow the role
    assert html.cssselect("#qa-panel")
    assert html.cssselect("#shortcuts")[0].get("hidden") is not None
    buttons = {text(b) for b in html.cssselect("#translation-form .actions button")}
    assert buttons == {"Save", "Send to review", "Publish"}

    # Without a script, "use" puts a memory match into its segment (nothing is saved)
    before = load_item(newsroom, story_id, "ru")
    values = form_values(html)
    values["seg-1-0"] = "my own words"
    values["seg-0-1"] = "kept as typed"
    shown = translator.post(f"/newsroom/translation/{task_id}/use", {**values, "use": "seg-1-0:1"})
    assert shown.status_code == 200
    assert document(shown).cssselect("textarea#t-seg-1-0")[0].text == TM_TARGET
    assert document(shown).cssselect("textarea#t-seg-0-1")[0].text == "kept as typed"
    assert document(shown).cssselect("#translation-form")[0].get("data-focus") == "seg-1-0"
    values["seg-0-0"] = "something else"
    machine = translator.post(f"/newsroom/translation/{task_id}/use", {**values, "use": "seg-0-0"})
    assert document(machine).cssselect("textarea#t-seg-0-0")[0].text == MACHINE[1]
    after = load_item(newsroom, story_id, "ru")
    assert (after.revision, after.body_html) == (before.revision, before.body_html)

    # A translator into other languages may not open the task
    add_translator(newsroom, "fr_translator", ["fr"])
    assert staff("fr_translator").get(f"/newsroom/translation/{task_id}").status_code == 403


def test_a_new_copy_starts_from_the_source_sentences_and_saving_rebuilds_the_body(
    staff: Staff, newsroom: Newsroom, state: AppState
) -> None:
    body = SOURCE_BODY + "<ul><li>One berth.</li><li>Two cranes.</li></ul>"
    story_id = publish_source(newsroom, state, body=body)
    task_id = task_of(newsroom, story_id, "ru")
    translator = staff("translator")
    html = document(translator.get(f"/newsroom/translation/{task_id}"))
    values = form_values(html)
    assert values["revision"] == ""
    assert [k for k in values if k.startswith("seg-")] == [
        "seg-0-0", "seg-0-1", "seg-1-0", "seg-2-0", "seg-3-0"
    ]  # fmt: skip
    assert all(values[k] == "" for k in values if k.startswith("seg-"))
    values |= {
        "headline": "Открыт порт Алят",
        "seg-0-0": "Президент открыл порт.",
        "seg-0-1": "Он обработал <b>4,2 млн</b> тонн.",
        "seg-1-0": "Порт Баку обработал 1,6 млн тонн.",
        "seg-2-0": "Один причал.",
        "seg-3-0": "Два крана.",
    }
    saved = translator.post(f"/newsroom/translation/{task_id}", values)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/newsroom/translation/{task_id}?done=saved"
    item = load_item(newsroom, story_id, "ru")
    assert item.headline == "Открыт порт Алят"
    assert item.body_html == (
        "<p>Президент открыл порт. Он обработал <b>4,2 млн</b> тонн.</p>"
        "<p>Порт Баку обработал 1,6 млн тонн.</p><ul><li>Один причал.</li><li>Два крана.</li></ul>"
    )
    assert item.slugline == "ALAT"  # the rest comes from the source
    with newsroom.database.read() as session:
        task = session.get(TranslationTask, task_id)
        assert task is not None
        assert (task.status, task.assignee_id) == (
            "in_progress",
            newsroom.principals["translator"].user_id,
        )

    # one segment edited on the saved copy
    again = document(translator.get(f"/newsroom/translation/{task_id}?done=saved"))
    values = form_values(again)
    assert values["revision"] == str(item.revision)
    assert values["seg-0-1"] == "Он обработал <b>4,2 млн</b> тонн."
    values["seg-1-0"] = "Один лишь порт Баку обработал 1,6 млн тонн."
    assert translator.post(f"/newsroom/translation/{task_id}", values).status_code == 303
    edited = load_item(newsroom, story_id, "ru")
    assert "<p>Один лишь порт Баку обработал 1,6 млн тонн.</p>" in edited.body_html
    assert edited.body_html.startswith("<p>Президент открыл порт. Он обработал")

    # a save from the older page is a conflict, shown with the user's text kept
    values["seg-1-0"] = "Старый текст."
    values["revision"] = str(item.revision)
    conflict = translator.post(f"/newsroom/translation/{task_id}", values)
    assert conflict.status_code == 409
    shown = document(conflict)
    assert "Someone else saved this version" in text(shown.cssselect(".conflict")[0])
    assert shown.cssselect("textarea#t-seg-1-0")[0].text == "Старый текст."
    assert form_values(shown)["revision"] == str(edited.revision)

    # sending to review
    values = form_values(document(translator.get(f"/newsroom/translation/{task_id}")))
    sent = translator.post(f"/newsroom/translation/{task_id}/submit", values)
    assert sent.status_code == 303
    assert load_item(newsroom, story_id, "ru").status == "submitted"


def test_publishing_over_a_high_qa_finding_needs_the_override_and_is_audited(
    staff: Staff, newsroom: Newsroom, state: AppState
) -> None:
    story_id = publish_source(newsroom, state)
    task_id = task_of(newsroom, story_id, "ru")
    land_machine_draft(newsroom, state, task_id)
    translator = staff("translator")
    html = document(translator.get(f"/newsroom/translation/{task_id}"))
    assert not html.cssselect("#qa-panel .qa-high")
    assert not html.cssselect('input[name="override"]')
    values = form_values(html)
    values["seg-0-1"] = "В октябре он обработал 9,9 млн тонн грузов."  # a wrong number

    refused = translator.post(f"/newsroom/translation/{task_id}/publish", values)
    assert refused.status_code == 409, refused.text
    shown = document(refused)
    high = shown.cssselect("#qa-panel .qa-finding.qa-high")
    assert high
    assert high[0].get("data-check") == "numbers"
    assert "qa-blocking" in shown.cssselect("#qa-panel")[0].get("class")
    assert text(high[0].cssselect(".qa-severity")[0]) == "High"
    assert "QA found" in text(shown.cssselect("#translation-error")[0])
    assert shown.cssselect("textarea#t-seg-0-1")[0].text == values["seg-0-1"]  # input kept
    override = shown.cssselect('input[name="override"]')[0]
    assert "Publish despite QA findings" in text(override.getparent())
    assert load_item(newsroom, story_id, "ru").status == "draft"

    published = translator.post(
        f"/newsroom/translation/{task_id}/publish", {**form_values(shown), "override": "yes"}
    )
    assert published.status_code == 303, published.text
    item = load_item(newsroom, story_id, "ru")
    assert item.status == "published"
    assert "9,9 млн" in item.body_html
    with newsroom.database.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "item.qa_override")
        ).one()
        assert entry.detail["language"] == "ru"
        assert entry.detail["findings"][0]["check"] == "numbers"
        task = session.get(TranslationTask, task_id)
        assert task is not None
        assert task.status == "done"


def test_the_story_editor_shows_qa_and_the_task_and_publishes_only_with_the_override(
    staff: Staff, newsroom: Newsroom, state: AppState
) -> None:
    story_id = publish_source(newsroom, state)
    task_id = task_of(newsroom, story_id, "ru")
    land_machine_draft(newsroom, state, task_id)
    with newsroom.database.write() as session:  # a dropped paragraph and a wrong number
        item = stories.get_item(session, story_id, "ru")
        item.body_html = "<p>Президент открыл порт Алят. Порт обработал 5 млн тонн.</p>"
    editor = staff("editor")
    page = editor.get(f"/newsroom/stories/{story_id}/ru")
    html = document(page)
    assert html.cssselect(f'a.task-link[href="/newsroom/translation/{task_id}"]')
    high = html.cssselect("#qa-panel .qa-finding.qa-high")
    assert {finding.get("data-check") for finding in high} >= {"numbers", "paragraphs"}
    assert html.cssselect('#editor-form input[name="override"]')
    source_page = document(editor.get(f"/newsroom/stories/{story_id}/en"))
    assert not source_page.cssselect("#qa-panel")

    form = html.get_element_by_id("editor-form")
    values = {
        f.get("name"): (f.text or "") if f.tag == "textarea" else (f.get("value") or "")
        for f in form.xpath(".//input[@name] | .//textarea[@name]")
        if f.get("type") != "checkbox"
    }
    values["urgency"] = "4"
    values["headline"] = "Открыт порт Алят (правка)"
    refused = editor.post(f"/newsroom/stories/{story_id}/ru/publish", values)
    assert refused.status_code == 409
    shown = document(refused)
    assert shown.cssselect("#headline")[0].get("value") == "Открыт порт Алят (правка)"
    assert shown.cssselect("#qa-panel .qa-high")
    assert load_item(newsroom, story_id, "ru").status == "draft"
    done = editor.post(f"/newsroom/stories/{story_id}/ru/publish", {**values, "override": "yes"})
    assert done.status_code == 303, done.text
    assert load_item(newsroom, story_id, "ru").status == "published"
    with newsroom.database.read() as session:
        assert session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "item.qa_override")
        ).all() == ["item.qa_override"]


def test_an_arabic_target_is_right_to_left_and_chinese_is_zh_cn(
    staff: Staff, newsroom: Newsroom, state: AppState
) -> None:
    add_aids(newsroom)
    story_id = publish_source(newsroom, state)
    translator = staff("translator")
    arabic = document(translator.get(f"/newsroom/translation/{task_of(newsroom, story_id, 'ar')}"))
    fields = arabic.cssselect(".segment-field")
    assert fields
    assert all((f.get("lang"), f.get("dir")) == ("ar", "rtl") for f in fields)
    assert arabic.cssselect(".segment-row .source")[0].get("dir") == "ltr"
    preferred = arabic.cssselect(".terms .preferred")[0]
    assert (text(preferred), preferred.get("dir")) == ("إلهام علييف", "rtl")
    chinese = document(translator.get(f"/newsroom/translation/{task_of(newsroom, story_id, 'zh')}"))
    assert {f.get("lang") for f in chinese.cssselect(".segment-field")} == {"zh-CN"}


def test_an_update_task_shows_what_the_correction_changed(
    staff: Staff, newsroom: Newsroom, state: AppState
) -> None:
    story_id = publish_source(newsroom, state)
    task_id = task_of(newsroom, story_id, "ru")
    land_machine_draft(newsroom, state, task_id)
    translator = staff("translator")
    first = form_values(document(translator.get(f"/newsroom/translation/{task_id}")))
    assert translator.post(f"/newsroom/translation/{task_id}/publish", first).status_code == 303
    editor = newsroom.principals["editor"]
    with newsroom.database.write() as session:
        source = stories.get_item(session, story_id, "en")
        stories.save_item(
            session,
            editor,
            state.ctx,
            story_id,
            ItemInput(
                language="en",
                headline=source.headline,
                body_html=SOURCE_BODY.replace("4.2", "4.3"),
                slugline="ALAT",
            ),
            expected_revision=source.revision,
        )
        stories.correct(session, editor, state.ctx, story_id, "en", "Corrects the total.")
    update = task_of(newsroom, story_id, "ru")
    assert update != task_id
    queue = document(translator.get("/newsroom/translation?lang=ru"))
    row = queue.cssselect(f'tr[data-task="{update}"]')[0]
    assert "Update after a correction" in text(row)
    assert "Corrects the total." in text(row)

    html = document(translator.get(f"/newsroom/translation/{update}"))
    changes = html.cssselect(".source-changes")[0]
    assert "version 1 → 2" in text(changes)
    assert [text(d) for d in changes.cssselect("del")] == ["4.2"]
    assert [text(i) for i in changes.cssselect("ins")] == ["4.3"]
    assert "Corrects the total." in text(changes)
    buttons = {text(b) for b in html.cssselect("#translation-form .actions button")}
    assert "Publish correction" in buttons
    values = form_values(html)
    values["seg-0-1"] = "В октябре он обработал 4,3 млн тонн грузов."
    values["note"] = "Исправлен объём."
    corrected = translator.post(f"/newsroom/translation/{update}/publish", values)
    assert corrected.status_code == 303, corrected.text
    assert corrected.headers["location"].endswith("done=corrected")
    item = load_item(newsroom, story_id, "ru")
    assert (item.current_version, "4,3 млн" in item.body_html) == (2, True)


# --- keyboard shortcuts in a real browser -----------------------------------------------------


@pytest.fixture
def live_server(
    settings: Settings, database: Database, newsroom: Newsroom
) -> Iterator[tuple[str, AppState]]:
    """The newsroom over HTTP by uvicorn in a thread, on the test's database."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"no chromium at {CHROMIUM} (set NEWSWIRE_CHROMIUM, or run `make browser-deps`)"
        )
    port = free_port()
    app = create_app(settings, database, worker=False)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app_state(app)
    server.should_exit = True
    thread.join(timeout=10)


def test_keyboard_shortcuts_copy_the_draft_insert_a_match_and_save(
    page: Page, live_server: tuple[str, AppState], newsroom: Newsroom
) -> None:
    url, state = live_server
    add_aids(newsroom)
    story_id = publish_source(newsroom, state)
    task_id = task_of(newsroom, story_id, "ru")
    land_machine_draft(newsroom, state, task_id)
    with newsroom.database.write() as session:  # the translator had rewritten two sentences
        item = stories.get_item(session, story_id, "ru")
        item.body_html = "<p>Первая фраза. Вторая фраза.</p><p>Третья фраза.</p>"
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )

    page.goto(f"{url}/newsroom/login?next=/newsroom/translation/{task_id}")
    page.fill('input[name="name"]', "translator")
    page.fill('input[name="password"]', PASSWORD)
    page.locator('form button[type="submit"]').click()
    page.wait_for_url(re.compile(rf"/newsroom/translation/{task_id}$"))
    expect(page.locator("#shortcuts")).to_be_visible()
    expect(page.locator("#shortcuts")).to_contain_text("Ctrl")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1360, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "translation-editor.png"), full_page=True)

    page.locator("#t-headline").click()
    expect(page.locator("#row-headline")).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator("#t-seg-0-0")).to_be_focused()
    expect(page.locator("#row-seg-0-0")).to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator("#row-headline")).not_to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("Control+Shift+KeyM")
    expect(page.locator("#t-seg-0-0")).to_have_value(MACHINE[1])
    page.keyboard.press("Alt+ArrowDown")
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator("#t-seg-1-0")).to_be_focused()
    page.keyboard.press("Control+Shift+Digit1")
    expect(page.locator("#t-seg-1-0")).to_have_value(TM_TARGET)
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#t-seg-0-1")).to_be_focused()
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"done=saved"))
    expect(page.locator(".notice")).to_contain_text("Saved")

    body = load_item(newsroom, story_id, "ru").body_html
    assert body == f"<p>{MACHINE[1]} Вторая фраза.</p><p>{TM_TARGET}</p>"
    page.goto(f"{url}/newsroom/translation")
    expect(page.locator(f'tr[data-task="{task_id}"]')).to_contain_text("In progress")
    page.screenshot(path=str(ARTIFACTS / "translation-queue.png"), full_page=True)
    assert problems == []


@pytest.mark.parametrize(
    ("ui", "heading", "summary"),
    [
        ("ru", "Отдел переводов", "2 серьёзных замечания блокируют"),
        ("az", "Tərcümə şöbəsi", "2 ciddi qeyd"),
        ("fr", "Service de traduction", "2 anomalies graves bloquent"),
    ],
)
def test_the_desk_speaks_the_translators_interface_language(
    staff: Staff, newsroom: Newsroom, state: AppState, ui: str, heading: str, summary: str
) -> None:
    story_id = publish_source(newsroom, state)
    task_id = task_of(newsroom, story_id, "ru")
    land_machine_draft(newsroom, state, task_id)
    with newsroom.database.write() as session:
        user = session.scalars(select(User).where(User.name == "translator")).one()
        user.ui_language = ui
        item = stories.get_item(session, story_id, "ru")
        item.body_html = item.body_html.replace("4,2", "7,7")  # high findings
    translator = staff("translator")
    queue = document(translator.get("/newsroom/translation"))
    assert text(queue.cssselect("h1")[0]) == heading
    page = translator.get(f"/newsroom/translation/{task_id}")
    assert page.status_code == 200
    html = document(page)
    assert html.get("lang") == ui
    assert text(html.cssselect(".qa-summary")[0]).startswith(summary)  # a plural message
    assert html.cssselect('input[name="override"]')
    for english in ("Publish despite QA findings", "Machine draft", "Quality checks"):
        assert english not in page.text
