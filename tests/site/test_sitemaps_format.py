"""The sitemap documents: valid against the sitemaps.org and Google News schemas, in every language.

The schemas are read from shared/standards beside the repository; tests that need them skip
themselves when that folder is missing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml import etree

from newswire.site.sitemaps import (
    MAX_URLS,
    NewsUrl,
    SitemapRef,
    SitemapUrl,
    google_news_language,
    render_index,
    render_news,
    render_urlset,
)
from tests.conftest import SHORT_NAMES, STANDARDS

SCHEMAS = STANDARDS / "feeds" / "sitemaps"
needs_schemas = pytest.mark.skipif(
    not STANDARDS.is_dir(), reason=f"sitemap schemas not found: {STANDARDS} is missing"
)

SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
NS = {"sm": SM, "news": NEWS, "xhtml": XHTML}

SITE = "https://azertac.example"
PUBLISHED = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
PUBLISHED_W3C = "2026-11-27T08:00:00+00:00"

# One story in the eight working languages, as its translators would headline it.
HEADLINES = {
    "az": "Şəkidə ipək festivalı başladı: ağacların kölgəsində yüzlərlə qonaq",
    "ru": "В Шеки открылся фестиваль шёлка",
    "en": "Silk festival opens in Sheki",
    "fr": "Le festival de la soie s'ouvre à Cheki",
    "de": "Seidenfestival in Scheki eröffnet",
    "es": "Se inaugura en Sheki el festival de la seda",
    "ar": "افتتاح مهرجان الحرير في شكي بمشاركة مئات الضيوف",
    "zh": "舍基丝绸节开幕，数百名宾客到场",
}
LANGUAGES = tuple(HEADLINES)
GOOGLE_LANGUAGES = {code: code for code in LANGUAGES} | {"zh": "zh-cn"}


def story_url(language: str, slug: str) -> str:
    return f"{SITE}/{language}/news/{slug}"


def news_urls() -> list[NewsUrl]:
    return [
        NewsUrl(
            loc=story_url(language, "sheki-silk-festival"),
            publication_name=SHORT_NAMES[language],
            language=language,
            published=PUBLISHED + timedelta(minutes=index),
            title=headline,
        )
        for index, (language, headline) in enumerate(HEADLINES.items())
    ]


def language_versions(slug: str, languages: tuple[str, ...], default: str) -> list[SitemapUrl]:
    """Every language version of one story, each listing all of them and x-default.

    hreflang for Chinese is given as "zh-Hans" to show the renderer writes the caller's value.
    """
    hreflang = {code: "zh-Hans" if code == "zh" else code for code in languages}
    if len(languages) == 1:
        alternates: tuple[tuple[str, str], ...] = ()
    else:
        alternates = (
            *((hreflang[code], story_url(code, slug)) for code in languages),
            ("x-default", story_url(default, slug)),
        )
    return [
        SitemapUrl(loc=story_url(code, slug), lastmod=PUBLISHED, alternates=alternates)
        for code in languages
    ]


def parse(document: bytes) -> etree._Element:
    return etree.fromstring(document)


def schema(name: str) -> etree.XMLSchema:
    # Parsed by path so the wrapper's relative xsd:import locations resolve.
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def assert_valid(document: bytes | etree._Element, name: str) -> None:
    tree = parse(document) if isinstance(document, bytes) else document
    validator = schema(name)
    assert validator.validate(tree), validator.error_log


# --- Google News sitemap ----------------------------------------------------------------------


@needs_schemas
def test_news_sitemap_in_eight_languages_is_valid() -> None:
    assert_valid(render_news(news_urls()), "news-sitemap-wrapper.xsd")


def test_news_sitemap_carries_each_language_in_googles_code() -> None:
    root = parse(render_news(news_urls()))

    languages = {
        url.findtext("sm:loc", namespaces=NS): url.findtext(
            "news:news/news:publication/news:language", namespaces=NS
        )
        for url in root.iterfind("sm:url", NS)
    }

    assert languages == {
        story_url(code, "sheki-silk-festival"): google for code, google in GOOGLE_LANGUAGES.items()
    }
    assert languages[story_url("zh", "sheki-silk-festival")] == "zh-cn"


def test_news_sitemap_keeps_titles_names_and_dates_exactly() -> None:
    root = parse(render_news(news_urls()))

    urls = root.findall("sm:url", NS)
    assert [url.findtext("news:news/news:title", namespaces=NS) for url in urls] == list(
        HEADLINES.values()
    )
    assert [
        url.findtext("news:news/news:publication/news:name", namespaces=NS) for url in urls
    ] == [SHORT_NAMES[code] for code in LANGUAGES]
    assert urls[0].findtext("news:news/news:publication_date", namespaces=NS) == PUBLISHED_W3C
    assert (
        urls[-1].findtext("news:news/news:publication_date", namespaces=NS)
        == "2026-11-27T08:07:00+00:00"
    )


def test_news_sitemap_follows_googles_element_order() -> None:
    url = parse(render_news(news_urls()[:1])).find("sm:url", NS)
    assert url is not None

    def names(element: etree._Element) -> list[str]:
        return [etree.QName(child).localname for child in element]

    news = url.find("news:news", NS)
    assert news is not None
    assert names(url) == ["loc", "news"]
    assert names(news) == ["publication", "publication_date", "title"]
    assert names(news[0]) == ["name", "language"]


def test_documents_are_utf8_with_a_declaration() -> None:
    document = render_news(news_urls())

    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    # Written as UTF-8 text, not as character references a reader would have to decode.
    assert HEADLINES["zh"].encode() in document
    assert HEADLINES["az"].encode() in document
    assert HEADLINES["ar"].encode() in document


def test_times_are_written_in_utc_and_naive_times_are_refused() -> None:
    baku = timezone(timedelta(hours=4))
    url = NewsUrl(
        loc=story_url("az", "x"),
        publication_name="AZƏRTAC",
        language="az",
        published=datetime(2026, 11, 27, 12, 0, 30, 123456, tzinfo=baku),
        title="Bakı",
    )

    date = parse(render_news([url])).findtext(".//news:publication_date", namespaces=NS)

    assert date == "2026-11-27T08:00:30+00:00"
    with pytest.raises(ValueError, match="timezone-aware"):
        render_news([NewsUrl(url.loc, "AZƏRTAC", "az", datetime(2026, 11, 27, 8, 0), "Bakı")])  # noqa: DTZ001


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("az", "az"),
        ("ru", "ru"),
        ("en", "en"),
        ("fr", "fr"),
        ("de", "de"),
        ("es", "es"),
        ("ar", "ar"),
        ("zh", "zh-cn"),
        ("zh-CN", "zh-cn"),
        ("zh-Hans", "zh-cn"),
        ("zh-Hans-CN", "zh-cn"),
        ("zh_CN", "zh-cn"),
        ("zh-TW", "zh-tw"),
        ("zh-Hant", "zh-tw"),
        ("zh-Hant-TW", "zh-tw"),
        ("zh-HK", "zh-tw"),
        ("pt-BR", "pt"),
        ("az-Latn-AZ", "az"),
        ("EN", "en"),
        ("fil", "fil"),
    ],
)
def test_google_news_language(code: str, expected: str) -> None:
    assert google_news_language(code) == expected


@pytest.mark.parametrize("code", ["", "x-default", "english", "1a"])
def test_google_news_language_refuses_what_google_would_reject(code: str) -> None:
    with pytest.raises(ValueError, match="Google News"):
        google_news_language(code)


# --- Hostile text -----------------------------------------------------------------------------

HOSTILE = "Tom & Jerry <b>live</b> ]]> \x00\x07\x1b\ud800\ufffe\uffff\tend"
HOSTILE_CLEAN = "Tom & Jerry <b>live</b> ]]> \tend"
HOSTILE_LOC = f"{SITE}/en/search?q=silk&page=2"


def test_hostile_text_gives_well_formed_xml_with_the_text_kept() -> None:
    url = NewsUrl(HOSTILE_LOC, "AZERTAC \x0b& Co", "en", PUBLISHED, HOSTILE)

    document = render_news([url])
    root = parse(document)  # raises if the document is not well-formed

    assert root.findtext(".//news:title", namespaces=NS) == HOSTILE_CLEAN
    assert root.findtext(".//news:name", namespaces=NS) == "AZERTAC & Co"
    assert root.findtext("sm:url/sm:loc", namespaces=NS) == HOSTILE_LOC
    assert b"&amp;page=2" in document
    assert b"<b>" not in document


@needs_schemas
def test_hostile_news_sitemap_is_still_valid() -> None:
    url = NewsUrl(HOSTILE_LOC, "AZERTAC \x0b& Co", "en", PUBLISHED, HOSTILE)
    assert_valid(render_news([url]), "news-sitemap-wrapper.xsd")


def test_hostile_text_in_urlset_and_index_is_cleaned() -> None:
    alternates = (("en\x00", HOSTILE_LOC + "\x1f"), ("x-default", HOSTILE_LOC))

    urlset = parse(render_urlset([SitemapUrl(HOSTILE_LOC + "\x01", PUBLISHED, alternates)]))
    index = parse(render_index([SitemapRef(HOSTILE_LOC + "\ufffe", None)]))

    assert urlset.findtext("sm:url/sm:loc", namespaces=NS) == HOSTILE_LOC
    links = urlset.iter(f"{{{XHTML}}}link")
    assert [(link.get("hreflang"), link.get("href")) for link in links] == [
        ("en", HOSTILE_LOC),
        ("x-default", HOSTILE_LOC),
    ]
    assert index.findtext("sm:sitemap/sm:loc", namespaces=NS) == HOSTILE_LOC


# --- Sitemap index ----------------------------------------------------------------------------


def index_refs() -> list[SitemapRef]:
    return [
        *(
            SitemapRef(f"{SITE}/sitemaps/{code}-1.xml", PUBLISHED + timedelta(hours=1))
            for code in LANGUAGES
        ),
        SitemapRef(f"{SITE}/sitemaps/news.xml", None),
    ]


@needs_schemas
def test_sitemap_index_is_valid() -> None:
    assert_valid(render_index(index_refs()), "siteindex.xsd")


def test_sitemap_index_lists_every_file_and_omits_unknown_lastmod() -> None:
    root = parse(render_index(index_refs()))

    assert root.tag == f"{{{SM}}}sitemapindex"
    entries = [
        (sitemap.findtext("sm:loc", namespaces=NS), sitemap.findtext("sm:lastmod", namespaces=NS))
        for sitemap in root.iterfind("sm:sitemap", NS)
    ]
    assert entries == [
        *((f"{SITE}/sitemaps/{code}-1.xml", "2026-11-27T09:00:00+00:00") for code in LANGUAGES),
        (f"{SITE}/sitemaps/news.xml", None),
    ]
    news = root.findall("sm:sitemap", NS)[-1]
    assert news.find("sm:lastmod", NS) is None


# --- Urlsets with hreflang alternates -----------------------------------------------------------


def story_urls() -> list[SitemapUrl]:
    """Two stories in all eight languages, one in three, and one in Azerbaijani only."""
    return [
        *language_versions("sheki-silk-festival", LANGUAGES, "az"),
        *language_versions("caspian-ports", LANGUAGES, "en"),
        *language_versions("baku-marathon", ("az", "ru", "en"), "az"),
        *language_versions("local-council", ("az",), "az"),
    ]


@needs_schemas
def test_urlset_without_alternates_is_valid() -> None:
    urls = [
        SitemapUrl(story_url(code, "local-council"), PUBLISHED + timedelta(days=day))
        for day, code in enumerate(LANGUAGES)
    ]
    document = render_urlset(urls)

    assert_valid(document, "sitemap.xsd")
    assert [loc.text for loc in parse(document).iterfind("sm:url/sm:loc", NS)] == [
        url.loc for url in urls
    ]


def alternates_by_loc(root: etree._Element) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for url in root.iterfind("sm:url", NS):
        links = url.findall("xhtml:link", NS)
        assert all(link.get("rel") == "alternate" for link in links)
        found[url.findtext("sm:loc", default="", namespaces=NS)] = {
            (link.get("hreflang", ""), link.get("href", "")) for link in links
        }
    return found


def test_urlset_declares_the_xhtml_namespace_once_on_the_root() -> None:
    document = render_urlset(story_urls())
    root = parse(document)

    assert root.tag == f"{{{SM}}}urlset"
    assert root.nsmap == {None: SM, "xhtml": XHTML}
    assert document.count(XHTML.encode()) == 1


def test_urlset_writes_every_alternate_as_given() -> None:
    urls = story_urls()

    found = alternates_by_loc(parse(render_urlset(urls)))

    assert found == {url.loc: set(url.alternates) for url in urls}
    # The caller's hreflang is written unchanged: no mapping of "zh-Hans" to anything else.
    assert ("zh-Hans", story_url("zh", "caspian-ports")) in found[story_url("en", "caspian-ports")]


def test_urlset_lastmod_is_a_w3c_datetime() -> None:
    root = parse(render_urlset(story_urls()))
    assert {lastmod.text for lastmod in root.iterfind("sm:url/sm:lastmod", NS)} == {PUBLISHED_W3C}


def test_language_versions_list_each_other_completely_and_reciprocally() -> None:
    found = alternates_by_loc(parse(render_urlset(story_urls())))

    for loc, links in found.items():
        if not links:  # a story in one language has nothing to point to
            assert loc == story_url("az", "local-council")
            continue
        targets = {href for hreflang, href in links if hreflang != "x-default"}
        hreflangs = [hreflang for hreflang, _ in links]
        assert loc in targets, f"{loc} does not list itself"
        assert hreflangs.count("x-default") == 1, f"{loc} needs exactly one x-default"
        assert len(set(hreflangs)) == len(hreflangs), f"{loc} repeats an hreflang"
        for target in targets:
            assert found[target] == links, f"{target} and {loc} disagree on their versions"

    assert {hreflang for hreflang, _ in found[story_url("ar", "sheki-silk-festival")]} == {
        "az", "ru", "en", "fr", "de", "es", "ar", "zh-Hans", "x-default",
    }  # fmt: skip
    assert {hreflang for hreflang, _ in found[story_url("ru", "baku-marathon")]} == {
        "az", "ru", "en", "x-default",
    }  # fmt: skip


@needs_schemas
def test_urlset_without_its_xhtml_links_is_valid() -> None:
    # sitemap.xsd admits foreign elements only under processContents="strict", and no XHTML
    # schema is available, so the links themselves are checked structurally above.
    root = parse(render_urlset(story_urls()))
    links = list(root.iter(f"{{{XHTML}}}link"))
    assert len(links) == 2 * 8 * 9 + 3 * 4

    for link in links:
        parent = link.getparent()
        assert parent is not None
        parent.remove(link)

    assert_valid(root, "sitemap.xsd")


# --- Size ---------------------------------------------------------------------------------------


def test_a_full_news_sitemap_renders() -> None:
    # The protocol's limit per file: the renderer must cope with it in one go.
    urls = [
        NewsUrl(story_url("zh", f"story-{n}"), "AZERTAC", "zh", PUBLISHED, HEADLINES["zh"])
        for n in range(MAX_URLS)
    ]

    root = parse(render_news(urls))

    assert len(root) == MAX_URLS
    assert root[-1].findtext("sm:loc", namespaces=NS) == story_url("zh", f"story-{MAX_URLS - 1}")
