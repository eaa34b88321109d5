from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from newswire.formats.ninjs import Ninjs2In, mediatopic_qcode, render_ninjs2, to_ninjs2
from newswire.stories.document import ItemDocument, ItemInput


def expected_input(doc: ItemDocument) -> ItemInput:
    """What a writer who sent `doc` back as ninjs must have supplied."""
    return ItemInput(
        language=doc.language,
        headline=doc.headline,
        subheadline=doc.subheadline,
        body_html=doc.body_html,
        slugline=doc.slugline,
        byline=doc.byline,
        located=doc.located,
        firstcreated=doc.firstcreated,
        urgency=doc.urgency,
        subjects=tuple(subject.code for subject in doc.subjects),
        places=doc.places,
        people=doc.people,
        organisations=doc.organisations,
        keywords=doc.keywords,
        embargoed=doc.embargoed,
        ednote=doc.ednote,
        uri=doc.uri,
    )


def writer_document(**overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "language": "en",
        "headlines": [{"role": "main", "value": "Caspian transit agreement signed"}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": "<p>Signed.</p>"}],
    }
    document.update(overrides)
    return document


def error_locations(document: dict[str, Any]) -> list[tuple[str | int, ...]]:
    with pytest.raises(ValidationError) as caught:
        Ninjs2In.model_validate(document)
    return [error["loc"] for error in caught.value.errors()]


def test_round_trip_gives_back_every_field(sample_doc: ItemDocument) -> None:
    parsed = Ninjs2In.model_validate(to_ninjs2(sample_doc)).to_item_input()

    assert parsed == expected_input(sample_doc)


def test_round_trip_through_json_bytes(full_doc: ItemDocument) -> None:
    parsed = Ninjs2In.model_validate_json(render_ninjs2(full_doc)).to_item_input()

    assert parsed == expected_input(full_doc)
    assert parsed.subjects == ("medtop:11000000", "medtop:04000000")
    assert parsed.keywords == ("transit", "rail")
    assert parsed.embargoed == datetime(2025, 2, 19, 14, 0, tzinfo=UTC)


def test_a_minimal_writer_document() -> None:
    item = Ninjs2In.model_validate(writer_document()).to_item_input()

    assert item == ItemInput(
        language="en", headline="Caspian transit agreement signed", body_html="<p>Signed.</p>"
    )


@pytest.mark.parametrize(
    ("document", "location", "error_type"),
    [
        (writer_document(keywords=["rail"]), ("keywords",), "extra_forbidden"),
        (writer_document(guid="x"), ("guid",), "extra_forbidden"),
        (writer_document(urgency=12), ("urgency",), "less_than_equal"),
        (writer_document(urgency=0), ("urgency",), "greater_than_equal"),
        (writer_document(pubstatus="killed"), ("pubstatus",), "literal_error"),
        (writer_document(version=2), ("version",), "string_type"),
        (writer_document(firstcreated="2025-02-19T10:00:00"), ("firstcreated",), "timezone_aware"),
        (writer_document(firstcreated=1739959200), ("firstcreated",), "value_error"),
        (
            writer_document(headlines=[{"value": "A", "lang": "en"}]),
            ("headlines", 0, "lang"),
            "extra_forbidden",
        ),
        (
            writer_document(subjects=[{"name": "rail", "relevance": 101}]),
            ("subjects", 0, "relevance"),
            "less_than_equal",
        ),
    ],
    ids=[
        "unknown-keywords",
        "unknown-guid",
        "urgency-12",
        "urgency-0",
        "pubstatus",
        "version-number",
        "naive-time",
        "epoch-time",
        "unknown-in-headline",
        "relevance",
    ],
)
def test_invalid_documents_name_the_field(
    document: dict[str, Any], location: tuple[str | int, ...], error_type: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Ninjs2In.model_validate(document)

    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [(location, error_type)]


def test_missing_headlines_is_an_error_naming_headlines() -> None:
    document = writer_document()
    del document["headlines"]

    assert error_locations(document) == [("headlines",)]


@pytest.mark.parametrize("headlines", [[], [{"value": "  "}], [{"role": "sub", "value": ""}]])
def test_headlines_without_text_are_an_error_naming_headlines(
    headlines: list[dict[str, str]],
) -> None:
    assert error_locations(writer_document(headlines=headlines)) == [("headlines",)]


@pytest.mark.parametrize("language", [None, ""])
def test_missing_language_is_an_error_naming_language(language: str | None) -> None:
    document = writer_document(language=language)
    if language is None:
        del document["language"]

    assert error_locations(document) == [("language",)]


def test_main_headline_wins_over_the_first_and_sub_is_the_subheadline() -> None:
    document = writer_document(
        headlines=[
            {"role": "sub", "value": "Freight to double"},
            {"role": "short", "value": "Transit deal"},
            {"role": "main", "value": " Caspian transit agreement signed "},
        ]
    )

    item = Ninjs2In.model_validate(document).to_item_input()

    assert item.headline == "Caspian transit agreement signed"
    assert item.subheadline == "Freight to double"


def test_without_a_main_role_the_first_headline_is_taken() -> None:
    document = writer_document(headlines=[{"value": "First"}, {"role": "title", "value": "Second"}])

    item = Ninjs2In.model_validate(document).to_item_input()

    assert item.headline == "First"
    assert item.subheadline is None


def test_the_html_body_is_preferred_over_plain_text() -> None:
    document = writer_document(
        bodies=[
            {"role": "main", "contenttype": "text/plain", "value": "Plain"},
            {"role": "rich", "contenttype": "text/html; charset=utf-8", "value": "<p>Rich</p>"},
        ]
    )

    assert Ninjs2In.model_validate(document).to_item_input().body_html == "<p>Rich</p>"


def test_plain_text_body_becomes_escaped_paragraphs() -> None:
    text = "Baku hosts the forum.\n\nDelegates from 40 countries & <b>press</b> attend.\nEnd"
    document = writer_document(bodies=[{"contenttype": "text/plain", "value": text}])

    body_html = Ninjs2In.model_validate(document).to_item_input().body_html

    assert body_html == (
        "<p>Baku hosts the forum.</p>"
        "<p>Delegates from 40 countries &amp; &lt;b&gt;press&lt;/b&gt; attend.</p>"
        "<p>End</p>"
    )


def test_a_body_without_content_type_is_plain_unless_it_has_markup() -> None:
    plain = writer_document(bodies=[{"value": "One line"}])
    marked = writer_document(bodies=[{"value": "<p>One <i>line</i></p>"}])

    assert Ninjs2In.model_validate(plain).to_item_input().body_html == "<p>One line</p>"
    assert Ninjs2In.model_validate(marked).to_item_input().body_html == "<p>One <i>line</i></p>"


def test_subjects_codes_from_literal_or_mediatopic_uri_and_keywords() -> None:
    document = writer_document(
        subjects=[
            {"name": "economy", "uri": "http://cv.iptc.org/newscodes/mediatopic/04000000"},
            {"uri": "https://cv.iptc.org/newscodes/mediatopic/20000523/"},
            {"literal": "medtop:11000000", "uri": "http://example.org/politics"},
            {"name": "transit", "rel": "keyword"},
            {"name": "Caspian Sea", "uri": "http://www.wikidata.org/entity/Q5484"},
            {"literal": "medtop:04000000"},
        ],
        places=[{"name": "Baku", "rel": "about"}, {"literal": "city:aktau"}],
        people=[{"name": "Minister of Economy"}],
        organisations=[{"name": "Ministry of Economy", "symbols": [{"ticker": "X"}]}],
    )

    item = Ninjs2In.model_validate(document).to_item_input()

    assert item.subjects == ("medtop:04000000", "medtop:20000523", "medtop:11000000")
    assert item.keywords == ("transit", "Caspian Sea")
    assert item.places == ("Baku",)
    assert item.people == ("Minister of Economy",)
    assert item.organisations == ("Ministry of Economy",)


def test_times_are_converted_to_utc() -> None:
    document = writer_document(
        firstcreated="2025-02-19T14:00:00+04:00", embargoed="2025-02-19T18:00:00+04:00"
    )

    item = Ninjs2In.model_validate(document).to_item_input()

    assert item.firstcreated == datetime(2025, 2, 19, 10, 0, tzinfo=UTC)
    assert item.firstcreated.tzinfo is UTC
    assert item.embargoed == datetime(2025, 2, 19, 14, 0, tzinfo=UTC)


def test_every_other_schema_property_is_tolerated() -> None:
    document = writer_document(
        uri="urn:newsml:example.org:20250219:1",
        type="text",
        representationtype="full",
        profile="text-only",
        version="2",
        versioncreated="2025-02-19T10:00:00Z",
        contentcreated="2025-02-19T09:00:00Z",
        expires="2025-03-19T09:00:00Z",
        pubstatus="usable",
        copyrightholder="Example",
        copyrightnotice="(c) Example",
        usageterms="Subscribers only",
        title="transit",
        descriptions=[{"role": "summary", "contenttype": "text/plain", "value": "Signed."}],
        events=[{"name": "Caspian summit", "rel": "about"}],
        objects=[{"name": "ferry"}],
        infosources=[{"name": "Example", "role": "originfo", "contactinfo": [{"value": "x"}]}],
        places=[{"name": "Baku", "geojson": {"type": "Point", "coordinates": [49.87, 40.41]}}],
        renditions=[{"name": "thumbnail", "href": "https://example.org/t.jpg", "width": 70}],
        associations=[{"name": "picture", "uri": "https://example.org/p/1", "type": "picture"}],
        altids=[{"role": "story", "value": "1"}],
        trustindicators=[{"role": "https://example.org/ethics", "title": "Ethics"}],
        standard={"name": "ninjs", "version": "2.2", "schema": "http://example.org/s.json"},
        genres=[{"name": "Current", "uri": "http://cv.iptc.org/newscodes/genre/Current"}],
        rightsinfo={"linkedrights": "https://example.org/rights"},
        digitalsourcetype={"uri": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"},
    )

    parsed = Ninjs2In.model_validate(document)

    assert parsed.standard is not None
    assert parsed.standard.schema_uri == "http://example.org/s.json"
    assert parsed.to_item_input().uri == "urn:newsml:example.org:20250219:1"


def test_an_association_needs_a_name_and_uri() -> None:
    document = writer_document(associations=[{"type": "picture"}])

    assert set(error_locations(document)) == {
        ("associations", 0, "name"),
        ("associations", 0, "uri"),
    }


@pytest.mark.parametrize(
    ("uri", "qcode"),
    [
        ("http://cv.iptc.org/newscodes/mediatopic/04000000", "medtop:04000000"),
        ("https://cv.iptc.org/newscodes/mediatopic/20000523/", "medtop:20000523"),
        ("http://cv.iptc.org/newscodes/subjectcode/04000000", None),
        ("http://example.org/mediatopic/04000000", None),
        (None, None),
    ],
)
def test_mediatopic_qcode(uri: str | None, qcode: str | None) -> None:
    assert mediatopic_qcode(uri) == qcode
