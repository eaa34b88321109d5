"""Sentences and blocks of story bodies, per language, with inline markup kept balanced.

Machine translation, the translation memory and QA all work sentence by sentence inside the
blocks (paragraphs, list items, headings, quotes) of a sanitised body. A sentence boundary may
fall inside `<b>…</b>`; each sentence then gets its own balanced copy of the markup, so an engine
sees well-formed fragments and `rebuild` can put the translated sentences back.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import lxml.html
from lxml import etree


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a body: `<p>`, `<li>`, `<blockquote>`, `<h2>`…"""

    path: tuple[str, ...]  # enclosing tags from the body root, e.g. ("ul", "li") or ("p",)
    html: str  # the block's inner HTML
    sentences: tuple[str, ...]  # inner HTML split into sentences, inline markup kept balanced


# --- plain-text sentence splitting ---------------------------------------------------------

_END = re.compile(r"[.!?…؟。！？]+")
_WIDE_END = frozenset("。！？")
# Closing quotes and brackets right after an end mark belong to the sentence they close.
_CLOSERS = frozenset("\"'»«”“„’‘」』）)]》〉›")
# What may open a sentence besides an upper-case or caseless letter (Arabic, Chinese).
_OPENERS = frozenset("\"'«»“„‘(¿¡[—–-「『《")
_FRENCH_GAP = " \u00a0\u202f"
_LEADING_PUNCT = "\"'«»“„‘([¿¡"

# Abbreviations that do not end a sentence even before a capital ("Dr. Aliyev", "г. Баку"),
# written in lower case without their final dot.
_COMMON_ABBR = frozenset({"dr", "prof", "st", "gen", "akad", "e.g", "i.e", "cf", "vs"})
_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": frozenset(
        {
            "mr",
            "mrs",
            "ms",
            "no",
            "nos",
            "sen",
            "rep",
            "gov",
            "lt",
            "col",
            "capt",
            "sgt",
            "mt",
            "fig",
            "approx",
            "jan",
            "feb",
            "mar",
            "apr",
            "jun",
            "jul",
            "aug",
            "sep",
            "sept",
            "oct",
            "nov",
            "dec",
            "amb",
            "pres",
            "messrs",
            "hon",
        }
    ),
    "fr": frozenset(
        {
            "mm",
            "mme",
            "mmes",
            "mlle",
            "mgr",
            "pr",
            "me",
            "ste",
            "av",
            "apr",
            "env",
            "ex",
            "chap",
            "p.ex",
            "vol",
            "janv",
            "févr",
            "avr",
            "juil",
            "sept",
            "oct",
            "nov",
            "déc",
        }
    ),
    "de": frozenset(
        {
            "hr",
            "hrn",
            "fr",
            "nr",
            "bzw",
            "ca",
            "vgl",
            "mio",
            "mrd",
            "abs",
            "inkl",
            "evtl",
            "ggf",
            "sog",
            "jh",
            "z.b",
            "d.h",
            "u.a",
            "o.ä",
            "s.o",
            "bspw",
            "str",
            "tel",
        }
    ),
    "es": frozenset(
        {
            "sr",
            "sra",
            "sres",
            "srta",
            "dra",
            "dña",
            "ud",
            "uds",
            "lic",
            "ing",
            "gral",
            "pág",
            "núm",
            "ee",
            "avda",
            "sto",
            "sta",
            "excmo",
            "excma",
        }
    ),
    "ru": frozenset(
        {
            "т.е",
            "т.к",
            "т.н",
            "г",
            "гг",
            "руб",
            "тыс",
            "млн",
            "млрд",
            "им",
            "ул",
            "пр",
            "проф",
            "акад",
            "см",
            "стр",
            "ст",
            "ген",
            "тов",
            "с.г",
            "н.э",
            "до н.э",
            "обл",
            "коп",
            "долл",
            "ок",
            "напр",
            "зам",
            "пос",
            "д",
            "р",
            "с",
        }
    ),
    "az": frozenset(
        {
            "b",
            "m",
            "akad",
            "e.ə",
            "b.e",
            "dos",
            "cən",
            "səh",
            "küç",
            "mln",
            "mlrd",
            "min",
            "ak",
            "prof",
            "gen",
            "red",
            "məs",
        }
    ),
    "ar": frozenset(),
    "zh": frozenset(),
}
# Abbreviations that end a sentence when a capital follows ("… etc. The").
_TERMINAL_ABBR = re.compile(
    r"(?:\bvə\s+s|\bи\s+т\.\s?[дп]|\bи\s+др|\betc|\busw|\bu\.\s?s\.\s?w|\betc\.\s?pp)$",
    re.IGNORECASE,
)


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
    )


def _starts_sentence(char: str) -> bool:
    if char in _OPENERS or char.isdigit():
        return True
    if char.isalpha():
        # caseless scripts (Arabic, Chinese) have no lower case to tell us it goes on
        return char.isupper() or char.lower() == char.upper()
    return False


def _abbreviation_blocks(text: str, dot: int, language: str) -> bool:
    """Whether the dot at `dot` belongs to an abbreviation, an initial or an ordinal."""
    before = text[:dot]
    if _TERMINAL_ABBR.search(before):
        return False
    start = dot
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    original = text[start:dot].lstrip(_LEADING_PUNCT)
    if len(original) == 1 and original.isalpha():
        return True  # an initial: "I. Aliyev", "M. Macron", "z. B."
    token = original.lower()
    if not token:
        return False
    known = _ABBREVIATIONS.get(language, frozenset()) | _COMMON_ABBR
    if token in known:
        return True
    # two-word abbreviations ("до н.э.", "p. ex.", "z. B.") are seen one word at a time
    previous = before[:start].rstrip().rsplit(None, 1)
    if previous and f"{previous[-1].lower()} {token}" in known:
        return True
    # initials run together: "J.F.", "Н.А."
    if re.fullmatch(r"(?:\w\.)+\w", token) and all(len(p) == 1 for p in token.split(".")):
        return True
    # German ordinals: "am 19. Februar", "im 21. Jahrhundert"
    return language == "de" and token.isdigit() and len(token) <= 2


def _spans(text: str, language: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in `text`, without surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    start = 0
    length = len(text)
    for match in _END.finditer(text):
        if match.start() < start:
            continue
        end = match.end()
        while end < length and text[end] in _CLOSERS:
            end += 1
        if language == "fr":
            # French sets its closing guillemet apart: « Nous sommes prêts. »
            gap = end
            while gap < length and text[gap] in _FRENCH_GAP:
                gap += 1
            if gap < length and text[gap] in "»”":
                end = gap + 1
        mark = match.group()
        following = end
        while following < length and text[following].isspace():
            following += 1
        if following == length:
            break  # the last sentence ends with the text
        if not (_WIDE_END & set(mark)):
            if following == end:
                continue  # "4.3", "e.g.,", "www.azertac.az": no space, no boundary
            if not _starts_sentence(text[following]):
                continue
            if mark == "." and _abbreviation_blocks(text, match.start(), language):
                continue
        spans.append((start, end))
        start = following
    spans.append((start, length))
    result: list[tuple[int, int]] = []
    for begin, finish in spans:
        while begin < finish and text[begin].isspace():
            begin += 1
        while finish > begin and text[finish - 1].isspace():
            finish -= 1
        if begin < finish:
            result.append((begin, finish))
    return result


def split_sentences(text: str, language: str) -> list[str]:
    """Split plain text into sentences by the conventions of `language`."""
    return [text[begin:end] for begin, end in _spans(text, language)]


# --- HTML blocks -----------------------------------------------------------------------------

_LEAF_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"})
_CONTAINERS = frozenset({"ul", "ol", "blockquote", "li", "div", "section", "article"})
_BLOCKISH = _LEAF_BLOCKS | _CONTAINERS
_VOID = frozenset({"br", "wbr", "img", "hr"})
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")


@dataclass(frozen=True, slots=True)
class _Open:
    serial: int  # tells apart two adjacent <b> elements so they are not merged
    tag: str
    attributes: tuple[tuple[str, str], ...]

    def start_tag(self) -> str:
        attributes = "".join(
            f' {name}="{html.escape(value, quote=True)}"' for name, value in self.attributes
        )
        return f"<{self.tag}{attributes}>"


@dataclass(frozen=True, slots=True)
class _Run:
    text: str  # "\n" for a <br>
    stack: tuple[_Open, ...]
    void: str | None = None  # the void tag this run stands for


@dataclass(slots=True)
class _Inline:
    """Inline content gathered for one block, as runs of text under a stack of open tags."""

    runs: list[_Run] = field(default_factory=list)

    def add_text(self, text: str | None, stack: tuple[_Open, ...]) -> None:
        if text:
            self.runs.append(_Run(text, stack))

    def add_element(
        self, element: etree._Element, stack: tuple[_Open, ...], serials: Iterator[int]
    ) -> None:
        tag = element.tag
        if isinstance(tag, str):
            name = tag.lower()
            if name in _VOID:
                self.runs.append(_Run("\n" if name == "br" else "", stack, void=name))
            else:
                attributes = tuple((str(k), str(v)) for k, v in element.attrib.items())
                inner = (*stack, _Open(next(serials), name, attributes))
                self.add_text(element.text, inner)
                for child in element:
                    self.add_element(child, inner, serials)
        self.add_text(element.tail, stack)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


def _render(runs: Sequence[_Run], keep: Sequence[tuple[int, int]]) -> str:
    """HTML for the runs, keeping text inside `keep` spans and void elements anywhere."""
    out: list[str] = []
    open_: list[_Open] = []
    offset = 0
    for run in runs:
        run_start, run_end = offset, offset + len(run.text)
        offset = run_end
        if run.void is not None:
            piece = f"<{run.void}>"
        else:
            kept = [
                run.text[max(a, run_start) - run_start : min(b, run_end) - run_start]
                for a, b in keep
                if a < run_end and b > run_start
            ]
            piece = html.escape("".join(kept), quote=False)
            if not piece:
                continue
        common = 0
        while (
            common < len(open_)
            and common < len(run.stack)
            and open_[common].serial == run.stack[common].serial
        ):
            common += 1
        while len(open_) > common:
            out.append(f"</{open_.pop().tag}>")
        for element in run.stack[common:]:
            out.append(element.start_tag())
            open_.append(element)
        out.append(piece)
    while open_:
        out.append(f"</{open_.pop().tag}>")
    return "".join(out)


def _sentences_html(inline: _Inline, language: str) -> tuple[str, ...]:
    text = inline.text
    spans = _spans(text, language)
    runs = inline.runs
    result: list[str] = []
    for index, (begin, end) in enumerate(spans):
        # void elements between two sentences (a <br>) go with the sentence before them
        window_start = 0 if index == 0 else begin
        window_end = spans[index + 1][0] if index + 1 < len(spans) else len(text)
        selected = _window(runs, window_start, window_end)
        result.append(_render(selected, [(begin - window_start, end - window_start)]))
    return tuple(result)


def _window(runs: Sequence[_Run], start: int, end: int) -> list[_Run]:
    """The runs cut to the plain-text window [start, end)."""
    out: list[_Run] = []
    offset = 0
    for run in runs:
        run_start, run_end = offset, offset + len(run.text)
        offset = run_end
        if run.void is not None:
            if start <= run_start < end or (run_start == end == start):
                out.append(run)
            continue
        if run_end <= start or run_start >= end:
            continue
        piece = run.text[max(start, run_start) - run_start : min(end, run_end) - run_start]
        out.append(_Run(piece, run.stack))
    return out


def _parse(body_html: str) -> etree._Element | None:
    if not body_html.strip():
        return None
    root: etree._Element = lxml.html.fragment_fromstring(body_html, create_parent="div")
    return root


def _make_block(path: tuple[str, ...], inline: _Inline, language: str) -> Block:
    full = _render(inline.runs, [(0, len(inline.text))])
    return Block(path=path, html=full, sentences=_sentences_html(inline, language))


def _walk(
    element: etree._Element,
    path: tuple[str, ...],
    language: str,
    serials: Iterator[int],
    out: list[Block],
) -> None:
    children = [child for child in element if isinstance(child.tag, str)]
    if not any(child.tag in _BLOCKISH for child in children):
        inline = _Inline()
        inline.add_text(element.text, ())
        for child in element:
            inline.add_element(child, (), serials)
        if path or inline.text.strip():
            out.append(_make_block(path, inline, language))
        return
    # mixed content: inline runs between blocks become blocks of their own at this level
    pending = _Inline()
    pending.add_text(element.text, ())

    def flush() -> None:
        nonlocal pending
        if pending.text.strip():
            out.append(_make_block(path, pending, language))
        pending = _Inline()

    for child in element:
        if isinstance(child.tag, str) and child.tag in _BLOCKISH:
            flush()
            _walk(child, (*path, child.tag), language, serials, out)
            pending.add_text(child.tail, ())
        else:
            pending.add_element(child, (), serials)
    flush()


def blocks(body_html: str, language: str) -> list[Block]:
    """The blocks of a sanitised body in document order, each split into sentences."""
    root = _parse(body_html)
    if root is None:
        return []
    out: list[Block] = []
    _walk(root, (), language, itertools.count(), out)
    return out


# --- rebuilding ---------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")


def _edge_text(sentence_html: str) -> str:
    return html.unescape(_TAG.sub("", sentence_html)).strip()


def _join(sentences: Sequence[str]) -> str:
    """Sentences of one block: a space between them, nothing between Chinese ones."""
    out: list[str] = []
    previous = ""
    for sentence in sentences:
        current = _edge_text(sentence)
        if not current and not sentence.strip():
            continue
        if out:
            glue = (
                ""
                if previous and current and _is_cjk(previous[-1]) and _is_cjk(current[0])
                else " "
            )
            out.append(glue)
        out.append(sentence.strip())
        previous = current or previous
    return "".join(out)


@dataclass(slots=True)
class _Node:
    tag: str
    children: list[_Node | str] = field(default_factory=list)

    def render(self) -> str:
        inner = "".join(c if isinstance(c, str) else c.render() for c in self.children)
        return f"<{self.tag}>{inner}</{self.tag}>" if self.tag else inner


def rebuild(blocks: Sequence[Block], sentences: Sequence[Sequence[str]]) -> str:
    """The body again, with each block's sentences replaced (same structure and tags).

    Containers are shared by consecutive blocks with the same enclosing tags, so list items stay
    in one list; two lists (or quotes) directly after one another come back as one.
    """
    if len(blocks) != len(sentences):
        raise ValueError(f"{len(blocks)} blocks but {len(sentences)} lists of sentences")
    root = _Node("")
    chain: list[_Node] = []  # the elements opened for the previous block, outermost first
    for block, replacement in zip(blocks, sentences, strict=True):
        path = block.path
        shared = 0
        while shared < len(path) - 1 and shared < len(chain) and chain[shared].tag == path[shared]:
            shared += 1
        parent = chain[shared - 1] if shared else root
        new_chain = chain[:shared]
        for tag in path[shared:]:
            node = _Node(tag)
            parent.children.append(node)
            parent = node
            new_chain.append(node)
        parent.children.append(_join(replacement))
        chain = new_chain
    return root.render()


# --- plain text and alignment ---------------------------------------------------------------


def _plain_of(element: etree._Element, out: list[str]) -> None:
    tag = element.tag
    name = tag.lower() if isinstance(tag, str) else ""
    if name in _BLOCKISH or name == "br":
        out.append(" ")
    if isinstance(tag, str) and element.text:
        out.append(element.text)
    for child in element:
        _plain_of(child, out)
    if name in _BLOCKISH:
        out.append(" ")
    if element.tail:
        out.append(element.tail)


def plain(html_text: str) -> str:
    """The text of an HTML fragment, with blocks and line breaks as single spaces."""
    root = _parse(html_text)
    if root is None:
        return ""
    out: list[str] = [root.text or ""]
    for child in root:
        _plain_of(child, out)
    return _ASCII_SPACE.sub(" ", "".join(out)).strip()


def _texted(body: str, language: str) -> list[Block]:
    return [block for block in blocks(body, language) if plain(block.html)]


def align(
    source_body: str, source_language: str, target_body: str, target_language: str
) -> list[tuple[str, str]]:
    """Aligned (source, target) plain-text segments of a finished translation, for the TM.

    Blocks pair one to one when both bodies have as many; inside a pair, sentences pair one to
    one when their counts match, otherwise the whole blocks pair. Bodies whose blocks do not
    correspond give nothing: a wrong pair in the memory would be offered again and again.
    """
    source_blocks = _texted(source_body, source_language)
    target_blocks = _texted(target_body, target_language)
    if len(source_blocks) != len(target_blocks):
        return []
    pairs: list[tuple[str, str]] = []
    for source, target in zip(source_blocks, target_blocks, strict=True):
        if len(source.sentences) == len(target.sentences):
            candidates = [
                (plain(s), plain(t))
                for s, t in zip(source.sentences, target.sentences, strict=True)
            ]
        else:
            candidates = [(plain(source.html), plain(target.html))]
        pairs.extend((s, t) for s, t in candidates if s and t)
    return pairs
