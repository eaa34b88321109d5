"""The dashboard: stories per language, desk and bureau per local day, and the time stories
take to reach every working language, for the desks the user may see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from babel.dates import format_skeleton

from newswire.agency import services as agency
from newswire.languages import LANGUAGES
from newswire.newsroom import i18n, stats
from newswire.stories import services
from newswire.stories.document import ItemInput
from tests.conftest import Newsroom
from tests.newsroom.conftest import StaffBrowser

Staff = Callable[[str], StaffBrowser]
BAKU = ZoneInfo("Asia/Baku")  # every user of the fixture works in the Baku bureau's time zone
WORKING = ("az", "ru", "en", "fr", "de", "es", "ar", "zh")


def today() -> date:
    return datetime.now(BAKU).date()


def local(days_ago: int, hour: int, minute: int = 0) -> datetime:
    """A time `days_ago` local days before today in Baku, in UTC."""
    day = today() - timedelta(days=days_ago)
    return datetime.combine(day, time(hour, minute), tzinfo=BAKU).astimezone(UTC)


def day_of(days_ago: int) -> str:
    return (today() - timedelta(days=days_ago)).isoformat()


def publish_story(
    newsroom: Newsroom,
    *,
    source: str,
    times: dict[str, datetime],
    desk: str = "politics",
    bureau: str | None = "baku",
    headline: str = "Caspian ports report record cargo",
) -> int:
    """A story published through the services at the given times, source language first."""
    chief = newsroom.principals["chief"]
    ctx = newsroom.ctx
    with newsroom.database.write() as session:
        story = services.create_story(
            session,
            chief,
            ctx,
            ItemInput(language=source, headline=headline, body_html="<p>Text.</p>"),
            desk_id=agency.get_desk(session, desk).id,
            bureau=agency.get_bureau(session, bureau) if bureau else None,
        )
        story_id = story.id
        services.publish(session, chief, ctx, story_id, source, at=times[source])
        for language, at in sorted(times.items(), key=lambda pair: pair[1]):
            if language == source:
                continue
            services.save_item(
                session,
                chief,
                ctx,
                story_id,
                ItemInput(language=language, headline=f"{headline} [{language}]"),
                expected_revision=None,
            )
            services.publish(session, chief, ctx, story_id, language, at=at)
    return story_id


def table(page: str, table_id: str) -> dict[str, dict[str, str]]:
    """A count table as {ISO day or "total": {column header: cell}}."""
    document = lxml.html.fromstring(page)
    found = document.get_element_by_id(table_id)
    headers = [th.text_content().strip() for th in found.cssselect("thead th")]
    result = {}
    for row in found.cssselect("tbody tr, tfoot tr"):
        times = row.cssselect("th time")
        key = times[0].get("datetime") if times else "total"
        cells = [td.text_content().strip() for td in row.cssselect("td")]
        result[key] = dict(zip(headers[1:], cells, strict=True))
    return result


def counts(rows: dict[str, dict[str, str]], day: str) -> dict[str, str]:
    """The non-zero cells of one row, total excluded."""
    return {k: v for k, v in rows[day].items() if v != "0" and k != "Total"}


@pytest.fixture
def agency_day(newsroom: Newsroom) -> dict[str, int]:
    """Stories over four local days, in several languages, desks and bureaus."""
    ids = {}
    # day -2 in Baku: az, ru, en that day; fr after local midnight (day -1)
    ids["a"] = publish_story(
        newsroom,
        source="az",
        times={"az": local(2, 9), "ru": local(2, 9, 20), "en": local(2, 10), "fr": local(1, 0, 10)},
    )
    # Paris bureau, late in the evening of day -2 in Baku; English after midnight
    ids["b"] = publish_story(
        newsroom,
        source="fr",
        bureau="paris",
        times={"fr": local(2, 23, 50), "en": local(1, 0, 5)},
    )
    # economy at 03:30 in Baku: still the evening before in UTC, but day -1 for the user
    economy_at = local(1, 3, 30)
    assert economy_at.date() != (today() - timedelta(days=1))
    ids["c"] = publish_story(
        newsroom, source="ru", desk="economy", times={"ru": economy_at}, headline="Oil output"
    )
    # no bureau, day -3
    ids["d"] = publish_story(newsroom, source="en", bureau=None, times={"en": local(3, 12)})
    # long ago: outside a three-day period, inside fourteen days
    ids["e"] = publish_story(newsroom, source="az", times={"az": local(10, 8)})
    chief = newsroom.principals["chief"]
    with newsroom.database.write() as session:
        # a correction is a new version, not a new publication
        item = services.get_item(session, ids["a"], "az")
        services.save_item(
            session,
            chief,
            newsroom.ctx,
            ids["a"],
            ItemInput(language="az", headline="Corrected headline"),
            expected_revision=item.revision,
        )
        services.correct(session, chief, newsroom.ctx, ids["a"], "az", "typo", at=local(1, 11))
        # a draft is not published at all
        services.create_story(
            session,
            chief,
            newsroom.ctx,
            ItemInput(language="de", headline="Draft only"),
            desk_id=agency.get_desk(session, "politics").id,
            bureau=None,
        )
    return ids


@pytest.mark.usefixtures("agency_day")
def test_stories_per_day_by_language_desk_and_bureau(staff: Staff) -> None:
    response = staff("chief").get("/newsroom/dashboard?days=14")
    assert response.status_code == 200
    page = response.text

    languages = table(page, "table-languages")
    assert len(languages) == 15  # fourteen days and the total
    assert counts(languages, day_of(3)) == {"English": "1"}
    assert counts(languages, day_of(2)) == {
        "Azərbaycanca": "1",
        "Русский": "1",
        "English": "1",
        "Français": "1",
    }
    assert counts(languages, day_of(1)) == {"Русский": "1", "English": "1", "Français": "1"}
    assert counts(languages, day_of(10)) == {"Azərbaycanca": "1"}
    assert counts(languages, day_of(0)) == {}
    assert languages[day_of(2)]["Total"] == "4"
    assert languages["total"]["Total"] == "9"
    assert languages["total"]["English"] == "3"
    # every working language has its column, in the agency's order, named in its own language
    assert list(languages["total"])[:8] == [LANGUAGES[code].native_name for code in WORKING]

    desks = table(page, "table-desks")
    assert counts(desks, day_of(3)) == {"Politics": "1"}
    assert counts(desks, day_of(2)) == {"Politics": "2"}
    assert counts(desks, day_of(1)) == {"Economy": "1"}
    assert desks["total"] == {"Economy": "1", "Politics": "4", "Total": "5"}

    bureaus = table(page, "table-bureaus")
    assert counts(bureaus, day_of(3)) == {"No bureau": "1"}
    assert counts(bureaus, day_of(2)) == {"Baku": "1", "Paris": "1"}
    assert counts(bureaus, day_of(1)) == {"Baku": "1"}
    assert bureaus["total"] == {"Baku": "3", "Paris": "1", "No bureau": "1", "Total": "5"}

    # the charts come before their tables, as images with a title
    document = lxml.html.fromstring(page)
    for chart_id in ("chart-languages", "chart-desks", "chart-bureaus", "chart-completion"):
        chart = document.get_element_by_id(chart_id)
        assert chart.get("role") == "img"
    assert page.index('id="chart-languages"') < page.index('id="table-languages"')
    assert " style=" not in page


@pytest.mark.usefixtures("agency_day")
def test_the_period_counts_local_days_back_from_today(staff: Staff) -> None:
    page = staff("chief").get("/newsroom/dashboard?days=3").text
    languages = table(page, "table-languages")
    assert sorted(languages) == sorted([day_of(2), day_of(1), day_of(0), "total"])
    assert languages["total"]["Total"] == "7"  # day -3 and day -10 are outside
    assert table(page, "table-desks")["total"] == {"Economy": "1", "Politics": "2", "Total": "3"}


@pytest.mark.usefixtures("agency_day")
def test_an_editor_sees_only_the_desks_they_belong_to(staff: Staff) -> None:
    page = staff("editor").get("/newsroom/dashboard?days=14").text
    assert "Economy" not in page
    assert "Oil output" not in page
    languages = table(page, "table-languages")
    assert counts(languages, day_of(1)) == {"English": "1", "Français": "1"}  # not economy's ru
    assert languages["total"]["Total"] == "8"
    assert table(page, "table-desks")["total"] == {"Politics": "4", "Total": "4"}
    assert table(page, "table-bureaus")["total"]["Baku"] == "2"

    economy = staff("economy_editor").get("/newsroom/dashboard?days=14").text
    assert table(economy, "table-desks")["total"] == {"Economy": "1", "Total": "1"}
    assert table(economy, "table-languages")["total"]["Total"] == "1"
    assert "Caspian ports" not in economy


@pytest.mark.parametrize("who", ["reporter", "translator"])
def test_reporters_and_translators_may_not_open_the_dashboard(staff: Staff, who: str) -> None:
    response = staff(who).get("/newsroom/dashboard")
    assert response.status_code == 403
    assert "chart-languages" not in response.text


@pytest.mark.parametrize("who", ["editor", "chief", "admin"])
def test_editors_chief_editors_and_admins_open_it(staff: Staff, who: str) -> None:
    response = staff(who).get("/newsroom/dashboard")
    assert response.status_code == 200
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert len(table(response.text, "table-languages")) == 15  # fourteen days by default
    assert "No story was first published in this period." in response.text


@pytest.mark.parametrize("days", ["0", "91", "-3", "many"])
def test_a_period_out_of_range_is_refused(staff: Staff, days: str) -> None:
    response = staff("chief").get(f"/newsroom/dashboard?days={days}")
    assert response.status_code == 422
    assert "days" in response.text


@pytest.mark.parametrize("days", [1, 90])
def test_the_period_runs_from_one_to_ninety_days(staff: Staff, days: int) -> None:
    response = staff("chief").get(f"/newsroom/dashboard?days={days}")
    assert response.status_code == 200
    assert len(table(response.text, "table-completion")) == days + 1


def all_languages(start: datetime, last: timedelta, source: str = "az") -> dict[str, datetime]:
    """Every working language out between `start` and `start + last`, the last one at `last`."""
    others = [code for code in WORKING if code != source]
    times = {source: start}
    for position, code in enumerate(others, start=1):
        times[code] = start + last * position / len(others)
    return times


def test_time_from_first_publication_to_all_working_languages(
    staff: Staff, newsroom: Newsroom
) -> None:
    # day -2: one story out in all eight languages after 30 min, one after 2 h, one incomplete
    fast = publish_story(
        newsroom, source="az", times=all_languages(local(2, 10), timedelta(minutes=30))
    )
    slow = publish_story(
        newsroom,
        source="az",
        times=all_languages(local(2, 14), timedelta(hours=2)),
        headline="Summit opens in Baku",
    )
    stuck = publish_story(
        newsroom,
        source="en",
        times={"en": local(2, 16), "ru": local(2, 16, 30), "fr": local(2, 17)},
        headline="Trade talks & tariffs",
    )
    # day -1: one story complete after 1 h 05 min, with its source in English
    other = publish_story(
        newsroom, source="en", times=all_languages(local(1, 9), timedelta(minutes=65), "en")
    )
    # economy's stories are not an editor of politics' business
    publish_story(
        newsroom,
        source="az",
        desk="economy",
        times=all_languages(local(1, 9), timedelta(hours=9)),
        headline="Oil output",
    )

    page = staff("editor").get("/newsroom/dashboard?days=7").text
    document = lxml.html.fromstring(page)
    rows = table(page, "table-completion")
    assert rows[day_of(2)] == {
        "Stories": "3",
        "Complete": "2",
        "Share complete": "67%",
        "Median": "1 h 15 min",
        "90th percentile": "1 h 51 min",
    }
    assert rows[day_of(1)] == {
        "Stories": "1",
        "Complete": "1",
        "Share complete": "100%",
        "Median": "1 h 05 min",
        "90th percentile": "1 h 05 min",
    }
    assert rows[day_of(0)] == {
        "Stories": "0",
        "Complete": "0",
        "Share complete": "—",
        "Median": "—",
        "90th percentile": "—",
    }
    # over the period: 30 min, 1 h 05, 2 h → median 1 h 05, p90 1 h 05 + 0.8 × 55 min
    assert rows["total"] == {
        "Stories": "4",
        "Complete": "3",
        "Share complete": "75%",
        "Median": "1 h 05 min",
        "90th percentile": "1 h 49 min",
    }
    summary = document.get_element_by_id("completion-summary").text_content()
    assert "75%" in summary
    assert "1 h 49 min" in summary

    slowest = document.get_element_by_id("table-slowest").cssselect("tbody tr")
    links = [row.cssselect("a")[0].get("href") for row in slowest]
    # the incomplete story first, then the slowest complete ones
    assert links == [f"/newsroom/stories/{n}" for n in (stuck, slow, other, fast)]
    first = slowest[0]
    assert first.cssselect("a")[0].text_content() == "Trade talks & tariffs"
    assert first.cssselect("a")[0].get("lang") == "en"
    missing = first.cssselect("td.missing .pill")
    assert [pill.text_content() for pill in missing] == [
        LANGUAGES[code].native_name for code in ("az", "de", "es", "ar", "zh")
    ]
    arabic = missing[3]
    assert arabic.get("dir") == "rtl"
    assert arabic.get("lang") == "ar"
    assert "incomplete after" in first.text_content()
    assert "2 h 00 min" in slowest[1].text_content()
    assert slowest[1].cssselect("td.missing")[0].text_content().strip() == "none"
    assert "Oil output" not in page

    # the chief editor sees economy's story too
    chief = table(staff("chief").get("/newsroom/dashboard?days=7").text, "table-completion")
    assert chief[day_of(1)]["Stories"] == "2"
    # 65 min + 0.9 × (9 h − 65 min) = 8 h 12.5 min, rounded half up
    assert chief[day_of(1)]["90th percentile"] == "8 h 13 min"


def test_a_hostile_desk_name_is_shown_as_text(staff: Staff, newsroom: Newsroom) -> None:
    hostile = "<script>alert(1)</script>"
    with newsroom.database.write() as session:
        agency.add_desk(session, newsroom.principals["admin"], code="odd", name={"en": hostile})
    publish_story(newsroom, source="en", desk="odd", times={"en": local(1, 12)})
    page = staff("admin").get("/newsroom/dashboard").text
    assert hostile not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    desks = table(page, "table-desks")
    assert desks["total"][hostile] == "1"


def test_figures_are_formatted_in_the_interface_language(staff: Staff, newsroom: Newsroom) -> None:
    publish_story(newsroom, source="az", times=all_languages(local(1, 9), timedelta(minutes=5)))
    with newsroom.database.write() as session:
        agency.get_user(session, "chief").ui_language = "fr"
    page = staff("chief").get("/newsroom/dashboard?days=2").text
    assert '<html lang="fr"' in page
    day = today() - timedelta(days=1)
    document = lxml.html.fromstring(page)
    label = document.cssselect(f'#table-languages time[datetime="{day.isoformat()}"]')[0]
    assert label.text_content() == format_skeleton("MMMEd", day, locale="fr")
    rows = table(page, "table-completion")
    header = i18n.translations("fr").gettext("Share complete")
    assert header != "Share complete"  # the table speaks French too
    assert rows[day.isoformat()][header] in ("100 %", "100\u00a0%", "100\u202f%")


# --- the figures' arithmetic, without a database ----------------------------------------------


def test_percentiles_interpolate_between_ranks() -> None:
    assert stats.percentile([], 0.5) is None
    assert stats.percentile([1800], 0.9) == 1800
    assert stats.percentile([1800, 7200], 0.5) == 4500
    assert stats.percentile([7200, 1800], 0.9) == pytest.approx(6660)
    assert stats.percentile([1800, 3900, 7200], 0.9) == pytest.approx(6540)


def test_a_period_follows_the_time_zone_across_a_clock_change() -> None:
    # Paris moved its clocks forward on 31 March 2024: that local day had 23 hours
    now = datetime(2024, 4, 1, 10, 0, tzinfo=UTC)
    span = stats.period(3, "Europe/Paris", now)
    assert span.days == (date(2024, 3, 30), date(2024, 3, 31), date(2024, 4, 1))
    assert span.start == datetime(2024, 3, 29, 23, 0, tzinfo=UTC)
    assert span.end == datetime(2024, 4, 1, 22, 0, tzinfo=UTC)
    assert span.index(datetime(2024, 3, 30, 22, 59, tzinfo=UTC)) == 0  # 23:59 winter time
    assert span.index(datetime(2024, 3, 30, 23, 30, tzinfo=UTC)) == 1  # 00:30 on the 31st
    assert span.index(datetime(2024, 3, 31, 21, 59, tzinfo=UTC)) == 1  # 23:59 summer time
    assert span.index(datetime(2024, 3, 31, 22, 0, tzinfo=UTC)) == 2
    assert span.index(datetime(2024, 3, 29, 22, 59, tzinfo=UTC)) is None
