"""The search function's filters and its one-walk search across languages, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from newswire.agency import services as agency
from newswire.agency.models import Desk
from newswire.db import Database
from newswire.search import backend
from newswire.search.backend import Filters, search, search_across, search_languages
from newswire.stories import services as stories
from newswire.stories.document import ItemInput
from tests.conftest import Newsroom

DAY = datetime(2024, 5, 10, 9, 0, tzinfo=UTC)


def publish(
    newsroom: Newsroom,
    language: str,
    headline: str,
    *,
    desk: str = "politics",
    bureau: str | None = None,
    urgency: int = 5,
    subjects: tuple[str, ...] = (),
    at: datetime | None = None,
) -> int:
    chief = newsroom.principals["chief"]
    with newsroom.database.write() as session:
        desk_id = session.scalars(select(Desk.id).where(Desk.code == desk)).one()
        story = stories.create_story(
            session,
            chief,
            newsroom.ctx,
            ItemInput(
                language=language,
                headline=headline,
                body_html="<p>Port cargo news.</p>",
                urgency=urgency,
                subjects=subjects,
            ),
            desk_id=desk_id,
            bureau=agency.get_bureau(session, bureau) if bureau else None,
        )
        stories.publish(session, chief, newsroom.ctx, story.id, language, at=at)
        return story.id


def ids(database: Database, code: str, table: str = "desk") -> int:
    with database.read() as session:
        if table == "desk":
            return session.scalars(select(Desk.id).where(Desk.code == code)).one()
        return agency.get_bureau(session, code).id


def found(database: Database, query: str, language: str = "en", **options: object) -> list[str]:
    with database.read() as session:
        page = search(session, language, query, **options)
        return [entry.headline for entry in page.entries]


@pytest.fixture
def wire(newsroom: Newsroom) -> Newsroom:
    publish(newsroom, "en", "Port talks open in Baku", bureau="baku", at=DAY)
    publish(
        newsroom,
        "en",
        "Port tariffs cut",
        desk="economy",
        bureau="paris",
        urgency=2,
        subjects=("medtop:04000000",),
        at=DAY + timedelta(days=1),
    )
    publish(newsroom, "en", "Port strike: flash", desk="economy", urgency=1, at=DAY + timedelta(2))
    publish(newsroom, "fr", "Le port de Bakou s'agrandit", bureau="paris", at=DAY + timedelta(3))
    return newsroom


def test_each_filter_narrows_the_results(wire: Newsroom) -> None:
    db = wire.database
    everything = ["Port strike: flash", "Port tariffs cut", "Port talks open in Baku"]
    assert found(db, "port") == everything
    assert found(db, "port", desks=[ids(db, "economy")]) == [
        "Port strike: flash",
        "Port tariffs cut",
    ]
    assert found(db, "port", desks=[ids(db, "politics"), ids(db, "economy")]) == everything
    assert found(db, "port", bureaus=[ids(db, "paris", "bureau")]) == ["Port tariffs cut"]
    assert found(db, "port", bureaus=[ids(db, "baku", "bureau")]) == ["Port talks open in Baku"]
    assert found(db, "port", max_urgency=1) == ["Port strike: flash"]
    assert found(db, "port", max_urgency=2) == ["Port strike: flash", "Port tariffs cut"]
    assert found(db, "port", topics=["medtop:04000000"]) == ["Port tariffs cut"]
    assert found(db, "port", statuses=["published"]) == everything
    assert found(db, "port", statuses=["draft", "submitted"]) == []
    economy_and_flash = found(db, "port", desks=[ids(db, "economy")], max_urgency=2,
                              bureaus=[ids(db, "paris", "bureau")])  # fmt: skip
    assert economy_and_flash == ["Port tariffs cut"]


def test_publication_dates_bound_the_results_whatever_their_time_zone(wire: Newsroom) -> None:
    db = wire.database
    start = DAY + timedelta(days=1)
    assert found(db, "port", published_from=start) == ["Port strike: flash", "Port tariffs cut"]
    assert found(db, "port", published_to=start) == ["Port talks open in Baku"]  # exclusive
    baku = ZoneInfo("Asia/Baku")  # UTC+4: 13:00 there is 09:00 UTC
    assert found(
        db,
        "port",
        published_from=datetime(2024, 5, 11, 13, 0, tzinfo=baku),
        published_to=datetime(2024, 5, 11, 13, 1, tzinfo=baku),
    ) == ["Port tariffs cut"]


def test_a_killed_item_leaves_the_results_whatever_the_filters(wire: Newsroom) -> None:
    story = publish(wire, "en", "Port rumour", desk="economy", at=DAY + timedelta(days=4))
    with wire.database.write() as session:
        stories.kill(session, wire.principals["chief"], wire.ctx, story, "en", "wrong")
    assert "Port rumour" not in found(wire.database, "port")
    assert found(wire.database, "port", statuses=["killed"]) == []


def test_one_walk_across_languages_pages_newest_first(newsroom: Newsroom) -> None:
    for number in range(5):
        publish(newsroom, "en", f"Caspian report {number}")
        publish(newsroom, "fr", f"Rapport Caspian {number}")
        publish(newsroom, "ar", f"تقرير Caspian {number}")
    db = newsroom.database
    with db.read() as session:
        first = search_across(session, ["en", "fr", "ar"], "caspian", limit=4)
        assert [e.headline for e in first.entries] == [
            "تقرير Caspian 4",
            "Rapport Caspian 4",
            "Caspian report 4",
            "تقرير Caspian 3",
        ]
        assert first.has_more
        last = search_across(session, ["en", "fr", "ar"], "caspian", limit=4, offset=11)
        assert [e.headline for e in last.entries] == [
            "Caspian report 1",
            "تقرير Caspian 0",
            "Rapport Caspian 0",
            "Caspian report 0",
        ]
        assert not last.has_more
        only_two = search_across(session, ["fr", "en"], "caspian 2", limit=10)
        assert [e.headline for e in only_two.entries] == ["Rapport Caspian 2", "Caspian report 2"]
        assert search_across(session, [], "caspian").entries == []
        # The helper the command line uses keeps answering a plain list.
        listed = search_languages(session, ["fr"], "caspian", limit=2, offset=1)
        assert [e.headline for e in listed] == ["Rapport Caspian 3", "Rapport Caspian 2"]


def test_filters_keep_newest_first_through_both_postgresql_ways(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small windows: an economy page fills the newest window; the politics stories sit
    behind twelve economy ones, so PostgreSQL must fall through to the GIN index (SQLite has
    one way, and must agree)."""
    monkeypatch.setattr(backend, "PG_WINDOWS", (4, 8))
    for number in range(2):
        publish(newsroom, "en", f"Old politics port {number}")
    for number in range(12):
        publish(newsroom, "en", f"Economy port {number}", desk="economy")
    db = newsroom.database
    economy, politics = ids(db, "economy"), ids(db, "politics")
    assert found(db, "port", limit=2, desks=[economy]) == ["Economy port 11", "Economy port 10"]
    assert found(db, "port", limit=2, desks=[politics]) == [
        "Old politics port 1",
        "Old politics port 0",
    ]
    assert found(db, "port", limit=1, offset=1, desks=[politics]) == ["Old politics port 0"]
    assert found(db, "port", limit=3, offset=9, desks=[economy]) == [
        "Economy port 2",
        "Economy port 1",
        "Economy port 0",
    ]
    with db.read() as session:
        page = search_across(
            session, ["en"], "port", limit=2, filters=Filters(desks=(politics,), max_urgency=5)
        )
    assert [e.headline for e in page.entries] == ["Old politics port 1", "Old politics port 0"]
    assert not page.has_more
