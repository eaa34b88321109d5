"""The newsroom in a real browser, end to end, against `newswire serve` with the demo agency.

A reporter of the Paris bureau files the French sample story and submits it; an editor
publishes it; readers find it on /fr/ and in /fr/rss.xml; the editor corrects it and then kills
it. The reporter never sees a publish button, and a publish forged with her session is refused.
Screenshots of the queue and the editor go to NEWSWIRE_TEST_ARTIFACTS (default test-artifacts/).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import CHROMIUM, REPO, SAMPLES
from tests.servers import demo_server

if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(
        f"no chromium at {CHROMIUM} (set NEWSWIRE_CHROMIUM, or run `make browser-deps`)",
        allow_module_level=True,
    )

ARTIFACTS = Path(os.environ.get("NEWSWIRE_TEST_ARTIFACTS") or REPO / "test-artifacts")
SAMPLE = SAMPLES / "azertac-fr-2021-02-19.txt"
# Our own headline for the sample (the agency's file has none of its own).
HEADLINE = "Le directeur du Centre d'information et de culture russe reçu à l'AZERTAC"
EDITOR_URL = re.compile(r"/newsroom/stories/(\d+)/fr(?:\?.*)?$")


def sample_paragraphs() -> list[str]:
    """The sample's paragraphs, without its date line and dateline (the platform writes those)."""
    text = SAMPLE.read_text(encoding="utf-8")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    return [p for p in paragraphs if not p.startswith("date ") and p[-7:] != "AZERTAC"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_server(tmp_path_factory.mktemp("newsroom-browser")) as url:
        yield url


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def log_in(browser: Browser, server: str, name: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.goto("/newsroom/")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(f"{name}-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".who")).to_contain_text(name)
    return context, page


def test_a_paris_reporter_files_and_an_editor_publishes_corrects_and_kills(
    browser: Browser, server: str, artifacts: Path
) -> None:
    paragraphs = sample_paragraphs()
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("Le nouveau directeur")

    # --- the reporter files the story in the World desk and submits it ---------------------
    reporter_context, reporter = log_in(browser, server, "camille")
    reporter.goto("/newsroom/desks/world")
    reporter.get_by_role("link", name="New story").click()
    expect(reporter.get_by_label("Language")).to_have_value("fr")  # the Paris bureau's
    reporter.get_by_label("Headline", exact=True).fill(HEADLINE)
    reporter.get_by_label("Slugline").fill("AZERTAC-CENTRE-RUSSE")
    block = reporter.locator(".body-blocks .block").first
    block.click()
    for number, paragraph in enumerate(paragraphs):
        if number:
            reporter.keyboard.press("Enter")
        reporter.keyboard.insert_text(paragraph)
    expect(reporter.locator(".body-blocks .block")).to_have_count(5)
    reporter.get_by_role("button", name="Create story").click()
    reporter.wait_for_url(EDITOR_URL)
    found = EDITOR_URL.search(reporter.url)
    assert found is not None
    story_id = int(found.group(1))
    editor_path = f"/newsroom/stories/{story_id}/fr"

    # The dateline comes from the bureau: Paris, in French.
    expect(reporter.get_by_label("Dateline place")).to_have_value("Paris")
    for forbidden in ("Publish", "Publish correction", "Kill"):
        expect(reporter.get_by_role("button", name=forbidden, exact=True)).to_have_count(0)
    reporter.get_by_role("button", name="Submit", exact=True).click()
    expect(reporter.locator(".notice")).to_contain_text("Submitted")
    expect(reporter.get_by_role("button", name="Publish", exact=True)).to_have_count(0)

    # A publish forged with the reporter's own session and CSRF token is refused.
    csrf = reporter.locator('meta[name="csrf-token"]').get_attribute("content")
    forged = reporter_context.request.post(
        f"{editor_path}/publish",
        form={"csrf_token": csrf or ""},
        max_redirects=0,
    )
    assert forged.status == 403

    # --- the editor finds it in the queue and publishes it --------------------------------
    editor_context, editor = log_in(browser, server, "rashad")
    editor.goto("/newsroom/desks/world?status=submitted")
    row = editor.locator("tbody tr", has_text=HEADLINE)
    expect(row).to_have_count(1)
    editor.screenshot(path=str(artifacts / "newsroom-queue.png"), full_page=True)
    row.get_by_role("link", name=HEADLINE).click()
    editor.wait_for_url(re.compile(editor_path + r"(?:\?.*)?$"))
    expect(editor.locator(".body-blocks .block")).to_have_count(5)
    editor.screenshot(path=str(artifacts / "newsroom-editor.png"), full_page=True)
    editor.get_by_role("button", name="Publish", exact=True).click()
    expect(editor.locator(".notice")).to_contain_text("Published")

    # --- readers see it on /fr/ and in /fr/rss.xml ---------------------------------------
    front = httpx.get(f"{server}/fr/", timeout=10)
    assert HEADLINE.replace("'", "&#39;") in front.text or HEADLINE in front.text
    feed = feedparser.parse(httpx.get(f"{server}/fr/rss.xml", timeout=10).content)
    assert feed.bozo == 0
    entry = next(e for e in feed.entries if e.title == HEADLINE)
    story_url = entry.link
    assert "Irek Zinnourov" in entry.description
    reader = httpx.get(story_url, timeout=10)
    assert reader.status_code == 200
    assert "Paris" in reader.text

    # --- the editor corrects it -----------------------------------------------------------
    corrected = HEADLINE + " pour parler de coopération"
    editor.get_by_label("Headline", exact=True).fill(corrected)
    editor.get_by_label("Correction note (shown to readers)").fill(
        "Précise l'objet de la rencontre."
    )
    editor.get_by_role("button", name="Publish correction").click()
    expect(editor.locator(".notice")).to_contain_text("Correction")
    feed = feedparser.parse(httpx.get(f"{server}/fr/rss.xml", timeout=10).content)
    titles = [e.title for e in feed.entries]
    assert corrected in titles
    assert HEADLINE not in titles
    page = httpx.get(story_url, timeout=10, follow_redirects=True)
    assert "Précise l&#39;objet de la rencontre." in page.text or (
        "Précise l'objet de la rencontre." in page.text
    )

    # --- then kills it -------------------------------------------------------------------
    editor.get_by_label("Reason (shown to subscribers)").fill("Retiré à la demande du bureau.")
    editor.get_by_label("I want to withdraw this story everywhere.").check()
    editor.get_by_role("button", name="Kill", exact=True).click()
    expect(editor.locator(".notice")).to_contain_text("Killed")
    deadline = time.monotonic() + 5
    while corrected in httpx.get(f"{server}/fr/rss.xml", timeout=10).text:
        assert time.monotonic() < deadline, "the killed story stayed in the feed"
        time.sleep(0.2)
    assert httpx.get(story_url, timeout=10).status_code == 410
    assert corrected not in httpx.get(f"{server}/fr/", timeout=10).text

    # The reporter, back on her story, still has no publishing controls.
    reporter.goto(editor_path)
    for forbidden in ("Publish", "Publish correction", "Kill"):
        expect(reporter.get_by_role("button", name=forbidden, exact=True)).to_have_count(0)
    reporter_context.close()
    editor_context.close()


def test_a_new_flash_appears_on_an_open_queue_within_two_seconds(
    browser: Browser, server: str
) -> None:
    editor_context, editor = log_in(browser, server, "rashad")
    editor.goto("/newsroom/desks/politics")
    expect(editor.locator("tbody tr").first).to_be_visible()
    before = editor.locator("tbody tr").count()

    # Another user files a flash in the same desk, through the newsroom in another browser.
    reporter_context, reporter = log_in(browser, server, "leyla")
    reporter.goto("/newsroom/stories/new?desk=politics")
    reporter.get_by_label("Urgency").select_option("1")
    reporter.get_by_label("Headline", exact=True).fill("Flash: test de la file en direct")
    reporter.locator(".body-blocks .block").first.click()
    reporter.keyboard.insert_text("Un paragraphe.")
    started = time.monotonic()
    reporter.get_by_role("button", name="Create story").click()
    reporter.wait_for_url(re.compile(r"/newsroom/stories/\d+/"))

    flash = editor.locator("tbody tr.urgency-flash", has_text="Flash: test de la file en direct")
    expect(flash).to_have_count(1, timeout=2000)
    assert time.monotonic() - started < 4  # filing plus at most two seconds of refresh
    assert editor.locator("tbody tr").count() == before + 1
    reporter_context.close()
    editor_context.close()


def test_hostile_markup_is_inert_in_the_newsroom_and_on_the_site(
    browser: Browser, server: str
) -> None:
    context, editor = log_in(browser, server, "rashad")
    alerts: list[str] = []
    editor.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    hostile = "<img src=x onerror=alert(1)> Caspian"
    editor.goto("/newsroom/stories/new?desk=politics")
    editor.get_by_label("Language").select_option("en")
    editor.get_by_label("Headline", exact=True).fill(hostile)
    editor.locator(".body-blocks .block").first.click()
    editor.keyboard.insert_text("Plain words.")
    editor.get_by_role("button", name="Create story").click()
    editor.wait_for_url(re.compile(r"/newsroom/stories/(\d+)/en(?:\?.*)?$"))
    found = re.search(r"/stories/(\d+)/en", editor.url)
    assert found is not None
    story_id = int(found.group(1))
    csrf = editor.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    revision = editor.locator('input[name="revision"]').input_value()
    # The raw body a browser without JavaScript (or a forger) could send, published at once.
    response = context.request.post(
        f"/newsroom/stories/{story_id}/en/publish",
        form={
            "csrf_token": csrf,
            "revision": revision,
            "language": "en",
            "headline": hostile,
            "urgency": "5",
            "body_html": '<p>Click <a href="javascript:alert(2)">here</a></p>'
            "<script>alert(3)</script><p onclick=alert(4)>Text</p>",
        },
        max_redirects=0,
    )
    assert response.status in (303, 200), response.text()
    for path in (
        f"/newsroom/stories/{story_id}/en",
        f"/newsroom/stories/{story_id}/history",
        "/newsroom/desks/politics",
        "/en/",
    ):
        editor.goto(path)
        editor.wait_for_load_state("load")
        assert editor.locator("img[src='x']").count() == 0, path
        assert editor.locator("[onerror], [onclick]").count() == 0, path
        assert editor.locator("a[href^='javascript:']").count() == 0, path
        inline = "script:not([src]):not([type='application/ld+json'])"
        assert editor.locator(inline).count() == 0, path
    editor.goto("/en/")
    editor.get_by_role("link", name=re.compile("Caspian")).first.click()
    # The headline is text: the markup in it was dropped on save, and nothing of it loads.
    expect(editor.locator("main h1")).to_contain_text("Caspian")
    assert editor.locator("main img[src='x']").count() == 0
    assert editor.locator("main a[href^='javascript:']").count() == 0
    assert editor.locator("main [onclick]").count() == 0
    assert alerts == []
    context.close()
