"""Story bodies are HTML paragraphs from an allow-list; everything else is removed."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = {
    "p", "h2", "h3", "b", "strong", "i", "em", "u", "a", "ul", "ol", "li",
    "blockquote", "br", "q", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_body(html: str) -> str:
    """Sanitise a body: scripts, frames, styles and `on*` handlers go, text stays."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template"},
    )
    return cleaned.strip()


def clean_text(value: str | None) -> str | None:
    """Headlines and other one-line fields: plain text, markup removed, spaces folded."""
    if value is None:
        return None
    text = html.unescape(nh3.clean(value, tags=set(), clean_content_tags={"script", "style"}))
    text = " ".join(text.split())
    return text or None


MAX_DEPTH = 24  # real story markup nests a handful of levels; XML parsers refuse far deeper


class _DepthGauge(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.deepest = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID:
            self.depth = max(0, self.depth - 1)


_VOID = {"br", "img", "hr", "wbr", "input", "meta", "link", "source", "area", "col", "embed"}


def nesting_depth(html_text: str) -> int:
    """How deeply elements nest in `html_text` (unclosed tags count as still open)."""
    gauge = _DepthGauge()
    gauge.feed(html_text)
    gauge.close()
    return gauge.deepest
