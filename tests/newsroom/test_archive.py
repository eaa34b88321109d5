"""The archive search page: words over published copy in every language, filters, paging, and
the no-words listing of working copies, with drafts kept to their own desks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from newswire.agency import services as agency
from newswire.agency.models import Desk
from newswire.stories import services as stories
from newswire.stories.document import ItemInput
from newswire.stories.models import Item
from tests.conftest import Newsroom
from tests.newsroom.conftest import StaffBrowser

Staff = Callable[[str], StaffBrowser]

DAY = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
ENGLISH = "Parliament debates the budget"
FRENCH = "L'économie française ralentit"
ARABIC = "الرئيس يستقبل وفداً برلمانياً"
CHINESE = "巴库港集装箱吞吐量增长"
CASPIAN = "Caspian ports report record cargo"
KILLED = "Withdrawn: port closure"
DRAFT = "Central bank weighs a rate cut"
SUBMITTED = "Reporter's notes on the election campaign"
ECONOMY = "medtop:04000000"


def file_story(
    newsroom: Newsroom,
    who: str,
    language: str,
    headline: str,
    body: str,
    *,
    desk: str,
    bureau: str | None = None,
    urgency: int = 5,
    subjects: tuple[str, ...] = (),
    published_at: datetime | None = None,
) -> int:
    """A story filed by `who`; published by the chief editor at `published_at` when given."""
    with newsroom.database.write() as session:
        desk_id = session.scalars(select(Desk.id).where(Desk.code == desk)).one()
        story = stories.create_story(
            session,
            newsroom.principals[who],
            newsroom.ctx,
            ItemInput(
                language=language,
                headline=headline,
                body_html=f"<p>{body}</p>",
                urgency=urgency,
                subjects=subjects,
            ),
            desk_id=desk_id,
            bureau=agency.get_bureau(session, bureau) if bureau else None,
        )
        if published_at is not None:
            stories.publish(
                session, newsroom.principals["chief"], newsroom.ctx, story.id, language,
                at=published_at,
            )  # fmt: skip
        return story.id


@pytest.fixture
def archive(newsroom: Newsroom) -> Newsroom:
    """Published stories in four languages, two desks and two bureaus, a killed one, an
    economy draft and a politics reporter's submitted story."""
    file_story(newsroom, "chief", "en", ENGLISH, "Deputies discussed spending. AZERTAC",
               desk="politics", bureau="baku", urgency=4, published_at=DAY)  # fmt: skip
    file_story(newsroom, "chief", "fr", FRENCH, "La croissance de l'économie est faible. AZERTAC",
               desk="economy", bureau="paris", urgency=2, subjects=(ECONOMY,),
               published_at=DAY + timedelta(days=1))  # fmt: skip
    file_story(newsroom, "chief", "ar", ARABIC, "استقبل الرئيس وفدًا من البرلمان في باكو. AZERTAC",
               desk="politics", bureau="baku", urgency=1,
               published_at=DAY + timedelta(days=2))  # fmt: skip
    file_story(newsroom, "chief", "zh", CHINESE, "上半年集装箱吞吐量同比增长百分之十八。AZERTAC",
               desk="economy", bureau="baku", urgency=3, subjects=("medtop:20000344",),
               published_at=DAY + timedelta(days=3))  # fmt: skip
    # 22:00 UTC on 4 May is already 5 May in Baku, where the searching users work.
    late = datetime(2024, 5, 4, 22, 0, tzinfo=UTC)
    file_story(newsroom, "chief", "en", CASPIAN, "Ports handled 4.2 million tonnes. AZERTAC",
               desk="economy", bureau="paris", published_at=late)  # fmt: skip
    killed = file_story(newsroom, "chief", "en", KILLED, "The port closes. AZERTAC",
                        desk="politics", published_at=late + timedelta(hours=1))  # fmt: skip
    with newsroom.database.write() as session:
        stories.kill(session, newsroom.principals["chief"], newsroom.ctx, killed, "en", "wrong")
    file_story(newsroom, "economy_editor", "en", DRAFT, "The board meets. AZERTAC", desk="economy")
    submitted = file_story(newsroom, "reporter", "en", SUBMITTED, "Notes. AZERTAC",
                           desk="politics", bureau="baku")  # fmt: skip
    with newsroom.database.write() as session:
        stories.submit(session, newsroom.principals["reporter"], newsroom.ctx, submitted, "en")
    return newsroom


def results(page: str) -> list[str]:
    """The headlines of a results page, in order."""
    tree = lxml.html.fromstring(page)
    return [link.text_content() for link in tree.cssselect(".hit-headline a")]


def search(browser: StaffBrowser, query: str) -> list[str]:
    response = browser.get(f"/newsroom/search?{query}")
    assert response.status_code == 200, response.text
    return results(response.text)


PUBLISHED = [CASPIAN, CHINESE, ARABIC, FRENCH, ENGLISH]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=azertac", PUBLISHED),
        ("q=azertac&lang=fr", [FRENCH]),
        ("q=azertac&desk=economy", [CASPIAN, CHINESE, FRENCH]),
        ("q=azertac&bureau=paris", [CASPIAN, FRENCH]),
        # A top-level topic finds its narrower topics too (20000344 is under economy).
        (f"q=azertac&topic={ECONOMY}", [CHINESE, FRENCH]),
        ("q=azertac&topic_code=20000344", [CHINESE]),
        ("q=azertac&urgency=flash", [ARABIC]),
        ("q=azertac&urgency=bulletin", [ARABIC, FRENCH]),
        ("q=azertac&urgency=urgent", [CHINESE, ARABIC, FRENCH]),
        ("q=azertac&status=published", PUBLISHED),
        ("q=azertac&status=draft", []),  # words search published copy only
        ("q=azertac&from=2024-05-02&to=2024-05-03", [ARABIC, FRENCH]),
        ("q=azertac&from=2024-05-05", [CASPIAN]),  # 22:00 UTC on 4 May is 5 May in Baku
        ("q=azertac&to=2024-05-04", [CHINESE, ARABIC, FRENCH, ENGLISH]),
        ("q=azertac&desk=economy&urgency=bulletin&lang=fr", [FRENCH]),
    ],
)
def test_words_and_each_filter_narrow_the_published_copy(
    archive: Newsroom, staff: Staff, query: str, expected: list[str]
) -> None:
    assert search(staff("chief"), query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [SUBMITTED, DRAFT, KILLED, *PUBLISHED]),
        ("lang=fr", [FRENCH]),
        ("desk=economy", [DRAFT, CASPIAN, CHINESE, FRENCH]),
        ("bureau=baku", [SUBMITTED, CHINESE, ARABIC, ENGLISH]),
        (f"topic={ECONOMY}", [CHINESE, FRENCH]),
        ("urgency=bulletin", [ARABIC, FRENCH]),
        ("status=killed", [KILLED]),
        ("status=draft", [DRAFT]),
        ("status=submitted", [SUBMITTED]),
        ("status=published&desk=politics", [ARABIC, ENGLISH]),
        ("from=2024-05-05&to=2024-05-05", [KILLED, CASPIAN]),
    ],
)
def test_without_words_the_filters_list_every_item(
    archive: Newsroom, staff: Staff, query: str, expected: list[str]
) -> None:
    assert search(staff("chief"), query) == expected


def test_words_are_found_in_french_arabic_and_chinese(archive: Newsroom, staff: Staff) -> None:
    browser = staff("translator")
    assert search(browser, "q=economie") == [FRENCH]  # the accent is folded
    assert search(browser, "q=ÉCONOMIE&lang=fr") == [FRENCH]
    assert search(browser, "q=الرئيس") == [ARABIC]
    assert search(browser, "q=الرَّئِيسُ") == [ARABIC]  # with harakat
    assert search(browser, "q=吞吐") == [CHINESE]  # a two-character word
    assert search(browser, "q=集装箱") == [CHINESE]
    assert search(browser, "q=吞吐&lang=en") == []


def test_without_a_language_the_words_are_searched_in_every_language(
    newsroom: Newsroom, staff: Staff
) -> None:
    headlines = {
        "en": "COP29 opens in Baku",
        "fr": "La COP29 s'ouvre à Bakou",
        "ar": "افتتاح COP29 في باكو",
        "zh": "COP29峰会在巴库开幕",
        "de": "Wetter in Baku",
    }
    for number, (language, headline) in enumerate(headlines.items()):
        file_story(newsroom, "chief", language, headline, "AZERTAC", desk="politics",
                   published_at=DAY + timedelta(hours=number))  # fmt: skip
    page = staff("reporter").get("/newsroom/search?q=cop29")
    assert results(page.text) == [headlines[code] for code in ("zh", "ar", "fr", "en")]
    tree = lxml.html.fromstring(page.text)
    arabic = tree.cssselect(".hit-headline a")[1]
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
    chinese = tree.cssselect(".hit-headline a")[0]
    assert (chinese.get("lang"), chinese.get("dir")) == ("zh-CN", "ltr")
    assert [a.text_content() for a in tree.cssselect(".hit .pill")] == [
        "中文", "العربية", "Français", "English",
    ]  # fmt: skip


def test_each_result_links_to_the_editor_and_to_the_public_page(
    archive: Newsroom, staff: Staff
) -> None:
    with archive.database.read() as session:
        story_id = session.scalars(select(Item.story_id).where(Item.headline == FRENCH)).one()
    tree = lxml.html.fromstring(staff("editor").get("/newsroom/search?q=economie").text)
    (hit,) = tree.cssselect(".hit")
    assert hit.cssselect(".hit-headline a")[0].get("href") == f"/newsroom/stories/{story_id}/fr"
    public = hit.cssselect(".hit-links a")[0].get("href")
    assert public.startswith(f"/fr/news/{story_id}-")
    assert hit.cssselect(".hit-desk")[0].text_content() == "Economy"
    assert hit.cssselect(".hit-bureau")[0].text_content() == "Paris"
    assert hit.cssselect(".urgency")[0].text_content() == "Bulletin"
    assert hit.cssselect(".status")[0].text_content() == "Published"
    assert hit.cssselect(".hit-summary")[0].text_content() == (
        "La croissance de l'économie est faible. AZERTAC"
    )
    # Shown in the user's time zone (Baku, UTC+4): 08:00 UTC is 12:00 there.
    assert "12:00" in hit.cssselect("time")[0].text_content()


def test_results_come_twenty_a_page_with_next_and_previous(
    newsroom: Newsroom, staff: Staff
) -> None:
    for number in range(25):
        file_story(newsroom, "chief", "en", f"Harbour bulletin {number}", "Cargo.",
                   desk="economy", published_at=DAY + timedelta(minutes=number))  # fmt: skip
    browser = staff("economy_editor")
    for query in ("q=harbour&desk=economy", "desk=economy&status=published"):
        first = browser.get(f"/newsroom/search?{query}")
        assert results(first.text) == [f"Harbour bulletin {n}" for n in range(24, 4, -1)]
        tree = lxml.html.fromstring(first.text)
        assert not tree.cssselect("a[rel=prev]")
        next_url = tree.cssselect("a[rel=next]")[0].get("href")
        assert next_url == f"/newsroom/search?{query}&page=2"
        second = browser.get(next_url)
        assert results(second.text) == [f"Harbour bulletin {n}" for n in range(4, -1, -1)]
        tree = lxml.html.fromstring(second.text)
        assert not tree.cssselect("a[rel=next]")
        assert tree.cssselect("a[rel=prev]")[0].get("href") == f"/newsroom/search?{query}"


def test_unpublished_copy_is_listed_only_from_the_users_own_desks(
    archive: Newsroom, staff: Staff
) -> None:
    assert search(staff("economy_editor"), "status=draft") == [DRAFT]
    assert search(staff("chief"), "status=draft") == [DRAFT]
    reporter = staff("reporter")  # politics
    assert search(reporter, "status=draft") == []
    assert search(reporter, "desk=economy") == [CASPIAN, CHINESE, FRENCH]  # published copy
    assert search(reporter, "status=submitted") == [SUBMITTED]  # its own desk's
    assert search(reporter, "q=azertac&desk=economy") == [CASPIAN, CHINESE, FRENCH]
    assert search(reporter, "") == [SUBMITTED, KILLED, *PUBLISHED]
    # Editors too see the unpublished copy of their own desks' queues only.
    assert search(staff("editor"), "status=draft") == []
    assert search(staff("economy_editor"), "status=submitted") == []


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2024-13-45", "from", "Enter the date as YYYY-MM-DD"),
        ("to=yesterday", "to", "Enter the date as YYYY-MM-DD"),
        ("from=0001-01-01", "from", "Enter the date as YYYY-MM-DD"),
        ("from=2024-05-03&to=2024-05-02", "to", "The end date is before the start date."),
        ("lang=xx", "lang", "Choose one of the agency's working languages."),
        ("lang=tr", "lang", "Choose one of the agency's working languages."),
        ("q=" + "a" * 201, "q", "Search for at most 200 characters."),
        ("desk=sports", "desk", "Choose a desk from the list."),
        ("topic_code=politics", "topic_code", "is not a Media Topic code"),
        ("urgency=panic", "urgency", "Choose an urgency from the list."),
        ("status=lost", "status", "Choose a status from the list."),
        ("page=0", "page", "There is no such page of results."),
        ("page=x", "page", "There is no such page of results."),
    ],
)
def test_bad_input_is_explained_on_the_page_with_its_field_marked(
    archive: Newsroom, staff: Staff, query: str, field: str, message: str
) -> None:
    query = query if query.startswith("q=") else f"q=azertac&{query}"
    response = staff("editor").get(f"/newsroom/search?{query}")
    assert response.status_code == 422
    tree = lxml.html.fromstring(response.text)
    assert message in tree.cssselect("#search-error")[0].text_content()
    marked = tree.cssselect('[aria-invalid="true"]')
    if field == "page":
        assert marked == []  # not a form field: the message says it
    else:
        assert [element.get("name") for element in marked] == [field]
    assert results(response.text) == []
    # The form comes back as it was sent.
    assert tree.cssselect('input[name="q"]')[0].get("value") == query.split("&")[0][2:]


def test_a_hostile_headline_and_body_stay_inert(newsroom: Newsroom, staff: Staff) -> None:
    file_story(
        newsroom,
        "chief",
        "en",
        "&lt;img src=x onerror=alert(1)&gt; Hostile <script>alert(2)</script>harbour",
        'Read <a href="javascript:alert(3)">this</a> <img src=x onerror=alert(4)> harbour',
        desk="politics",
        published_at=DAY,
    )
    for query in ("q=harbour", "q=hostile&lang=en", "desk=politics"):
        page = staff("editor").get(f"/newsroom/search?{query}")
        assert page.status_code == 200
        assert "<img src=x" not in page.text
        assert "<script>alert" not in page.text
        assert "javascript:" not in page.text
        tree = lxml.html.fromstring(page.text)
        assert tree.cssselect("img") == []
        assert results(page.text) == ["<img src=x onerror=alert(1)> Hostile harbour"]
        assert "&lt;img src=x onerror=alert(1)&gt;" in page.text


def test_the_search_page_needs_a_login_and_works_for_every_role(
    archive: Newsroom, staff: Staff, app_client: TestClient
) -> None:
    anonymous = app_client.get("/newsroom/search?q=azertac", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/newsroom/login?next=")
    for name in ("reporter", "editor", "translator", "chief", "admin"):
        assert search(staff(name), "q=azertac") == PUBLISHED


def test_the_form_offers_top_level_topics_in_the_users_language(
    archive: Newsroom, staff: Staff
) -> None:
    browser = staff("editor")
    browser.post("/newsroom/account/language", {"language": "fr"})
    tree = lxml.html.fromstring(browser.get("/newsroom/search").text)
    options = {
        o.get("value"): o.text_content() for o in tree.cssselect('select[name="topic"] option')
    }
    if archive.ctx.vocabulary.loaded:
        assert options[ECONOMY] == archive.ctx.vocabulary.label(ECONOMY, "fr")
        assert "medtop:20000344" not in options  # a narrower topic: typed as a code
    languages = [o.get("value") for o in tree.cssselect('select[name="lang"] option')]
    assert languages == ["", "az", "ru", "en", "fr", "de", "es", "ar", "zh"]


def test_other_desks_show_what_they_published_not_the_correction_being_written(
    archive: Newsroom, staff: Staff
) -> None:
    with archive.database.write() as session:
        story_id = session.scalars(select(Item.story_id).where(Item.headline == FRENCH)).one()
        item = stories.get_item(session, story_id, "fr")
        stories.save_item(
            session,
            archive.principals["chief"],
            archive.ctx,
            story_id,
            ItemInput(language="fr", headline="Correction en cours", body_html="<p>Secret.</p>"),
            expected_revision=item.revision,
        )
    # The politics reporter sees the economy desk's story as it went out...
    listed = staff("reporter").get("/newsroom/search?lang=fr&status=published").text
    assert results(listed) == [FRENCH]
    assert "Correction en cours" not in listed
    assert "Secret." not in listed
    # ...while the economy desk's own editor finds its working copy.
    own = staff("economy_editor").get("/newsroom/search?lang=fr&status=published").text
    assert results(own) == ["Correction en cours"]
