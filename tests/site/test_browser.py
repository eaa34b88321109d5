"""The reader website in a real browser: right-to-left layout, language switching, keyboard
navigation and the fonts each script needs, against a real `newswire serve` with the demo agency.

Full-page screenshots go to NEWSWIRE_TEST_ARTIFACTS (default: test-artifacts/ in the checkout).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect

from tests.conftest import REPO
from tests.servers import demo_server
from tests.site.conftest import CHROMIUM

if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(
        f"no chromium at {CHROMIUM} (set NEWSWIRE_CHROMIUM, or run `make browser-deps`)",
        allow_module_level=True,
    )

ARTIFACTS = Path(os.environ.get("NEWSWIRE_TEST_ARTIFACTS") or REPO / "test-artifacts")
STORY_PATH = re.compile(r"/(?P<lang>[a-z]{2})/news/(?P<id>\d+)-[^/]+$")
ARABIC_LETTERS = re.compile(r"[\u0600-\u06ff]")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of `newswire serve` on a fresh SQLite file holding the demo agency."""
    with demo_server(tmp_path_factory.mktemp("browser")) as url:
        yield url


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def _open_first_story(page: Page, server: str, lang: str) -> None:
    """From the front page of `lang`, follow the first story link in the main content."""
    page.goto(f"{server}/{lang}/")
    page.locator("main").locator(f"a[href^='/{lang}/news/']").first.click()
    page.wait_for_url(re.compile(rf"/{lang}/news/\d+-"))


def _json_ld(page: Page) -> dict[str, object]:
    scripts = page.locator('script[type="application/ld+json"]')
    expect(scripts).to_have_count(1)
    document = json.loads(scripts.text_content() or "")
    assert isinstance(document, dict)
    return document


def test_fonts_cover_arabic_and_chinese() -> None:
    # Without them chromium draws boxes, and the screenshots below show nothing worth seeing.
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        pytest.skip("fc-list (fontconfig) is not installed, so installed fonts cannot be listed")
    for language in ("zh", "ar"):
        listed = subprocess.run(
            [fc_list, f":lang={language}"], capture_output=True, text=True, check=True
        ).stdout
        assert listed.strip(), f"no font for {language}: run `make browser-deps`"


def test_arabic_reader_opens_a_story_and_switches_it_to_french(page: Page, server: str) -> None:
    html = page.locator("html")
    page.goto(f"{server}/ar/")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")

    _open_first_story(page, server, "ar")
    arabic = STORY_PATH.search(page.url)
    assert arabic is not None
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    headline = page.locator("main h1")
    expect(headline).to_have_count(1)
    expect(headline).to_contain_text(str(_json_ld(page)["headline"]))
    arabic_headline = headline.inner_text()
    assert ARABIC_LETTERS.search(arabic_headline)

    page.locator("nav.languages").get_by_role("link", name="Français", exact=True).click()
    page.wait_for_url(re.compile(r"/fr/news/\d+-"))
    french = STORY_PATH.search(page.url)
    assert french is not None
    assert french["id"] == arabic["id"]  # the same story, in the other language
    expect(html).to_have_attribute("lang", "fr")
    expect(html).to_have_attribute("dir", "ltr")
    french_document = _json_ld(page)
    assert french_document["inLanguage"] == "fr"
    expect(headline).to_contain_text(str(french_document["headline"]))
    assert headline.inner_text() != arabic_headline
    assert not ARABIC_LETTERS.search(headline.inner_text())


def test_skip_link_is_the_first_tab_stop_and_leads_to_main(page: Page, server: str) -> None:
    page.goto(f"{server}/en/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_class("skip")
    expect(focused).to_have_text("Skip to content")
    box = focused.bounding_box()
    assert box is not None
    assert box["y"] >= 0  # parked above the page, it slides into view when focused
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


@pytest.mark.parametrize(("lang", "rtl"), [("ar", True), ("en", False)])
def test_masthead_is_mirrored_for_right_to_left(
    page: Page, server: str, lang: str, rtl: bool
) -> None:
    page.goto(f"{server}/{lang}/")
    brand = page.locator("header .brand").bounding_box()
    search = page.locator("header form.search-box").bounding_box()
    assert brand is not None
    assert search is not None
    assert (brand["x"] > search["x"]) is rtl, (brand, search)


@pytest.mark.parametrize(
    ("name", "lang", "story"),
    [("front-en", "en", False), ("front-ar", "ar", False), ("front-zh", "zh", False),
     ("story-ar", "ar", True)],
)  # fmt: skip
def test_full_page_screenshot(
    page: Page, server: str, artifacts: Path, name: str, lang: str, story: bool
) -> None:
    failed: list[str] = []

    def note_failure(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    page.on("response", note_failure)
    if story:
        _open_first_story(page, server, lang)
    else:
        page.goto(f"{server}/{lang}/")
    page.evaluate("document.fonts.ready")
    path = artifacts / f"{name}.png"
    path.unlink(missing_ok=True)
    page.screenshot(path=path, full_page=True)
    assert not failed  # every request the page made (stylesheet, logo) succeeded
    assert path.stat().st_size > 10_000


def test_chinese_headline_is_set_in_a_cjk_face(page: Page, server: str) -> None:
    _open_first_story(page, server, "zh")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    headline = page.locator("main h1")
    family = headline.evaluate("element => getComputedStyle(element).fontFamily")
    assert "WenQuanYi" in family or "Noto Sans CJK" in family, family
    # The stack names faces; chromium's DevTools protocol tells which ones drew the glyphs.
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "main h1"})["nodeId"]
    drawn = [
        font["familyName"]
        for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    ]
    assert drawn, "the headline drew no glyphs"
    assert all(re.search("WenQuanYi|CJK|Source Han", name) for name in drawn), drawn
