"""Story bodies are HTML paragraphs from an allow-list; everything else is removed."""

from __future__ import annotations

import html

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
