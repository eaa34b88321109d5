"""A real French wire story, filed, published and read back in every format and language.

The story (AZERTAC, Baku, 19 February 2021) is read at run time from shared/samples; its text
is not copied into the repository. Its layout: a line with the date and the dateline
(` date 2021-02 Bakou, 19 février, AZERTAC`), then paragraphs separated by blank lines. It has
no headline of its own, so the first sentence of the first paragraph serves as one (without its
full stop), and the body is every paragraph, the dateline excluded: newswire renders the
dateline itself from the bureau, the first-created time and the agency.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import pytest
from lxml import etree
from starlette.testclient import TestClient

from tests.conftest import SAMPLES, Newsroom
from tests.iptc import requires_standards, validate_newsml, validate_ninjs2, validate_ninjs3

SAMPLE = SAMPLES / "azertac-fr-2021-02-19.txt"
NS = {"g2": "http://iptc.org/std/nar/2006-10-01/", "n": "http://iptc.org/std/NITF/2006-10-18/"}

pytestmark = [
    requires_standards,
    pytest.mark.skipif(not SAMPLE.is_file(), reason=f"the French sample is not at {SAMPLE}"),
]

# 11:40 in Baku (UTC+4) on the 19th: the wire time of a morning story.
FIRSTCREATED = "2021-02-19T11:40:00+04:00"

# Translations written for this test (short, not the sample's), and the dateline each must get:
# the bureau's city in the language, the date in Baku, the agency's short name in the language.
TRANSLATIONS = {
    "en": (
        "New head of the Russian culture centre visits AZERTAC",
        ["The new director of the Russian Information and Culture Centre visited AZERTAC."],
        "Baku, 19 February, AZERTAC",
    ),
    "ru": (
        "Новый директор Русского центра посетил АЗЕРТАДЖ",
        ["Новый директор Русского информационно-культурного центра посетил АЗЕРТАДЖ."],
        "Баку, 19 февраля, АЗЕРТАДЖ",
    ),
    "ar": (
        "المدير الجديد للمركز الروسي يزور أذرتاج",
        ["زار المدير الجديد لمركز المعلومات والثقافة الروسي وكالة أذرتاج."],
        "باكو، 19 فبراير، أذرتاج",
    ),
    "zh": (
        "俄罗斯文化中心新主任访问阿塞拜疆国家通讯社",
        ["俄罗斯信息文化中心新任主任访问了阿塞拜疆国家通讯社。"],
        "巴库，2月19日，阿塞拜疆国家通讯社",
    ),
}


@dataclass(frozen=True)
class Sample:
    month: str  # "2021-02", from the date line
    dateline: str
    headline: str
    paragraphs: list[str]


def read_sample() -> Sample:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    first = lines[0].strip()
    match = re.fullmatch(r"date\s+(\d{4}-\d{2})\s*(.*)", first)
    assert match, f"the sample's first line is not a date line: {first!r}"
    month, dateline = match.group(1), match.group(2).strip()
    rest = lines[1:]
    if not dateline:  # the dateline on a line of its own
        rest = [line for line in rest if line.strip()]
        dateline, rest = rest[0].strip(), rest[1:]
    paragraphs = [line.strip() for line in rest if line.strip()]
    headline = re.split(r"(?<=\.)\s", paragraphs[0], maxsplit=1)[0].removesuffix(".")
    return Sample(month, dateline, headline, paragraphs)


def body_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)


def ninjs_document(language: str, headline: str, paragraphs: list[str]) -> dict[str, Any]:
    return {
        "language": language,
        "headlines": [{"role": "main", "value": headline}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": body_html(paragraphs)}],
        "urgency": 5,
        "slugline": "AZERTAC-RUSSIE-MEDIAS",
    }


def fetch(client: TestClient, reader: dict[str, str], uri: str) -> dict[str, Any]:
    """The item in all three formats, each checked against its IPTC schema."""
    ninjs2 = client.get(f"/api/v1/items/{uri}", headers=reader)
    assert ninjs2.status_code == 200, ninjs2.text
    assert ninjs2.headers["content-type"] == "application/json"
    ninjs3 = client.get(f"/api/v1/items/{uri}?format=ninjs3", headers=reader)
    assert ninjs3.status_code == 200, ninjs3.text
    newsml = client.get(
        f"/api/v1/items/{uri}", headers={**reader, "Accept": "application/vnd.iptc.g2.newsitem+xml"}
    )
    assert newsml.status_code == 200, newsml.text
    assert newsml.headers["content-type"].startswith("application/vnd.iptc.g2.newsitem+xml")
    validate_ninjs2(ninjs2.json())
    validate_ninjs3(ninjs3.json())
    validate_newsml(newsml.content)
    return {"ninjs2": ninjs2.json(), "ninjs3": ninjs3.json(), "newsml": newsml.content}


def datelines(formats: dict[str, Any]) -> dict[str, list[str]]:
    """The dateline as each format carries it."""
    root = etree.fromstring(formats["newsml"])
    return {
        "ninjs2": [
            d["value"] for d in formats["ninjs2"].get("descriptions", []) if d["role"] == "dateline"
        ],
        "ninjs3": [
            d["value"] for d in formats["ninjs3"].get("descriptions", []) if d["role"] == "dateline"
        ],
        "contentMeta": [e.text or "" for e in root.iterfind("g2:contentMeta/g2:dateline", NS)],
        "nitf": ["".join(e.itertext()) for e in root.iterfind(".//n:body.head/n:dateline", NS)],
    }


def test_the_sample_reads_as_the_readme_describes_it() -> None:
    sample = read_sample()
    assert sample.month == "2021-02"
    assert sample.dateline == "Bakou, 19 février, AZERTAC"
    assert len(sample.paragraphs) == 5
    assert sample.headline.endswith("AZERTAC")  # the first sentence, without its full stop
    assert sample.paragraphs[0].startswith(sample.headline)
    assert all(sample.dateline not in paragraph for paragraph in sample.paragraphs)


def test_the_french_story_in_every_format_and_its_translations(
    client: TestClient, newsroom: Newsroom
) -> None:
    sample = read_sample()
    source = ninjs_document("fr", sample.headline, sample.paragraphs)
    source["firstcreated"] = FIRSTCREATED
    created = client.post(
        "/api/v1/stories?bureau=baku&desk=politics",
        json=source,
        headers=newsroom.headers("reporter"),
    )
    assert created.status_code == 201, created.text
    story_id, uri = created.json()["story_id"], created.json()["uri"]
    published = client.post(
        f"/api/v1/stories/{story_id}/items/fr/publish", headers=newsroom.headers("editor")
    )
    assert published.status_code == 200, published.text

    reader = newsroom.headers("all")
    french = fetch(client, reader, uri)
    assert datelines(french) == {
        "ninjs2": [sample.dateline],
        "ninjs3": [sample.dateline],
        "contentMeta": [sample.dateline],
        "nitf": [sample.dateline],
    }
    assert sample.dateline == "Bakou, 19 février, AZERTAC"
    ninjs2 = french["ninjs2"]
    assert ninjs2["language"] == "fr"
    assert ninjs2["firstcreated"] == "2021-02-19T07:40:00Z"
    assert ninjs2["located"] == "Bakou"
    assert ninjs2["headlines"] == [{"role": "main", "value": sample.headline}]
    assert [body["value"] for body in ninjs2["bodies"]] == [body_html(sample.paragraphs)]
    assert [body["value"] for body in french["ninjs3"]["bodies"]] == [body_html(sample.paragraphs)]
    nitf_paragraphs = [
        "".join(p.itertext())
        for p in etree.fromstring(french["newsml"]).iterfind(".//n:body.content/n:p", NS)
    ]
    assert nitf_paragraphs == sample.paragraphs

    translator = newsroom.headers("translator")
    for language, (headline, paragraphs, dateline) in TRANSLATIONS.items():
        saved = client.put(
            f"/api/v1/stories/{story_id}/items/{language}",
            json=ninjs_document(language, headline, paragraphs),
            headers=translator,
        )
        assert saved.status_code == 201, saved.text
        # The translations are one-paragraph summaries, which QA rightly refuses (missing
        # paragraphs and numbers): the desk publishes them on the record with the override.
        released = client.post(
            f"/api/v1/stories/{story_id}/items/{language}/publish?qa_override=true",
            headers=translator,
        )
        assert released.status_code == 200, released.text
        translation = fetch(client, reader, saved.json()["uri"])
        assert datelines(translation) == {
            "ninjs2": [dateline],
            "ninjs3": [dateline],
            "contentMeta": [dateline],
            "nitf": [dateline],
        }, language
        assert translation["ninjs2"]["headlines"] == [{"role": "main", "value": headline}]
        assert translation["ninjs2"]["firstcreated"] == "2021-02-19T07:40:00Z"


def test_the_validators_refuse_what_the_schemas_forbid(
    client: TestClient, newsroom: Newsroom
) -> None:
    # Without this, a validator that accepts everything would let every test above pass.
    sample = read_sample()
    created = client.post(
        "/api/v1/stories?bureau=baku&desk=politics",
        json=ninjs_document("fr", sample.headline, sample.paragraphs[:1]),
        headers=newsroom.headers("editor"),
    ).json()
    client.post(
        f"/api/v1/stories/{created['story_id']}/items/fr/publish",
        headers=newsroom.headers("editor"),
    )
    good = fetch(client, newsroom.headers("all"), created["uri"])

    for version, validate, document, change in [
        ("2.2", validate_ninjs2, good["ninjs2"], {"urgency": "flash"}),
        ("2.2", validate_ninjs2, good["ninjs2"], {"firstcreated": "19 février 2021"}),
        ("2.2", validate_ninjs2, good["ninjs2"], {"firstCreated": "2021-02-19T07:40:00Z"}),
        ("3.1", validate_ninjs3, good["ninjs3"], {"firstcreated": "2021-02-19T07:40:00Z"}),
        ("3.1", validate_ninjs3, good["ninjs3"], {"versionCreated": "2021-02-30T07:40:00Z"}),
    ]:
        broken = {**copy.deepcopy(document), **change}
        with pytest.raises(AssertionError, match=f"not valid ninjs {version}"):
            validate(broken)

    root = etree.fromstring(good["newsml"])
    item_meta = root.find("g2:itemMeta", NS)
    assert item_meta is not None
    root.remove(item_meta)
    with pytest.raises(AssertionError, match="itemMeta"):
        validate_newsml(etree.tostring(root))
    nitf_body = etree.fromstring(good["newsml"]).find(".//n:body.content", NS)
    assert nitf_body is not None
    etree.SubElement(nitf_body, "{http://iptc.org/std/NITF/2006-10-18/}script")
    with pytest.raises(AssertionError, match="script"):
        validate_newsml(etree.tostring(nitf_body.getroottree()))
