"""The story editor: filing, saving, submitting, publishing, conflicts, autosave, embargo times,
the Media Topics picker, language versions and hostile input, all through the newsroom's forms."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import lxml.html
import pytest
from sqlalchemy import select

from newswire.agency.models import Bureau
from newswire.db import Database
from newswire.newsroom.render import format_when
from newswire.stories.dateline import render_dateline
from newswire.stories.models import Item, Story, Version
from tests.conftest import VOCABULARIES, stored_state
from tests.newsroom.conftest import StaffBrowser

Staff = Callable[[str], StaffBrowser]

HOSTILE_BODY = (
    '<p>Ports handled <a href="javascript:alert(1)">record</a> cargo.</p>'
    '<script>alert(1)</script><p onclick="alert(2)">Second <img src=x onerror=alert(3)></p>'
)


def create_story(
    browser: StaffBrowser, language: str = "en", desk: str = "politics", **fields: str
) -> tuple[int, httpx.Response]:
    form = {
        "desk": desk,
        "language": language,
        "headline": "Caspian ports report record cargo",
        "slugline": "CASPIAN-PORTS",
        "urgency": "4",
        "body_html": "<p>Ports on the Caspian handled 4.2 million tonnes.</p>",
        **fields,
    }
    response = browser.post("/newsroom/stories", form)
    assert response.status_code == 303, response.text
    found = re.fullmatch(
        rf"/newsroom/stories/(\d+)/{language}\?done=created", response.headers["location"]
    )
    assert found, response.headers["location"]
    return int(found.group(1)), response


def editor_form(page: httpx.Response) -> dict[str, str]:
    """The editor form's fields as a browser would send them (without any button)."""
    document = lxml.html.fromstring(page.text)
    form = document.get_element_by_id("editor-form")
    values: dict[str, str] = {}
    for field in form.xpath(".//input[@name] | .//textarea[@name] | .//select[@name]"):
        name = field.get("name")
        if field.tag == "select":
            chosen = field.xpath("./option[@selected]") or field.xpath("./option")
            values[name] = chosen[0].get("value")
        elif field.tag == "textarea":
            values[name] = field.text or ""
        elif field.get("type") not in ("checkbox", "file"):
            values[name] = field.get("value") or ""
    return values


def buttons(page: httpx.Response) -> set[str]:
    document = lxml.html.fromstring(page.text)
    main = document.get_element_by_id("main")
    return {button.text_content().strip() for button in main.iter("button")}


def load_item(database: Database, story_id: int, language: str) -> Item:
    with database.read() as session:
        item = session.scalars(
            select(Item).where(Item.story_id == story_id, Item.language == language)
        ).one()
        session.expunge(item)
        return item


def test_a_story_is_filed_saved_submitted_and_published_through_the_forms(
    staff: Staff, database: Database
) -> None:
    reporter = staff("reporter")
    new = reporter.get("/newsroom/stories/new?desk=politics")
    assert new.status_code == 200
    document = lxml.html.fromstring(new.text)
    # The reporter's bureau (Baku) writes in Azerbaijani unless told otherwise.
    assert document.xpath("//select[@name='language']/option[@selected]/@value") == ["az"]
    assert document.xpath("//select[@name='desk']/option/@value") == ["politics"]

    story_id, _created = create_story(reporter)
    assert reporter.get(f"/newsroom/stories/{story_id}").headers["location"] == (
        f"/newsroom/stories/{story_id}/en"
    )
    page = reporter.get(f"/newsroom/stories/{story_id}/en")
    assert page.status_code == 200
    assert {"Save", "Submit"} <= buttons(page)
    form = editor_form(page)
    assert form["headline"] == "Caspian ports report record cargo"
    assert form["located"] == "Baku"  # the bureau's city, editable
    created = load_item(database, story_id, "en").firstcreated
    preview = lxml.html.fromstring(page.text).get_element_by_id("dateline-preview")
    assert preview.text == render_dateline("Baku", created, "Asia/Baku", "en", "AZERTAC")
    assert preview.get("data-rest") == render_dateline(None, created, "Asia/Baku", "en", "AZERTAC")
    assert f'href="/newsroom/stories/{story_id}/history"' in page.text

    form.update(headline="Caspian ports report a record year", keywords="ports, cargo")
    saved = reporter.post(f"/newsroom/stories/{story_id}/en", form)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/newsroom/stories/{story_id}/en?done=saved"
    item = load_item(database, story_id, "en")
    assert item.headline == "Caspian ports report a record year"
    assert item.keywords == ["ports", "cargo"]

    page = reporter.get(f"/newsroom/stories/{story_id}/en?done=saved")
    assert "Saved." in page.text
    submitted = reporter.post(f"/newsroom/stories/{story_id}/en/submit", editor_form(page))
    assert submitted.headers["location"] == f"/newsroom/stories/{story_id}/en?done=submitted"
    assert load_item(database, story_id, "en").status == "submitted"

    editor = staff("editor")
    page = editor.get(f"/newsroom/stories/{story_id}/en")
    assert {"Save", "Publish"} <= buttons(page)
    assert "Submit" not in buttons(page)  # already submitted
    form = editor_form(page)
    form["subheadline"] = "A tenth more than last year"
    # Publish posts the whole form: the pending change is saved and published together.
    published = editor.post(f"/newsroom/stories/{story_id}/en/publish", form)
    assert published.headers["location"] == f"/newsroom/stories/{story_id}/en?done=published"
    item = load_item(database, story_id, "en")
    assert item.status == "published"
    assert item.current_version == 1
    with database.read() as session:
        version = session.scalars(select(Version).where(Version.item_id == item.id)).one()
        assert version.document["subheadline"] == "A tenth more than last year"
        assert version.document["headline"] == "Caspian ports report a record year"

    page = editor.get(f"/newsroom/stories/{story_id}/en")
    assert {"Publish correction", "Kill"} <= buttons(page)
    assert "Publish" not in buttons(page)
    form = editor_form(page)
    form.update(headline="Caspian ports report a record year, port says", note="Source named.")
    corrected = editor.post(f"/newsroom/stories/{story_id}/en/correct", form)
    assert corrected.headers["location"].endswith("?done=corrected")
    item = load_item(database, story_id, "en")
    assert item.current_version == 2
    with database.read() as session:
        latest = session.scalars(
            select(Version).where(Version.item_id == item.id, Version.number == 2)
        ).one()
        assert latest.note == "Source named."
        assert latest.document["headline"] == "Caspian ports report a record year, port says"

    no_reason = editor.post(f"/newsroom/stories/{story_id}/en/kill", {"confirm": "yes"})
    assert no_reason.status_code == 422
    assert "reason" in no_reason.text
    unconfirmed = editor.post(f"/newsroom/stories/{story_id}/en/kill", {"reason": "Wrong figures"})
    assert unconfirmed.status_code == 422
    assert load_item(database, story_id, "en").status == "published"
    killed = editor.post(
        f"/newsroom/stories/{story_id}/en/kill", {"reason": "Wrong figures", "confirm": "yes"}
    )
    assert killed.headers["location"].endswith("?done=killed")
    assert load_item(database, story_id, "en").status == "killed"
    page = editor.get(f"/newsroom/stories/{story_id}/en")
    assert not {"Save", "Publish", "Publish correction", "Kill"} & buttons(page)


def test_a_reporter_never_sees_publish_and_a_forged_publish_is_refused(
    staff: Staff, database: Database
) -> None:
    reporter = staff("reporter")
    story_id, _ = create_story(reporter)
    page = reporter.get(f"/newsroom/stories/{story_id}/en")
    shown = buttons(page)
    assert "Save" in shown
    assert not {"Publish", "Publish correction", "Kill"} & shown
    form = editor_form(page)
    before = stored_state(database)

    bare = reporter.post(f"/newsroom/stories/{story_id}/en/publish")
    assert bare.status_code == 403
    # Even with a changed form, nothing is saved: the save and the refused publish are one
    # transaction.
    form["headline"] = "Changed on the way to a forged publish"
    forged = reporter.post(f"/newsroom/stories/{story_id}/en/publish", form)
    assert forged.status_code == 403
    killed = reporter.post(
        f"/newsroom/stories/{story_id}/en/kill", {"reason": "because", "confirm": "yes"}
    )
    assert killed.status_code == 403
    assert stored_state(database) == before


def test_a_story_of_another_desk_is_not_open_to_its_editor(staff: Staff) -> None:
    story_id, _ = create_story(staff("reporter"))
    assert staff("economy_editor").get(f"/newsroom/stories/{story_id}/en").status_code == 403


def test_a_conflicting_save_names_who_saved_and_which_fields_differ(
    staff: Staff, database: Database
) -> None:
    story_id, _ = create_story(staff("reporter"))
    editor, chief = staff("editor"), staff("chief")
    url = f"/newsroom/stories/{story_id}/en"
    mine = editor_form(editor.get(url))
    theirs = editor_form(chief.get(url))
    assert mine["revision"] == theirs["revision"]

    mine["headline"] = "Caspian cargo hits a record"
    assert editor.post(url, mine).status_code == 303
    stored = load_item(database, story_id, "en")

    theirs["body_html"] = "<p>Ports on the Caspian handled 4.3 million tonnes.</p>"
    refused = chief.post(url, theirs)
    assert refused.status_code == 409
    document = lxml.html.fromstring(refused.text)
    conflict = document.find_class("conflict")[0].text_content()
    assert "editor saved a newer version at" in conflict
    assert format_when(stored.updated_at, "en", "Asia/Baku", short=False) in conflict
    rows = {row.get("data-field"): row for row in document.xpath("//tr[@data-field]")}
    assert set(rows) == {"headline", "body_html"}
    assert "Caspian cargo hits a record" in rows["headline"].text_content()
    assert "Caspian ports report record cargo" in rows["headline"].text_content()
    # The chief's unsaved input is kept, and the form now carries the stored revision.
    again = editor_form(refused)
    assert again["body_html"] == theirs["body_html"]
    assert again["headline"] == theirs["headline"]
    assert again["revision"] == str(stored.revision)
    assert load_item(database, story_id, "en").headline == "Caspian cargo hits a record"

    overwrite = chief.post(url, again)  # a second save overwrites deliberately
    assert overwrite.status_code == 303
    item = load_item(database, story_id, "en")
    assert item.headline == "Caspian ports report record cargo"
    assert "4.3 million" in item.body_html


def test_autosave_answers_json_and_reports_conflicts(staff: Staff, database: Database) -> None:
    story_id, _ = create_story(staff("reporter"))
    editor, chief = staff("editor"), staff("chief")
    url = f"/newsroom/stories/{story_id}/en"
    form = editor_form(editor.get(url))
    stale = editor_form(chief.get(url))
    headers = {"X-CSRF-Token": editor.csrf, "Accept": "application/json"}

    form["ednote"] = "Check the tonnage with the port authority"
    del form["csrf_token"]
    saved = editor.post(f"{url}/autosave", form, csrf=False, headers=headers)
    assert saved.status_code == 200
    answer = saved.json()
    item = load_item(database, story_id, "en")
    assert answer["revision"] == item.revision > int(form["revision"])
    assert datetime.fromisoformat(answer["saved_at"]) == item.updated_at
    assert answer["message"].startswith("Saved at ")
    assert item.ednote == "Check the tonnage with the port authority"

    unchanged = editor.post(
        f"{url}/autosave", {**form, "revision": str(answer["revision"])}, csrf=False,
        headers=headers,
    )  # fmt: skip
    assert unchanged.json()["revision"] == item.revision  # nothing to save, nothing saved

    stale["headline"] = "A headline from an old revision"
    del stale["csrf_token"]
    chief_headers = {"X-CSRF-Token": chief.csrf, "Accept": "application/json"}
    conflict = chief.post(f"{url}/autosave", stale, csrf=False, headers=chief_headers)
    assert conflict.status_code == 409
    body = conflict.json()
    assert body["changed_by"] == "editor"
    assert body["fields"] == ["headline", "ednote"]
    assert "editor saved a newer version" in body["detail"]
    assert load_item(database, story_id, "en").headline == "Caspian ports report record cargo"

    no_token = editor.post(f"{url}/autosave", form, csrf=False)
    assert no_token.status_code == 403


def test_the_embargo_is_entered_in_the_bureaus_time_zone(staff: Staff, database: Database) -> None:
    story_id, _ = create_story(staff("reporter"))
    with database.write() as session:
        story = session.get(Story, story_id)
        assert story is not None
        paris = session.scalars(select(Bureau).where(Bureau.code == "paris")).one()
        story.bureau_id = paris.id
    editor = staff("editor")
    url = f"/newsroom/stories/{story_id}/en"
    page = editor.get(url)
    assert "Embargo (Europe/Paris)" in page.text
    form = editor_form(page)
    assert form["located"] == "Paris"

    form["embargo"] = "2030-06-01T09:30"  # summer time: UTC+2
    assert editor.post(url, form).status_code == 303
    assert load_item(database, story_id, "en").embargoed == datetime(2030, 6, 1, 7, 30, tzinfo=UTC)
    form = editor_form(editor.get(url))
    assert form["embargo"] == "2030-06-01T09:30"

    form["embargo"] = "2030-01-15T09:30"  # winter time: UTC+1
    assert editor.post(url, form).status_code == 303
    assert load_item(database, story_id, "en").embargoed == datetime(2030, 1, 15, 8, 30, tzinfo=UTC)
    assert editor_form(editor.get(url))["embargo"] == "2030-01-15T09:30"

    form = editor_form(editor.get(url))
    form["embargo"] = "next tuesday"
    refused = editor.post(url, form)
    assert refused.status_code == 422
    assert editor_form(refused)["embargo"] == "next tuesday"


@pytest.mark.skipif(
    not VOCABULARIES.is_dir(), reason=f"the IPTC vocabulary is not at {VOCABULARIES}"
)
def test_the_topics_picker_searches_labels_in_the_users_language(staff: Staff) -> None:
    editor = staff("editor")
    english = editor.get("/newsroom/topics?q=economy").json()
    assert {"code": "medtop:04000000", "label": "economy, business and finance"} in english
    by_code = editor.get("/newsroom/topics?q=04000000").json()
    assert by_code[0]["code"] == "medtop:04000000"
    assert editor.post("/newsroom/account/language", {"language": "fr"}).status_code == 303
    french = editor.get("/newsroom/topics?q=gastronomie").json()
    assert {"code": "medtop:20000568", "label": "Gastronomie"} in french
    # English labels still match, shown in French.
    assert {"code": "medtop:11000000", "label": "Politique"} in editor.get(
        "/newsroom/topics?q=politics"
    ).json()

    story_id, _ = create_story(editor)
    url = f"/newsroom/stories/{story_id}/en"
    form = editor_form(editor.get(url))
    form["subjects"] = "medtop:11000000, medtop:20000568"
    assert editor.post(url, form).status_code == 303
    chips = lxml.html.fromstring(editor.get(url).text).find_class("chip")
    assert [chip.get("data-code") for chip in chips] == ["medtop:11000000", "medtop:20000568"]
    assert "Gastronomie" in chips[1].text_content()
    form["subjects"] = "medtop:99999999"
    refused = editor.post(url, {**form, "revision": editor_form(editor.get(url))["revision"]})
    assert refused.status_code == 422
    assert editor_form(refused)["subjects"] == "medtop:99999999"


def test_a_missing_language_version_is_prefilled_and_created_by_saving(
    staff: Staff, database: Database
) -> None:
    story_id, _ = create_story(staff("reporter"), subjects="medtop:04000000")
    translator = staff("translator")
    page = translator.get(f"/newsroom/stories/{story_id}/en")
    document = lxml.html.fromstring(page.text)
    add = document.xpath("//ul[@class='add-languages']//a/@href")
    assert f"/newsroom/stories/{story_id}/ru" in add
    assert f"/newsroom/stories/{story_id}/en" not in add
    assert "Save" not in buttons(page)  # a translator does not edit the source

    page = translator.get(f"/newsroom/stories/{story_id}/ar")
    assert page.status_code == 200
    form = editor_form(page)
    assert form["headline"] == ""
    assert form["urgency"] == "4"
    assert form["subjects"] == "medtop:04000000"
    assert form["located"] == "باكو"
    document = lxml.html.fromstring(page.text)
    for name in ("headline", "subheadline", "located", "body_html"):
        field = document.get_element_by_id(name)
        assert field.get("dir") == "rtl"
        assert field.get("lang") == "ar"

    form.update(headline="موانئ بحر قزوين تسجل رقما قياسيا", body_html="<p>نص</p>")
    created = translator.post(f"/newsroom/stories/{story_id}/ar", form)
    assert created.status_code == 303
    item = load_item(database, story_id, "ar")
    assert item.headline == "موانئ بحر قزوين تسجل رقما قياسيا"
    assert item.subjects == ["medtop:04000000"]
    page = translator.get(f"/newsroom/stories/{story_id}/zh")
    assert lxml.html.fromstring(page.text).get_element_by_id("headline").get("lang") == "zh"
    chips = lxml.html.fromstring(page.text).xpath("//nav[@class='language-chips']//a/@href")
    assert f"/newsroom/stories/{story_id}/ar" in chips


def test_hostile_headline_and_body_are_inert_in_the_editor(
    staff: Staff, database: Database
) -> None:
    editor = staff("editor")
    # Typed as text, the headline keeps its angle brackets; as markup, the tag is removed.
    headline = "&lt;img src=x onerror=alert(1)&gt; Caspian <img src=x onerror=alert(1)>"
    story_id, _ = create_story(editor, headline=headline, body_html=HOSTILE_BODY)
    stored = load_item(database, story_id, "en")
    assert stored.headline == "<img src=x onerror=alert(1)> Caspian"
    page = editor.get(f"/newsroom/stories/{story_id}/en")
    _assert_inert(page.text)
    document = lxml.html.fromstring(page.text)
    assert document.get_element_by_id("headline").get("value") == stored.headline
    assert stored.headline in document.find(".//h1").text_content()

    # Shown again after a refusal, the user's own unsaved body is just as inert.
    form = editor_form(page)
    form.update(headline="", body_html=HOSTILE_BODY)
    refused = editor.post(f"/newsroom/stories/{story_id}/en", form)
    assert refused.status_code == 422
    _assert_inert(refused.text)
    assert "Ports handled" in editor_form(refused)["body_html"]


def _assert_inert(html: str) -> None:
    document = lxml.html.fromstring(html)
    scripts = document.xpath("//script")
    assert scripts, "the editor's own module is expected"
    for script in scripts:
        assert script.get("src", "").startswith("/static/newsroom/")
        assert not (script.text or "").strip()
    assert not document.xpath("//img")  # the story has no pictures: any img was injected
    for element in document.iter():
        attributes: dict[str, Any] = dict(element.attrib)
        assert not [name for name in attributes if name.lower().startswith("on")], element
        for name in ("href", "src", "action", "formaction"):
            value = attributes.get(name, "").strip().lower()
            assert not value.startswith("javascript:"), (element, value)
    # The body's markup is shown as text of the textarea, never as elements of the page.
    body = document.get_element_by_id("body_html").text or ""
    assert "javascript:" not in body
    assert "<script" not in body
    assert "onerror" not in body
