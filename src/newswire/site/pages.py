"""Building each page of the website from the database: one function per kind of page.

Each builder takes the session and returns a `Page` (or an `Outcome` for redirects and
errors); the web layer (`newswire.site.views`) caches and serves them. Nothing here knows
about HTTP requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from newswire import db
from newswire.agency.models import Agency
from newswire.languages import LANGUAGES, Language
from newswire.search.backend import search
from newswire.site import feeds, queries, sitemaps, strings
from newswire.site.cache import ATOM, HTML, RSS, TEXT, XML, Page
from newswire.site.models import PublicEntry
from newswire.site.render import OG_LOCALES, Picture, Renderer, iso, json_ld
from newswire.stories.topics import Vocabulary

MAX_QUERY_CHARS = 200
# Story URLs per language sitemap file: well under the protocol's 50,000, because each URL
# carries an alternate link per language and files must stay small and quick to render.
SITEMAP_URLS = 10_000
NEWS_SITEMAP_HOURS = 48
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Redirect:
    location: str
    status: int = 301


@dataclass(frozen=True, slots=True)
class Problem:
    """An error page: 400, 404 or 410."""

    status: int
    title_key: str
    message_key: str
    values: dict[str, str] = field(default_factory=dict)


Outcome = Page | Redirect | Problem
NOT_FOUND = Problem(404, "not_found_title", "not_found_text")


@dataclass(slots=True)
class SiteContext:
    """What page builders need besides the session."""

    renderer: Renderer
    vocabulary: Vocabulary
    public_url: str
    default_language: str | None
    full_text_feeds: bool
    feed_size: int
    agency: Agency

    @property
    def languages(self) -> list[str]:
        return [code for code in self.agency.languages if code in LANGUAGES]

    def home_language(self) -> str:
        if self.default_language and self.default_language in self.languages:
            return self.default_language
        return self.languages[0] if self.languages else "en"

    def url(self, path: str) -> str:
        return self.public_url + path

    def topic_label(self, code: str, language: str) -> str:
        # IPTC writes labels in lower case ("economy, business and finance"); headings are not.
        label = self.vocabulary.label(code, language) or code
        return label[:1].upper() + label[1:]


def _base(ctx: SiteContext, language: Language, **extra: Any) -> dict[str, Any]:
    return {
        "agency_name": ctx.agency.name_in(language.code),
        "agency_short": ctx.agency.short_name_in(language.code),
        "year": db.utcnow().year,
        "switcher": [(LANGUAGES[code], f"/{code}/") for code in ctx.languages],
        "nav_topics": [],
        "current_topic": None,
        "query": None,
        **extra,
    }


def _render(ctx: SiteContext, template: str, language: Language, **context: Any) -> bytes:
    return ctx.renderer.render(template, language, ctx.agency.timezone, **context)


def _nav_topics(
    session: Session, ctx: SiteContext, language: str
) -> tuple[list[tuple[str, str]], list[tuple[str, list[PublicEntry]]]]:
    sections = queries.sections(session, language, ctx.vocabulary)
    nav = [(code, ctx.topic_label(code, language)) for code, _ in sections[:8]]
    return nav, sections


def error_page(ctx: SiteContext, language_code: str | None, problem: Problem) -> Page:
    code = language_code if language_code in ctx.languages else ctx.home_language()
    language = LANGUAGES[code]
    values = {"agency": ctx.agency.name_in(code), **problem.values}
    body = _render(
        ctx,
        "error.html",
        language,
        **_base(ctx, language),
        title=strings.text(code, problem.title_key),
        message=strings.text(code, problem.message_key, **values),
    )
    return Page(body, HTML, status=problem.status, cache_control="no-cache")


def parse_page(raw: str | None) -> int | Problem:
    if raw is None:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        return Problem(400, "bad_request_title", "bad_request_text", {"detail": "page=" + raw[:40]})
    return min(int(raw), 10**9)


# --- front page and topic pages -------------------------------------------------------------


def listing_page(
    session: Session, ctx: SiteContext, language: str, page: int, topic: str | None = None
) -> Outcome:
    lang = LANGUAGES[language]
    codes: list[str] = []
    topic_label = None
    if topic is not None:
        if ctx.vocabulary.loaded and topic not in ctx.vocabulary.topics:
            return NOT_FOUND
        codes = queries.descendants(ctx.vocabulary, topic)
        topic_label = ctx.topic_label(topic, language)
    offset = (page - 1) * queries.PAGE_SIZE
    listing = queries.latest(session, language, codes=codes, offset=offset)
    entries = listing.entries
    top = None
    topic_sections: list[tuple[str, str, list[PublicEntry]]] = []
    nav, sections = _nav_topics(session, ctx, language)
    if page == 1 and topic is None:
        top = queries.top_story(entries)
        entries = [e for e in entries if e is not top]
        topic_sections = [
            (code, ctx.topic_label(code, language), items) for code, items in sections
        ]
    path = (
        f"/{language}/" if topic is None else f"/{language}/topic/{topic.removeprefix('medtop:')}"
    )
    suffix = f"?page={page}" if page > 1 else ""
    hreflangs = [
        (
            LANGUAGES[code].lang_attribute,
            ctx.url(path.replace(f"/{language}/", f"/{code}/", 1) + suffix),
        )
        for code in ctx.languages
    ]
    hreflangs.append(
        (
            "x-default",
            ctx.url(path.replace(f"/{language}/", f"/{ctx.home_language()}/", 1) + suffix),
        )
    )
    switcher = [
        (LANGUAGES[code], path.replace(f"/{language}/", f"/{code}/", 1)) for code in ctx.languages
    ]
    body = _render(
        ctx,
        "home.html",
        lang,
        **_base(ctx, lang, nav_topics=nav, current_topic=topic, switcher=switcher),
        top=top,
        entries=entries,
        has_more=listing.has_more,
        page=page,
        base_path=path,
        topic_code=topic,
        topic_label=topic_label,
        topic_sections=topic_sections,
        canonical=ctx.url(path + suffix),
        hreflangs=hreflangs,
    )
    newest = max((e.updated_at for e in listing.entries), default=None)
    return Page(body, HTML, last_modified=newest)


# --- a story -------------------------------------------------------------------------------


def story_page(
    session: Session, ctx: SiteContext, language: str, story_id: int, path: str
) -> Outcome:
    versions = queries.story_versions(session, story_id)
    entry = next((e for e in versions if e.language == language), None)
    if entry is None:
        if queries.was_withdrawn(session, story_id, language):
            return Problem(410, "gone_title", "gone_text")
        return NOT_FOUND
    if path != entry.path:
        return Redirect(entry.path)
    lang = LANGUAGES[language]
    doc = queries.document_of(session, entry)
    order = {code: n for n, code in enumerate(ctx.languages)}
    versions.sort(key=lambda e: order.get(e.language, len(order)))
    by_language = {e.language: e for e in versions if e.language in LANGUAGES}
    default = by_language.get(ctx.home_language()) or versions[0]
    hreflangs = [
        (LANGUAGES[e.language].lang_attribute, ctx.url(e.path)) for e in by_language.values()
    ]
    hreflangs.append(("x-default", ctx.url(default.path)))
    switcher = [
        (LANGUAGES[code], by_language[code].path if code in by_language else f"/{code}/")
        for code in ctx.languages
    ]
    others = [(LANGUAGES[e.language], e.path) for e in by_language.values() if e is not entry]
    canonical = ctx.url(entry.path)
    subjects = [s["code"] for s in doc.get("subjects", ())]
    section_links = [(code, ctx.topic_label(code, language)) for code in subjects]
    pictures = _pictures(doc)
    image = pictures[0] if pictures else Picture(url=ctx.url("/static/site/logo.svg"), alt="")
    nav, _sections = _nav_topics(session, ctx, language)
    body = _render(
        ctx,
        "story.html",
        lang,
        **_base(ctx, lang, nav_topics=nav, switcher=switcher),
        entry=entry,
        doc=doc,
        canonical=canonical,
        hreflangs=hreflangs,
        others=others,
        og_locale=OG_LOCALES.get(language, language),
        og_alternates=[OG_LOCALES.get(e.language, e.language) for e in versions if e is not entry],
        image=image,
        pictures=pictures,
        section_labels=[label for _, label in section_links],
        section_links=section_links,
        json_ld=_news_article(
            ctx, entry, doc, canonical, image, [label for _, label in section_links]
        ),
    )
    newest = max(e.updated_at for e in versions)
    return Page(body, HTML, last_modified=newest)


def _pictures(doc: dict[str, Any]) -> list[Picture]:
    found = []
    for picture in doc.get("pictures", ()):
        found.append(
            Picture(
                url=picture["href"],
                alt=picture.get("alt") or picture.get("caption") or "",
                caption=picture.get("caption"),
                credit=picture.get("credit"),
                width=picture.get("width"),
                height=picture.get("height"),
            )
        )
    return found


def _news_article(
    ctx: SiteContext,
    entry: PublicEntry,
    doc: dict[str, Any],
    canonical: str,
    image: Picture,
    sections: list[str],
) -> str:
    publisher = {
        "@type": "NewsMediaOrganization",
        "name": ctx.agency.name_in(entry.language),
        "alternateName": ctx.agency.short_name_in(entry.language),
        "url": ctx.url(f"/{entry.language}/"),
        "logo": {"@type": "ImageObject", "url": ctx.url("/static/site/logo.svg")},
    }
    byline = doc.get("byline")
    author: dict[str, Any] = (
        {"@type": "Person", "name": byline}
        if byline
        else {"@type": "Organization", "name": publisher["name"]}
    )
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": doc["headline"],
        "description": entry.summary,
        "inLanguage": LANGUAGES[entry.language].lang_attribute,
        "datePublished": iso(entry.published_at),
        "dateModified": iso(entry.updated_at),
        "author": [author],
        "publisher": publisher,
        "image": [image.url],
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
        "identifier": entry.uri,
        "isAccessibleForFree": True,
    }
    if doc.get("dateline"):
        data["dateline"] = doc["dateline"]
    if sections:
        data["articleSection"] = sections
    if doc.get("correction_note"):
        data["correction"] = doc["correction_note"]
    return json_ld(data)


# --- search ---------------------------------------------------------------------------------


def search_page(
    session: Session, ctx: SiteContext, language: str, query: str | None, page: int
) -> Outcome:
    if query is not None and len(query) > MAX_QUERY_CHARS:
        return Problem(
            400,
            "bad_request_title",
            "bad_request_text",
            {"detail": f"q (at most {MAX_QUERY_CHARS} characters)"},
        )
    lang = LANGUAGES[language]
    query = " ".join((query or "").split()) or None
    found = None
    if query:
        found = search(
            session,
            language,
            query,
            limit=queries.PAGE_SIZE,
            offset=(page - 1) * queries.PAGE_SIZE,
        )
    nav, _sections = _nav_topics(session, ctx, language)
    base_path = f"/{language}/search?q=" + _quote(query or "")
    body = _render(
        ctx,
        "search.html",
        lang,
        **_base(
            ctx,
            lang,
            nav_topics=nav,
            query=query,
            switcher=[
                (LANGUAGES[code], f"/{code}/search?q=" + _quote(query or ""))
                for code in ctx.languages
            ],
        ),
        entries=found.entries if found else [],
        has_more=found.has_more if found else False,
        page=page,
        base_path=base_path,
    )
    return Page(body, HTML, cache_control="no-cache")


def _quote(text: str) -> str:
    return quote(text, safe="")


# --- feeds ----------------------------------------------------------------------------------


def feed(
    session: Session, ctx: SiteContext, language: str, kind: str, topic: str | None
) -> Outcome:
    codes: list[str] = []
    name = ctx.agency.name_in(language)
    title = name
    subtitle = strings.text(language, "feed_description", agency=name)
    path = f"/{language}/"
    if topic is not None:
        if ctx.vocabulary.loaded and topic not in ctx.vocabulary.topics:
            return NOT_FOUND
        codes = queries.descendants(ctx.vocabulary, topic)
        label = ctx.topic_label(topic, language)
        title = f"{name} — {label}"
        subtitle = strings.text(language, "topic_feed_description", topic=label, agency=name)
        path = f"/{language}/topic/{topic.removeprefix('medtop:')}"
    listing = queries.latest(session, language, codes=codes, limit=ctx.feed_size)
    documents = queries.documents_of(session, listing.entries)
    entries = [
        _feed_entry(ctx, entry, documents[entry.id], language)
        for entry in listing.entries
        if entry.id in documents
    ]
    feed_path = path.rstrip("/") + f"/{kind}.xml"
    updated = max((e.updated for e in entries), default=_EPOCH)
    info = feeds.FeedInfo(
        title=title,
        subtitle=subtitle,
        language=language,
        site_url=ctx.url(path),
        self_url=ctx.url(feed_path),
        feed_id=ctx.url(feed_path),
        author=name,
        rights=strings.text(language, "rights", year=db.utcnow().year, agency=name),
        updated=updated,
    )
    if kind == "rss":
        body = feeds.render_rss(info, entries, full_text=ctx.full_text_feeds)
        return Page(body, RSS, last_modified=updated if entries else None)
    body = feeds.render_atom(info, entries, full_text=ctx.full_text_feeds)
    return Page(body, ATOM, last_modified=updated if entries else None)


def _feed_entry(
    ctx: SiteContext, entry: PublicEntry, doc: dict[str, Any], language: str
) -> feeds.FeedEntry:
    return feeds.FeedEntry(
        uri=entry.uri,
        url=ctx.url(entry.path),
        headline=entry.headline,
        summary=entry.summary,
        body_html=doc.get("body_html", ""),
        byline=doc.get("byline"),
        dateline=doc.get("dateline"),
        correction_note=doc.get("correction_note") if entry.version > 1 else None,
        published=entry.published_at,
        updated=entry.updated_at,
        categories=tuple(
            (s["code"], s.get("name") or ctx.topic_label(s["code"], language))
            for s in doc.get("subjects", ())
        ),
    )


# --- sitemaps and robots.txt ----------------------------------------------------------------


def sitemap_index(session: Session, ctx: SiteContext) -> Outcome:
    refs = []
    for code in ctx.languages:
        count = queries.count_entries(session, code)
        newest = queries.newest_update(session, code)
        pages = max(1, -(-count // SITEMAP_URLS))
        for number in range(1, pages + 1):
            name = code if number == 1 else f"{code}-{number}"
            refs.append(sitemaps.SitemapRef(ctx.url(f"/sitemap-{name}.xml"), newest))
    refs.append(sitemaps.SitemapRef(ctx.url("/sitemap-news.xml"), queries.newest_update(session)))
    return Page(sitemaps.render_index(refs), XML)


def language_sitemap(session: Session, ctx: SiteContext, language: str, number: int) -> Outcome:
    entries = queries.language_page(
        session, language, limit=SITEMAP_URLS, offset=(number - 1) * SITEMAP_URLS
    )
    if not entries and number > 1:
        return NOT_FOUND
    alternates = queries.alternates_by_story(session, sorted({e.story_id for e in entries}))
    home = ctx.home_language()
    urls = []
    for entry in entries:
        versions = [
            (code, path) for code, path in alternates.get(entry.story_id, ()) if code in LANGUAGES
        ]
        links: tuple[tuple[str, str], ...] = ()
        if len(versions) > 1:
            default = next((p for c, p in versions if c == home), versions[0][1])
            links = (
                *((LANGUAGES[code].lang_attribute, ctx.url(path)) for code, path in versions),
                ("x-default", ctx.url(default)),
            )
        urls.append(sitemaps.SitemapUrl(ctx.url(entry.path), entry.updated_at, links))
    return Page(sitemaps.render_urlset(urls), XML)


def news_sitemap(session: Session, ctx: SiteContext) -> Outcome:
    since = db.utcnow() - timedelta(hours=NEWS_SITEMAP_HOURS)
    urls = [
        sitemaps.NewsUrl(
            loc=ctx.url(entry.path),
            publication_name=ctx.agency.short_name_in(entry.language),
            language=entry.language,
            published=entry.published_at,
            title=entry.headline,
        )
        for entry in queries.recent_entries(session, since)
    ]
    return Page(sitemaps.render_news(urls), XML)


def robots(ctx: SiteContext) -> Page:
    lines = [
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /newsroom/",
        "Disallow: /*/search",
        f"Sitemap: {ctx.url('/sitemap.xml')}",
        f"Sitemap: {ctx.url('/sitemap-news.xml')}",
    ]
    return Page(("\n".join(lines) + "\n").encode(), TEXT)
