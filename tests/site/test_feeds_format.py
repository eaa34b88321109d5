"""RSS 2.0 and Atom 1.0 feeds: real readers (feedparser), the RFC 4287 schema, hostile text.

Samples are written in all eight working languages. The Atom schema is read from
shared/standards beside the repository; the tests that need it skip when it is missing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from newswire.site.feeds import FeedEntry, FeedInfo, render_atom, render_rss
from tests.conftest import STANDARDS

Render = Callable[..., bytes]

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
MEDIATOPIC = "http://cv.iptc.org/newscodes/mediatopic/"
ATOM_SCHEMA = STANDARDS / "feeds" / "atom" / "atom-rfc4287.rng"
needs_schema = pytest.mark.skipif(
    not STANDARDS.is_dir(), reason="shared/standards (the Atom RELAX NG schema) is not present"
)

PUBLISHED = datetime(2026, 2, 19, 8, 0, tzinfo=UTC)
CORRECTED = datetime(2026, 2, 19, 11, 45, tzinfo=UTC)
POLITICS = "medtop:11000000"
ECONOMY = "medtop:04000000"

RSS_DATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$"
)
# The parser must never need `recover`: a feed it cannot read strictly is a broken feed.
STRICT = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class Sample:
    """The words of one language: a politics story and a corrected economy story."""

    title: str
    subtitle: str
    author: str
    dateline: str
    byline: str
    politics_headline: str
    politics_summary: str
    politics_quote: str
    economy_headline: str
    economy_summary: str
    correction: str
    politics_label: str
    economy_label: str


SAMPLES = {
    "az": Sample(
        title="AZƏRTAC — Siyasət",
        subtitle="Azərbaycan Dövlət İnformasiya Agentliyinin siyasi xəbərləri",
        author="AZƏRTAC",
        dateline="Bakı, 19 fevral, AZƏRTAC",
        byline="Günel Şirinova",
        politics_headline="Prezident İlham Əliyev Münxen Təhlükəsizlik Konfransında çıxış edib",
        politics_summary="Dövlət başçısı regional təhlükəsizlik və enerji əməkdaşlığı "
        "məsələlərinə toxunub.",
        politics_quote="Cənubi Qafqazda sülh gündəliyi dönməzdir, deyə Prezident bildirib.",
        economy_headline="Azərbaycanın qeyri-neft ixracı yanvarda 12 faiz artıb",
        economy_summary="Ən çox artım kənd təsərrüfatı məhsulları və kimya sənayesində qeydə "
        "alınıb.",
        correction="Düzəliş: ixracın ümumi həcmi dəqiqləşdirilib.",
        politics_label="siyasət",
        economy_label="iqtisadiyyat, biznes və maliyyə",
    ),
    "ru": Sample(
        title="АЗЕРТАДЖ — Политика",
        subtitle="Политические новости Азербайджанского государственного информационного агентства",
        author="АЗЕРТАДЖ",
        dateline="Баку, 19 февраля, АЗЕРТАДЖ",
        byline="Гюнель Ширинова",
        politics_headline="Президент Ильхам Алиев выступил на Мюнхенской конференции "
        "по безопасности",
        politics_summary="Глава государства затронул вопросы региональной безопасности "
        "и энергетического сотрудничества.",
        politics_quote="«Мирная повестка на Южном Кавказе необратима», — заявил Президент.",
        economy_headline="Ненефтяной экспорт Азербайджана в январе вырос на 12 процентов",
        economy_summary="Наибольший рост зафиксирован в сельском хозяйстве и химической "
        "промышленности.",
        correction="Исправление: уточнён общий объём экспорта.",
        politics_label="политика",
        economy_label="экономика, бизнес и финансы",
    ),
    "en": Sample(
        title="AZERTAC — Politics",
        subtitle="Political news from the Azerbaijan State News Agency",
        author="AZERTAC",
        dateline="Baku, February 19, AZERTAC",
        byline="Gunel Shirinova",
        politics_headline="President Ilham Aliyev addresses Munich Security Conference",
        politics_summary="The head of state spoke about regional security and energy cooperation.",
        politics_quote="“The peace agenda in the South Caucasus is irreversible,” the President "
        "said.",
        economy_headline="Azerbaijan's non-oil exports rise 12 percent in January",
        economy_summary="Agriculture & chemicals led the growth, customs data show.",
        correction="Correction: the total export volume has been revised.",
        politics_label="politics",
        economy_label="economy, business and finance",
    ),
    "fr": Sample(
        title="AZERTAC — Politique",
        subtitle="L'actualité politique de l'Agence d'information nationale d'Azerbaïdjan",
        author="AZERTAC",
        dateline="Bakou, 19 février, AZERTAC",
        byline="Gunel Chirinova",
        politics_headline="Le président Ilham Aliyev s'exprime à la Conférence de Munich "
        "sur la sécurité",
        politics_summary="Le chef de l'État a évoqué la sécurité régionale et la coopération "
        "énergétique.",
        politics_quote="« L'agenda de paix dans le Caucase du Sud est irréversible », a déclaré "
        "le président.",
        economy_headline="Les exportations non pétrolières de l'Azerbaïdjan progressent de 12 % "
        "en janvier",
        economy_summary="L'agriculture et la chimie tirent la hausse, selon les douanes.",
        correction="Rectificatif : le volume total des exportations a été corrigé.",
        politics_label="politique",
        economy_label="économie, affaires et finances",
    ),
    "de": Sample(
        title="AZERTAC — Politik",
        subtitle="Politische Nachrichten der Staatlichen Nachrichtenagentur Aserbaidschans",
        author="AZERTAC",
        dateline="Baku, 19. Februar, AZERTAC",
        byline="Günel Schirinowa",
        politics_headline="Präsident Ilham Alijew spricht auf der Münchner Sicherheitskonferenz",
        politics_summary="Das Staatsoberhaupt äußerte sich zur regionalen Sicherheit und "
        "zur Energiezusammenarbeit.",
        politics_quote="„Die Friedensagenda im Südkaukasus ist unumkehrbar“, sagte der Präsident.",
        economy_headline="Aserbaidschans Nicht-Öl-Exporte steigen im Januar um 12 Prozent",
        economy_summary="Landwirtschaft und Chemieindustrie trugen das Wachstum.",
        correction="Korrektur: Das Gesamtvolumen der Exporte wurde präzisiert.",
        politics_label="Politik",
        economy_label="Wirtschaft, Unternehmen und Finanzen",
    ),
    "es": Sample(
        title="AZERTAC — Política",
        subtitle="Noticias políticas de la Agencia Estatal de Noticias de Azerbaiyán",
        author="AZERTAC",
        dateline="Bakú, 19 de febrero, AZERTAC",
        byline="Gunel Shirínova",
        politics_headline="El presidente Ilham Aliyev interviene en la Conferencia de "
        "Seguridad de Múnich",
        politics_summary="El jefe de Estado abordó la seguridad regional y la cooperación "
        "energética.",
        politics_quote="«La agenda de paz en el Cáucaso Sur es irreversible», afirmó el "
        "presidente.",
        economy_headline="Las exportaciones no petroleras de Azerbaiyán crecen un 12 % en enero",
        economy_summary="La agricultura y la química lideraron el aumento, según Aduanas.",
        correction="Corrección: se ha precisado el volumen total de exportaciones.",
        politics_label="política",
        economy_label="economía, negocios y finanzas",
    ),
    "ar": Sample(
        title="أذرتاج — سياسة",
        subtitle="الأخبار السياسية لوكالة أنباء أذربيجان الحكومية",
        author="أذرتاج",
        dateline="باكو، 19 فبراير، أذرتاج",
        byline="كونول شيرينوفا",
        politics_headline="الرئيس إلهام علييف يلقي كلمة في مؤتمر ميونخ للأمن",
        politics_summary="تناول رئيس الدولة قضايا الأمن الإقليمي والتعاون في مجال الطاقة.",
        politics_quote="«إن أجندة السلام في جنوب القوقاز لا رجعة فيها»، قال الرئيس.",
        economy_headline="صادرات أذربيجان غير النفطية ترتفع بنسبة 12 في المئة في يناير",
        economy_summary="تصدرت الزراعة والصناعات الكيميائية النمو، وفق بيانات الجمارك.",
        correction="تصحيح: تم تدقيق الحجم الإجمالي للصادرات.",
        politics_label="سياسة",
        economy_label="اقتصاد وأعمال ومال",
    ),
    "zh": Sample(
        title="阿塞拜疆国家通讯社 — 政治",
        subtitle="阿塞拜疆国家通讯社政治新闻",
        author="阿塞拜疆国家通讯社",
        dateline="巴库，2月19日，阿塞拜疆国家通讯社",
        byline="古内尔·希里诺娃",
        politics_headline="阿利耶夫总统在慕尼黑安全会议上发表讲话",
        politics_summary="国家元首谈及地区安全与能源合作问题。",
        politics_quote="总统表示：“南高加索的和平议程不可逆转。”",
        economy_headline="阿塞拜疆1月非石油出口增长12%",
        economy_summary="据海关数据，农业和化工行业增幅最大。",
        correction="更正：出口总额数据已核实。",
        politics_label="政治",
        economy_label="经济、商业和金融",
    ),
}
LANGUAGES = list(SAMPLES)
RSS_LANGUAGE = {**{code: code for code in LANGUAGES}, "zh": "zh-cn"}
ATOM_LANGUAGE = {**{code: code for code in LANGUAGES}, "zh": "zh-CN"}
FORMATS: dict[str, Render] = {"rss": render_rss, "atom": render_atom}


def make_info(language: str, **overrides: Any) -> FeedInfo:
    words = SAMPLES[language]
    base = f"https://azertac.az/{language}/"
    info = FeedInfo(
        title=words.title,
        subtitle=words.subtitle,
        language=language,
        site_url=base,
        self_url=f"{base}rss.xml",
        feed_id=f"{base}atom.xml",
        author=words.author,
        rights="© 2026 AZERTAC",
        updated=CORRECTED,
    )
    return replace(info, **overrides)


def make_entries(language: str) -> list[FeedEntry]:
    """A corrected economy story (newest first), then a politics story with a byline."""
    words = SAMPLES[language]
    base = f"https://azertac.az/{language}/news/"
    economy = FeedEntry(
        uri=f"urn:newsml:azertac.az:20260219:1002:{language}",
        url=f"{base}1002",
        headline=words.economy_headline,
        summary=words.economy_summary,
        body_html=f"<p>{html.escape(words.economy_summary)}</p>",
        byline=None,
        dateline=None,
        correction_note=words.correction,
        published=PUBLISHED + timedelta(hours=1),
        updated=CORRECTED,
        categories=((ECONOMY, words.economy_label),),
    )
    politics = FeedEntry(
        uri=f"urn:newsml:azertac.az:20260219:1001:{language}",
        url=f"{base}1001",
        headline=words.politics_headline,
        summary=words.politics_summary,
        body_html=(
            f"<p>{html.escape(words.politics_summary)}</p>"
            f"<blockquote><p>{html.escape(words.politics_quote)}</p></blockquote>"
        ),
        byline=words.byline,
        dateline=words.dateline,
        correction_note=None,
        published=PUBLISHED,
        updated=PUBLISHED,
        categories=((POLITICS, words.politics_label), (ECONOMY, words.economy_label)),
    )
    return [economy, politics]


def full_html(entry: FeedEntry) -> str:
    """What a full-text feed carries: dateline, body, correction."""
    head = f'<p class="dateline">{html.escape(entry.dateline)}</p>' if entry.dateline else ""
    tail = (
        f'<p class="correction">{html.escape(entry.correction_note)}</p>'
        if entry.correction_note
        else ""
    )
    return head + entry.body_html + tail


def is_xml_char(char: str) -> bool:
    """XML 1.0's Char production, written out independently of the module under test."""
    point = ord(char)
    return (
        point in (0x9, 0xA, 0xD)
        or 0x20 <= point <= 0xD7FF
        or 0xE000 <= point <= 0xFFFD
        or 0x10000 <= point <= 0x10FFFF
    )


def xml_text(text: str) -> str:
    return "".join(char for char in text if is_xml_char(char))


def as_utc(parsed: Any) -> datetime:
    return datetime(*parsed[:6], tzinfo=UTC)


def parse(document: bytes) -> etree._Element:
    return etree.fromstring(document, STRICT)


def read(document: bytes) -> Any:
    parsed = feedparser.parse(document)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


@pytest.fixture(scope="module")
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(ATOM_SCHEMA)))


def assert_valid_atom(schema: etree.RelaxNG, document: bytes) -> None:
    tree = parse(document)
    assert schema.validate(tree), schema.error_log


# -- real readers --


@pytest.mark.parametrize("full_text", [True, False], ids=["full", "summary"])
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_feedparser_reads_every_language(fmt: str, language: str, full_text: bool) -> None:
    entries = make_entries(language)
    parsed = read(FORMATS[fmt](make_info(language), entries, full_text=full_text))

    expected_language = RSS_LANGUAGE if fmt == "rss" else ATOM_LANGUAGE
    assert parsed.feed.language == expected_language[language]
    assert parsed.feed.title == SAMPLES[language].title
    assert parsed.feed.link == f"https://azertac.az/{language}/"
    assert parsed.feed.rights == "© 2026 AZERTAC"
    assert as_utc(parsed.feed.updated_parsed) == CORRECTED
    assert len(parsed.entries) == len(entries)
    for got, entry in zip(parsed.entries, entries, strict=True):
        assert got.id == entry.uri
        assert got.title == entry.headline
        assert got.link == entry.url
        assert got.summary == entry.summary
        assert as_utc(got.published_parsed) == entry.published
        if fmt == "rss":
            assert got.guidislink is False
        else:
            assert as_utc(got.updated_parsed) == entry.updated
            assert got.title_detail.language == ATOM_LANGUAGE[language]
        if full_text:
            assert [content.value for content in got.content] == [full_html(entry)]
        else:
            assert "content" not in got
        if fmt == "rss":
            tags = [(tag.term, tag.scheme) for tag in got.tags]
            assert tags == [(label, MEDIATOPIC) for _, label in entry.categories]
        else:
            tags = [(tag.term, tag.scheme, tag.label) for tag in got.tags]
            assert tags == [(code, MEDIATOPIC, label) for code, label in entry.categories]
        if entry.byline:
            assert got.author == entry.byline


@pytest.mark.parametrize("language", LANGUAGES)
def test_rss_items_carry_guid_byline_and_categories(language: str) -> None:
    entries = make_entries(language)
    channel = parse(render_rss(make_info(language), entries, full_text=True)).find("channel")
    assert channel is not None
    items = channel.findall("item")
    for item, entry in zip(items, entries, strict=True):
        guid = item.find("guid")
        assert guid is not None
        assert (guid.text, guid.get("isPermaLink")) == (entry.uri, "false")
        assert item.findtext(f"{DC}creator") == entry.byline
        categories = [(c.get("domain"), c.text) for c in item.findall("category")]
        assert categories == [(MEDIATOPIC, label) for _, label in entry.categories]
        assert item.find(f"{ATOM}updated") is None  # RSS items keep one date: pubDate


@pytest.mark.parametrize("language", LANGUAGES)
def test_atom_entries_carry_links_authors_and_categories(language: str) -> None:
    entries = make_entries(language)
    feed = parse(render_atom(make_info(language), entries, full_text=True))
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == ATOM_LANGUAGE[language]
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == SAMPLES[language].author
    links = {link.get("rel"): link.attrib for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == {
        "rel": "self",
        "type": "application/atom+xml",
        "href": f"https://azertac.az/{language}/rss.xml",
    }
    assert links["alternate"]["href"] == f"https://azertac.az/{language}/"
    for node, entry in zip(feed.findall(f"{ATOM}entry"), entries, strict=True):
        link = node.find(f"{ATOM}link")
        assert link is not None
        assert dict(link.attrib) == {"rel": "alternate", "type": "text/html", "href": entry.url}
        authors = [name.text for name in node.findall(f"{ATOM}author/{ATOM}name")]
        assert authors == ([entry.byline] if entry.byline else [])
        categories = [dict(c.attrib) for c in node.findall(f"{ATOM}category")]
        assert categories == [
            {"term": code, "scheme": MEDIATOPIC, "label": label} for code, label in entry.categories
        ]
        summary = node.find(f"{ATOM}summary")
        assert summary is not None
        assert summary.get("type") == "text"
        content = node.find(f"{ATOM}content")
        assert content is not None
        assert (content.get("type"), content.text) == ("html", full_html(entry))


def test_rss_channel_metadata() -> None:
    channel = parse(render_rss(make_info("en"), make_entries("en"), full_text=False)).find(
        "channel"
    )
    assert channel is not None
    assert channel.findtext("description") == SAMPLES["en"].subtitle
    assert channel.findtext("copyright") == "© 2026 AZERTAC"
    assert channel.findtext("generator") == "newswire"
    assert channel.findtext("docs") == "https://www.rssboard.org/rss-specification"
    self_link = channel.find(f"{ATOM}link")
    assert self_link is not None
    assert dict(self_link.attrib) == {
        "rel": "self",
        "type": "application/rss+xml",
        "href": "https://azertac.az/en/rss.xml",
    }


def test_full_text_frames_body_with_dateline_and_correction() -> None:
    entry = replace(
        make_entries("az")[1], dateline="Bakı & <Gəncə>", correction_note="Düzəliş: <b>adı</b>"
    )
    item = parse(render_rss(make_info("az"), [entry], full_text=True)).find("channel/item")
    assert item is not None
    assert item.findtext(f"{CONTENT}encoded") == (
        '<p class="dateline">Bakı &amp; &lt;Gəncə&gt;</p>'
        + entry.body_html
        + '<p class="correction">Düzəliş: &lt;b&gt;adı&lt;/b&gt;</p>'
    )


# -- the Atom schema --


@needs_schema
@pytest.mark.parametrize("full_text", [True, False], ids=["full", "summary"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_atom_validates_against_rfc4287_schema(
    atom_schema: etree.RelaxNG, language: str, full_text: bool
) -> None:
    document = render_atom(make_info(language), make_entries(language), full_text=full_text)
    assert_valid_atom(atom_schema, document)


# -- empty feeds --


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_empty_feed_parses(fmt: str) -> None:
    parsed = read(FORMATS[fmt](make_info("fr"), [], full_text=True))
    assert parsed.entries == []
    assert parsed.feed.title == SAMPLES["fr"].title
    assert as_utc(parsed.feed.updated_parsed) == CORRECTED


def test_empty_rss_has_required_channel_elements() -> None:
    root = parse(render_rss(make_info("de"), [], full_text=False))
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    assert [channel.findtext(name) for name in ("title", "link", "description")] == [
        SAMPLES["de"].title,
        "https://azertac.az/de/",
        SAMPLES["de"].subtitle,
    ]
    assert channel.findall("item") == []


@needs_schema
def test_empty_atom_is_valid(atom_schema: etree.RelaxNG) -> None:
    assert_valid_atom(atom_schema, render_atom(make_info("ar"), [], full_text=False))


# -- dates --


@pytest.mark.parametrize("language", LANGUAGES)
def test_rss_dates_are_rfc822_with_four_digit_year(language: str) -> None:
    channel = parse(render_rss(make_info(language), make_entries(language), full_text=False))
    dates = [channel.findtext("channel/lastBuildDate")]
    dates += [item.findtext("pubDate") for item in channel.iterfind("channel/item")]
    assert len(dates) == 3
    for date in dates:
        assert date is not None
        assert RSS_DATE.match(date), date
    assert dates[0] == "Thu, 19 Feb 2026 11:45:00 +0000"


def test_early_years_keep_four_digits() -> None:
    early = datetime(987, 3, 4, 5, 6, 7, tzinfo=UTC)
    entry = replace(make_entries("en")[1], published=early, updated=early)
    rss = parse(render_rss(make_info("en", updated=early), [entry], full_text=False))
    assert rss.findtext("channel/item/pubDate") == "Sun, 04 Mar 0987 05:06:07 +0000"
    atom = parse(render_atom(make_info("en", updated=early), [entry], full_text=False))
    assert atom.findtext(f"{ATOM}updated") == "0987-03-04T05:06:07Z"


def test_naive_and_offset_datetimes_are_rendered_in_utc() -> None:
    baku = timezone(timedelta(hours=4))
    aware = make_entries("az")[1]
    # Naive on purpose: the renderers must read a datetime without tzinfo as UTC.
    naive = replace(
        aware,
        published=aware.published.replace(tzinfo=None),
        updated=aware.updated.replace(tzinfo=None),
    )
    local = replace(
        aware,
        published=datetime(2026, 2, 19, 12, 0, 0, 250_000, tzinfo=baku),
        updated=datetime(2026, 2, 19, 12, 0, tzinfo=baku),
    )
    for render in FORMATS.values():
        expected = render(make_info("az"), [aware], full_text=True)
        assert render(make_info("az"), [naive], full_text=True) == expected
        assert render(make_info("az"), [local], full_text=True) == expected
    atom = parse(render_atom(make_info("az"), [local], full_text=False))
    assert atom.findtext(f"{ATOM}entry/{ATOM}published") == "2026-02-19T08:00:00Z"


# -- hostile text --

CONTROL = "\x00\x01\x08\x0b\x0c\x0e\x1f\ud800\udfff\ufffe\uffff"


def hostile_entry() -> FeedEntry:
    return FeedEntry(
        uri=f"urn:newsml:azertac.az:20260219:666:{CONTROL}en",
        url="https://azertac.az/en/news/666?a=1&b=2",
        headline=f'<script>alert("x")</script> Tom & Jerry ]]> {CONTROL}<![CDATA[end',
        summary=f"<b>bold</b> &amp; ]]>{CONTROL} &#x0;",
        body_html=f'<p>A ]]> B</p><script>alert(1)</script>{CONTROL}<img src="x" onerror="y">',
        byline=f"O'Brien & <Co>{CONTROL}",
        dateline=f"<b>Bakı</b> & ]]>{CONTROL}",
        correction_note=f"</p><script>x</script>{CONTROL}",
        published=PUBLISHED,
        updated=CORRECTED,
        categories=((f"medtop:<1>&{CONTROL}", f'a & "b" <c>{CONTROL}'),),
    )


def hostile_info() -> FeedInfo:
    return make_info(
        "en",
        title=f"<i>AZERTAC</i> & co ]]>{CONTROL}",
        subtitle=f"\x07sub & <sub>{CONTROL}",
        author=f"A & <B>{CONTROL}",
        rights=f"© <2026>{CONTROL}",
        self_url=f'https://azertac.az/en/rss.xml?x="1"&y=<2>{CONTROL}',
    )


@pytest.mark.parametrize("full_text", [True, False], ids=["full", "summary"])
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_hostile_text_round_trips_as_text(fmt: str, full_text: bool) -> None:
    entry = hostile_entry()
    document = FORMATS[fmt](hostile_info(), [entry], full_text=full_text)
    root = parse(document)  # well-formed, or this raises

    # No live markup: every "<" from the input arrives escaped.
    assert b"<script" not in document
    assert b"<b>" not in document
    assert b"<![CDATA[" not in document
    if fmt == "rss":
        title = root.findtext("channel/item/title")
        summary = root.findtext("channel/item/description")
        assert root.findtext("channel/title") == xml_text(hostile_info().title)
    else:
        title = root.findtext(f"{ATOM}entry/{ATOM}title")
        summary = root.findtext(f"{ATOM}entry/{ATOM}summary")
        assert root.findtext(f"{ATOM}title") == xml_text(hostile_info().title)
    assert title == xml_text(entry.headline)
    assert summary == xml_text(entry.summary)

    parsed = read(document)
    assert parsed.entries[0].title == xml_text(entry.headline)
    assert parsed.entries[0].id == xml_text(entry.uri)
    assert parsed.feed.title == xml_text(hostile_info().title)


@needs_schema
def test_hostile_atom_is_valid(atom_schema: etree.RelaxNG) -> None:
    assert_valid_atom(atom_schema, render_atom(hostile_info(), [hostile_entry()], full_text=True))


def test_hostile_full_text_is_escaped_html() -> None:
    entry = hostile_entry()
    root = parse(render_rss(hostile_info(), [entry], full_text=True))
    encoded = root.findtext(f"channel/item/{CONTENT}encoded")
    assert encoded == xml_text(full_html(entry))
    assert encoded is not None
    assert encoded.startswith('<p class="dateline">&lt;b&gt;Bakı&lt;/b&gt; &amp; ]]&gt;</p>')
    assert encoded.endswith('<p class="correction">&lt;/p&gt;&lt;script&gt;x&lt;/script&gt;</p>')


# -- size --


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_fifty_long_entries(fmt: str) -> None:
    words = " ".join(["Azərbaycan", "iqtisadiyyatı", "ötən", "il", "artıb."] * 120)
    template = make_entries("az")[1]
    entries = [
        replace(
            template,
            uri=f"urn:newsml:azertac.az:20260219:{n}:az",
            url=f"https://azertac.az/az/news/{n}",
            body_html=f"<p>{words}</p>",
            published=PUBLISHED - timedelta(minutes=n),
        )
        for n in range(50)
    ]
    parsed = read(FORMATS[fmt](make_info("az"), entries, full_text=True))
    assert [entry.id for entry in parsed.entries] == [entry.uri for entry in entries]


# -- arbitrary text --

_ANY_CHAR = st.one_of(
    st.characters(exclude_categories=()),
    st.characters(categories=["Cc", "Cs"]),
    st.sampled_from(list("<>&]\"'\r\ufffe\uffff")),
)
_ANY_TEXT = st.text(alphabet=_ANY_CHAR, max_size=40)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headline=_ANY_TEXT, summary=_ANY_TEXT, body=_ANY_TEXT, byline=_ANY_TEXT)
def test_arbitrary_text_never_breaks_xml(
    headline: str, summary: str, body: str, byline: str
) -> None:
    entry = replace(
        make_entries("zh")[1],
        headline=headline,
        summary=summary,
        body_html=body,
        byline=byline or None,
        dateline=byline or None,
        correction_note=summary or None,
    )
    rss = parse(render_rss(make_info("zh"), [entry], full_text=True))
    assert rss.findtext("channel/item/title") == xml_text(headline)
    assert rss.findtext("channel/item/description") == xml_text(summary)
    atom = parse(render_atom(make_info("zh"), [entry], full_text=True))
    assert atom.findtext(f"{ATOM}entry/{ATOM}title") == xml_text(headline)
    assert atom.findtext(f"{ATOM}entry/{ATOM}summary") == xml_text(summary)
