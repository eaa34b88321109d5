"""Sitemaps: the index, one urlset per language with hreflang alternates, and Google News.

Each renderer returns one complete UTF-8 document, built with lxml so escaping is never done by
hand. Text that XML 1.0 cannot carry (control characters, lone surrogates) is dropped rather
than allowed to make a crawler reject the whole file; times are written in UTC to the second.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from lxml import etree

from newswire.formats.bodytext import xml_safe

MAX_URLS = 50_000  # per sitemap file, by the sitemaps.org protocol

_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_XHTML_NS = "http://www.w3.org/1999/xhtml"
_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"

_SM = f"{{{_SITEMAP_NS}}}"
_NEWS = f"{{{_NEWS_NS}}}"
_XHTML_LINK = f"{{{_XHTML_NS}}}link"

# What sitemap-news.xsd allows besides the two Chinese codes.
_ISO_639 = re.compile("[a-z]{2,3}")
# Regions whose Chinese is written in Traditional characters when no script subtag says so.
_TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})


@dataclass(frozen=True, slots=True)
class SitemapRef:
    loc: str  # absolute URL of a child sitemap
    lastmod: datetime | None  # aware UTC


@dataclass(frozen=True, slots=True)
class SitemapUrl:
    loc: str  # absolute URL of a story page
    lastmod: datetime  # aware UTC
    # (hreflang, absolute URL) for every published language version, this one included,
    # and ("x-default", URL); empty when the story has one language only.
    alternates: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class NewsUrl:
    loc: str
    publication_name: str  # the agency's name as Google News knows it, e.g. "AZERTAC"
    language: str  # our BCP 47 code ("zh"); rendered in the code Google accepts ("zh-cn")
    published: datetime  # aware UTC: first publication
    title: str


# Called once per URL with a handful of distinct codes; caching keeps 50,000 URLs cheap.
@lru_cache(maxsize=64)
def google_news_language(code: str) -> str:
    """The language code Google News accepts for our BCP 47 `code`.

    Google News takes ISO 639 codes (2 or 3 letters) for every language but Chinese, which it
    splits by script: "zh-cn" for Simplified, "zh-tw" for Traditional. A bare "zh" means
    Simplified, as it does for the agency. Raises ValueError when `code` has no ISO 639 primary
    subtag, rather than emit a value Google would reject.
    """
    subtags = code.strip().lower().replace("_", "-").split("-")
    primary = subtags[0]
    if not _ISO_639.fullmatch(primary):
        raise ValueError(f"not a language code Google News accepts: {code!r}")
    if primary != "zh":
        return primary
    rest = set(subtags[1:])
    if "hans" in rest:
        return "zh-cn"
    if "hant" in rest or rest & _TRADITIONAL_REGIONS:
        return "zh-tw"
    return "zh-cn"


def render_index(sitemaps: Sequence[SitemapRef]) -> bytes:
    """The sitemap index: one `<sitemap>` per child file, `<lastmod>` only where known."""
    root = _root("sitemapindex", {})
    for ref in sitemaps:
        entry = etree.SubElement(root, _SM + "sitemap")
        _text(entry, _SM + "loc", ref.loc)
        if ref.lastmod is not None:
            _text(entry, _SM + "lastmod", _w3c_datetime(ref.lastmod))
    return _serialize(root)


def render_urlset(urls: Sequence[SitemapUrl]) -> bytes:
    """A urlset of story pages, each language version listing its alternates.

    Alternates are `<xhtml:link rel="alternate" hreflang=... href=...>`, Google's documented
    way of declaring language versions in a sitemap; hreflang values are written as given.
    """
    root = _root("urlset", {"xhtml": _XHTML_NS})
    for url in urls:
        entry = etree.SubElement(root, _SM + "url")
        _text(entry, _SM + "loc", url.loc)
        _text(entry, _SM + "lastmod", _w3c_datetime(url.lastmod))
        for hreflang, href in url.alternates:
            etree.SubElement(
                entry,
                _XHTML_LINK,
                rel="alternate",
                hreflang=xml_safe(hreflang),
                href=xml_safe(href),
            )
    return _serialize(root)


def render_news(urls: Sequence[NewsUrl]) -> bytes:
    """A Google News sitemap: publication, language, first publication date and title."""
    root = _root("urlset", {"news": _NEWS_NS})
    for url in urls:
        entry = etree.SubElement(root, _SM + "url")
        _text(entry, _SM + "loc", url.loc)
        news = etree.SubElement(entry, _NEWS + "news")
        publication = etree.SubElement(news, _NEWS + "publication")
        _text(publication, _NEWS + "name", url.publication_name)
        _text(publication, _NEWS + "language", google_news_language(url.language))
        # Google asks for the original publication time, never the time of the latest edit.
        _text(news, _NEWS + "publication_date", _w3c_datetime(url.published))
        _text(news, _NEWS + "title", url.title)
    return _serialize(root)


def _w3c_datetime(moment: datetime) -> str:
    """`moment` in UTC as a W3C datetime to the second: "2026-11-27T08:00:00+00:00"."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time has no place in a sitemap: guessing its zone would shift it silently.
        raise ValueError(f"sitemap times must be timezone-aware: {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _root(local: str, prefixes: dict[str, str]) -> etree._Element:
    """A root in the sitemaps namespace as the default one, declaring `prefixes` on it."""
    # Declared once on the root so 50,000 children do not each repeat the namespaces.
    nsmap: dict[str | None, str] = {None: _SITEMAP_NS}
    nsmap.update(prefixes)
    # lxml-stubs types nsmap keys as str, but None is lxml's documented default-namespace key.
    return etree.Element(_SM + local, nsmap=nsmap)  # type: ignore[arg-type]


def _text(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = xml_safe(text)


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
