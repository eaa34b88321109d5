"""Readable differences between two versions of a story: word by word, paragraph by paragraph.

Everything here works on plain text and returns data — `(kind, text)` segments — that a
template escapes as it renders them, so nothing a writer typed can ever become markup.
Chinese and Japanese are written without spaces between words: their characters are compared
one by one, so that one changed word marks one or two characters rather than a whole sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from html.parser import HTMLParser
from typing import Literal

SegmentKind = Literal["equal", "insert", "delete"]
ParagraphKind = Literal["equal", "changed", "added", "removed"]


@dataclass(frozen=True, slots=True)
class Segment:
    kind: SegmentKind
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One block of a body as plain text, and the element it came from (p, h2, li, ...)."""

    tag: str
    text: str


@dataclass(frozen=True, slots=True)
class ParagraphDiff:
    kind: ParagraphKind
    tag: str
    segments: tuple[Segment, ...]

    @property
    def old(self) -> tuple[Segment, ...]:
        """What the first version showed: unchanged and deleted text."""
        return tuple(s for s in self.segments if s.kind != "insert")

    @property
    def new(self) -> tuple[Segment, ...]:
        """What the second version shows: unchanged and inserted text."""
        return tuple(s for s in self.segments if s.kind != "delete")


# Scripts written without spaces between words: CJK ideographs (with extensions and
# compatibility forms), kana, and CJK punctuation.
_UNSPACED = (
    "\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f"
)
# Numbers keep their separators ("4.2", "1,500", "10:30"): a changed figure is one change.
_TOKEN = re.compile(rf"[{_UNSPACED}]|\d+(?:[.,:]\d+)+|[^\W{_UNSPACED}]+|\s+|[^\w\s{_UNSPACED}]")


def tokens(text: str) -> list[str]:
    """Words, numbers, runs of spaces and single punctuation marks; Han and kana one by one.

    Joining the tokens gives the text back unchanged.
    """
    return _TOKEN.findall(text)


def _merge(segments: list[Segment]) -> tuple[Segment, ...]:
    merged: list[Segment] = []
    for segment in segments:
        if not segment.text:
            continue
        if merged and merged[-1].kind == segment.kind:
            merged[-1] = Segment(segment.kind, merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return tuple(merged)


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """The changes from `old` to `new`, word by word; deletions come before insertions."""
    a, b = tokens(old), tokens(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    segments: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment("equal", "".join(a[i1:i2])))
            continue
        segments.append(Segment("delete", "".join(a[i1:i2])))
        segments.append(Segment("insert", "".join(b[j1:j2])))
    return _merge(_absorb_lone_spaces(segments))


def _absorb_lone_spaces(segments: list[Segment]) -> list[Segment]:
    """Fold a single space kept between two changes into them: "a b" → "x y" reads as one change."""
    result: list[Segment] = []
    for index, segment in enumerate(segments):
        between_changes = (
            segment.kind == "equal"
            and not segment.text.strip()
            and 0 < index < len(segments) - 1
            and segments[index - 1].kind != "equal"
            and segments[index + 1].kind != "equal"
        )
        if between_changes:
            result.append(Segment("delete", segment.text))
            result.append(Segment("insert", segment.text))
        else:
            result.append(segment)
    # Regroup so that each run of changes shows all its deletions, then all its insertions.
    grouped: list[Segment] = []
    pending: dict[str, list[str]] = {"delete": [], "insert": []}
    for segment in [*result, Segment("equal", "")]:
        if segment.kind == "equal":
            grouped.append(Segment("delete", "".join(pending["delete"])))
            grouped.append(Segment("insert", "".join(pending["insert"])))
            pending = {"delete": [], "insert": []}
            grouped.append(segment)
        else:
            pending[segment.kind].append(segment.text)
    return grouped


# --- bodies -------------------------------------------------------------------------------

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "div", "ul", "ol", "pre"}


class _Blocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[Paragraph] = []
        self._tags: list[str] = []
        self._text: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        if text:
            tag = next((t for t in reversed(self._tags) if t in _BLOCKS), "p")
            self.paragraphs.append(Paragraph(tag, text))
        self._text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._flush()
            self._tags.append(tag)
        elif tag == "br":
            self._text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._flush()
            if tag in self._tags:
                del self._tags[len(self._tags) - 1 - self._tags[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def paragraphs(body_html: str) -> list[Paragraph]:
    """The blocks of a (sanitised) body as plain text, in order; empty blocks are left out."""
    parser = _Blocks()
    parser.feed(body_html)
    parser.close()
    return parser.paragraphs


# Paragraphs of one language that share less than this are shown as one removed and one
# added rather than as one changed: a rewrite reads better whole than as a sea of marks.
SAME_LANGUAGE_SIMILARITY = 0.4
# A block of replaced paragraphs larger than this (old × new) is paired in order instead of by
# similarity, which would cost quadratic comparisons.
MAX_ALIGNMENT_CELLS = 2500


def _similarity(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, tokens(a), tokens(b), autojunk=False)
    if matcher.real_quick_ratio() == 0 or matcher.quick_ratio() == 0:
        return 0.0
    return matcher.ratio()


def _align(
    old: Sequence[Paragraph], new: Sequence[Paragraph], min_similarity: float
) -> list[tuple[int | None, int | None]]:
    """Pairs (old index, new index) in order, maximising the total similarity of pairs.

    A None on one side is a paragraph only the other version has. With `min_similarity` 0
    every paragraph is paired with one of the other side when the counts allow it.
    """
    n, m = len(old), len(new)
    if n * m > MAX_ALIGNMENT_CELLS:
        pairs: list[tuple[int | None, int | None]] = [(i, i) for i in range(min(n, m))]
        pairs += [(i, None) for i in range(m, n)] + [(None, j) for j in range(n, m)]
        return pairs
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    similar = [[0.0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            similar[i][j] = _similarity(old[i].text, new[j].text)
    # A pair is worth a little more than nothing, so that equal totals prefer pairing.
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            if similar[i][j] >= min_similarity:
                best = max(best, score[i + 1][j + 1] + similar[i][j] + 1e-6)
            score[i][j] = best
    i = j = 0
    pairs = []
    while i < n and j < m:
        if (
            similar[i][j] >= min_similarity
            and score[i][j] == score[i + 1][j + 1] + similar[i][j] + 1e-6
        ):
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    pairs += [(k, None) for k in range(i, n)] + [(None, k) for k in range(j, m)]
    return pairs


def body_diff(
    old_html: str, new_html: str, *, min_similarity: float = SAME_LANGUAGE_SIMILARITY
) -> list[ParagraphDiff]:
    """The bodies' paragraphs aligned, each equal, changed (word by word), added or removed.

    Between two languages pass `min_similarity=0`: paragraphs then pair by position, and what
    the word diff keeps unchanged (numbers, names) is what the translation carried over.
    """
    old, new = paragraphs(old_html), paragraphs(new_html)
    matcher = SequenceMatcher(None, [p.text for p in old], [p.text for p in new], autojunk=False)
    result: list[ParagraphDiff] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for paragraph in new[j1:j2]:
                result.append(
                    ParagraphDiff("equal", paragraph.tag, (Segment("equal", paragraph.text),))
                )
            continue
        for i, j in _align(old[i1:i2], new[j1:j2], min_similarity):
            if i is not None and j is not None:
                a, b = old[i1 + i], new[j1 + j]
                result.append(ParagraphDiff("changed", b.tag, word_diff(a.text, b.text)))
            elif i is not None:
                a = old[i1 + i]
                result.append(ParagraphDiff("removed", a.tag, (Segment("delete", a.text),)))
            elif j is not None:
                b = new[j1 + j]
                result.append(ParagraphDiff("added", b.tag, (Segment("insert", b.text),)))
    return result


@dataclass(frozen=True, slots=True)
class Block:
    """Paragraphs shown as they are, or a run of unchanged ones folded away."""

    collapsed: bool
    paragraphs: tuple[ParagraphDiff, ...]


def collapse(diffs: Sequence[ParagraphDiff], *, context: int = 1) -> list[Block]:
    """Fold runs of unchanged paragraphs, keeping `context` of them around each change."""
    changes = [index for index, d in enumerate(diffs) if d.kind != "equal"]
    near = {
        index
        for change in changes
        for index in range(change - context, change + context + 1)
        if 0 <= index < len(diffs)
    }
    blocks: list[Block] = []
    run: list[ParagraphDiff] = []
    shown: list[ParagraphDiff] = []

    def flush_run() -> None:
        if len(run) > 1:
            if shown:
                blocks.append(Block(False, tuple(shown)))
                shown.clear()
            blocks.append(Block(True, tuple(run)))
        else:
            shown.extend(run)
        run.clear()

    for index, paragraph in enumerate(diffs):
        if paragraph.kind == "equal" and index not in near:
            run.append(paragraph)
            continue
        flush_run()
        shown.append(paragraph)
    flush_run()
    if shown:
        blocks.append(Block(False, tuple(shown)))
    return blocks


# --- fields -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldDiff:
    """One metadata field of both versions: what each shows, with changes marked."""

    name: str  # the field's label (an interface message, translated by the template)
    kind: Literal["text", "list", "value"]
    changed: bool
    old: tuple[Segment, ...]
    new: tuple[Segment, ...]


def text_field(name: str, old: str | None, new: str | None) -> FieldDiff:
    """A one-line field; an absent value is the empty string."""
    old, new = old or "", new or ""
    if old == new:
        same = (Segment("equal", old),) if old else ()
        return FieldDiff(name, "text", False, same, same)
    segments = word_diff(old, new)
    return FieldDiff(
        name,
        "text",
        True,
        tuple(s for s in segments if s.kind != "insert"),
        tuple(s for s in segments if s.kind != "delete"),
    )


def value_field(name: str, old: str | None, new: str | None) -> FieldDiff:
    """A value that changes as a whole (urgency, embargo time); an absent value is None."""
    if old == new:
        same = (Segment("equal", old),) if old else ()
        return FieldDiff(name, "value", False, same, same)
    return FieldDiff(
        name,
        "value",
        True,
        (Segment("delete", old),) if old else (),
        (Segment("insert", new),) if new else (),
    )


def list_field(
    name: str, old: Sequence[tuple[str, str]], new: Sequence[tuple[str, str]]
) -> FieldDiff:
    """A list of values compared by key, each shown by its label: `(key, label)` pairs."""
    old_keys, new_keys = [key for key, _ in old], [key for key, _ in new]
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    old_side: list[Segment] = []
    new_side: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            old_side += [Segment("equal", label) for _, label in old[i1:i2]]
            new_side += [Segment("equal", label) for _, label in new[j1:j2]]
        else:
            old_side += [Segment("delete", label) for _, label in old[i1:i2]]
            new_side += [Segment("insert", label) for _, label in new[j1:j2]]
    changed = old_keys != new_keys
    return FieldDiff(name, "list", changed, tuple(old_side), tuple(new_side))
