"""Reading story bodies: parsing sanitised HTML, counting its text, and plain text as HTML.

Every format needs the same facts about a body (its text, its length in characters and words),
so they are computed here once rather than in each renderer.
"""

from __future__ import annotations

import html
import re

from lxml import html as lxml_html

# Characters XML 1.0 cannot carry at all; lxml refuses them, so they are dropped instead.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Scripts written without spaces between words: each character counts as one word, the
# convention of word processors and of agencies that bill Chinese copy by the character.
_UNSPACED = (
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf"  # CJK Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\U00020000-\U0003134f"  # CJK Extensions B-G
)
_TOKEN = re.compile(f"[{_UNSPACED}]|[^\\s{_UNSPACED}]+")

# Elements that end a run of words: their text never joins the text beside them.
_BREAKING = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "br"}
)


def xml_safe(text: str) -> str:
    """Drop the characters XML 1.0 forbids (control characters, lone surrogates)."""
    return _NOT_XML_CHAR.sub("", text)


def one_line(text: str) -> str:
    """Fold every run of whitespace into one space, as NewsML-G2 short strings require."""
    return " ".join(xml_safe(text).split())


def parse_fragment(body_html: str) -> lxml_html.HtmlElement | None:
    """Parse a body into a `<div>` holding it, or None when there is nothing to parse."""
    if not body_html.strip():
        return None
    return lxml_html.fragment_fromstring(body_html, create_parent="div")


def plain_text(body_html: str) -> str:
    """The body's text with tags removed and whitespace folded to single spaces."""
    root = parse_fragment(body_html)
    if root is None:
        return ""
    pieces: list[str] = []
    _collect_text(root, pieces)
    return " ".join("".join(pieces).split())


def _collect_text(element: lxml_html.HtmlElement, pieces: list[str]) -> None:
    breaking = element.tag in _BREAKING
    if breaking:
        pieces.append(" ")
    if element.text:
        pieces.append(element.text)
    for child in element:
        if isinstance(child.tag, str):  # comments and processing instructions carry no text
            _collect_text(child, pieces)
        if child.tail:
            pieces.append(child.tail)
    if breaking:
        pieces.append(" ")


def count_words(text: str) -> int:
    """Words in `text`; a token made only of punctuation is not a word."""
    return sum(1 for token in _TOKEN.findall(text) if any(c.isalnum() for c in token))


def text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs: each line becomes one escaped `<p>`."""
    paragraphs = (line.strip() for line in text.splitlines())
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs if p)
