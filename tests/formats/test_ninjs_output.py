from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest
from jsonschema import Draft202012Validator

from newswire.formats.ninjs import render_ninjs2, render_ninjs3, to_ninjs2, to_ninjs3
from newswire.stories.document import ItemDocument, Subject

STANDARDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "standards"
if not STANDARDS.is_dir():
    pytest.skip(f"IPTC standards folder not found at {STANDARDS}", allow_module_level=True)


FULL_BODY = (
    "<p>Five Caspian states signed a <b>transit agreement</b> on Wednesday.</p>"
    '<p>The text is on the <a href="https://example.org/agreement" '
    'rel="noopener noreferrer">ministry website</a>.</p>'
)


def test_ninjs2_is_valid(sample_doc: ItemDocument, ninjs2_validator: Draft202012Validator) -> None:
    errors = [error.message for error in ninjs2_validator.iter_errors(to_ninjs2(sample_doc))]
    assert errors == []


def test_ninjs3_is_valid(sample_doc: ItemDocument, ninjs3_validator: Draft202012Validator) -> None:
    errors = [error.message for error in ninjs3_validator.iter_errors(to_ninjs3(sample_doc))]
    assert errors == []


def test_the_validators_check_formats_and_unknown_properties(
    full_doc: ItemDocument,
    ninjs2_validator: Draft202012Validator,
    ninjs3_validator: Draft202012Validator,
) -> None:
    # Guards the guard: a validator that let these through would make the tests above vacuous.
    bad2 = {**to_ninjs2(full_doc), "versioncreated": "19/02/2025 10:00", "keywords": ["x"]}
    bad3 = {**to_ninjs3(full_doc), "uri": "not a uri", "urgency": 12}

    assert len(list(ninjs2_validator.iter_errors(bad2))) == 2
    assert len(list(ninjs3_validator.iter_errors(bad3))) == 2


def test_ninjs2_full_document_exactly(full_doc: ItemDocument) -> None:
    assert to_ninjs2(full_doc) == {
        "uri": "urn:newsml:azertac.az:20250219:1001",
        "type": "text",
        "representationtype": "full",
        "profile": "newswire-text",
        "version": "3",
        "firstcreated": "2025-02-19T10:00:00Z",
        "versioncreated": "2025-02-19T12:15:00Z",
        "embargoed": "2025-02-19T14:00:00Z",
        "pubstatus": "usable",
        "urgency": 3,
        "language": "en",
        "headlines": [
            {"role": "main", "value": "Caspian transit agreement signed in Baku"},
            {"role": "sub", "value": "Rail freight across the sea is expected to double by 2030"},
        ],
        "bodies": [
            {
                "role": "main",
                "contenttype": "text/html",
                "value": FULL_BODY,
                "charcount": 97,
                "wordcount": 16,
            }
        ],
        "slugline": "AZ-TRANSIT",
        "by": "By Leyla Mammadova",
        "located": "Baku",
        "subjects": [
            {
                "name": "politics",
                "uri": "http://cv.iptc.org/newscodes/mediatopic/11000000",
                "literal": "medtop:11000000",
                "rel": "about",
            },
            {
                "name": "economy, business and finance",
                "uri": "http://cv.iptc.org/newscodes/mediatopic/04000000",
                "literal": "medtop:04000000",
                "rel": "about",
            },
            {"name": "transit", "rel": "keyword"},
            {"name": "rail", "rel": "keyword"},
        ],
        "places": [{"name": "Baku"}, {"name": "Aktau"}],
        "people": [{"name": "Minister of Digital Development and Transport"}],
        "organisations": [{"name": "Ministry of Economy"}],
        "ednote": "Embargoed until 18:00 Baku time.",
        "descriptions": [
            {"role": "dateline", "value": "Baku, 19 February, AZERTAC"},
            {
                "role": "correction",
                "value": "Corrects the length of the rail link in the second paragraph.",
            },
        ],
        "copyrightholder": "AZERTAC",
        "altids": [{"role": "story", "value": "1001"}],
        "standard": {
            "name": "ninjs",
            "version": "2.2",
            "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json#",
        },
    }


def test_ninjs3_full_document_exactly(full_doc: ItemDocument) -> None:
    ninjs3 = to_ninjs3(full_doc)
    ninjs2 = to_ninjs2(full_doc)

    assert list(ninjs3) == [
        "uri",
        "type",
        "representationType",
        "profile",
        "version",
        "firstCreated",
        "versionCreated",
        "embargoedUntil",
        "pubStatus",
        "urgency",
        "language",
        "headlines",
        "bodies",
        "slugline",
        "by",
        "located",
        "subjects",
        "places",
        "people",
        "organisations",
        "edNote",
        "descriptions",
        "copyrightHolder",
        "altIds",
        "standard",
    ]
    assert ninjs3["embargoedUntil"] == "2025-02-19T14:00:00Z"
    assert ninjs3["pubStatus"] == "usable"
    assert ninjs3["edNote"] == "Embargoed until 18:00 Baku time."
    assert ninjs3["located"] == "Baku"
    assert ninjs3["bodies"] == [
        {
            "role": "main",
            "contentType": "text/html",
            "value": FULL_BODY,
            "charCount": 97,
            "wordCount": 16,
        }
    ]
    assert ninjs3["altIds"] == [{"role": "story", "value": "1001"}]
    assert ninjs3["standard"] == {
        "name": "ninjs",
        "version": "3.1",
        "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#",
    }
    for same in ("headlines", "subjects", "places", "people", "organisations", "descriptions"):
        assert ninjs3[same] == ninjs2[same]


@pytest.mark.parametrize("convert", [to_ninjs2, to_ninjs3], ids=["2.2", "3.1"])
def test_minimal_document_has_no_empty_keys(
    convert: Callable[[ItemDocument], dict[str, object]], minimal_doc: ItemDocument
) -> None:
    document = convert(minimal_doc)

    assert document["headlines"] == [
        {"role": "main", "value": "Flash: earthquake felt in Shamakhi"}
    ]
    assert "bodies" not in document
    assert all(value not in (None, "", [], {}) for value in document.values())
    assert {"embargoed", "embargoedUntil", "subjects", "altids", "altIds"}.isdisjoint(document)


def test_killed_item_says_canceled(make_doc: Callable[..., ItemDocument]) -> None:
    killed = make_doc(pubstatus="canceled", version=4)

    assert to_ninjs2(killed)["pubstatus"] == "canceled"
    assert to_ninjs3(killed)["pubStatus"] == "canceled"


def test_times_are_utc_with_z(make_doc: Callable[..., ItemDocument]) -> None:
    baku = timezone(timedelta(hours=4))
    doc = make_doc(
        firstcreated=datetime(2025, 2, 19, 14, 0, tzinfo=baku),
        versioncreated=datetime(2025, 2, 19, 14, 0, 0, 250000, tzinfo=baku),
        embargoed=datetime(2025, 2, 19, 18, 0),  # noqa: DTZ001 - naive means UTC in newswire
    )

    ninjs = to_ninjs2(doc)

    assert ninjs["firstcreated"] == "2025-02-19T10:00:00Z"
    assert ninjs["versioncreated"] == "2025-02-19T10:00:00.250000Z"
    assert ninjs["embargoed"] == "2025-02-19T18:00:00Z"


def test_subject_without_a_label_or_mediatopic_uri(make_doc: Callable[..., ItemDocument]) -> None:
    doc = make_doc(subjects=(Subject(code="medtop:20000523"), Subject(code="subj:04000000")))

    assert to_ninjs2(doc)["subjects"] == [
        {
            "uri": "http://cv.iptc.org/newscodes/mediatopic/20000523",
            "literal": "medtop:20000523",
            "rel": "about",
        },
        {"literal": "subj:04000000", "rel": "about"},
    ]


def test_chinese_words_are_counted_per_character(make_doc: Callable[..., ItemDocument]) -> None:
    doc = make_doc(body_html="<p>部长表示，货运量将在<b>五年内</b>翻一番。</p><p>GDP 增长</p>")

    body = to_ninjs2(doc)["bodies"][0]

    # 15 ideographs, "GDP" and 2 more ideographs; punctuation is not a word
    assert body["wordcount"] == 18
    assert body["charcount"] == len("部长表示，货运量将在五年内翻一番。 GDP 增长")


@pytest.mark.parametrize(
    ("render", "convert"),
    [(render_ninjs2, to_ninjs2), (render_ninjs3, to_ninjs3)],
    ids=["2.2", "3.1"],
)
def test_render_is_the_json_of_the_document(
    render: Callable[[ItemDocument], bytes],
    convert: Callable[[ItemDocument], dict[str, object]],
    sample_doc: ItemDocument,
) -> None:
    rendered = render(sample_doc)

    assert isinstance(rendered, bytes)
    assert orjson.loads(rendered) == convert(sample_doc)
    assert sample_doc.headline.encode() in rendered  # UTF-8 as is, not \u escapes
