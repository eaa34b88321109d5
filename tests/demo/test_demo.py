"""The demo agency, loaded once per database, as a visitor and a subscriber find it.

The demo takes seconds to load, so one load per backend is shared by the tests of this module
(module-scoped fixtures mirroring conftest's `database_url`). Only the last test changes what
it loaded (it releases the embargo), and it runs last.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from lxml import etree, html
from starlette.testclient import TestClient

from newswire.agency.models import ROLES, Agency, Bureau, Desk, User
from newswire.api.app import create_app
from newswire.config import Settings
from newswire.db import Database, utcnow
from newswire.demo import agency as demo_data
from newswire.demo.loader import DemoReport, desk_files, load_demo
from newswire.stories.models import FeedEvent, Item, Story, Version
from newswire.stories.services import release_due_embargoes
from tests.conftest import REPO, VOCABULARIES, fresh_database
from tests.iptc import requires_standards, validate_newsml, validate_ninjs2, validate_ninjs3

STORY_FOLDER = REPO / "src" / "newswire" / "demo" / "stories"
LANGUAGES = ("az", "ru", "en", "fr", "de", "es", "ar", "zh")


def story_specs() -> list[dict[str, Any]]:
    """The stories as written in the JSON files (a file holds one story or a list of them)."""
    found: list[dict[str, Any]] = []
    for path in sorted(STORY_FOLDER.glob("*.json")):
        loaded = orjson.loads(path.read_bytes())
        found.extend(loaded if isinstance(loaded, list) else [loaded])
    return found


def spec(key: str) -> dict[str, Any]:
    return next(s for s in story_specs() if s["key"] == key)


@dataclass
class Demo:
    settings: Settings
    database: Database
    report: DemoReport
    client: TestClient

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.report.subscriber_key}"}

    def story_items(self, story_id: int) -> list[Item]:
        with self.database.read() as session:
            return list(session.scalars(select_items().where(Item.story_id == story_id)).all())

    def stories_with_event(self, kind: str) -> set[int]:
        with self.database.read() as session:
            return set(session.scalars(sa.select(FeedEvent.story_id).where(FeedEvent.kind == kind)))

    def listed_uris(self) -> set[str]:
        uris: set[str] = set()
        for language in LANGUAGES:
            page = self.client.get(f"/api/v1/items?lang={language}&limit=200", headers=self.auth)
            assert page.status_code == 200, page.text
            assert page.json()["count"] < 200
            uris |= {doc["uri"] for doc in page.json()["items"]}
        return uris


def select_items() -> sa.Select[tuple[Item]]:
    """The items of the demo's story files (filed by the chief editor): not the work still on
    the desks, filed by reporters."""
    return (
        sa.select(Item)
        .join(Story, Story.id == Item.story_id)
        .join(User, User.id == Story.created_by_id)
        .where(Item.current_version > 0, User.name == "chief")
        .order_by(Item.story_id, Item.id)
    )


def desk_items() -> list[tuple[str, int, str]]:
    """(status, urgency, headline) of every item on the desks' files: sources and the
    translations the desk is working on."""
    found = []
    for spec in desk_files():
        found.append((spec["status"], spec["urgency"], spec["headline"]))
        for text in spec.get("translations", {}).values():
            found.append((text["status"], spec["urgency"], text["headline"]))
    return found


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def demo_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    postgres_skip_reason: str | None,
) -> Iterator[str]:
    """Like conftest's `database_url`, for the whole module."""
    folder = tmp_path_factory.mktemp("demo")
    with fresh_database(request.param, folder, sqlite_template, postgres_skip_reason) as url:
        yield url


@pytest.fixture(scope="module")
def demo(demo_url: str) -> Iterator[Demo]:
    settings = Settings(
        database_url=demo_url,
        vocabulary_dir=VOCABULARIES if VOCABULARIES.is_dir() else None,
        public_url="https://azertac.example",
        api_rate_limit=100_000,  # the tests read every version of the demo in a few seconds
    )
    database = Database(demo_url)
    report = load_demo(database, settings, progress=False)
    try:
        # No embedded worker: the embargo is released by the test that says so.
        with TestClient(create_app(settings, database, worker=False)) as client:
            yield Demo(settings, database, report, client)
    finally:
        database.dispose()


# --- what was loaded ------------------------------------------------------------------------


def test_every_story_file_is_loaded(demo: Demo) -> None:
    specs = story_specs()
    keys = [s["key"] for s in specs]
    assert len(keys) == len(set(keys)), "story keys are unique"
    with demo.database.read() as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(Story))
    on_desks = desk_files()
    assert count == len(specs) + len(on_desks)
    assert demo.report.stories == len(specs) + len(on_desks)
    assert demo.report.items == len(specs) * len(LANGUAGES) + len(desk_items())
    assert demo.report.loaded_now is True


def test_the_desks_have_work_in_progress(demo: Demo) -> None:
    """The newsroom opens on real work: drafts, a submitted bulletin and a flash being written."""
    with demo.database.read() as session:
        rows = session.execute(
            sa.select(Item.status, Item.urgency, Item.headline).where(
                Item.status.in_(("draft", "submitted"))
            )
        ).all()
    waiting = [item for item in desk_items() if item[0] in ("draft", "submitted")]
    assert sorted((status, urgency) for status, urgency, _ in rows) == sorted(
        (status, urgency) for status, urgency, _ in waiting
    )
    assert ("draft", 1) in [(status, urgency) for status, urgency, _ in waiting]  # a flash
    assert {headline for *_, headline in rows} == {headline for *_, headline in waiting}


def test_the_demo_has_at_least_24_stories(demo: Demo) -> None:
    assert len(story_specs()) >= 24
    assert demo.report.stories >= 24


def test_every_story_in_all_eight_languages_as_written(demo: Demo) -> None:
    assert demo.settings.languages == LANGUAGES
    expected: set[tuple[str, str]] = set()
    for story in story_specs():
        assert sorted(story["items"]) == sorted(LANGUAGES), story["key"]
        for language, text in story["items"].items():
            fixed = story.get("correction", {}).get(language, {})
            expected.add((language, fixed.get("headline", text["headline"])))
    with demo.database.read() as session:
        items = session.scalars(select_items()).all()
        by_story: dict[int, list[str]] = {}
        for item in items:
            by_story.setdefault(item.story_id, []).append(item.language)
    assert {(item.language, item.headline) for item in items} == expected
    for story_id, languages in by_story.items():
        assert sorted(languages) == sorted(LANGUAGES), story_id
    assert Counter(item.status for item in items) == {
        "published": (len(by_story) - 2) * len(LANGUAGES),
        "killed": len(LANGUAGES),
        "scheduled": len(LANGUAGES),
    }


def test_language_versions_of_a_story_share_the_date_in_their_uri(demo: Demo) -> None:
    with demo.database.read() as session:
        items = session.scalars(select_items()).all()
    dates: dict[int, set[str]] = {}
    for item in items:
        assert item.uri == (
            f"urn:newsml:azertac.az:{item.firstcreated:%Y%m%d}:{item.story_id}-{item.language}"
        )
        dates.setdefault(item.story_id, set()).add(item.uri.split(":")[3])
    assert all(len(found) == 1 for found in dates.values()), dates


def test_agency_bureaus_desks_and_staff(demo: Demo) -> None:
    with demo.database.read() as session:
        agency = session.scalars(sa.select(Agency)).one()
        bureaus = {b.code: b.timezone for b in session.scalars(sa.select(Bureau))}
        desks = {d.code: d.name["en"] for d in session.scalars(sa.select(Desk))}
        users = {u.name: u.role for u in session.scalars(sa.select(User).order_by(User.id))}
    assert (agency.domain, agency.short_name["en"], agency.timezone) == (
        "azertac.az",
        "AZERTAC",
        "Asia/Baku",
    )
    assert agency.languages == list(LANGUAGES)
    assert bureaus == {
        "baku": "Asia/Baku",
        "moscow": "Europe/Moscow",
        "ankara": "Europe/Istanbul",
        "paris": "Europe/Paris",
        "berlin": "Europe/Berlin",
        "beijing": "Asia/Shanghai",
    }
    assert desks == {
        "politics": "Politics",
        "economy": "Economy",
        "world": "World",
        "culture": "Culture",
    }
    assert set(users.values()) == set(ROLES)  # a user per role at least (two reporters)
    assert [(u["name"], u["role"]) for u in demo.report.as_json()["users"]] == list(users.items())


def test_stories_come_from_every_bureau_and_desk(demo: Demo) -> None:
    with demo.database.read() as session:
        stories = session.scalars(sa.select(Story)).all()
        used = {(s.bureau.code if s.bureau else None, s.desk.code) for s in stories}
    assert {bureau for bureau, _ in used} == {b[0] for b in demo_data.BUREAUS}
    assert {desk for _, desk in used} == {d[0] for d in demo_data.DESKS}


# --- corrected, killed ----------------------------------------------------------------------


def test_exactly_one_story_corrected(demo: Demo) -> None:
    corrected = demo.stories_with_event("corrected")
    assert len(corrected) == 1
    (story_id,) = corrected
    written_with_correction = [s for s in story_specs() if "correction" in s]
    assert len(written_with_correction) == 1
    written = written_with_correction[0]
    items = demo.story_items(story_id)
    assert sorted(i.language for i in items) == sorted(LANGUAGES)
    with demo.database.read() as session:
        notes = dict(
            session.execute(
                sa.select(Item.language, Version.note)
                .join(Version, Version.item_id == Item.id)
                .where(Item.story_id == story_id, Version.number == 2)
            ).all()
        )
    assert notes == {lang: fix["note"] for lang, fix in written["correction"].items()}
    for item in items:
        assert (item.status, item.current_version) == ("published", 2)
        fix = written["correction"][item.language]
        latest = demo.client.get(f"/api/v1/items/{item.uri}", headers=demo.auth).json()
        assert latest["version"] == "2"
        assert latest["headlines"][0]["value"] == fix["headline"]
        assert {"role": "correction", "value": fix["note"]} in latest["descriptions"]
        first = demo.client.get(f"/api/v1/items/{item.uri}?version=1", headers=demo.auth).json()
        assert first["headlines"][0]["value"] == written["items"][item.language]["headline"]


def test_exactly_one_story_killed(demo: Demo) -> None:
    killed = demo.stories_with_event("killed")
    assert len(killed) == 1
    (story_id,) = killed
    written = spec(demo_data.STORY_KILLED)
    items = demo.story_items(story_id)
    assert {i.language: i.headline for i in items} == {
        lang: text["headline"] for lang, text in written["items"].items()
    }
    listed = demo.listed_uris()
    for item in items:
        assert (item.status, item.current_version) == ("killed", 2)
        shown = demo.client.get(f"/api/v1/items/{item.uri}", headers=demo.auth)
        assert shown.status_code == 200
        assert shown.json()["pubstatus"] == "canceled"
        assert shown.json()["version"] == "2"
        newsml = demo.client.get(f"/api/v1/items/{item.uri}?format=newsml", headers=demo.auth)
        assert b'<pubStatus qcode="stat:canceled"' in newsml.content
        assert item.uri not in listed


# --- every document served is valid ---------------------------------------------------------


@requires_standards
def test_every_served_version_is_valid_ninjs_and_newsml(demo: Demo) -> None:
    with demo.database.read() as session:
        released = session.execute(
            sa.select(Item.uri, Version.number, Item.current_version)
            .join(Version, Version.item_id == Item.id)
            .where(Version.released_at.is_not(None))
            .order_by(Item.id, Version.number)
        ).all()
    assert len(released) >= len(story_specs()) * len(LANGUAGES) - len(LANGUAGES)
    for uri, number, current in released:
        queries = [f"?version={number}"] + ([""] if number == current else [])
        for query in queries:
            validate_served(demo, uri, query)


def validate_served(demo: Demo, uri: str, query: str) -> None:
    join = "&" if query else "?"
    url = f"/api/v1/items/{uri}{query}"
    ninjs = demo.client.get(url, headers=demo.auth)
    assert ninjs.status_code == 200, (url, ninjs.text)
    assert ninjs.headers["content-type"] == "application/json"
    validate_ninjs2(ninjs.json())
    assert ninjs.json()["uri"] == uri
    ninjs3 = demo.client.get(f"{url}{join}format=ninjs3", headers=demo.auth)
    assert ninjs3.status_code == 200, (url, ninjs3.text)
    validate_ninjs3(ninjs3.json())
    newsml = demo.client.get(f"{url}{join}format=newsml", headers=demo.auth)
    assert newsml.status_code == 200, (url, newsml.text)
    assert newsml.headers["content-type"].startswith("application/vnd.iptc.g2.newsitem+xml")
    validate_newsml(newsml.content)


# --- pictures -------------------------------------------------------------------------------


def pictured_items(demo: Demo, written: dict[str, Any]) -> list[Item]:
    """The language versions loaded from `written`, found by their (corrected) headlines."""
    english = written["items"]["en"]
    headline = written.get("correction", {}).get("en", {}).get("headline", english["headline"])
    with demo.database.read() as session:
        story_id = session.scalars(
            sa.select(Item.story_id).where(Item.language == "en", Item.headline == headline)
        ).one()
    return demo.story_items(story_id)


def test_stories_with_a_picture_carry_it_in_every_language(demo: Demo) -> None:
    pictured = [s for s in story_specs() if "picture" in s]
    assert len(pictured) >= 4
    for written in pictured:
        picture = written["picture"]
        assert sorted(picture["caption"]) == sorted(picture["alt"]) == sorted(LANGUAGES)
        href = f"https://azertac.example/static/site/demo/{picture['file']}"
        items = pictured_items(demo, written)
        assert sorted(item.language for item in items) == sorted(LANGUAGES)
        with demo.database.read() as session:
            documents = session.execute(
                sa.select(Item.language, Version.number, Version.document)
                .join(Version, Version.item_id == Item.id)
                .where(Item.id.in_([item.id for item in items]))
            ).all()
        for language, number, document in documents:
            credit = picture["credit"]
            assert document["pictures"] == [
                {
                    "href": href,
                    "caption": picture["caption"][language],
                    "alt": picture["alt"][language],
                    "credit": credit[language] if isinstance(credit, dict) else credit,
                    "mimetype": "image/svg+xml",
                    "width": 1200,
                    "height": 675,
                }
            ], (written["key"], language, number)


def test_the_demo_pictures_are_served_as_svg(demo: Demo) -> None:
    files = sorted({s["picture"]["file"] for s in story_specs() if "picture" in s})
    for name in files:
        served = demo.client.get(f"/static/site/demo/{name}")
        assert served.status_code == 200, name
        assert served.headers["content-type"].startswith("image/svg+xml"), name
        drawing = etree.fromstring(served.content)
        assert drawing.tag == "{http://www.w3.org/2000/svg}svg"
        assert drawing.get("viewBox") == "0 0 1200 675"
        # Captions and alt texts are translated; words drawn into the picture would not be.
        assert not drawing.xpath("//*[local-name()='text']"), name


def test_a_demo_story_page_shows_its_picture(demo: Demo) -> None:
    written = spec("port-alat-containers")
    for item in pictured_items(demo, written):
        if item.language not in ("en", "ar", "zh"):
            continue
        moved = demo.client.get(f"/{item.language}/news/{item.story_id}-x", follow_redirects=False)
        assert moved.status_code == 301
        page = html.fromstring(demo.client.get(moved.headers["location"]).content)
        (figure,) = page.cssselect("article figure")
        (image,) = figure.cssselect("img")
        assert image.get("src") == "https://azertac.example/static/site/demo/caspian-port.svg"
        assert image.get("alt") == written["picture"]["alt"][item.language]
        caption = written["picture"]["caption"][item.language]
        assert caption in figure.cssselect("figcaption")[0].text_content()


# --- loading again --------------------------------------------------------------------------


def test_loading_again_changes_nothing_but_issues_a_fresh_key(demo: Demo) -> None:
    def counts() -> dict[str, int]:
        with demo.database.read() as session:
            return {
                model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
                for model in (Story, Item, Version, FeedEvent, Bureau, Desk, User)
            }

    before = counts()
    again = load_demo(demo.database, demo.settings, progress=False)
    assert counts() == before
    assert (again.stories, again.items, again.loaded_now) == (
        demo.report.stories,
        demo.report.items,
        False,
    )
    assert again.subscriber_key.startswith("nwk_")
    assert again.subscriber_key != demo.report.subscriber_key
    for key in (again.subscriber_key, demo.report.subscriber_key):
        page = demo.client.get("/api/v1/items?lang=en", headers={"Authorization": f"Bearer {key}"})
        assert page.status_code == 200
        # Every story but the killed one, the embargoed one and the work on the desks.
        unpublished = [spec for spec in desk_files() if spec["status"] != "published"]
        assert page.json()["count"] == demo.report.stories - 2 - len(unpublished)


# --- the embargo (last: it changes the loaded demo) -----------------------------------------


def test_embargoed_story_is_held_until_released(demo: Demo) -> None:
    with demo.database.read() as session:
        held = session.execute(
            sa.select(Item.story_id, Item.uri, Version.embargoed)
            .join(Version, Version.item_id == Item.id)
            .where(Item.status == "scheduled", Version.released_at.is_(None))
        ).all()
        cursor = session.scalar(sa.select(sa.func.max(FeedEvent.seq))) or 0
    assert len({story_id for story_id, _, _ in held}) == 1
    story_id = held[0].story_id
    uris = {uri for _, uri, _ in held}
    assert len(uris) == len(LANGUAGES)
    assert {i.headline for i in demo.story_items(story_id)} == {
        text["headline"] for text in spec(demo_data.STORY_EMBARGOED)["items"].values()
    }
    now = utcnow()
    embargo = max(embargoed for _, _, embargoed in held)
    assert all(
        now < embargoed <= now + timedelta(hours=demo_data.EMBARGO_HOURS)
        for _, _, embargoed in held
    )

    # Held: not listed, not found, no feed event.
    assert not uris & demo.listed_uris()
    for uri in uris:
        shown = demo.client.get(f"/api/v1/items/{uri}", headers=demo.auth)
        assert shown.status_code == 404
        assert shown.json() == {"detail": f"no item {uri!r} for this key", "field": "uri"}
    feed = demo.client.get("/api/v1/feed?cursor=0&limit=1000", headers=demo.auth).json()
    assert feed["next_cursor"] == cursor
    assert not uris & {event["uri"] for event in feed["events"]}
    with demo.database.read() as session:
        assert not session.scalars(sa.select(FeedEvent).where(FeedEvent.uri.in_(uris))).all()

    # Nothing is due before the embargo; everything at it.
    with demo.database.write() as session:
        assert release_due_embargoes(session, now=embargo - timedelta(seconds=1)) == 0
    after: datetime = embargo + timedelta(seconds=1)
    with demo.database.write() as session:
        assert release_due_embargoes(session, now=after) == len(LANGUAGES)

    events = wait_for_events(demo, cursor, len(LANGUAGES))
    assert {(e["uri"], e["kind"], e["version"]) for e in events} == {
        (uri, "published", 1) for uri in uris
    }
    assert uris <= demo.listed_uris()
    for uri in uris:
        validate_served(demo, uri, "")


def wait_for_events(demo: Demo, cursor: int, count: int) -> list[dict[str, Any]]:
    """Long-poll the feed as a subscriber would until `count` events arrived after `cursor`."""
    events: list[dict[str, Any]] = []
    for _ in range(count):
        page = demo.client.get(f"/api/v1/feed?cursor={cursor}&wait=10", headers=demo.auth)
        assert page.status_code == 200
        events += page.json()["events"]
        cursor = page.json()["next_cursor"]
        if len(events) >= count:
            break
    assert len(events) == count, events
    return events
