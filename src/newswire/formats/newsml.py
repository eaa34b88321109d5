"""NewsML-G2 2.35: one version of one item as a standalone `newsItem`, its text in NITF 3.6.

Element order follows NewsML-G2_2.35-spec-All-Power.xsd (AnyItemType, ItemManagementGroup,
AdministrativeMetadataGroup, DescriptiveMetadataGroup); every qcode uses a scheme alias from
the IPTC catalog referenced by `catalogRef`, so receivers can resolve it.
"""

from __future__ import annotations

from lxml import etree

from newswire import languages
from newswire.formats.bodytext import one_line, xml_safe
from newswire.formats.nitf import nitf_document
from newswire.formats.timestamps import rfc3339
from newswire.stories.document import ItemDocument

NAR_NS = "http://iptc.org/std/nar/2006-10-01/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/vnd.iptc.g2.newsitem+xml"
STANDARD_VERSION = "2.35"
CATALOG_HREF = "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_41.xml"


def _tag(local: str) -> str:
    return f"{{{NAR_NS}}}{local}"


def _sub(
    parent: etree._Element, local: str, text: str | None = None, **attributes: str | None
) -> etree._Element:
    element = etree.SubElement(
        parent, _tag(local), {k: v for k, v in attributes.items() if v is not None}
    )
    if text is not None:
        element.text = text
    return element


def render_newsml(doc: ItemDocument) -> bytes:
    """The document as a NewsML-G2 2.35 newsItem (UTF-8 XML bytes with a declaration)."""
    return etree.tostring(news_item(doc), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def news_item(doc: ItemDocument) -> etree._Element:
    """The document as a NewsML-G2 `newsItem` element tree."""
    item = etree.Element(
        _tag("newsItem"),
        {
            "guid": doc.uri,
            "version": str(doc.version),
            "standard": "NewsML-G2",
            "standardversion": STANDARD_VERSION,
            "conformance": "power",
            XML_LANG: doc.language,
        },
        # lxml spells the default namespace with a None prefix; lxml-stubs 0.5 does not allow it.
        nsmap={None: NAR_NS},  # type: ignore[dict-item]
    )
    if _is_rtl(doc.language):
        item.set("dir", "rtl")
    _sub(item, "catalogRef", href=CATALOG_HREF)
    if doc.copyrightholder:
        rights = _sub(item, "rightsInfo")
        holder = _sub(rights, "copyrightHolder")
        _sub(holder, "name", one_line(doc.copyrightholder))
    _item_meta(item, doc)
    _content_meta(item, doc)
    content_set = _sub(item, "contentSet")
    inline = _sub(content_set, "inlineXML", contenttype="application/nitf+xml")
    inline.append(nitf_document(doc))
    return item


def _item_meta(item: etree._Element, doc: ItemDocument) -> None:
    meta = _sub(item, "itemMeta")
    _sub(meta, "itemClass", qcode="ninat:text")
    provider = _sub(meta, "provider", literal=_provider_literal(doc))
    if doc.copyrightholder:
        _sub(provider, "name", one_line(doc.copyrightholder))
    _sub(meta, "versionCreated", rfc3339(doc.versioncreated))
    _sub(meta, "firstCreated", rfc3339(doc.firstcreated))
    if doc.embargoed:
        _sub(meta, "embargoed", rfc3339(doc.embargoed))
    _sub(meta, "pubStatus", qcode=f"stat:{doc.pubstatus}")
    if doc.ednote:
        _sub(meta, "edNote", xml_safe(doc.ednote))
    if doc.canonical_url:
        _sub(meta, "link", rel="irel:seeAlso", href=doc.canonical_url, contenttype="text/html")
    for picture in doc.pictures:
        # A text item points to its pictures as web resources; a link has no width or height
        # in NewsML-G2 2.35, and its `title` is the place for a short caption.
        text = picture.caption or picture.alt
        _sub(
            meta,
            "link",
            rel="irel:seeAlso",
            href=picture.href,
            contenttype=picture.mimetype,
            title=one_line(text) if text else None,
        )


def _content_meta(item: etree._Element, doc: ItemDocument) -> None:
    meta = _sub(item, "contentMeta")
    _sub(meta, "urgency", str(doc.urgency))
    if doc.located:
        _sub(_sub(meta, "located"), "name", one_line(doc.located))
    _sub(meta, "language", tag=doc.language)
    for subject in doc.subjects:
        is_qcode = ":" in subject.code and not any(c.isspace() for c in subject.code)
        element = _sub(
            meta,
            "subject",
            type="cpnat:abstract" if subject.code.startswith("medtop:") else None,
            qcode=subject.code if is_qcode else None,
            literal=None if is_qcode else one_line(subject.code),
        )
        if subject.name:
            _sub(element, "name", one_line(subject.name))
    for keyword in doc.keywords:
        _sub(meta, "keyword", one_line(keyword))
    if doc.slugline:
        _sub(meta, "slugline", one_line(doc.slugline))
    _sub(meta, "headline", one_line(doc.headline))
    if doc.subheadline:
        # IPTC has no headline role for a subheadline; a summary description is the G2 habit
        # for a standfirst. The NITF hedline carries it as hl2 as well.
        _sub(meta, "description", one_line(doc.subheadline), role="drol:summary")
    if doc.dateline:
        _sub(meta, "dateline", one_line(doc.dateline))
    if doc.byline:
        _sub(meta, "by", one_line(doc.byline))


def _provider_literal(doc: ItemDocument) -> str | None:
    if doc.agency_domain:
        return one_line(doc.agency_domain)
    # Item URIs are urn:newsml:{agency-domain}:{yyyymmdd}:{id}.
    parts = doc.uri.split(":")
    if len(parts) >= 3 and parts[0] == "urn" and parts[1] == "newsml" and parts[2]:
        return parts[2]
    return None


def _is_rtl(language: str) -> bool:
    known = languages.LANGUAGES.get(language.split("-", 1)[0].lower())
    return known is not None and known.rtl
