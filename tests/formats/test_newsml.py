from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from newswire.formats.newsml import news_item, render_newsml
from newswire.stories.document import ItemDocument

STANDARDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "standards"
if not STANDARDS.is_dir():
    pytest.skip(f"IPTC standards folder not found at {STANDARDS}", allow_module_level=True)

NS = {"g2": "http://iptc.org/std/nar/2006-10-01/", "n": "http://iptc.org/std/NITF/2006-10-18/"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Bodies that stretch the HTML-to-NITF conversion; each must still give a valid document.
AWKWARD_BODIES = {
    "empty": "",
    "only-text": "Text with no paragraph at all",
    "loose-text-between-blocks": "<p>One</p>loose <b>bold</b> text<br>after a break<p>Two</p>",
    "every-allowed-tag": (
        "<h2>Heading</h2><h3>Smaller</h3>"
        "<p><b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <q>q</q> "
        '<a href="https://example.org/" title="t" rel="noopener noreferrer">a</a>'
        "<br>H<sub>2</sub>O x<sup>2</sup></p>"
        "<ul><li>one</li><li><b>two</b></li></ul><ol><li>first</li></ol>"
        "<blockquote><p>quoted</p></blockquote>"
    ),
    "nested-lists-and-paragraphs-in-items": (
        "<ul><li>outer<ul><li>inner</li></ul></li><li><p>para</p><p>para 2</p></li></ul>"
    ),
    "blockquote-with-loose-text": "<blockquote>said the minister <i>firmly</i></blockquote>",
    "empty-containers": "<p></p><ul></ul><blockquote> </blockquote><h2> </h2><p>kept</p>",
    "formatting-around-blocks": "<b><p>bold paragraph</p></b><i>text</i>",
    "unknown-tags-and-comments": "<div><span>in a span</span><!-- note --> tail</div><p>end</p>",
    "links-in-headings-and-lists": '<h2><a href="https://example.org/">link</a></h2><ol><li><a '
    'href="mailto:desk@example.org">mail</a></li></ol>',
    "control-characters": "<p>bell\x07 and form feed\x0c</p>",
    "sub-with-markup": "<p>E = mc<sup><b>2</b></sup></p>",
    "rtl-and-cjk": "<p>باكو <b>巴库</b> Baku</p>",
}


def parse(doc: ItemDocument) -> etree._Element:
    return etree.fromstring(render_newsml(doc))


def texts(root: etree._Element, path: str) -> list[str]:
    return [element.text or "" for element in root.iterfind(path, NS)]


def children(element: etree._Element) -> list[tuple[str, dict[str, str], str | None]]:
    """(name, attributes, text) of each child; the indentation of pretty printing is no text."""
    return [
        (etree.QName(child).localname, dict(child.attrib), (child.text or "").strip() or None)
        for child in element
        if isinstance(child.tag, str)
    ]


def assert_valid(schema: etree.XMLSchema, root: etree._Element) -> None:
    valid = schema.validate(root)
    assert valid, "\n".join(str(error) for error in schema.error_log)


def test_every_sample_is_valid(sample_doc: ItemDocument, g2_schema: etree.XMLSchema) -> None:
    assert_valid(g2_schema, parse(sample_doc))


@pytest.mark.parametrize("pubstatus", ["usable", "withheld", "canceled"])
@pytest.mark.parametrize("embargoed", [False, True], ids=["no-embargo", "embargo"])
def test_every_pubstatus_with_and_without_embargo_is_valid(
    pubstatus: str,
    embargoed: bool,
    full_doc: ItemDocument,
    g2_schema: etree.XMLSchema,
) -> None:
    doc = full_doc.model_copy(
        update={"pubstatus": pubstatus, "embargoed": full_doc.embargoed if embargoed else None}
    )
    root = parse(doc)

    assert_valid(g2_schema, root)
    assert root.find("g2:itemMeta/g2:pubStatus", NS).get("qcode") == f"stat:{pubstatus}"
    assert (root.find("g2:itemMeta/g2:embargoed", NS) is not None) is embargoed


@pytest.mark.parametrize("body_html", list(AWKWARD_BODIES.values()), ids=list(AWKWARD_BODIES))
def test_awkward_bodies_give_valid_nitf(
    body_html: str, make_doc: Callable[..., ItemDocument], g2_schema: etree.XMLSchema
) -> None:
    assert_valid(g2_schema, parse(make_doc(body_html=body_html)))


def test_the_schema_validates_the_nitf_inside(
    full_doc: ItemDocument, g2_schema: etree.XMLSchema
) -> None:
    # Without NITF in the wrapper schema, inlineXML would be checked laxly and pass anything.
    root = news_item(full_doc)
    content = root.find(".//n:body.content", NS)
    etree.SubElement(content, "{http://iptc.org/std/NITF/2006-10-18/}div")

    assert not g2_schema.validate(root)


def test_full_document_envelope(full_doc: ItemDocument) -> None:
    root = parse(full_doc)

    assert root.tag == "{http://iptc.org/std/nar/2006-10-01/}newsItem"
    assert dict(root.attrib) == {
        "guid": "urn:newsml:azertac.az:20250219:1001",
        "version": "3",
        "standard": "NewsML-G2",
        "standardversion": "2.35",
        "conformance": "power",
        XML_LANG: "en",
    }
    assert children(root)[:2] == [
        (
            "catalogRef",
            {"href": "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_41.xml"},
            None,
        ),
        ("rightsInfo", {}, None),
    ]
    assert texts(root, "g2:rightsInfo/g2:copyrightHolder/g2:name") == ["AZERTAC"]
    assert [child[0] for child in children(root)] == [
        "catalogRef",
        "rightsInfo",
        "itemMeta",
        "contentMeta",
        "contentSet",
    ]


def test_full_document_item_meta(full_doc: ItemDocument) -> None:
    item_meta = parse(full_doc).find("g2:itemMeta", NS)

    assert children(item_meta) == [
        ("itemClass", {"qcode": "ninat:text"}, None),
        ("provider", {"literal": "azertac.az"}, None),
        ("versionCreated", {}, "2025-02-19T12:15:00Z"),
        ("firstCreated", {}, "2025-02-19T10:00:00Z"),
        ("embargoed", {}, "2025-02-19T14:00:00Z"),
        ("pubStatus", {"qcode": "stat:usable"}, None),
        ("edNote", {}, "Embargoed until 18:00 Baku time."),
        (
            "link",
            {
                "rel": "irel:seeAlso",
                "href": "https://azertac.az/en/news/1001-caspian-transit-agreement-signed",
                "contenttype": "text/html",
            },
            None,
        ),
    ]
    assert texts(item_meta, "g2:provider/g2:name") == ["AZERTAC"]


def test_full_document_content_meta(full_doc: ItemDocument) -> None:
    content_meta = parse(full_doc).find("g2:contentMeta", NS)

    assert children(content_meta) == [
        ("urgency", {}, "3"),
        ("located", {}, None),
        ("language", {"tag": "en"}, None),
        ("subject", {"type": "cpnat:abstract", "qcode": "medtop:11000000"}, None),
        ("subject", {"type": "cpnat:abstract", "qcode": "medtop:04000000"}, None),
        ("keyword", {}, "transit"),
        ("keyword", {}, "rail"),
        ("slugline", {}, "AZ-TRANSIT"),
        ("headline", {}, "Caspian transit agreement signed in Baku"),
        (
            "description",
            {"role": "drol:summary"},
            "Rail freight across the sea is expected to double by 2030",
        ),
        ("dateline", {}, "Baku, 19 February, AZERTAC"),
        ("by", {}, "By Leyla Mammadova"),
    ]
    assert texts(content_meta, "g2:located/g2:name") == ["Baku"]
    assert texts(content_meta, "g2:subject/g2:name") == [
        "politics",
        "economy, business and finance",
    ]


def test_full_document_nitf(full_doc: ItemDocument) -> None:
    inline = parse(full_doc).find("g2:contentSet/g2:inlineXML", NS)
    nitf = inline.find("n:nitf", NS)

    assert inline.get("contenttype") == "application/nitf+xml"
    assert texts(nitf, "n:head/n:title") == ["Caspian transit agreement signed in Baku"]
    assert texts(nitf, "n:body/n:body.head/n:hedline/n:hl1") == [full_doc.headline]
    assert texts(nitf, "n:body/n:body.head/n:hedline/n:hl2") == [full_doc.subheadline]
    assert texts(nitf, "n:body/n:body.head/n:byline") == ["By Leyla Mammadova"]
    note = nitf.find("n:body/n:body.head/n:note", NS)
    assert dict(note.attrib) == {"noteclass": "editorsnote", "type": "pa"}
    assert texts(note, "n:body.content/n:p") == [full_doc.correction_note]
    dateline = nitf.find("n:body/n:body.head/n:dateline", NS)
    assert "".join(dateline.itertext()) == "Baku, 19 February, AZERTAC"
    assert texts(dateline, "n:location") == ["Baku"]
    paragraphs = nitf.findall("n:body/n:body.content/n:p", NS)
    assert ["".join(p.itertext()) for p in paragraphs] == [
        "Five Caspian states signed a transit agreement on Wednesday.",
        "The text is on the ministry website.",
    ]
    assert paragraphs[0].find("n:em", NS).get("class") == "bold"
    assert dict(paragraphs[1].find("n:a", NS).attrib) == {"href": "https://example.org/agreement"}
    assert nitf.find("n:body/n:body.end", NS) is not None


def test_minimal_document(minimal_doc: ItemDocument, g2_schema: etree.XMLSchema) -> None:
    root = parse(minimal_doc)

    assert_valid(g2_schema, root)
    assert root.find("g2:rightsInfo", NS) is None
    assert root.find("g2:itemMeta/g2:embargoed", NS) is None
    assert root.find("g2:itemMeta/g2:edNote", NS) is None
    # the provider comes from the item URI when the agency domain is not given
    assert root.find("g2:itemMeta/g2:provider", NS).get("literal") == "azertac.az"
    assert [name for name, _, _ in children(root.find("g2:contentMeta", NS))] == [
        "urgency",
        "language",
        "headline",
    ]
    assert texts(root, ".//n:hedline/n:hl1") == ["Flash: earthquake felt in Shamakhi"]
    assert root.find(".//n:hedline/n:hl2", NS) is None
    assert root.find(".//n:body.content", NS).find("*") is None


def test_killed_item(make_doc: Callable[..., ItemDocument]) -> None:
    root = parse(make_doc(pubstatus="canceled", version=4))

    assert root.get("version") == "4"
    assert root.find("g2:itemMeta/g2:pubStatus", NS).get("qcode") == "stat:canceled"


def test_arabic_is_right_to_left(make_doc: Callable[..., ItemDocument]) -> None:
    headline = "توقيع اتفاقية النقل عبر بحر قزوين في باكو"
    root = parse(make_doc(language="ar", headline=headline))

    assert root.get(XML_LANG) == "ar"
    assert root.get("dir") == "rtl"
    assert texts(root, "g2:contentMeta/g2:headline") == [headline]
    assert texts(root, ".//n:hl1") == [headline]


def test_chinese_text(make_doc: Callable[..., ItemDocument]) -> None:
    doc = make_doc(
        language="zh", headline="里海过境运输协议在巴库签署", body_html="<p>部长表示。</p>"
    )
    rendered = render_newsml(doc)
    root = etree.fromstring(rendered)

    assert rendered.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert "里海过境运输协议在巴库签署".encode() in rendered  # UTF-8, not character references
    assert root.get("dir") is None
    assert root.find("g2:contentMeta/g2:language", NS).get("tag") == "zh"
    assert texts(root, ".//n:body.content/n:p") == ["部长表示。"]


def test_multiline_strings_are_folded_for_g2(
    make_doc: Callable[..., ItemDocument], g2_schema: etree.XMLSchema
) -> None:
    # NewsML-G2 short strings may not contain tabs or newlines.
    doc = make_doc(slugline="AZ-\tTRANSIT", keywords=("rail\nfreight",), headline="Two\nlines")
    root = parse(doc)

    assert_valid(g2_schema, root)
    assert texts(root, "g2:contentMeta/g2:slugline") == ["AZ- TRANSIT"]
    assert texts(root, "g2:contentMeta/g2:keyword") == ["rail freight"]
    assert texts(root, "g2:contentMeta/g2:headline") == ["Two lines"]
