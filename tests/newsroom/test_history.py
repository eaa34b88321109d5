"""A story's history in the newsroom: every version of every language, diffs, the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from lxml import html
from sqlalchemy import select

from newswire.agency import services as agency
from newswire.agency.models import Bureau
from newswire.agency.services import SYSTEM, Principal
from newswire.stories import services
from newswire.stories.document import ItemInput
from newswire.stories.models import Item, Version
from tests.conftest import Newsroom
from tests.newsroom.conftest import PASSWORD, StaffBrowser

Staff = Callable[[str], StaffBrowser]

AZ_HEADLINE = "Xəzər limanları rekord yük qəbul edib"
AZ_FIRST = "Birinci abzas heç dəyişmir."
AZ_SECOND = "Limanlar bu il 4.2 milyon ton yük qəbul edib."
AZ_SECOND_CORRECTED = "Limanlar bu il 4.5 milyon ton yük qəbul edib."
CORRECTION_NOTE = "Yük həcmi düzəldildi"
KILL_REASON = "Withdrawn at the source's request"
EN_HEADLINE = "Caspian ports report record cargo"
EN_BODY = "<p>The first paragraph never changes.</p><p>Ports handled 4.5 million tonnes.</p>"
AR_HEADLINE = "موانئ بحر قزوين تسجل رقما قياسيا"


def body(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def item(language: str, headline: str, body_html: str, **extra: object) -> ItemInput:
    return ItemInput.model_validate(
        {"language": language, "headline": headline, "body_html": body_html, **extra}
    )


def parse(text: str) -> html.HtmlElement:
    return html.fromstring(text)


def texts(nodes: list[html.HtmlElement]) -> list[str]:
    return [" ".join(node.text_content().split()) for node in nodes]


@dataclass
class Story:
    id: int
    versions: dict[tuple[str, int], int] = field(default_factory=dict)  # (lang, number) → id


class Desk:
    """Drives a story through the story services as the fixture's users."""

    def __init__(self, newsroom: Newsroom) -> None:
        self.newsroom = newsroom
        self.ctx = newsroom.ctx

    def who(self, name: str) -> Principal:
        return self.newsroom.principals[name]

    def create(self, name: str, data: ItemInput, desk: str = "politics") -> int:
        with self.newsroom.database.write() as session:
            bureau = session.scalars(select(Bureau).where(Bureau.code == "baku")).one()
            desk_id = agency.get_desk(session, desk).id
            story = services.create_story(
                session, self.who(name), self.ctx, data, desk_id=desk_id, bureau=bureau
            )
            return story.id

    def save(self, name: str, story_id: int, data: ItemInput) -> None:
        with self.newsroom.database.write() as session:
            existing = session.scalars(
                select(Item).where(Item.story_id == story_id, Item.language == data.language)
            ).first()
            services.save_item(
                session,
                self.who(name),
                self.ctx,
                story_id,
                data,
                expected_revision=existing.revision if existing else None,
            )

    def publish(self, name: str, story_id: int, language: str) -> int:
        with self.newsroom.database.write() as session:
            return services.publish(session, self.who(name), self.ctx, story_id, language).id

    def correct(self, name: str, story_id: int, language: str, note: str) -> int:
        with self.newsroom.database.write() as session:
            version = services.correct(session, self.who(name), self.ctx, story_id, language, note)
            return version.id

    def kill(self, name: str, story_id: int, language: str, reason: str) -> int:
        with self.newsroom.database.write() as session:
            return services.kill(session, self.who(name), self.ctx, story_id, language, reason).id


@pytest.fixture
def desk(newsroom: Newsroom) -> Desk:
    return Desk(newsroom)


@pytest.fixture
def story(desk: Desk) -> Story:
    """Filed in Azerbaijani, published, corrected, translated into English, killed."""
    story_id = desk.create("reporter", item("az", AZ_HEADLINE, body(AZ_FIRST, AZ_SECOND)))
    found = Story(story_id)
    found.versions["az", 1] = desk.publish("editor", story_id, "az")
    desk.save("editor", story_id, item("az", AZ_HEADLINE, body(AZ_FIRST, AZ_SECOND_CORRECTED)))
    found.versions["az", 2] = desk.correct("editor", story_id, "az", CORRECTION_NOTE)
    desk.save("translator", story_id, item("en", EN_HEADLINE, EN_BODY))
    found.versions["en", 1] = desk.publish("translator", story_id, "en")
    desk.save("translator", story_id, item("ar", AR_HEADLINE, body("نص عربي.")))
    found.versions["az", 3] = desk.kill("editor", story_id, "az", KILL_REASON)
    return found


def test_history_lists_every_version_of_every_language(staff: Staff, story: Story) -> None:
    response = staff("editor").get(f"/newsroom/stories/{story.id}/history")
    assert response.status_code == 200
    page = parse(response.text)
    sections = {
        node.get("id").removeprefix("language-"): node.getparent()
        for node in page.cssselect("section.language h2")
    }
    assert list(sections) == ["az", "en", "ar"]  # the source first, then the agency's order
    assert "Azərbaycanca" in sections["az"].cssselect("h2")[0].text_content()

    az_rows = sections["az"].cssselect("tr.version")
    assert [row.cssselect("td a")[0].text_content() for row in az_rows] == [
        "Version 3",
        "Version 2",
        "Version 1",
    ]
    cells = [texts(row.cssselect("td")) for row in az_rows]
    assert cells[0][5:] == ["editor", KILL_REASON]
    assert cells[1][5:] == ["editor", CORRECTION_NOTE]
    assert cells[2][5:] == ["editor", ""]
    assert "kill" in cells[0][2]
    assert "correction" in cells[1][2]
    links = [row.cssselect("td a")[0].get("href") for row in az_rows]
    assert links[0] == f"/newsroom/stories/{story.id}/versions/{story.versions['az', 3]}"

    en_rows = sections["en"].cssselect("tr.version")
    assert texts(en_rows[0].cssselect("td"))[3:6] == [
        EN_HEADLINE,
        texts(en_rows[0].cssselect("td"))[4],
        "translator",
    ]
    assert not sections["ar"].cssselect("tr.version")

    # Every item's working copy: status, revision, who saved it last.
    az_working = texts(sections["az"].cssselect("tr.working td"))
    assert "killed" in az_working[2]
    assert "revision" in az_working[2]
    assert az_working[5] == "last saved by editor"
    assert texts(sections["en"].cssselect("tr.working td"))[5] == "last saved by translator"

    # Arabic headlines run right to left.
    arabic = sections["ar"].cssselect("tr.working td[lang=ar]")[0]
    assert arabic.get("dir") == "rtl"
    assert arabic.text_content() == AR_HEADLINE

    # The compare form: a GET form with an A and a B choice for every version and working copy.
    form = page.cssselect("form.compare")[0]
    assert form.get("method") == "get"
    assert form.get("action") == f"/newsroom/stories/{story.id}/diff"
    choices = {radio.get("value") for radio in form.cssselect("input[name=a]")}
    assert choices == {f"v{v}" for v in story.versions.values()} | {
        "current-az",
        "current-en",
        "current-ar",
    }
    assert {radio.get("value") for radio in form.cssselect("input[name=b]")} == choices
    assert len(form.cssselect("input[name=a][checked]")) == 1
    assert len(form.cssselect("input[name=b][checked]")) == 1

    stylesheet = next(
        link.get("href")
        for link in page.cssselect("link[rel=stylesheet]")
        if "history" in link.get("href")
    )
    assert staff("editor").get(stylesheet).status_code == 200


def test_the_audit_log_shows_each_action_in_order(staff: Staff, story: Story) -> None:
    page = parse(staff("chief").get(f"/newsroom/stories/{story.id}/history").text)
    rows = page.cssselect("table.audit-log tbody tr")
    trail = [
        (
            row.cssselect("td.actor")[0].text_content(),
            row.cssselect("td.action")[0].text_content(),
            texts(row.cssselect("td"))[3],
        )
        for row in rows
    ]
    assert trail == [
        ("reporter", "filed the story", "Azərbaycanca"),
        ("editor", "published", "Azərbaycanca"),
        ("editor", "saved", "Azərbaycanca"),
        ("editor", "published a correction", "Azərbaycanca"),
        ("translator", "added a language version", "English"),
        ("translator", "published", "English"),
        ("translator", "added a language version", "العربية"),
        ("editor", "killed", "Azərbaycanca"),
    ]
    assert texts(rows[-1].cssselect("td"))[4] == "3"  # the kill is version 3
    assert all(row.cssselect("td time")[0].text_content() for row in rows)


def test_a_version_page_shows_the_published_version(staff: Staff, story: Story) -> None:
    browser = staff("editor")
    response = browser.get(f"/newsroom/stories/{story.id}/versions/{story.versions['az', 2]}")
    assert response.status_code == 200
    page = parse(response.text)
    article = page.cssselect("article.document")[0]
    assert article.get("lang") == "az"
    assert article.get("dir") == "ltr"
    assert article.cssselect("h2.headline")[0].text_content() == AZ_HEADLINE
    assert article.cssselect("p.dateline")[0].text_content().startswith("Bakı, ")
    assert texts(article.cssselect("div.body p")) == [AZ_FIRST, AZ_SECOND_CORRECTED]
    assert CORRECTION_NOTE in page.cssselect("p.version-note")[0].text_content()

    killed = parse(
        browser.get(f"/newsroom/stories/{story.id}/versions/{story.versions['az', 3]}").text
    )
    assert "Kill reason:" in killed.cssselect("p.version-note")[0].text_content()
    assert KILL_REASON in killed.cssselect("p.version-note")[0].text_content()

    elsewhere = browser.get(f"/newsroom/stories/{story.id + 1}/versions/{story.versions['az', 2]}")
    assert elsewhere.status_code == 404


def test_the_diff_of_two_versions_marks_the_changed_words(staff: Staff, story: Story) -> None:
    v1, v2 = story.versions["az", 1], story.versions["az", 2]
    response = staff("editor").get(f"/newsroom/stories/{story.id}/diff?a=v{v1}&b=v{v2}")
    assert response.status_code == 200
    page = parse(response.text)
    text = page.cssselect("div.body-diff")[0]
    assert text.get("lang") == "az"
    paragraphs = text.cssselect("p.para")
    unchanged = next(p for p in paragraphs if p.text_content() == AZ_FIRST)
    assert "para-equal" in unchanged.get("class")
    assert not unchanged.cssselect("ins, del")
    changed = [p for p in paragraphs if "para-changed" in p.get("class")]
    assert len(changed) == 1
    assert texts(changed[0].cssselect("del")) == ["4.2"]
    assert texts(changed[0].cssselect("ins")) == ["4.5"]
    # The metadata are unchanged: no field is marked.
    assert not page.cssselect("table.fields tr.changed")
    assert "Headline" in texts(page.cssselect("table.fields tr.same th"))


def test_a_diff_across_languages_and_with_a_working_copy(staff: Staff, story: Story) -> None:
    browser = staff("translator")
    az, en = story.versions["az", 2], story.versions["en", 1]
    response = browser.get(f"/newsroom/stories/{story.id}/diff?a=v{az}&b=v{en}")
    assert response.status_code == 200
    page = parse(response.text)
    headline = page.cssselect("table.fields tr.changed")[0]
    assert texts(headline.cssselect("del")) == [AZ_HEADLINE]
    assert texts(headline.cssselect("ins")) == [EN_HEADLINE]
    split = page.cssselect("div.body-diff.split")[0]
    sides = split.cssselect("p.para")
    assert [p.get("lang") for p in sides[:2]] == ["az", "en"]
    assert sides[1].text_content() == "The first paragraph never changes."
    assert texts(sides[3].cssselect("ins"))  # the second English paragraph, marked as new text
    assert "4.5" not in texts(sides[3].cssselect("ins"))[0]  # the figure both share

    same = parse(browser.get(f"/newsroom/stories/{story.id}/diff?a=v{en}&b=current-en").text)
    assert "The two versions are identical." in same.text_content()
    assert not same.cssselect("ins, del")

    rtl = parse(browser.get(f"/newsroom/stories/{story.id}/diff?a=v{en}&b=current-ar").text)
    assert rtl.cssselect("table.fields tr td[lang=ar]")[0].get("dir") == "rtl"


def test_bad_diff_requests(staff: Staff, story: Story, desk: Desk) -> None:
    browser = staff("editor")
    base = f"/newsroom/stories/{story.id}/diff"
    assert browser.get(base).status_code == 422
    assert browser.get(f"{base}?a=v{story.versions['az', 1]}&b=nonsense").status_code == 422
    assert browser.get(f"{base}?a=current-az&b=current-fr").status_code == 404
    other = desk.create("editor", item("en", "Another story", body("Text.")))
    other_version = desk.publish("editor", other, "en")
    assert browser.get(f"{base}?a=v{other_version}&b=current-az").status_code == 404


def test_a_chinese_diff_marks_only_the_changed_characters(staff: Staff, desk: Desk) -> None:
    story_id = desk.create("editor", item("en", "China's economy grew", body("Growth was 5%.")))
    desk.publish("editor", story_id, "en")
    desk.save("translator", story_id, item("zh", "中国经济增长", body("中国经济增长百分之五。")))
    v1 = desk.publish("translator", story_id, "zh")
    desk.save("translator", story_id, item("zh", "中国经济增长", body("中国经济增长百分之六。")))
    browser = staff("translator")

    working = parse(browser.get(f"/newsroom/stories/{story_id}/diff?a=v{v1}&b=current-zh").text)
    v2 = desk.correct("translator", story_id, "zh", "数字更正")
    published = parse(browser.get(f"/newsroom/stories/{story_id}/diff?a=v{v1}&b=v{v2}").text)
    for page in (working, published):
        text = page.cssselect("div.body-diff")[0]
        assert text.get("lang") == "zh-CN"
        assert texts(text.cssselect("del")) == ["五"]
        assert texts(text.cssselect("ins")) == ["六"]


HOSTILE_HEADLINE = "<img src=x onerror=alert(1)>"


def assert_inert(text: str) -> None:
    page = parse(text)
    assert not page.cssselect("img, script, iframe, object, embed")
    for element in page.iter():
        if isinstance(element.tag, str):
            assert not [name for name in element.attrib if name.lower().startswith("on")]
            for name in ("href", "src", "action"):
                assert not (element.get(name) or "").strip().lower().startswith("javascript:")


def test_hostile_text_stays_inert(staff: Staff, desk: Desk, newsroom: Newsroom) -> None:
    # Escaped markup survives sanitising as text: the stored headline holds the tag's characters.
    hostile_body = (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; said the source.</p>"
        "<script>alert(2)</script>"
        "<p onclick=alert(3)>Second <a href='javascript:alert(4)'>link</a></p>"
    )
    story_id = desk.create(
        "editor",
        item("en", "&lt;img src=x onerror=alert(1)&gt;", hostile_body, byline="<b>x</b>"),
    )
    v1 = desk.publish("editor", story_id, "en")
    desk.save(
        "editor",
        story_id,
        item(
            "en",
            "&lt;img src=x onerror=alert(1)&gt; now",
            hostile_body + "<p>&lt;script&gt;</p>",
            byline="<b>x</b>",
        ),
    )
    v2 = desk.correct("editor", story_id, "en", "&lt;script&gt;alert(5)&lt;/script&gt;")
    with newsroom.database.read() as session:
        stored = session.get(Version, v2)
        assert stored is not None
        assert stored.document["headline"].startswith(HOSTILE_HEADLINE)

    browser = staff("editor")
    for path in (
        f"/newsroom/stories/{story_id}/history",
        f"/newsroom/stories/{story_id}/versions/{v1}",
        f"/newsroom/stories/{story_id}/versions/{v2}",
        f"/newsroom/stories/{story_id}/diff?a=v{v1}&b=v{v2}",
        f"/newsroom/stories/{story_id}/diff?a=v{v2}&b=current-en",
    ):
        response = browser.get(path)
        assert response.status_code == 200, path
        assert_inert(response.text)
        assert HOSTILE_HEADLINE in parse(response.text).text_content(), path

    version = parse(browser.get(f"/newsroom/stories/{story_id}/versions/{v1}").text)
    body_text = version.cssselect("div.body")[0].text_content()
    assert "<script>alert(1)</script> said the source." in body_text
    assert "alert(2)" not in body_text
    diff = parse(browser.get(f"/newsroom/stories/{story_id}/diff?a=v{v1}&b=v{v2}").text)
    assert texts(diff.cssselect("div.body-diff ins")) == ["<script>"]
    assert texts(diff.cssselect("table.fields del, table.fields ins")) == ["now"]


def test_who_may_see_a_story_history(
    staff: Staff, story: Story, newsroom: Newsroom, desk: Desk
) -> None:
    with newsroom.database.write() as session:
        agency.add_user(
            session,
            SYSTEM,
            name="economy_reporter",
            role="reporter",
            password=PASSWORD,
            desks=["economy"],
            bureau="baku",
        )
    version = story.versions["az", 1]
    paths = (
        f"/newsroom/stories/{story.id}/history",
        f"/newsroom/stories/{story.id}/versions/{version}",
        f"/newsroom/stories/{story.id}/diff?a=v{version}&b=current-az",
    )
    for name in ("reporter", "editor", "chief", "translator", "admin"):
        browser = staff(name)
        assert [browser.get(path).status_code for path in paths] == [200, 200, 200], name
    for name in ("economy_reporter", "economy_editor"):
        browser = staff(name)
        responses = [browser.get(path) for path in paths]
        assert [r.status_code for r in responses] == [403, 403, 403], name
        assert all(AZ_HEADLINE not in r.text for r in responses)
        assert "Not allowed" in responses[0].text

    missing = staff("editor").get(f"/newsroom/stories/{story.id + 1000}/history")
    assert missing.status_code == 404
    assert "Not found" in missing.text
    anonymous = StaffBrowser(staff("editor").client, "nobody")
    redirected = anonymous.get(f"/newsroom/stories/{story.id}/history")
    assert redirected.status_code == 303
    assert redirected.headers["location"].startswith("/newsroom/login?next=")
