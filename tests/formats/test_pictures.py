"""Pictures in and out: ninjs associations, NewsML-G2 links, and the story page that shows them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree, html
from sqlalchemy import select
from starlette.testclient import TestClient

from newswire.formats.newsml import render_newsml
from newswire.formats.ninjs import Ninjs2In, render_ninjs2, to_ninjs2, to_ninjs3
from newswire.stories.document import ItemDocument, Picture
from newswire.stories.models import Item
from tests.conftest import STANDARDS, Newsroom, ninjs_story, stored_state
from tests.formats.conftest import make_doc
from tests.iptc import requires_standards, validate_newsml, validate_ninjs2, validate_ninjs3

EXAMPLES = STANDARDS / "ninjs" / "examples"
NAR = {"g2": "http://iptc.org/std/nar/2006-10-01/"}

PORT_URL = "https://photos.azertac.example/2025/02/19/alat-port.jpg"
FERRY_URL = "https://photos.azertac.example/2025/02/19/ferry.png"

# Per language: the item's URI, then caption and alt text of the first picture, caption of the
# second. The second picture has nothing else, so every optional property is left out once.
TEXTS = {
    "en": (
        "urn:newsml:azertac.az:20250219:1001",
        "Container cranes at the port of Alat, south of Baku.",
        "Three blue cranes above stacked containers beside a cargo ship.",
        "The Baku-Aktau ferry leaving the port at dawn.",
    ),
    "ar": (
        "urn:newsml:azertac.az:20250219:1003",
        "رافعات الحاويات في ميناء ألات جنوبي باكو.",
        "ثلاث رافعات زرقاء فوق حاويات مكدسة بجانب سفينة شحن.",
        "عبّارة باكو - أكتاو تغادر الميناء عند الفجر.",
    ),
    "zh": (
        "urn:newsml:azertac.az:20250219:1004",
        "巴库以南阿拉特港的集装箱起重机。",
        "三台蓝色起重机矗立在一艘货轮旁堆放的集装箱上方。",
        "巴库至阿克套的渡轮在黎明时分驶离港口。",
    ),
}
CREDIT = "Leyla Mammadova / AZERTAC"


def pictured_doc(language: str) -> ItemDocument:
    uri, caption, alt, second_caption = TEXTS[language]
    return make_doc(
        uri=uri,
        language=language,
        pictures=(
            Picture(
                href=PORT_URL,
                caption=caption,
                alt=alt,
                credit=CREDIT,
                mimetype="image/jpeg",
                width=1600,
                height=900,
            ),
            Picture(href=FERRY_URL, caption=second_caption),
        ),
    )


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


# --- output -----------------------------------------------------------------------------------


@requires_standards
@pytest.mark.parametrize("language", list(TEXTS))
def test_ninjs2_carries_pictures_as_associations(language: str) -> None:
    uri, caption, alt, second_caption = TEXTS[language]

    document = to_ninjs2(pictured_doc(language))

    validate_ninjs2(document)
    assert document["associations"] == [
        {
            "name": "picture1",
            "uri": f"{uri}:picture1",
            "type": "picture",
            "representationtype": "partial",
            "by": CREDIT,
            "descriptions": [
                {"role": "caption", "contenttype": "text/plain", "value": caption},
                {"role": "alt", "contenttype": "text/plain", "value": alt},
            ],
            "renditions": [
                {
                    "name": "original",
                    "href": PORT_URL,
                    "contenttype": "image/jpeg",
                    "width": 1600,
                    "height": 900,
                }
            ],
        },
        {
            "name": "picture2",
            "uri": f"{uri}:picture2",
            "type": "picture",
            "representationtype": "partial",
            "descriptions": [
                {"role": "caption", "contenttype": "text/plain", "value": second_caption}
            ],
            "renditions": [{"name": "original", "href": FERRY_URL}],
        },
    ]


@requires_standards
@pytest.mark.parametrize("language", list(TEXTS))
def test_ninjs3_carries_pictures_as_associations(language: str) -> None:
    uri, caption, alt, second_caption = TEXTS[language]

    document = to_ninjs3(pictured_doc(language))

    validate_ninjs3(document)
    assert document["associations"] == [
        {
            "name": "picture1",
            "uri": f"{uri}:picture1",
            "type": "picture",
            "representationType": "partial",
            "by": CREDIT,
            "descriptions": [
                {"role": "caption", "contentType": "text/plain", "value": caption},
                {"role": "alt", "contentType": "text/plain", "value": alt},
            ],
            "renditions": [
                {
                    "name": "original",
                    "href": PORT_URL,
                    "contentType": "image/jpeg",
                    "width": 1600,
                    "height": 900,
                }
            ],
        },
        {
            "name": "picture2",
            "uri": f"{uri}:picture2",
            "type": "picture",
            "representationType": "partial",
            "descriptions": [
                {"role": "caption", "contentType": "text/plain", "value": second_caption}
            ],
            "renditions": [{"name": "original", "href": FERRY_URL}],
        },
    ]


def test_an_item_without_pictures_has_no_associations() -> None:
    assert "associations" not in to_ninjs2(make_doc())
    assert "associations" not in to_ninjs3(make_doc())


@requires_standards
@pytest.mark.parametrize("language", list(TEXTS))
def test_newsml_links_the_pictures_from_item_meta(language: str) -> None:
    _, caption, _, second_caption = TEXTS[language]

    xml = render_newsml(pictured_doc(language))

    validate_newsml(xml)
    links = etree.fromstring(xml).findall("g2:itemMeta/g2:link", NAR)
    assert [dict(link.attrib) for link in links] == [
        {"rel": "irel:seeAlso", "href": PORT_URL, "contenttype": "image/jpeg", "title": caption},
        {"rel": "irel:seeAlso", "href": FERRY_URL, "title": second_caption},
    ]


# --- input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", list(TEXTS))
def test_round_trip_keeps_the_pictures(language: str) -> None:
    doc = pictured_doc(language)

    from_dict = Ninjs2In.model_validate(to_ninjs2(doc)).to_item_input()
    from_bytes = Ninjs2In.model_validate_json(render_ninjs2(doc)).to_item_input()

    assert from_dict.pictures == doc.pictures
    assert from_bytes.pictures == doc.pictures


@requires_standards
def test_iptc_multimedia_example_gives_its_two_pictures() -> None:
    document = load(EXAMPLES / "official-doc" / "2.2" / "007_multimedia.json")

    pictures = Ninjs2In.model_validate(document).to_item_input().pictures

    # No "original" rendition: the widest one, "main", is the picture; its headline the caption.
    assert pictures == (
        Picture(
            href="http://hosted.ap.org/photos/2/2643c588-dc8d-4923-bebd-e3b904edbb3a-big.jpg",
            caption="Costa Concordia cruise ship",
            credit="Paulo Santalucia",
            mimetype="image/jpg",
            width=429,
            height=281,
        ),
        Picture(
            href="http://hosted.ap.org/photos/2/2643c588-dc8d-4923-bebd-e3b904xyz000-big.jpg",
            caption="Francesco Schettino at court",
            credit="Paulo Santalucia",
            mimetype="image/jpg",
            width=280,
            height=430,
        ),
    )


@requires_standards
def test_iptc_associations_example_links_its_photo_by_uri_and_skips_the_logo() -> None:
    document = load(EXAMPLES / "official-doc" / "2.2" / "003_associations_example.json")
    document["language"] = "en"  # the example has none, and an item cannot do without

    pictures = Ninjs2In.model_validate(document).to_item_input().pictures

    # The logo is a "graphic" whose renditions say nothing of images; the photo has no href
    # in its renditions, so its http URI is where it is.
    assert pictures == (
        Picture(href="http://mms.businesswire.com/media/newsItemId/en/369394/3/0025lf.jpg"),
    )


@requires_standards
def test_tt_sample_picture_with_caption_in_an_unnamed_description() -> None:
    document = load(EXAMPLES / "provider-samples" / "2.1" / "tt_text_image_2.json")

    pictures = Ninjs2In.model_validate(document).to_item_input().pictures

    assert pictures == (
        Picture(
            href="https://beta.tt.se/media/text/210526-militarovning-a0f2d045/a001_NormalHires.jpg",
            caption=(
                "En stor internationell försvarsövning planeras 2023 med fokus på södra Sverige "
                "och Gotland. Arkivbild från militärövningen Aurora 17."
            ),
            credit="Karl Melander/TT",
            mimetype="image/jpeg",
            width=4724,
            height=3149,
        ),
    )


@requires_standards
def test_ap_picture_document_as_an_association() -> None:
    picture = load(EXAMPLES / "provider-samples" / "2.1" / "ap_image.json")
    document = ninjs_story("en", associations=[{**picture, "name": "main"}])

    pictures = Ninjs2In.model_validate(document).to_item_input().pictures

    # The caption description beats the headline; the NITF caption rendition is no picture;
    # AP puts its credit line in a description.
    main = next(r for r in picture["renditions"] if r["name"] == "main")
    caption = next(d for d in picture["descriptions"] if d["role"] == "caption")
    assert pictures == (
        Picture(
            href=main["href"],
            caption=caption["value"],
            credit="ASSOCIATED PRESS",
            mimetype="image/jpeg",
            width=3000,
            height=2208,
        ),
    )


def association(**overrides: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"name": "photo", "uri": "urn:example:photo:1", "type": "picture"}
    found.update(overrides)
    return found


def pictures_of(*associations: dict[str, Any]) -> tuple[Picture, ...]:
    document = ninjs_story("en", associations=list(associations))
    return Ninjs2In.model_validate(document).to_item_input().pictures


def test_an_original_or_base_image_rendition_beats_a_wider_one() -> None:
    renditions = [
        {"name": "preview", "href": "https://example.org/preview.jpg", "width": 2048},
        {"name": "baseImage", "href": "https://example.org/base.jpg", "width": 1024.0},
        {"name": "thumbnail", "href": "https://example.org/thumb.jpg", "width": 128},
    ]
    original = {"name": "original", "href": "https://example.org/original.jpg", "height": 5e2}

    assert pictures_of(association(renditions=renditions)) == (
        Picture(href="https://example.org/base.jpg", width=1024),
    )
    assert pictures_of(association(renditions=[renditions[0], original])) == (
        Picture(href="https://example.org/original.jpg", height=500),
    )


def test_caption_alt_and_credit_by_role_and_fallback() -> None:
    texts = association(
        title="port",
        headlines=[{"value": "Alat port"}],
        descriptions=[
            {"role": "Alt-Text", "value": "Cranes over containers"},
            {"role": "caption", "value": "The port of Alat at dusk"},
        ],
        copyrightholder="AZERTAC",
        renditions=[{"name": "original", "href": "https://example.org/a.jpg"}],
    )
    headline_only = association(
        headlines=[{"role": "sub", "value": "Sub"}, {"role": "main", "value": "Main"}],
        title="title",
        by="Photographer",
        copyrightholder="AZERTAC",
        uri="https://example.org/b.jpg",
    )
    title_only = association(title="title", uri="https://example.org/c.jpg")

    assert pictures_of(texts, headline_only, title_only) == (
        Picture(
            href="https://example.org/a.jpg",
            caption="The port of Alat at dusk",
            alt="Cranes over containers",
            credit="AZERTAC",
        ),
        Picture(href="https://example.org/b.jpg", caption="Main", credit="Photographer"),
        Picture(href="https://example.org/c.jpg", caption="title"),
    )


def test_only_picture_associations_become_pictures_in_their_order() -> None:
    image = {"name": "r", "href": "https://example.org/x.jpg", "contenttype": "image/jpeg"}
    found = pictures_of(
        association(type="text", uri="https://example.org/story"),
        association(type=None, uri="urn:a", renditions=[{**image, "href": "https://e.org/1.jpg"}]),
        association(type="video", renditions=[image]),  # an image rendition is a poster frame
        association(type="graphic", uri="https://e.org/2.svg", renditions=[{"name": "small"}]),
        association(type="graphic", renditions=[{**image, "href": "https://e.org/3.png"}]),
        association(uri="https://e.org/4.jpg"),
        association(uri="urn:no-link"),  # a picture with nowhere to fetch it from
        association(
            renditions=[
                {"name": "caption", "href": "https://e.org/c.xml", "contenttype": "text/xml"},
                {"name": "large", "href": "https://e.org/5.jpg", "width": 800},
            ]
        ),
    )

    assert [picture.href for picture in found] == [
        "https://e.org/1.jpg",
        "https://e.org/3.png",
        "https://e.org/4.jpg",
        "https://e.org/5.jpg",
    ]


@pytest.mark.parametrize("href", ["javascript:alert(1)", "/images/port.jpg", "port.jpg"])
def test_a_bad_link_is_kept_for_the_services_to_refuse(href: str) -> None:
    # Dropping it quietly would lose the writer's picture without telling them why.
    renditions = [{"name": "original", "href": href}]

    assert pictures_of(association(uri="https://example.org/p.jpg", renditions=renditions)) == (
        Picture(href=href),
    )


# --- through the writing API, to subscribers and readers ---------------------------------------

SITE_PICTURES = {
    "en": ("Cranes at the port of Alat", "Blue cranes over stacked containers"),
    "ar": ("رافعات في ميناء ألات", "رافعات زرقاء فوق حاويات مكدسة"),
    "zh": ("阿拉特港的起重机", "堆放的集装箱上方的蓝色起重机"),
}


def picture_association(caption: str, alt: str, href: str = PORT_URL) -> dict[str, Any]:
    """A picture as a writer sends it: IPTC's association shape, AP's rendition name."""
    return {
        "name": "mainpic",
        "uri": "urn:newsml:azertac.az:photo:alat-1",
        "type": "picture",
        "by": CREDIT,
        "descriptions": [{"role": "caption", "value": caption}, {"role": "alt", "value": alt}],
        "renditions": [
            {"name": "thumbnail", "href": href + "?w=200", "width": 200, "height": 113},
            {
                "name": "baseImage",
                "href": href,
                "contenttype": "image/jpeg",
                "width": 1600,
                "height": 900,
            },
        ],
    }


def publish_with_picture(client: TestClient, newsroom: Newsroom, language: str) -> tuple[int, str]:
    editor = newsroom.headers("editor")
    caption, alt = SITE_PICTURES[language]
    document = ninjs_story(language, associations=[picture_association(caption, alt)])
    created = client.post("/api/v1/stories?bureau=baku", json=document, headers=editor)
    assert created.status_code == 201, created.text
    story_id, uri = created.json()["story_id"], created.json()["uri"]
    published = client.post(f"/api/v1/stories/{story_id}/items/{language}/publish", headers=editor)
    assert published.status_code == 200, published.text
    return story_id, uri


def image_urls(value: object) -> list[str]:
    """The URLs in a JSON-LD `image`: a URL, an ImageObject, or a list of either."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return image_urls(value.get("url") or value.get("contentUrl"))
    if isinstance(value, list):
        return [url for item in value for url in image_urls(item)]
    return []


@pytest.mark.parametrize("language", list(SITE_PICTURES))
def test_a_picture_sent_to_the_api_reaches_subscribers_and_the_story_page(
    client: TestClient, newsroom: Newsroom, language: str
) -> None:
    caption, alt = SITE_PICTURES[language]
    story_id, uri = publish_with_picture(client, newsroom, language)

    subscriber = newsroom.headers("all")
    ninjs = client.get(f"/api/v1/items/{uri}", headers=subscriber).json()
    assert ninjs["associations"][0]["descriptions"][0] == {
        "role": "caption",
        "contenttype": "text/plain",
        "value": caption,
    }
    assert Ninjs2In.model_validate(ninjs).to_item_input().pictures == (
        Picture(
            href=PORT_URL,
            caption=caption,
            alt=alt,
            credit=CREDIT,
            mimetype="image/jpeg",
            width=1600,
            height=900,
        ),
    )
    ninjs3 = client.get(f"/api/v1/items/{uri}?format=ninjs3", headers=subscriber).json()
    assert ninjs3["associations"][0]["renditions"][0]["href"] == PORT_URL
    if STANDARDS.is_dir():
        validate_ninjs2(ninjs)
        validate_ninjs3(ninjs3)

    moved = client.get(f"/{language}/news/{story_id}-x", follow_redirects=False)
    assert moved.status_code == 301
    page = client.get(moved.headers["location"])
    assert page.status_code == 200
    story = html.fromstring(page.content)
    (figure,) = story.cssselect("article figure")
    (image,) = figure.cssselect("img")
    assert (image.get("src"), image.get("alt")) == (PORT_URL, alt)
    (figcaption,) = figure.cssselect("figcaption")
    assert caption in figcaption.text_content()
    (script,) = story.xpath('//script[@type="application/ld+json"]')
    article = json.loads(script.text)
    assert image_urls(article["image"])[0] == PORT_URL


def refuse(response: Any, href: str) -> None:
    assert response.status_code == 422, response.text
    assert response.json() == {
        "detail": f"a picture needs an absolute http(s) URL, not {href!r}",
        "field": "associations",
    }


def stored_pictures(newsroom: Newsroom) -> list[object]:
    with newsroom.database.read() as session:
        return list(session.scalars(select(Item.pictures).order_by(Item.id)))


@pytest.mark.parametrize("href", ["javascript:alert(1)", "/static/site/demo/port.svg"])
def test_a_picture_without_an_absolute_http_link_is_refused(
    client: TestClient, newsroom: Newsroom, href: str
) -> None:
    editor = newsroom.headers("editor")
    story_id, _ = publish_with_picture(client, newsroom, "en")
    before = (stored_state(newsroom.database), stored_pictures(newsroom))
    bad = ninjs_story("en", associations=[picture_association("Cranes", "Cranes", href=href)])

    filed = client.post("/api/v1/stories?bureau=baku", json=bad, headers=editor)
    state = client.get(f"/api/v1/stories/{story_id}", headers=editor).json()
    updated = client.put(
        f"/api/v1/stories/{story_id}/items/en",
        json=bad,
        headers={**editor, "If-Match": f'"{state["items"]["en"]["revision"]}"'},
    )

    refuse(filed, href)
    refuse(updated, href)
    assert (stored_state(newsroom.database), stored_pictures(newsroom)) == before
