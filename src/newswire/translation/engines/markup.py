"""Inline HTML cut into text runs and tags, for engines that translate plain text only.

A sentence such as `<b>Baku</b> hosts a <a href="…">forum</a>.` becomes the runs `Baku`,
` hosts a `, `forum`, `.` between the tags, which stay exactly as written. The content of a
`<span translate="no">…</span>` (the termbase's preferred forms, put there by the draft
pipeline) is never sent to an engine; `unwrap_keep` removes the span itself from the output.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

# A tag, comment or doctype; quoted attribute values may hold `>`.
TAG = re.compile(r"<!--.*?-->|<(?:\"[^\"]*\"|'[^']*'|[^'\">])*>", re.S)
_SPAN_OPEN = re.compile(r"<span\b", re.I)
_SPAN_CLOSE = re.compile(r"</span\s*>", re.I)
_KEEP_ATTRIBUTE = re.compile(r"""\btranslate\s*=\s*(?:"no"|'no'|no\b)""", re.I)
# Only letters need a translation; digits, punctuation and spaces pass through.
_WORDLIKE = re.compile(r"[^\W\d_]", re.U)
# Spaces around a run, written as characters or as entities (`&nbsp;`), stay in place.
_SPACE = r"(?:\s|&nbsp;|&#160;|&#[xX][aA]0;)"
_LEAD = re.compile(rf"^{_SPACE}+")
_TRAIL = re.compile(rf"{_SPACE}+$")


@dataclass(frozen=True, slots=True)
class Piece:
    """A part of a sentence: `text` to translate, or a `tag`/`keep` that passes unchanged."""

    kind: str  # text | tag | keep
    raw: str  # as written in the HTML

    @property
    def translatable(self) -> bool:
        return self.kind == "text" and _WORDLIKE.search(html.unescape(self.raw)) is not None


def is_keep_open(tag: str) -> bool:
    return _SPAN_OPEN.match(tag) is not None and _KEEP_ATTRIBUTE.search(tag) is not None


def split(fragment: str) -> list[Piece]:
    """Cut an inline HTML fragment into text runs, tags and whole do-not-translate spans."""
    pieces: list[Piece] = []
    position = 0
    keep_start: int | None = None
    depth = 0  # nesting of <span> inside a do-not-translate span
    for match in TAG.finditer(fragment):
        tag = match.group()
        if keep_start is not None:
            if _SPAN_OPEN.match(tag):
                depth += 1
            elif _SPAN_CLOSE.match(tag):
                depth -= 1
                if depth == 0:
                    pieces.append(Piece("keep", fragment[keep_start : match.end()]))
                    keep_start = None
                    position = match.end()
            continue
        if match.start() > position:
            pieces.append(Piece("text", fragment[position : match.start()]))
        if is_keep_open(tag):
            keep_start, depth = match.start(), 1
        else:
            pieces.append(Piece("tag", tag))
        position = match.end()
    if keep_start is not None:  # unclosed: keep the rest as it is rather than translate it
        pieces.append(Piece("keep", fragment[keep_start:]))
    elif position < len(fragment):
        pieces.append(Piece("text", fragment[position:]))
    return pieces


def runs_to_translate(pieces: Sequence[Piece]) -> list[str]:
    """The plain text of each translatable run, without the spaces around it."""
    return [html.unescape(piece.raw).strip() for piece in pieces if piece.translatable]


def join(pieces: Sequence[Piece], translations: Sequence[str]) -> str:
    """The fragment again with each translatable run replaced, in order, by its translation.

    Spaces around a run are kept from the source, so tags do not glue to the words beside them.
    """
    parts: list[str] = []
    given = iter(translations)
    for piece in pieces:
        if not piece.translatable:
            parts.append(piece.raw)
            continue
        text = next(given).strip()
        lead = _LEAD.match(piece.raw)
        trail = _TRAIL.search(piece.raw)
        parts.append(
            (lead.group() if lead else "")
            + html.escape(text, quote=False)
            + (trail.group() if trail else "")
        )
    return "".join(parts)


def keep_spans(fragment: str) -> list[str]:
    """Every do-not-translate span of a fragment, as written, in order."""
    return [piece.raw for piece in split(fragment) if piece.kind == "keep"]


def restore_keep(translated: str, originals: Sequence[str]) -> str:
    """Put the source's do-not-translate spans back where an engine that keeps markup left them.

    Engines are asked not to touch them but may still change a letter; when the number of spans
    matches, each is replaced by the original.
    """
    pieces = split(translated)
    found = [piece for piece in pieces if piece.kind == "keep"]
    if not originals or len(found) != len(originals):
        return translated
    given = iter(originals)
    return "".join(next(given) if piece.kind == "keep" else piece.raw for piece in pieces)


def unwrap_keep(fragment: str) -> str:
    """Remove the `<span translate="no">` wrappers, keeping what they hold."""
    if "translate" not in fragment:
        return fragment
    parts: list[str] = []
    stack: list[bool] = []  # for each open <span>: is it a do-not-translate wrapper?
    position = 0
    for match in TAG.finditer(fragment):
        tag = match.group()
        drop = False
        if _SPAN_OPEN.match(tag) and not tag.endswith("/>"):
            keep = is_keep_open(tag)
            stack.append(keep)
            drop = keep
        elif _SPAN_CLOSE.match(tag) and stack:
            drop = stack.pop()
        if drop:
            parts.append(fragment[position : match.start()])
            position = match.end()
    parts.append(fragment[position:])
    return "".join(parts)
