"""NITF 3.6 (News Industry Text Format): the story text inside a NewsML-G2 newsItem.

The body arrives as HTML sanitised to p, h2, h3, b, strong, i, em, u, a, ul, ol, li, blockquote,
br, q, sub and sup. NITF is stricter than HTML about what may hold what, so the conversion
re-nests rather than copies: text loose in the body goes into a `<p>`, a blockquote becomes
`<bq><block>`, emphasis becomes `<em class="...">`, and sub/sup, which NITF allows only inside
`<num>`, are wrapped in one. Anything else is unwrapped, keeping its text.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from newswire.formats.bodytext import one_line, parse_fragment, xml_safe
from newswire.stories.document import ItemDocument

NITF_NS = "http://iptc.org/std/NITF/2006-10-18/"

_EM_CLASS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline"}
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset({"p", "ul", "ol", "blockquote", "div"}) | _HEADINGS


def _tag(local: str) -> str:
    return f"{{{NITF_NS}}}{local}"


def _root(local: str) -> etree._Element:
    # lxml spells the default namespace with a None prefix, which lxml-stubs 0.5 does not allow.
    return etree.Element(_tag(local), nsmap={None: NITF_NS})  # type: ignore[dict-item]


def nitf_document(doc: ItemDocument) -> etree._Element:
    """The item as an NITF `<nitf>` element: head/title, body.head, body.content, body.end."""
    nitf = _root("nitf")
    head = etree.SubElement(nitf, _tag("head"))
    etree.SubElement(head, _tag("title")).text = one_line(doc.headline)

    body = etree.SubElement(nitf, _tag("body"))
    body_head = etree.SubElement(body, _tag("body.head"))
    hedline = etree.SubElement(body_head, _tag("hedline"))
    etree.SubElement(hedline, _tag("hl1")).text = one_line(doc.headline)
    if doc.subheadline:
        etree.SubElement(hedline, _tag("hl2")).text = one_line(doc.subheadline)
    if doc.correction_note:
        # "pa": a publishable advisory, the NITF way of a note that readers are meant to see.
        note = etree.SubElement(body_head, _tag("note"), noteclass="editorsnote", type="pa")
        content = etree.SubElement(note, _tag("body.content"))
        etree.SubElement(content, _tag("p")).text = xml_safe(doc.correction_note)
    if doc.byline:
        etree.SubElement(body_head, _tag("byline")).text = one_line(doc.byline)
    if doc.dateline:
        body_head.append(_dateline(doc.dateline, doc.located))

    _convert_body(doc.body_html, etree.SubElement(body, _tag("body.content")))
    etree.SubElement(body, _tag("body.end"))
    return nitf


def _dateline(dateline: str, located: str | None) -> etree._Element:
    element = etree.Element(_tag("dateline"))
    dateline = one_line(dateline)
    place = one_line(located) if located else ""
    if place and dateline.startswith(place):
        etree.SubElement(element, _tag("location")).text = place
        element[0].tail = dateline[len(place) :]
    else:
        element.text = dateline
    return element


def body_content(body_html: str) -> etree._Element:
    """The sanitised HTML body as an NITF `<body.content>` element."""
    content = _root("body.content")
    _convert_body(body_html, content)
    return content


def _convert_body(body_html: str, content: etree._Element) -> None:
    root = parse_fragment(body_html)
    if root is not None:
        _blocks(root, content)


def _blocks(source: lxml_html.HtmlElement, target: etree._Element) -> None:
    """Convert the children of `source` into block elements appended to `target`."""
    loose: etree._Element | None = None  # the <p> collecting text found between blocks

    def loose_paragraph() -> etree._Element:
        nonlocal loose
        if loose is None:
            loose = etree.SubElement(target, _tag("p"))
        return loose

    if source.text and source.text.strip():
        _append_text(loose_paragraph(), source.text)
    for child in source:
        name = child.tag if isinstance(child.tag, str) else None
        if name in _BLOCKS:
            if loose is not None:
                _trim(loose)
                loose = None
            _block(child, target)
        elif name is not None and (name != "br" or loose is not None):
            _inline(child, loose_paragraph())
        tail = child.tail
        if tail and (tail.strip() or loose is not None):
            _append_text(loose_paragraph(), tail)
    if loose is not None:
        _trim(loose)


def _block(source: lxml_html.HtmlElement, target: etree._Element) -> None:
    name = source.tag
    if name == "p" or name in _HEADINGS:
        element = etree.SubElement(target, _tag("p" if name == "p" else "hl2"))
        _inline_content(source, element)
        if not _has_content(element):
            target.remove(element)
    elif name in ("ul", "ol"):
        _list(source, target)
    elif name == "blockquote":
        quote = etree.SubElement(target, _tag("bq"))
        block = etree.SubElement(quote, _tag("block"))
        _blocks(source, block)
        if len(block) == 0:
            target.remove(quote)
    else:  # a container with no NITF meaning: keep what it holds
        _blocks(source, target)


def _list(source: lxml_html.HtmlElement, target: etree._Element) -> None:
    element = etree.SubElement(target, _tag(source.tag))
    if source.text and source.text.strip():
        _append_text(etree.SubElement(element, _tag("li")), source.text)
    for child in source:
        if isinstance(child.tag, str):
            item = etree.SubElement(element, _tag("li"))
            if child.tag == "li":
                _mixed(child, item)
            elif child.tag in _BLOCKS:
                _block(child, item)
            else:
                _inline(child, item)
        if child.tail and child.tail.strip():
            _append_text(etree.SubElement(element, _tag("li")), child.tail)
    if len(element) == 0:  # NITF lists need at least one item
        target.remove(element)


def _mixed(source: lxml_html.HtmlElement, target: etree._Element) -> None:
    """Content of an `<li>`, which NITF lets hold both text and blocks."""
    _append_text(target, source.text)
    for child in source:
        if isinstance(child.tag, str):
            if child.tag in _BLOCKS:
                _block(child, target)
            else:
                _inline(child, target)
        _append_text(target, child.tail)


def _inline(source: lxml_html.HtmlElement, target: etree._Element) -> None:
    """Append the NITF form of an inline element (with its content) to `target`."""
    name = source.tag
    if name in _EM_CLASS:
        element = etree.SubElement(target, _tag("em"), {"class": _EM_CLASS[name]})
    elif name == "a":
        attributes = {k: xml_safe(v) for k, v in source.attrib.items() if k in ("href", "title")}
        element = etree.SubElement(target, _tag("a"), attributes)
    elif name == "q":
        element = etree.SubElement(target, _tag("q"))
    elif name == "br":
        etree.SubElement(target, _tag("br"))
        return
    elif name in ("sub", "sup"):
        number = etree.SubElement(target, _tag("num"))
        etree.SubElement(number, _tag(name)).text = xml_safe(source.text_content())
        return
    else:  # block or unknown element in running text: unwrap it
        _inline_content(source, target)
        return
    _inline_content(source, element)


def _inline_content(source: lxml_html.HtmlElement, target: etree._Element) -> None:
    _append_text(target, source.text)
    for child in source:
        if isinstance(child.tag, str):
            _inline(child, target)
        _append_text(target, child.tail)


def _append_text(element: etree._Element, text: str | None) -> None:
    """Add `text` after the last thing in `element`: its last child's tail, or its own text."""
    if not text:
        return
    text = xml_safe(text)
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


def _trim(paragraph: etree._Element) -> None:
    """Strip the layout whitespace that stray text between blocks brings along."""
    if paragraph.text:
        paragraph.text = paragraph.text.lstrip()
    if len(paragraph):
        last = paragraph[-1]
        last.tail = last.tail.rstrip() if last.tail else last.tail
    elif paragraph.text:
        paragraph.text = paragraph.text.rstrip()


def _has_content(element: etree._Element) -> bool:
    return len(element) > 0 or bool(element.text and element.text.strip())
