"""Desk queues: who sees which desk, what a row shows, filters, paging and live refresh."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator

import lxml.html
import pytest
import uvicorn
from lxml.html import HtmlElement
from playwright.sync_api import Page, expect
from sqlalchemy import select

from newswire.agency import services as agency
from newswire.agency.models import Desk
from newswire.api.app import create_app
from newswire.config import Settings
from newswire.db import Database
from newswire.newsroom import queues
from newswire.stories import services as stories
from newswire.stories.document import ItemInput
from newswire.stories.models import Item
from tests.conftest import CHROMIUM, Newsroom, free_port
from tests.newsroom.conftest import PASSWORD, StaffBrowser

Staff = Callable[[str], StaffBrowser]


def file_story(
    newsroom: Newsroom,
    who: str,
    headline: str,
    *,
    language: str = "en",
    desk: str = "politics",
    urgency: int = 4,
    slugline: str | None = "SLUG",
    bureau: str | None = "baku",
) -> int:
    """A draft filed through the story services, as the editor or the API would file it."""
    with newsroom.database.write() as session:
        desk_id = session.scalars(select(Desk.id).where(Desk.code == desk)).one()
        story = stories.create_story(
            session,
            newsroom.principals[who],
            newsroom.ctx,
            ItemInput(
                language=language,
                headline=headline,
                body_html="<p>Text.</p>",
                slugline=slugline,
                urgency=urgency,
            ),
            desk_id=desk_id,
            bureau=agency.get_bureau(session, bureau) if bureau else None,
        )
        return story.id


def submit(newsroom: Newsroom, who: str, story_id: int, language: str = "en") -> None:
    with newsroom.database.write() as session:
        stories.submit(session, newsroom.principals[who], newsroom.ctx, story_id, language)


def publish(newsroom: Newsroom, who: str, story_id: int, language: str = "en") -> None:
    with newsroom.database.write() as session:
        stories.publish(session, newsroom.principals[who], newsroom.ctx, story_id, language)


def translate(newsroom: Newsroom, who: str, story_id: int, language: str, headline: str) -> None:
    with newsroom.database.write() as session:
        stories.save_item(
            session,
            newsroom.principals[who],
            newsroom.ctx,
            story_id,
            ItemInput(language=language, headline=headline, body_html="<p>Text.</p>"),
            expected_revision=None,
        )


def rows(html: str) -> dict[int, HtmlElement]:
    """The queue's rows by story id."""
    document = lxml.html.fromstring(html)
    return {int(row.get("data-story")): row for row in document.cssselect("tr[data-story]")}


def text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def headlines(html: str) -> list[str]:
    return [text(row.cssselect(".headline")[0]) for row in rows(html).values()]


def test_the_queue_lists_the_desks_stories_newest_activity_first(
    staff: Staff, newsroom: Newsroom
) -> None:
    first = file_story(newsroom, "reporter", "Parliament opens its spring session")
    second = file_story(newsroom, "reporter", "Minister meets the press", slugline="MINISTER")
    third = file_story(newsroom, "editor", "Cabinet approves the budget")
    file_story(newsroom, "economy_editor", "Oil prices rise", desk="economy")
    submit(newsroom, "reporter", second)
    publish(newsroom, "editor", third)
    translate(newsroom, "editor", third, "ru", "Кабинет одобрил бюджет")
    submit(newsroom, "reporter", first)  # the newest activity: first comes first

    page = staff("editor").get("/newsroom/desks/politics")
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    listed = rows(page.text)
    assert list(listed) == [first, third, second]
    assert "Oil prices rise" not in page.text
    second_row = listed[second]
    assert text(second_row.cssselect(".status")[0]) == "Submitted"
    assert text(second_row.cssselect(".slug")[0]) == "MINISTER"
    assert "reporter" in text(second_row)
    assert "Baku" in text(second_row)
    link = second_row.cssselect(".headline a")[0]
    assert link.get("href") == f"/newsroom/stories/{second}/en"
    assert link.get("lang") == "en"
    third_row = listed[third]
    assert text(third_row.cssselect(".status")[0]) == "Published"
    pills = {a.text_content(): a for a in third_row.cssselect(".versions a")}
    assert list(pills) == ["ru", "en"]  # in the agency's order of working languages
    assert pills["ru"].get("href") == f"/newsroom/stories/{third}/ru"
    assert "status-draft" in pills["ru"].get("class")
    assert "status-published" in pills["en"].get("class")
    document = lxml.html.fromstring(page.text)
    tabs = [text(a) for a in document.cssselect(".queue-tabs a")]
    assert "All (3)" in tabs
    assert "Submitted (2)" in tabs
    assert "Published (1)" in tabs
    assert "Draft (0)" in tabs
    button = document.cssselect('a[href="/newsroom/stories/new?desk=politics"]')
    assert [text(b) for b in button] == ["New story"]


def test_a_translator_sees_every_queue_but_files_no_story(staff: Staff, newsroom: Newsroom) -> None:
    file_story(newsroom, "economy_editor", "Oil prices rise", desk="economy")
    page = staff("translator").get("/newsroom/desks/economy")
    assert page.status_code == 200
    assert headlines(page.text) == ["Oil prices rise"]
    assert "/newsroom/stories/new" not in page.text


def test_an_arabic_headline_is_right_to_left(staff: Staff, newsroom: Newsroom) -> None:
    story = file_story(newsroom, "editor", "البرلمان يفتتح دورته", language="ar")
    page = staff("editor").get("/newsroom/desks/politics")
    link = rows(page.text)[story].cssselect(".headline a")[0]
    assert (link.get("lang"), link.get("dir")) == ("ar", "rtl")
    assert link.get("href") == f"/newsroom/stories/{story}/ar"


def test_filters_narrow_the_queue(staff: Staff, newsroom: Newsroom) -> None:
    draft = file_story(newsroom, "editor", "Draft about roads", bureau="paris")
    submitted = file_story(newsroom, "reporter", "Reporter's report on ports", urgency=3)
    published = file_story(newsroom, "editor", "Summit ends", slugline="SUMMIT")
    flash = file_story(newsroom, "editor", "Earthquake hits the north", urgency=1)
    submit(newsroom, "reporter", submitted)
    publish(newsroom, "editor", published)
    translate(newsroom, "editor", published, "fr", "Le sommet se termine")
    editor, reporter = staff("editor"), staff("reporter")

    def listed(browser: StaffBrowser, query: str) -> set[int]:
        response = browser.get(f"/newsroom/desks/politics?{query}")
        assert response.status_code == 200, response.text
        return set(rows(response.text))

    assert listed(editor, "") == {draft, submitted, published, flash}
    assert listed(editor, "status=submitted") == {submitted}
    assert listed(editor, "status=published") == {published}
    assert listed(editor, "status=killed") == set()
    assert listed(editor, "lang=fr") == {published}
    assert listed(editor, "urgency=flash") == {flash}
    assert listed(editor, "urgency=urgent") == {submitted}
    assert listed(editor, "urgency=any") == {draft, submitted, published, flash}
    assert listed(reporter, "mine=1") == {submitted}
    assert listed(editor, "mine=1") == {draft, published, flash}
    assert listed(editor, "q=summit") == {published}  # the slugline, any case
    assert listed(editor, "q=ports") == {submitted}  # the headline
    assert listed(editor, "q=sommet") == {published}  # another language's headline
    assert listed(editor, "q=100%25") == set()  # a LIKE wildcard is only a character
    assert listed(editor, "bureau=paris") == {draft}
    assert listed(editor, "status=draft&urgency=flash&mine=1") == {flash}

    narrowed = editor.get("/newsroom/desks/politics?urgency=flash")
    tabs = [text(a) for a in lxml.html.fromstring(narrowed.text).cssselect(".queue-tabs a")]
    assert "All (1)" in tabs
    assert "Draft (1)" in tabs
    assert "Submitted (0)" in tabs
    # the form shows what is chosen, and the tabs keep the other filters
    document = lxml.html.fromstring(editor.get("/newsroom/desks/politics?lang=fr&q=sum").text)
    assert document.cssselect('select[name="lang"] option[selected]')[0].get("value") == "fr"
    assert document.cssselect('input[name="q"]')[0].get("value") == "sum"
    hrefs = [a.get("href") for a in document.cssselect(".queue-tabs a")]
    assert "/newsroom/desks/politics?status=published&lang=fr&q=sum" in hrefs

    refused = editor.get("/newsroom/desks/politics?status=lost")
    assert refused.status_code == 422
    assert "no such status" in refused.text


def test_a_flash_row_stands_out(staff: Staff, newsroom: Newsroom) -> None:
    flash = file_story(newsroom, "reporter", "Earthquake hits the north", urgency=1)
    bulletin = file_story(newsroom, "reporter", "Border talks collapse", urgency=2)
    routine = file_story(newsroom, "reporter", "Museum reopens", urgency=5)
    listed = rows(staff("editor").get("/newsroom/desks/politics").text)
    assert "urgency-flash" in listed[flash].get("class").split()
    assert text(listed[flash].cssselect(".urgency")[0]) == "Flash"
    assert "urgency-bulletin" in listed[bulletin].get("class").split()
    assert text(listed[bulletin].cssselect(".urgency")[0]) == "Bulletin"
    assert "urgency-routine" in listed[routine].get("class").split()


def test_who_may_open_which_queue(staff: Staff, newsroom: Newsroom) -> None:
    file_story(newsroom, "economy_editor", "Oil prices rise", desk="economy")
    reporter = staff("reporter")
    refused = reporter.get("/newsroom/desks/economy")
    assert refused.status_code == 403
    assert "Oil prices rise" not in refused.text
    assert reporter.get("/newsroom/desks/economy/rows").status_code == 403
    assert reporter.get("/newsroom/desks/economy/stamp").status_code == 403
    assert reporter.get("/newsroom/desks/politics").status_code == 200
    for name in ("chief", "admin", "translator", "economy_editor"):
        page = staff(name).get("/newsroom/desks/economy")
        assert page.status_code == 200, name
        assert "Oil prices rise" in page.text
    assert staff("economy_editor").get("/newsroom/desks/politics").status_code == 403
    missing = staff("chief").get("/newsroom/desks/sport")
    assert missing.status_code == 404
    assert "sport" in missing.text


def test_the_stamp_changes_when_the_desk_changes_and_only_then(
    staff: Staff, newsroom: Newsroom
) -> None:
    editor = staff("editor")

    def stamp() -> str:
        response = editor.get("/newsroom/desks/politics/stamp")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        value = response.json()["stamp"]
        assert isinstance(value, str)
        return value

    empty = stamp()
    assert stamp() == empty
    story = file_story(newsroom, "reporter", "Parliament opens its spring session")
    filed = stamp()
    assert filed != empty
    assert stamp() == filed
    editor.get("/newsroom/desks/politics")  # reading changes nothing
    file_story(newsroom, "economy_editor", "Oil prices rise", desk="economy")  # another desk
    assert stamp() == filed
    submit(newsroom, "reporter", story)
    submitted = stamp()
    assert submitted != filed
    publish(newsroom, "chief", story)
    published = stamp()
    assert published not in (filed, submitted)
    translate(newsroom, "translator", story, "ru", "Парламент открыл весеннюю сессию")
    assert stamp() != published
    page = editor.get("/newsroom/desks/politics")
    tbody = lxml.html.fromstring(page.text).cssselect("tbody#queue-rows")[0]
    assert tbody.get("data-stamp") == stamp()


def test_the_rows_fragment_shows_a_newly_filed_story(staff: Staff, newsroom: Newsroom) -> None:
    file_story(newsroom, "reporter", "Parliament opens its spring session")
    editor = staff("editor")
    before = editor.get("/newsroom/desks/politics/rows")
    assert before.status_code == 200
    assert before.text.lstrip().startswith("<tbody")
    assert "Earthquake" not in before.text
    flash = file_story(newsroom, "reporter", "Earthquake hits the north", urgency=1)
    after = editor.get("/newsroom/desks/politics/rows")
    fragment = lxml.html.fragment_fromstring(after.text, create_parent="table")
    listed = {int(row.get("data-story")): row for row in fragment.cssselect("tr[data-story]")}
    assert next(iter(listed)) == flash  # the newest activity first
    assert text(listed[flash].cssselect(".headline")[0]) == "Earthquake hits the north"
    assert listed[flash].get("data-urgency") == "1"
    assert "urgency-flash" in listed[flash].get("class").split()
    # with the same filters as the page
    drafts_of_others = editor.get("/newsroom/desks/politics/rows?urgency=flash")
    assert headlines_in_fragment(drafts_of_others.text) == ["Earthquake hits the north"]


def headlines_in_fragment(html: str) -> list[str]:
    fragment = lxml.html.fragment_fromstring(html, create_parent="table")
    return [text(cell) for cell in fragment.cssselect("tr[data-story] .headline")]


def test_a_hostile_headline_is_inert_text(staff: Staff, newsroom: Newsroom) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    # Written as text (escaped), the story services keep the characters as a headline.
    story = file_story(
        newsroom,
        "reporter",
        "&lt;img src=x onerror=alert(1)&gt;",
        slugline="&lt;script&gt;alert(2)&lt;/script&gt;",
    )
    with newsroom.database.read() as session:
        item = session.scalars(select(Item).where(Item.story_id == story)).one()
        assert item.headline == hostile
    editor = staff("editor")
    for path in ("/newsroom/desks/politics", "/newsroom/desks/politics/rows"):
        html = editor.get(path).text
        if path.endswith("/rows"):
            row = lxml.html.fragment_fromstring(html, create_parent="table").cssselect("tr")[0]
        else:
            row = rows(html)[story]
        assert text(row.cssselect(".headline")[0]) == hostile
        assert text(row.cssselect(".slug")[0]) == "<script>alert(2)</script>"
        assert row.cssselect("img") == []
        assert row.cssselect("script") == []
        assert not [e for e in row.iter() if any(k.startswith("on") for k in e.attrib)]


def test_the_queue_pages_by_a_hundred(staff: Staff, newsroom: Newsroom) -> None:
    with newsroom.database.write() as session:
        desk_id = session.scalars(select(Desk.id).where(Desk.code == "politics")).one()
        for n in range(101):
            stories.create_story(
                session,
                newsroom.principals["editor"],
                newsroom.ctx,
                ItemInput(language="en", headline=f"Story number {n}"),
                desk_id=desk_id,
                bureau=None,
            )
    editor = staff("editor")
    first = editor.get("/newsroom/desks/politics?status=draft")
    assert len(rows(first.text)) == 100
    assert headlines(first.text)[0] == "Story number 100"
    document = lxml.html.fromstring(first.text)
    following = document.cssselect('a[rel="next"]')
    assert [a.get("href") for a in following] == ["/newsroom/desks/politics?status=draft&page=2"]
    assert document.cssselect('a[rel="prev"]') == []
    assert "Stories 1 to 100 of 101" in text(document.cssselect(".pager")[0])
    second = editor.get(following[0].get("href"))
    assert headlines(second.text) == ["Story number 0"]
    document = lxml.html.fromstring(second.text)
    assert document.cssselect('a[rel="next"]') == []
    assert [a.get("href") for a in document.cssselect('a[rel="prev"]')] == [
        "/newsroom/desks/politics?status=draft"
    ]


def test_the_page_loads_its_own_script_and_works_without_it(
    staff: Staff, newsroom: Newsroom
) -> None:
    file_story(newsroom, "reporter", "Parliament opens its spring session")
    page = staff("editor").get("/newsroom/desks/politics?status=draft")
    document = lxml.html.fromstring(page.text)
    scripts = document.cssselect("script")
    assert [s.get("type") for s in scripts] == ["module"]
    assert scripts[0].get("src").startswith("/static/newsroom/queue.js?v=")
    assert not scripts[0].text
    assert document.cssselect("[style]") == []
    assert not [e for e in document.iter() if any(k.startswith("on") for k in e.attrib)]
    table = document.cssselect("table.queue")[0]
    assert table.get("data-stamp-url") == "/newsroom/desks/politics/stamp"
    assert table.get("data-rows-url") == "/newsroom/desks/politics/rows?status=draft"
    live = document.cssselect("#queue-live")[0]
    assert live.get("aria-live") == "assertive"
    form = document.cssselect("form.queue-filters")[0]
    assert (form.get("method"), form.get("action")) == ("get", "/newsroom/desks/politics")
    for name in ("status", "lang", "urgency", "mine", "bureau", "q"):
        assert form.cssselect(f'[name="{name}"]'), name


# --- live refresh in a real browser ---------------------------------------------------------


@pytest.fixture
def live_server(settings: Settings, database: Database, newsroom: Newsroom) -> Iterator[str]:
    """The newsroom served over HTTP by uvicorn in a thread, on the test's database."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"no chromium at {CHROMIUM} (set NEWSWIRE_CHROMIUM, or run `make browser-deps`)"
        )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, database, worker=False),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_new_flash_appears_on_an_open_queue_within_two_seconds(
    page: Page, live_server: str, newsroom: Newsroom
) -> None:
    problems: list[str] = []  # script errors, refused scripts or styles (CSP), failed fetches
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
    file_story(newsroom, "reporter", "Parliament opens its spring session")
    page.goto(f"{live_server}/newsroom/login?next=/newsroom/desks/politics")
    page.fill('input[name="name"]', "editor")
    page.fill('input[name="password"]', PASSWORD)
    page.locator('form button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/newsroom/desks/politics$"))
    expect(page.locator("tr[data-story]")).to_have_count(1)
    page.wait_for_timeout(1200)  # the script is polling: the stamp it holds is the page's

    flash = file_story(newsroom, "reporter", "Earthquake hits the north", urgency=1)
    filed = time.monotonic()
    row = page.locator(f'tr[data-story="{flash}"]')
    expect(row).to_be_visible(timeout=2000)
    assert time.monotonic() - filed < 2.0
    expect(row).to_have_class(re.compile(r"\burgency-flash\b"))
    expect(row).to_have_class(re.compile(r"\bfresh\b"))  # highlighted for a moment
    expect(page.locator("tr[data-story]").first).to_have_attribute("data-story", str(flash))
    expect(page.locator("#queue-live")).to_have_text("New flash: Earthquake hits the north")
    expect(page.locator('[data-count="all"]')).to_have_text("2")
    expect(page.locator('[data-count="draft"]')).to_have_text("2")

    submit(newsroom, "reporter", flash)  # a change, not a new story: the row is updated
    expect(row.locator(".status")).to_have_text("Submitted", timeout=2000)
    expect(page.locator("tr[data-story]")).to_have_count(2)

    # A hidden tab stops polling, and catches up as soon as it is shown again.
    polls: list[float] = []
    page.on("request", lambda r: polls.append(time.monotonic()) if "/stamp" in r.url else None)
    set_visibility = """state => {
        Object.defineProperty(document, "visibilityState", {value: state, configurable: true});
        document.dispatchEvent(new Event("visibilitychange"));
    }"""
    page.evaluate(set_visibility, "hidden")
    page.wait_for_timeout(1500)  # a poll already on its way may still land
    hidden_since = time.monotonic()
    page.wait_for_timeout(2500)
    assert [t for t in polls if t > hidden_since] == []
    publish(newsroom, "editor", flash)
    page.evaluate(set_visibility, "visible")
    expect(row.locator(".status")).to_have_text("Published", timeout=1000)
    assert problems == []


def test_the_cached_matching_set_is_read_again_once_the_desk_changes(newsroom: Newsroom) -> None:
    first = file_story(newsroom, "reporter", "First story")
    cache = queues.QueueCache()

    def load(status: str = "") -> queues.Queue:
        with newsroom.database.read() as session:
            desk = session.scalars(select(Desk).where(Desk.code == "politics")).one()
            return queues.load_queue(
                session,
                desk,
                queues.QueueFilters.parse(status=status),
                user_id=None,
                ui_language="en",
                working_languages=["en"],
                cache=cache,
            )

    assert [row.headline for row in load().rows] == ["First story"]
    assert load("submitted").rows == []  # the same matching set, narrowed to a tab
    submit(newsroom, "reporter", first)
    assert [row.status for row in load("submitted").rows] == ["submitted"]
    file_story(newsroom, "reporter", "Second story")
    assert [row.headline for row in load().rows] == ["Second story", "First story"]
    assert load().counts["draft"] == 1
