"""The demo agency's website as readers, aggregators and search engines see it.

One demo load per database is shared by the module (module-scoped fixtures, as in
tests/demo); the tests only read, except the last ones, which release the embargo.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

import feedparser
import pytest
import sqlalchemy as sa
from lxml import etree, html
from starlette.testclient import TestClient

from newswire.api.app import create_app
from newswire.config import Settings
from newswire.db import Database, utcnow
from newswire.demo import agency as demo_data
from newswire.demo.loader import load_demo
from newswire.site.models import PublicEntry
from newswire.stories.models import Item
from newswire.stories.services import release_due_embargoes
from tests.conftest import STANDARDS, VOCABULARIES, fresh_database

LANGUAGES = ("az", "ru", "en", "fr", "de", "es", "ar", "zh")
HTML_LANG = {"zh": "zh-CN"}
PUBLIC = "https://azertac.example"
ATOM_RNG = STANDARDS / "feeds" / "atom" / "atom-rfc4287.rng"
NEWS_XSD = STANDARDS / "feeds" / "sitemaps" / "news-sitemap-wrapper.xsd"
SITEMAP_XSD = STANDARDS / "feeds" / "sitemaps" / "sitemap.xsd"
INDEX_XSD = STANDARDS / "feeds" / "sitemaps" / "siteindex.xsd"
requires_feed_schemas = pytest.mark.skipif(
    not ATOM_RNG.is_file(), reason=f"feed schemas not found under {STANDARDS / 'feeds'}"
)
XHTML = "{http://www.w3.org/1999/xhtml}link"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass
class Site:
    database: Database
    client: TestClient

    def get(self, path: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
        response = self.client.get(path, headers=headers, follow_redirects=False)
        return response.status_code, response.content, dict(response.headers)

    def entries(self, language: str | None = None) -> list[PublicEntry]:
        with self.database.read() as session:
            query = sa.select(PublicEntry).order_by(PublicEntry.id)
            if language:
                query = query.where(PublicEntry.language == language)
            return list(session.scalars(query))

    def story_id(self, key_headline_fragment: str) -> int:
        with self.database.read() as session:
            return (
                session.scalars(
                    sa.select(Item.story_id).where(Item.headline.contains(key_headline_fragment))
                ).first()
                or 0
            )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    postgres_skip_reason: str | None,
) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("site")
    with fresh_database(request.param, folder, sqlite_template, postgres_skip_reason) as url:
        settings = Settings(
            database_url=url,
            vocabulary_dir=VOCABULARIES if VOCABULARIES.is_dir() else None,
            public_url=PUBLIC,
        )
        database = Database(url)
        load_demo(database, settings, progress=False)
        try:
            with TestClient(create_app(settings, database, worker=False)) as client:
                yield Site(database, client)
        finally:
            database.dispose()


@cache
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(ATOM_RNG)))


def killed_and_embargoed(site: Site) -> tuple[list[Item], list[Item]]:
    with site.database.read() as session:
        killed = list(session.scalars(sa.select(Item).where(Item.status == "killed")))
        held = list(session.scalars(sa.select(Item).where(Item.status == "scheduled")))
    assert killed, "the demo has a killed story"
    assert held, "the demo has an embargoed story"
    return killed, held


def topic_codes(site: Site, language: str) -> set[str]:
    codes: set[str] = set()
    for entry in site.entries(language):
        codes.update(entry.subjects)
    return codes


def feed_paths(site: Site, language: str) -> list[str]:
    """The language's feeds, and those of every topic its stories are filed under, with the
    topics above them (a topic's feed includes its narrower topics)."""
    status, body, _ = site.get(f"/{language}/")
    assert status == 200
    document = html.fromstring(body)
    sections = {a.get("href").rsplit("/", 1)[1] for a in document.cssselect("nav.sections a")}
    codes = {code.removeprefix("medtop:") for code in topic_codes(site, language)} | sections
    paths = [f"/{language}/rss.xml", f"/{language}/atom.xml"]
    for code in sorted(codes):
        paths += [f"/{language}/topic/{code}/rss.xml", f"/{language}/topic/{code}/atom.xml"]
    return paths


# --- feeds -----------------------------------------------------------------------------------


@requires_feed_schemas
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_feed_parses_cleanly_in_its_language(site: Site, language: str) -> None:
    paths = feed_paths(site, language)
    assert len(paths) > 4, "the demo files stories under several topics in each language"
    non_empty = 0
    for path in paths:
        status, body, headers = site.get(path)
        assert status == 200, path
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert parsed.feed.language.lower().startswith(language), path
        assert parsed.feed.title.startswith("AZ") or parsed.feed.title, path
        if path.endswith("atom.xml"):
            assert headers["content-type"].startswith("application/atom+xml")
            document = etree.fromstring(body)
            assert atom_schema().validate(document), (path, atom_schema().error_log)
        else:
            assert headers["content-type"].startswith("application/rss+xml")
            for entry in parsed.entries:
                assert entry.guidislink is False
                assert entry.id.startswith("urn:newsml:")
        non_empty += bool(parsed.entries)
    assert non_empty == len(paths), "every listed topic has stories"


def test_the_language_feed_lists_its_published_stories_newest_first(site: Site) -> None:
    entries = site.entries("fr")
    parsed = feedparser.parse(site.get("/fr/rss.xml")[1])
    assert [e.id for e in parsed.entries] == [e.uri for e in reversed(entries)][:50]
    first = parsed.entries[0]
    newest = entries[-1]
    assert first.title == newest.headline
    assert first.link == PUBLIC + newest.path
    assert first.content[0].value.count("<p") >= 2  # full text by default


def test_a_corrected_story_shows_its_correction_in_the_feeds(site: Site) -> None:
    corrected = [e for e in site.entries("en") if e.version > 1]
    assert corrected, "the demo corrects one story"
    entry = corrected[0]
    atom = feedparser.parse(site.get("/en/atom.xml")[1])
    found = next(e for e in atom.entries if e.id == entry.uri)
    assert found.updated_parsed > found.published_parsed
    assert 'class="correction"' in found.content[0].value


# --- sitemaps --------------------------------------------------------------------------------


@requires_feed_schemas
def test_the_news_sitemap_is_valid_and_covers_the_last_two_days(site: Site) -> None:
    status, body, _ = site.get("/sitemap-news.xml")
    assert status == 200
    document = etree.fromstring(body)
    schema = etree.XMLSchema(etree.parse(str(NEWS_XSD)))
    assert schema.validate(document), schema.error_log
    news = "{http://www.google.com/schemas/sitemap-news/0.9}"
    languages = {e.text for e in document.iter(f"{news}language")}
    assert languages == {"az", "ru", "en", "fr", "de", "es", "ar", "zh-cn"}
    since = utcnow() - timedelta(hours=48)
    expected = {PUBLIC + e.path for e in site.entries() if e.published_at >= since}
    assert {e.text for e in document.iter(f"{SM}loc")} == expected


@requires_feed_schemas
def test_the_sitemap_index_lists_a_sitemap_per_language(site: Site) -> None:
    status, body, _ = site.get("/sitemap.xml")
    assert status == 200
    document = etree.fromstring(body)
    schema = etree.XMLSchema(etree.parse(str(INDEX_XSD)))
    assert schema.validate(document), schema.error_log
    locs = [e.text for e in document.iter(f"{SM}loc")]
    assert locs == [f"{PUBLIC}/sitemap-{code}.xml" for code in LANGUAGES] + [
        f"{PUBLIC}/sitemap-news.xml"
    ]


@requires_feed_schemas
def test_language_sitemaps_carry_complete_reciprocal_alternates(site: Site) -> None:
    alternates: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        status, body, _ = site.get(f"/sitemap-{language}.xml")
        assert status == 200
        document = etree.fromstring(body)
        urls = document.findall(f"{SM}url")
        assert {u.findtext(f"{SM}loc") for u in urls} == {
            PUBLIC + e.path for e in site.entries(language)
        }
        for url in urls:
            links = {link.get("hreflang"): link.get("href") for link in url.iter(XHTML)}
            alternates[url.findtext(f"{SM}loc")] = links
        for link in document.iter(XHTML):
            link.getparent().remove(link)
        schema = etree.XMLSchema(etree.parse(str(SITEMAP_XSD)))
        assert schema.validate(document), schema.error_log
    for loc, links in alternates.items():
        assert "x-default" in links
        versions = {lang: href for lang, href in links.items() if lang != "x-default"}
        assert loc in versions.values(), "a version lists itself"
        for href in versions.values():
            assert alternates[href] == links, "every version lists the same set"


# --- pages -----------------------------------------------------------------------------------


def story_document(site: Site, path: str) -> html.HtmlElement:
    status, body, _ = site.get(path)
    assert status == 200, path
    return html.fromstring(body)


@pytest.mark.parametrize("language", LANGUAGES)
def test_story_pages_carry_news_article_json_ld_and_reciprocal_hreflang(
    site: Site, language: str
) -> None:
    entries = site.entries(language)
    assert len(entries) >= 20
    paths = {e.language: e.path for e in site.entries()}
    for entry in entries:
        page = story_document(site, entry.path)
        root = page.getroottree().getroot()
        assert root.get("lang") == HTML_LANG.get(language, language)
        assert root.get("dir") == ("rtl" if language == "ar" else "ltr")
        (script,) = page.xpath('//script[@type="application/ld+json"]')
        data = json.loads(script.text)
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == entry.headline
        assert data["inLanguage"] == HTML_LANG.get(language, language)
        assert data["datePublished"].startswith(entry.published_at.strftime("%Y-%m-%dT%H:%M"))
        assert data["dateModified"] >= data["datePublished"]
        assert data["author"][0]["name"]
        assert data["publisher"]["name"]
        assert data["publisher"]["logo"]["url"]
        assert data["image"][0].startswith(PUBLIC)
        assert page.xpath('//link[@rel="canonical"]/@href') == [PUBLIC + entry.path]
        assert page.xpath('//meta[@property="og:title"]/@content') == [entry.headline]
        hreflangs = {
            link.get("hreflang"): link.get("href")
            for link in page.xpath('//link[@rel="alternate"][@hreflang]')
        }
        story_versions = {
            HTML_LANG.get(e.language, e.language): PUBLIC + e.path
            for e in site.entries()
            if e.story_id == entry.story_id
        }
        assert {k: v for k, v in hreflangs.items() if k != "x-default"} == story_versions
        assert hreflangs["x-default"] in story_versions.values()
        assert paths  # every version's page lists the same set: checked from each side


def test_the_language_switcher_names_each_language_in_its_own_script(site: Site) -> None:
    entry = site.entries("fr")[-1]
    page = story_document(site, entry.path)
    names = [a.text_content() for a in page.cssselect("nav.languages a")]
    assert names == [
        "Azərbaycanca", "Русский", "English", "Français", "Deutsch", "Español", "العربية", "中文",
    ]  # fmt: skip
    arabic = page.cssselect('nav.languages a[hreflang="ar"]')[0]
    assert arabic.get("dir") == "rtl"
    assert arabic.get("href").startswith(f"/ar/news/{entry.story_id}-")


def test_a_story_page_shows_dateline_byline_and_body(site: Site) -> None:
    entry = site.entries("az")[-1]
    page = story_document(site, entry.path)
    assert page.cssselect("h1")[0].text_content().strip().endswith(entry.headline)
    dateline = page.cssselect(".dateline")[0].text_content()
    assert dateline == entry.dateline
    assert "AZƏRTAC" in dateline
    assert page.cssselect(".byline")
    assert len(page.cssselect(".body p")) >= 3
    assert page.cssselect("main#main")
    assert page.cssselect("header")
    assert page.cssselect("footer")


def test_a_corrected_story_shows_a_visible_correction_note(site: Site) -> None:
    entry = next(e for e in site.entries("ru") if e.version > 1)
    page = story_document(site, entry.path)
    note = page.cssselect("aside.correction")
    assert note
    assert "Исправление" in note[0].text_content()
    plain = next(e for e in site.entries("ru") if e.version == 1)
    assert not story_document(site, plain.path).cssselect("aside.correction")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_front_page_shows_the_top_story_latest_and_sections(site: Site, language: str) -> None:
    page = story_document(site, f"/{language}/")
    entries = site.entries(language)
    top = page.cssselect(".top-story h3 a")[0]
    most_urgent = min(entries[-20:], key=lambda e: (e.urgency, -e.id))
    assert top.get("href") == most_urgent.path
    listed = [a.get("href") for a in page.cssselect(".latest .teaser a")]
    assert len(listed) == 19  # one page of 20, less the top story shown above it
    assert page.cssselect(".secondary .topic-section")
    assert page.cssselect('nav.pager a[rel="next"]')
    second = story_document(site, f"/{language}/?page=2")
    rest = [a.get("href") for a in second.cssselect(".latest .teaser a")]
    assert rest == [e.path for e in reversed(entries)][20:40]


def test_a_topic_page_lists_stories_of_that_topic_and_those_below_it(site: Site) -> None:
    page = story_document(site, "/en/")
    section = page.cssselect("nav.sections a")[0].get("href")
    topic = story_document(site, section)
    listed = {a.get("href") for a in topic.cssselect(".latest .teaser a")}
    assert listed
    assert topic.cssselect("h1")[0].text_content().strip()
    feed = feedparser.parse(site.get(section + "/rss.xml")[1])
    assert {e.link.removeprefix(PUBLIC) for e in feed.entries} >= listed


def test_the_front_door_follows_accept_language(site: Site) -> None:
    cases = {
        "fr-FR,fr;q=0.9,en;q=0.8": "/fr/",
        "zh-CN,zh;q=0.9": "/zh/",
        "ar-AZ": "/ar/",
        "ja, de;q=0.5": "/de/",
        "it": "/az/",  # no working language matches: the agency's first
        "": "/az/",
        "en;q=0, ru;q=0.5": "/ru/",
        ";;;q=abc,,": "/az/",
    }
    for header, location in cases.items():
        status, _, headers = site.get("/", **{"accept-language": header})
        assert status == 302, header
        assert headers["location"] == location, header
        assert headers["vary"] == "Accept-Language"


# --- what never shows -------------------------------------------------------------------------


def everything_public(site: Site) -> bytes:
    paths = ["/sitemap-news.xml", *(f"/sitemap-{code}.xml" for code in LANGUAGES)]
    for language in LANGUAGES:
        paths += [f"/{language}/", f"/{language}/?page=2", *feed_paths(site, language)]
    return b"\n".join(site.get(path)[1] for path in paths)


def test_killed_and_embargoed_stories_appear_nowhere(site: Site) -> None:
    killed, held = killed_and_embargoed(site)
    published = everything_public(site)
    for item in killed + held:
        assert item.uri.encode() not in published
        assert f"/news/{item.story_id}-".encode() not in published
        assert item.headline.encode() not in published
        status, _, _ = site.get(f"/{item.language}/news/{item.story_id}-x")
        assert status == (410 if item.status == "killed" else 404)
        words = " ".join(item.headline.split()[:3])
        results = story_document(site, f"/{item.language}/search?q={words}")
        hrefs = [a.get("href") for a in results.cssselect(".results .teaser a")]
        assert not any(f"/news/{item.story_id}-" in h for h in hrefs)


def test_a_withdrawn_story_answers_410_with_a_page(site: Site) -> None:
    killed, _ = killed_and_embargoed(site)
    status, body, headers = site.get(f"/{killed[0].language}/news/{killed[0].story_id}-x")
    assert status == 410
    assert headers["content-type"].startswith("text/html")
    assert b"<h1" in body


# --- caching ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/en/", "/ar/rss.xml", "/zh/atom.xml", "/sitemap-news.xml"])
def test_pages_and_feeds_answer_304_to_revalidation(site: Site, path: str) -> None:
    status, body, headers = site.get(path)
    assert status == 200
    assert headers["cache-control"] == "public, max-age=0, must-revalidate"
    etag = headers["etag"]
    assert site.get(path, **{"if-none-match": etag})[0] == 304
    assert site.get(path, **{"if-none-match": '"other"'})[0] == 200
    if "last-modified" in headers:
        assert site.get(path, **{"if-modified-since": headers["last-modified"]})[0] == 304
    assert site.get(path)[1] == body


def test_story_pages_answer_304_to_revalidation(site: Site) -> None:
    entry = site.entries("zh")[-1]
    status, _, headers = site.get(entry.path)
    assert status == 200
    assert headers["last-modified"]
    assert site.get(entry.path, **{"if-none-match": headers["etag"]})[0] == 304
    assert site.get(entry.path, **{"if-modified-since": headers["last-modified"]})[0] == 304
    head = site.client.head(entry.path)
    assert head.status_code == 200
    assert head.content == b""


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/xx/", "/xx", "/EN/", "/en/news/abc", "/en/topic/nope", "/en/nothing", "/sitemap-xx.xml"],
)
def test_unknown_addresses_get_a_404_page(site: Site, path: str) -> None:
    status, body, headers = site.get(path)
    assert status == 404
    assert headers["content-type"].startswith("text/html")
    assert b"<main" in body


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-1",
        "page=0",
        "page=1e5",
        "page=%FF",
        "q=%FF%FE",
        "q=" + "a" * 300,
        "q=%00",
        "q=%22unbalanced",
        "q=NEAR(a b)",
        "q=*",
        "q=a%20OR%20b%20AND%20NOT",
        "q=%28%28%28",
        "q=' OR 1=1 --",
        "q=:",
        "q=language:en",
        "page=99999999999999999999999999",
        "q=x&page=99999999999999999999999999",
    ],
)
@pytest.mark.parametrize("page", ["/en/", "/en/search", "/ar/topic/11000000"])
def test_malformed_query_strings_get_400_or_an_empty_result(
    site: Site, page: str, query: str
) -> None:
    status, body, _ = site.get(f"{page}?{query}")
    assert status in (200, 400), (page, query, status)
    if status == 400:
        assert b"<h1" in body


def test_a_huge_page_number_is_an_empty_page(site: Site) -> None:
    for path in ("/en/?page=1000000", "/en/search?q=Baku&page=1000000"):
        status, body, _ = site.get(path)
        assert status == 200
        page = html.fromstring(body)
        assert not page.cssselect(".teaser")
        assert page.cssselect(".empty")


def test_unknown_query_parameters_share_the_cached_page(site: Site) -> None:
    status, body, headers = site.get("/en/")
    assert status == 200
    tracked = site.get("/en/?utm_source=newsletter&fbclid=abc")
    assert tracked[0] == 200
    assert tracked[2]["etag"] == headers["etag"]
    assert tracked[1] == body
    second = site.get("/en/?utm_source=x&page=2")
    assert second[2]["etag"] == site.get("/en/?page=2")[2]["etag"]
    assert second[2]["etag"] != headers["etag"]


# --- last: these change the demo --------------------------------------------------------------


def test_zz_released_embargo_appears_everywhere(site: Site) -> None:
    _, held = killed_and_embargoed(site)
    before = site.get("/en/rss.xml")[1]
    with site.database.write() as session:
        assert release_due_embargoes(
            session, utcnow() + timedelta(hours=demo_data.EMBARGO_HOURS + 1)
        )
    english = next(i for i in held if i.language == "en")
    # Written through another connection: the feed hub notices (NOTIFY on PostgreSQL, the
    # data_version watch on SQLite) and the cached pages go, well within a second.
    deadline = time.monotonic() + 1.0
    rss = before
    while english.uri.encode() not in rss and time.monotonic() < deadline:
        time.sleep(0.02)
        rss = site.get("/en/rss.xml")[1]
    assert rss != before
    assert english.uri.encode() in rss
    assert site.get(f"/en/news/{english.story_id}-x")[0] == 301
    assert re.search(rb"/news/%d-" % english.story_id, site.get("/en/")[1])
