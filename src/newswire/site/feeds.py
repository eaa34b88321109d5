"""RSS 2.0 and Atom 1.0 feeds of public entries, rendered with lxml.

Both renderers take the same `FeedInfo` and `FeedEntry` values and return a UTF-8 document with
an XML declaration. Every text passes through `xml_safe` first, which drops the characters XML 1.0
forbids, so no headline or body can make a feed that readers refuse. Full text (the body HTML,
with the dateline before it and any correction note after it) goes in only when `full_text`
is true; otherwise readers get the plain-text summary alone.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from lxml import etree

from newswire.formats.bodytext import xml_safe

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

GENERATOR = "newswire"
RSS_DOCS = "https://www.rssboard.org/rss-specification"
MEDIATOPIC_SCHEME = "http://cv.iptc.org/newscodes/mediatopic/"

# Our BCP 47 codes are mostly usable as they are; RSS readers (RFC 1766 style, lower case) and
# Atom's xml:lang expect a region for Chinese, since "zh" alone does not say which script.
_RSS_LANGUAGES = {"zh": "zh-cn"}
_ATOM_LANGUAGES = {"zh": "zh-CN"}

# Everything outside XML 1.0's Char production: C0 controls except tab, LF and CR, lone
# surrogates (Python strings can hold them; lxml cannot encode them), U+FFFE and U+FFFF.


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """The feed as a whole."""

    title: str  # e.g. "AZERTAC — Politics"
    subtitle: str  # one line describing the feed, in the feed's language
    language: str  # our BCP 47 code: "az", "zh", "ar", ...
    site_url: str  # absolute URL of the matching HTML page, e.g. https://azertac.az/en/
    self_url: str  # absolute URL of this feed document
    feed_id: str  # Atom id: a stable IRI (we pass the self URL of the Atom feed)
    author: str  # the agency's name in the feed's language
    rights: str  # e.g. "© 2026 AZERTAC"
    updated: datetime  # aware UTC: the newest entry's `updated`, or a fixed time when empty


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One published language version."""

    uri: str  # item URI (urn:newsml:...): RSS guid isPermaLink="false", Atom id
    url: str  # absolute URL of the story page
    headline: str  # plain text
    summary: str  # plain text
    body_html: str  # sanitised HTML of the full body
    byline: str | None
    dateline: str | None  # plain text, e.g. "Bakou, 19 février, AZERTAC"
    correction_note: str | None  # plain text; set when the latest version is a correction
    published: datetime  # aware UTC: first publication
    updated: datetime  # aware UTC: latest version
    categories: tuple[tuple[str, str], ...] = ()  # (Media Topic qcode, label in the language)


def render_rss(info: FeedInfo, entries: Sequence[FeedEntry], *, full_text: bool) -> bytes:
    """An RSS 2.0 channel with the content, Dublin Core and Atom (self link) extensions."""
    rss = etree.Element("rss", nsmap={"atom": ATOM_NS, "content": CONTENT_NS, "dc": DC_NS})
    rss.set("version", "2.0")
    channel = etree.SubElement(rss, "channel")
    _text(channel, "title", info.title)
    _text(channel, "link", info.site_url)
    _text(channel, "description", info.subtitle)
    _text(channel, "language", _RSS_LANGUAGES.get(info.language, info.language))
    _text(channel, "copyright", info.rights)
    _text(channel, "lastBuildDate", _rfc822(info.updated))
    _text(channel, "generator", GENERATOR)
    _text(channel, "docs", RSS_DOCS)
    _attrs(
        channel,
        f"{{{ATOM_NS}}}link",
        rel="self",
        type="application/rss+xml",
        href=info.self_url,
    )
    for entry in entries:
        item = etree.SubElement(channel, "item")
        _text(item, "title", entry.headline)
        _text(item, "link", entry.url)
        # The URN is stable across corrections but is not a URL, hence not a permalink.
        _text(item, "guid", entry.uri).set("isPermaLink", "false")
        # RSS has one date per item: first publication; a correction shows in the text itself.
        _text(item, "pubDate", _rfc822(entry.published))
        _text(item, "description", entry.summary)
        if full_text:
            _text(item, f"{{{CONTENT_NS}}}encoded", _full_html(entry))
        if entry.byline:
            _text(item, f"{{{DC_NS}}}creator", entry.byline)
        for code, label in entry.categories:
            _text(item, "category", label or code).set("domain", MEDIATOPIC_SCHEME)
    return _serialise(rss)


def render_atom(info: FeedInfo, entries: Sequence[FeedEntry], *, full_text: bool) -> bytes:
    """An Atom 1.0 feed (RFC 4287) whose xml:lang covers every entry."""
    # lxml-stubs types nsmap keys as str, but None is lxml's documented default-namespace key.
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})  # type: ignore[dict-item]
    feed.set(XML_LANG, xml_safe(_ATOM_LANGUAGES.get(info.language, info.language)))
    _atom(feed, "id", info.feed_id)
    _atom(feed, "title", info.title).set("type", "text")
    _atom(feed, "subtitle", info.subtitle).set("type", "text")
    _atom(feed, "updated", _rfc3339(info.updated))
    _attrs(feed, f"{{{ATOM_NS}}}link", rel="self", type="application/atom+xml", href=info.self_url)
    _attrs(feed, f"{{{ATOM_NS}}}link", rel="alternate", type="text/html", href=info.site_url)
    # A feed-level author means entries without a byline still satisfy RFC 4287's author rule.
    _atom(etree.SubElement(feed, f"{{{ATOM_NS}}}author"), "name", info.author)
    _atom(feed, "rights", info.rights).set("type", "text")
    _atom(feed, "generator", GENERATOR)
    for entry in entries:
        node = etree.SubElement(feed, f"{{{ATOM_NS}}}entry")
        _atom(node, "id", entry.uri)
        _atom(node, "title", entry.headline).set("type", "text")
        _attrs(node, f"{{{ATOM_NS}}}link", rel="alternate", type="text/html", href=entry.url)
        _atom(node, "published", _rfc3339(entry.published))
        _atom(node, "updated", _rfc3339(entry.updated))
        if entry.byline:
            _atom(etree.SubElement(node, f"{{{ATOM_NS}}}author"), "name", entry.byline)
        _atom(node, "summary", entry.summary).set("type", "text")
        if full_text:
            _atom(node, "content", _full_html(entry)).set("type", "html")
        for code, label in entry.categories:
            category = _attrs(node, f"{{{ATOM_NS}}}category", term=code, scheme=MEDIATOPIC_SCHEME)
            if label:
                category.set("label", xml_safe(label))
    return _serialise(feed)


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    child = etree.SubElement(parent, tag)
    child.text = xml_safe(text)
    return child


def _atom(parent: etree._Element, name: str, text: str) -> etree._Element:
    return _text(parent, f"{{{ATOM_NS}}}{name}", text)


def _attrs(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    child = etree.SubElement(parent, tag)
    for key, value in attributes.items():
        child.set(key, xml_safe(value))
    return child


def _full_html(entry: FeedEntry) -> str:
    """The body HTML framed by the dateline and the correction note, both escaped plain text."""
    parts: list[str] = []
    if entry.dateline:
        parts.append(f'<p class="dateline">{html.escape(entry.dateline)}</p>')
    parts.append(entry.body_html)
    if entry.correction_note:
        parts.append(f'<p class="correction">{html.escape(entry.correction_note)}</p>')
    return "".join(parts)


def _utc(moment: datetime) -> datetime:
    """`moment` in UTC, whole seconds; naive values are taken to be UTC already."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    # Neither RSS nor our Atom readers need fractions, and RSS cannot carry them.
    return moment.astimezone(UTC).replace(microsecond=0)


def _rfc822(moment: datetime) -> str:
    # format_datetime gives a four-digit year and, for a UTC datetime, "+0000" (not "-0000").
    return format_datetime(_utc(moment))


def _rfc3339(moment: datetime) -> str:
    # isoformat pads years below 1000, which strftime("%Y") does not on every platform.
    return _utc(moment).replace(tzinfo=None).isoformat() + "Z"


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)
