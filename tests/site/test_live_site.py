"""Publication, correction and kill show on the website at once, through the writing API."""

from __future__ import annotations

from datetime import timedelta

import feedparser
from lxml import html
from starlette.testclient import TestClient

from newswire.db import utcnow
from newswire.stories import services as stories
from newswire.stories.document import ItemInput
from tests.conftest import Newsroom, ninjs_story

HEADLINE = "Caspian ports report record cargo"


def _publish(
    client: TestClient, newsroom: Newsroom, language: str = "en", **overrides: object
) -> tuple[int, str]:
    created = client.post(
        "/api/v1/stories",
        json=ninjs_story(language, **overrides),
        headers=newsroom.headers("editor"),
    )
    assert created.status_code == 201, created.text
    story_id, uri = created.json()["story_id"], created.json()["uri"]
    published = client.post(
        f"/api/v1/stories/{story_id}/items/{language}/publish", headers=newsroom.headers("editor")
    )
    assert published.status_code == 200, published.text
    return story_id, uri


def _teasers(client: TestClient, path: str) -> list[str]:
    page = html.fromstring(client.get(path).content)
    return [a.text_content().strip() for a in page.cssselect(".teaser a")]


def test_publish_correct_and_kill_show_at_once_everywhere(
    client: TestClient, newsroom: Newsroom
) -> None:
    editor = newsroom.headers("editor")
    # Pages cached before the publication must not hide it.
    assert HEADLINE not in _teasers(client, "/en/")
    empty_rss = client.get("/en/rss.xml")
    assert feedparser.parse(empty_rss.content).entries == []
    etag = empty_rss.headers["etag"]

    story_id, uri = _publish(client, newsroom)
    assert HEADLINE in _teasers(client, "/en/")
    assert client.get("/en/rss.xml", headers={"if-none-match": etag}).status_code == 200
    rss = feedparser.parse(client.get("/en/rss.xml").content)
    assert [e.id for e in rss.entries] == [uri]
    assert HEADLINE in _teasers(client, "/en/search?q=caspian+cargo")
    assert HEADLINE in _teasers(client, "/en/topic/04000000")
    page = client.get(f"/en/news/{story_id}-caspian-ports")
    assert page.status_code == 200
    assert b'aside class="correction"' not in page.content
    assert uri.encode() not in client.get("/sitemap-fr.xml").content
    assert f"/en/news/{story_id}-".encode() in client.get("/sitemap-news.xml").content

    # A correction: same entry, new text, and a note readers see.
    state = client.get(f"/api/v1/stories/{story_id}", headers=editor).json()
    fixed = ninjs_story("en", headlines=[{"role": "main", "value": "Caspian ports: 4.3 Mt"}])
    saved = client.put(
        f"/api/v1/stories/{story_id}/items/en",
        json=fixed,
        headers={**editor, "If-Match": f'"{state["items"]["en"]["revision"]}"'},
    )
    assert saved.is_success, saved.text
    corrected = client.post(
        f"/api/v1/stories/{story_id}/items/en/correct",
        json={"note": "Corrects the tonnage."},
        headers=editor,
    )
    assert corrected.status_code == 200, corrected.text
    atom = feedparser.parse(client.get("/en/atom.xml").content)
    assert [(e.id, e.title) for e in atom.entries] == [(uri, "Caspian ports: 4.3 Mt")]
    assert atom.entries[0].updated_parsed >= atom.entries[0].published_parsed
    story = html.fromstring(client.get(f"/en/news/{story_id}-caspian-ports").content)
    note = story.cssselect("aside.correction")[0].text_content()
    assert "Corrects the tonnage." in note
    assert _teasers(client, "/en/search?q=caspian+cargo") == []  # the old headline is gone
    assert "Caspian ports: 4.3 Mt" in _teasers(client, "/en/search?q=4.3")

    # A kill: gone from every page, feed, sitemap and search, and the URL answers 410.
    killed = client.post(
        f"/api/v1/stories/{story_id}/items/en/kill", json={"reason": "Wrong port"}, headers=editor
    )
    assert killed.status_code == 200, killed.text
    assert client.get(f"/en/news/{story_id}-caspian-ports").status_code == 410
    for path in ("/en/", "/en/rss.xml", "/en/atom.xml", "/en/topic/04000000/rss.xml",
                 "/sitemap-en.xml", "/sitemap-news.xml", "/en/search?q=caspian"):  # fmt: skip
        body = client.get(path).content
        assert uri.encode() not in body, path
        assert b"Caspian ports" not in body, path


def test_an_embargoed_story_stays_off_the_site(client: TestClient, newsroom: Newsroom) -> None:
    story_id, uri = _publish(client, newsroom, embargoed="2099-01-01T00:00:00Z")
    assert client.get(f"/en/news/{story_id}-caspian-ports").status_code == 404
    for path in ("/en/", "/en/rss.xml", "/sitemap-en.xml", "/sitemap-news.xml",
                 "/en/search?q=caspian"):  # fmt: skip
        body = client.get(path).content
        assert uri.encode() not in body, path
        assert HEADLINE.encode() not in body, path


def test_a_translation_links_both_ways(client: TestClient, newsroom: Newsroom) -> None:
    story_id, _uri = _publish(client, newsroom)
    editor = newsroom.headers("editor")
    arabic = ninjs_story(
        "ar",
        headlines=[{"role": "main", "value": "موانئ بحر قزوين تسجل رقماً قياسياً"}],
        bodies=[
            {
                "role": "main",
                "contenttype": "text/html",
                "value": "<p>تعاملت موانئ بحر قزوين مع 4.2 مليون طن.</p>",
            }
        ],
    )
    assert client.put(
        f"/api/v1/stories/{story_id}/items/ar", json=arabic, headers=editor
    ).is_success
    assert client.post(f"/api/v1/stories/{story_id}/items/ar/publish", headers=editor).is_success
    english = html.fromstring(client.get(f"/en/news/{story_id}-caspian-ports").content)
    arabic_page = html.fromstring(client.get(f"/ar/news/{story_id}-caspian-ports").content)
    assert arabic_page.getroottree().getroot().get("dir") == "rtl"
    for page in (english, arabic_page):
        hreflangs = {link.get("hreflang") for link in page.xpath("//link[@hreflang]")}
        assert hreflangs == {"en", "ar", "x-default"}
    also = [a.text_content() for a in english.cssselect("nav.also-in a")]
    assert also == ["العربية"]


def test_the_news_sitemap_keeps_two_days(client: TestClient, newsroom: Newsroom) -> None:
    """Google News wants the last 48 hours; older stories stay in the language sitemaps."""
    chief = newsroom.principals["chief"]
    paths = {}
    for hours in (47, 49):
        with newsroom.database.write() as session:
            story = stories.create_story(
                session,
                chief,
                newsroom.ctx,
                ItemInput(language="de", headline=f"Meldung von vor {hours} Stunden"),
                desk_id=1,
                bureau=None,
            )
            stories.publish(
                session, chief, newsroom.ctx, story.id, "de", at=utcnow() - timedelta(hours=hours)
            )
            paths[hours] = f"/de/news/{story.id}-".encode()
    client.post("/api/v1/stories", json={}, headers=newsroom.headers("editor"))  # wakes the hub
    news = client.get("/sitemap-news.xml").content
    assert paths[47] in news
    assert paths[49] not in news
    language = client.get("/sitemap-de.xml").content
    assert paths[47] in language
    assert paths[49] in language
