"""Quality checks of one language version against its source.

Every check is a pure function of the two texts and the termbase hits: the editor, the API and
the publish guard all call `check` and get the same findings, most severe first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from newswire.languages import DEFAULT_WORKING_LANGUAGES
from newswire.translation.numbers import (
    Figure,
    century_of,
    dates,
    digit_figures,
    figures,
    mask_dates,
)
from newswire.translation.segment import Block, blocks, plain, split_sentences

HIGH = "high"
MEDIUM = "medium"
LOW = "low"
_RANK = {HIGH: 0, MEDIUM: 1, LOW: 2}


@dataclass(frozen=True, slots=True)
class QAText:
    """One language version as QA sees it."""

    language: str
    headline: str
    body_html: str
    dateline: str | None  # the rendered dateline, e.g. "Bakou, 19 février, AZERTAC"


@dataclass(frozen=True, slots=True)
class TermCheck:
    """A termbase term found in the source."""

    source_form: str
    preferred: str  # the preferred form in the target language
    variants: tuple[str, ...]  # target-language forms that are wrong


@dataclass(frozen=True, slots=True)
class Finding:
    check: str  # numbers | dates | terms | paragraphs | length | untranslated | dateline
    severity: str  # high | medium | low
    message: str  # one English sentence a translator understands
    paragraph: int | None = None  # 0-based block index in the target body, where it applies
    source: str | None = None  # the source excerpt concerned
    target: str | None = None  # the target excerpt concerned


@dataclass(frozen=True, slots=True)
class _Version:
    """A language version cut up once for all the checks."""

    language: str
    headline: str
    blocks: tuple[Block, ...]  # the blocks that have text
    indexes: tuple[int, ...]  # each one's index among all blocks of the body
    texts: tuple[str, ...]  # each one's plain text


def _version(text: QAText) -> _Version:
    kept = [
        (index, block, plain(block.html))
        for index, block in enumerate(blocks(text.body_html, text.language))
    ]
    kept = [item for item in kept if item[2]]
    return _Version(
        language=text.language,
        headline=" ".join(text.headline.split()),
        blocks=tuple(block for _, block, _ in kept),
        indexes=tuple(index for index, _, _ in kept),
        texts=tuple(t for _, _, t in kept),
    )


def _excerpt(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- numbers -------------------------------------------------------------------------------------

# Whole numbers up to this are often spelt out, or carried by the grammar (an Arabic dual):
# missing from the translation, they are worth a look but do not stop publication.
_SPELT_OUT = Decimal(10)


def _small(figure: Figure) -> bool:
    return all(v == v.to_integral_value() and 0 <= v <= _SPELT_OUT for v in figure.values)


def _pairing(wanted: list[Figure], others: list[Figure]) -> dict[int, int]:
    """Each wanted figure paired with a figure of `others` that can stand for it, each of
    `others` standing for one figure only ("8 of 9" is not "9 of 9"): index → index."""
    holder: dict[int, int] = {}  # index in others → index in wanted

    def place(i: int, tried: set[int]) -> bool:
        for j, other in enumerate(others):
            if j in tried or not wanted[i].values & other.values:
                continue
            tried.add(j)
            if j not in holder or place(holder[j], tried):
                holder[j] = i
                return True
        return False

    for i in range(len(wanted)):
        place(i, set())
    return {i: j for j, i in holder.items()}


def _number_findings(
    source: str,
    target: str,
    languages: tuple[str, str],
    where: str,
    paragraph: int | None,
) -> list[Finding]:
    """Figures written with digits on one side that the other side does not have.

    The other side may have them as digits, words, ordinals, Roman numerals or decades. A
    figure in the translation that the source lacks is a changed or invented figure: high.
    """
    source_figures = figures(mask_dates(source), languages[0])
    target_figures = figures(mask_dates(target), languages[1])
    target_values = {v for f in target_figures for v in f.values}
    wanted = [f for f in target_figures if f.digits]
    centuries = [c for c in map(century_of, source_figures) if c is not None]
    pairs = _pairing(wanted, source_figures + centuries)
    unpaired = [f for i, f in enumerate(wanted) if i not in pairs]
    # a small figure of the source gone while the translation has a figure of its own, or
    # digits for a figure the source spells out: more likely changed than spelt out
    spelt = any(j < len(source_figures) and not source_figures[j].digits for j in pairs.values())
    findings: list[Finding] = []
    seen: set[str] = set()
    for number in source_figures:
        if not number.digits or number.values & target_values or number.written in seen:
            continue
        seen.add(number.written)
        message = f"The number {number.written} in the source is missing from {where}"
        if _small(number) and not spelt and not unpaired:
            findings.append(
                Finding("numbers", MEDIUM,
                        f"{message} of the translation, unless it is written there in words.",
                        paragraph, _excerpt(source), _excerpt(target))
            )  # fmt: skip
        else:
            findings.append(
                Finding("numbers", HIGH, f"{message} of the translation.",
                        paragraph, _excerpt(source), _excerpt(target))
            )  # fmt: skip
    for number in unpaired:
        if number.written in seen:
            continue
        seen.add(number.written)
        findings.append(
            Finding("numbers", HIGH,
                    f"The number {number.written} in {where} of the translation is not in "
                    "the source.",
                    paragraph, _excerpt(source), _excerpt(target))
        )  # fmt: skip
    return findings


# --- dates ---------------------------------------------------------------------------------------


def _date_findings(source: _Version, target: _Version) -> list[Finding]:
    source_parts = [(None, source.headline), *enumerate(source.texts)]
    target_parts = [(None, target.headline), *enumerate(target.texts)]
    source_dates = [
        (text, date) for _, text in source_parts for date in dates(text, source.language)
    ]
    target_dates = [
        (index, date, text) for index, text in target_parts for date in dates(text, target.language)
    ]
    source_keys = {(d.day, d.month) for _, d in source_dates}
    # the target's dates the source does not have: a missing source date may have become one
    strays = [(i, d, t) for i, d, t in target_dates if (d.day, d.month) not in source_keys]
    findings: list[Finding] = []
    reported: set[tuple[int, int]] = set()
    for text, date in source_dates:
        key = (date.day, date.month)
        if key in reported or any((d.day, d.month) == key for _, d, _ in target_dates):
            continue
        reported.add(key)
        excerpt = text[date.start : date.end]
        same_month = [(i, d, t) for i, d, t in strays if d.month == date.month]
        if same_month or strays:
            index, other, target_text = (same_month or strays)[0]
            written = target_text[other.start : other.end]
            what = "a different day" if same_month else "a different date"
            findings.append(
                Finding("dates", HIGH,
                        f"The source date {excerpt} has {what} in the translation ({written}).",
                        _block_index(target, index), excerpt, written)
            )  # fmt: skip
        else:
            findings.append(
                Finding("dates", MEDIUM,
                        f"The source date {excerpt} does not appear in the translation.",
                        None, excerpt)
            )  # fmt: skip
    return findings


def _block_index(version: _Version, position: int | None) -> int | None:
    return None if position is None else version.indexes[position]


# --- terms ---------------------------------------------------------------------------------------

_TASHKEEL = re.compile("[\u064b-\u065f\u0670\u0640]")
_INFLECTING = frozenset({"ru", "az"})
_RUSSIAN_ENDINGS = "аяоеёыийьуюэ"


def _fold(text: str, language: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if language == "ar":
        text = _TASHKEEL.sub("", text)
    return text


def _term_pattern(form: str, language: str, *, inflected: bool) -> re.Pattern[str]:
    """A form as a pattern: as written, or (`inflected`) with the endings the language adds."""
    form = _fold(form, language)
    if language in ("ar", "zh"):
        return re.compile(re.escape(form), re.IGNORECASE)
    parts = []
    for word in form.split():
        stem, tail = word, ""
        if inflected:
            if language == "ru":
                # Ильхам Алиев → Ильхама Алиева, Москва → Москве, Центральный → Центрального
                while (
                    len(stem) > 4
                    and len(word) - len(stem) < 2
                    and stem[-1].lower() in _RUSSIAN_ENDINGS
                ):
                    stem = stem[:-1]
            # case endings and suffixes: Əliyevin, UNESCO-nun, Macrons, Алиеву
            tail = r"[\w'’-]{0,5}" if language in _INFLECTING else r"(?:'s|’s|s|n|e)?"
        parts.append(re.escape(stem) + tail)
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def _where(pattern: re.Pattern[str], version: _Version) -> tuple[bool, int | None, str]:
    """Whether the pattern occurs, in which block (None: the headline) and as what."""
    found = pattern.search(_fold(version.headline, version.language))
    if found:
        return True, None, found.group()
    for position, text in enumerate(version.texts):
        found = pattern.search(_fold(text, version.language))
        if found:
            return True, version.indexes[position], found.group()
    return False, None, ""


def _term_findings(target: _Version, terms: Sequence[TermCheck]) -> list[Finding]:
    findings: list[Finding] = []
    for term in terms:
        wrong: tuple[int | None, str] | None = None
        # the forms as written first: an inflected preferred form may look like a variant
        # (Адиля ~ Адил) and an inflected variant like the preferred form
        for inflected in (False, True):
            if _where(_term_pattern(term.preferred, target.language, inflected=inflected), target)[
                0
            ]:
                break
            for variant in term.variants:
                pattern = _term_pattern(variant, target.language, inflected=inflected)
                found, paragraph, written = _where(pattern, target)
                if found:
                    wrong = (paragraph, written)
                    break
            if wrong:
                break
        else:
            findings.append(
                Finding("terms", MEDIUM,
                        f"“{term.source_form}” in the source should appear as "
                        f"“{term.preferred}” in the translation.",
                        None, term.source_form)
            )  # fmt: skip
            continue
        if wrong:
            paragraph, written = wrong
            findings.append(
                Finding("terms", HIGH,
                        f"Wrong name form: write “{term.preferred}” instead of “{written}”.",
                        paragraph, term.source_form, written)
            )  # fmt: skip
    return findings


# --- paragraphs and length -------------------------------------------------------------------

# Characters (without spaces) a text takes relative to the same text in English.
EXPANSION = {"en": 1.0, "fr": 1.15, "es": 1.15, "de": 1.2, "ru": 1.1, "az": 1.05, "ar": 0.9,
             "zh": 0.32}  # fmt: skip
_LENGTH_BAND = (0.55, 1.8)  # ratio to the expected length outside which a block is suspect
_MIN_LENGTH = 60  # characters of source below which ratios say nothing


def _size(text: str) -> int:
    return sum(1 for c in text if not c.isspace())


def _similarity(source: str, target: str, expected: float, langs: tuple[str, str]) -> float:
    numbers_s = {v for n in digit_figures(source, langs[0]) for v in n.values}
    numbers_t = {v for n in digit_figures(target, langs[1]) for v in n.values}
    union = numbers_s | numbers_t
    overlap = len(numbers_s & numbers_t) / len(union) if union else 0.5
    ratio = _size(target) / max(1.0, _size(source) * expected)
    closeness = min(ratio, 1 / ratio) if ratio > 0 else 0.0
    return overlap + closeness


def _unmatched(source: _Version, target: _Version) -> tuple[list[int], list[int]]:
    """Which source blocks and which target blocks have no counterpart, by best alignment."""
    expected = EXPANSION.get(target.language, 1.0) / EXPANSION.get(source.language, 1.0)
    langs = (source.language, target.language)
    n, m = len(source.texts), len(target.texts)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[""] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            options: list[tuple[float, str]] = []
            if i and j:
                score = _similarity(source.texts[i - 1], target.texts[j - 1], expected, langs)
                options.append((best[i - 1][j - 1] + score, "pair"))
            if i:
                options.append((best[i - 1][j], "skip_source"))
            if j:
                options.append((best[i][j - 1], "skip_target"))
            best[i][j], move[i][j] = max(options)
    lost_source: list[int] = []
    lost_target: list[int] = []
    i, j = n, m
    while i or j:
        step = move[i][j]
        if step == "pair":
            i, j = i - 1, j - 1
        elif step == "skip_source":
            i -= 1
            lost_source.append(i)
        else:
            j -= 1
            lost_target.append(j)
    return sorted(lost_source), sorted(lost_target)


def _paragraph_findings(source: _Version, target: _Version) -> list[Finding]:
    n, m = len(source.texts), len(target.texts)
    if n == m:
        return []
    lost_source, lost_target = _unmatched(source, target)
    findings: list[Finding] = []
    if n > m:
        for i in lost_source[: n - m]:
            findings.append(
                Finding("paragraphs", HIGH,
                        f"The source has {n} paragraphs and the translation {m}: source "
                        f"paragraph {i + 1} seems to have no counterpart.",
                        None, _excerpt(source.texts[i]))
            )  # fmt: skip
    else:
        for j in lost_target[: m - n]:
            findings.append(
                Finding("paragraphs", HIGH,
                        f"The source has {n} paragraphs and the translation {m}: paragraph "
                        f"{j + 1} of the translation seems to have no counterpart.",
                        target.indexes[j], None, _excerpt(target.texts[j]))
            )  # fmt: skip
    if not findings:
        findings.append(
            Finding("paragraphs", HIGH,
                    f"The source has {n} paragraphs and the translation {m}.")
        )  # fmt: skip
    return findings


def _length_findings(source: _Version, target: _Version) -> list[Finding]:
    if len(source.texts) != len(target.texts):
        return []
    expected = EXPANSION.get(target.language, 1.0) / EXPANSION.get(source.language, 1.0)
    low, high = _LENGTH_BAND
    findings: list[Finding] = []
    for position, (s, t) in enumerate(zip(source.texts, target.texts, strict=True)):
        if _size(s) < _MIN_LENGTH:
            continue
        ratio = _size(t) / (_size(s) * expected)
        if low <= ratio <= high:
            continue
        adjective = "short" if ratio < low else "long"
        findings.append(
            Finding("length", MEDIUM,
                    f"Paragraph {position + 1} is unusually {adjective} for a translation "
                    f"from {source.language} to {target.language} "
                    f"({ratio:.0%} of the expected length).",
                    target.indexes[position], _excerpt(s), _excerpt(t))
        )  # fmt: skip
    return findings


# --- untranslated text -----------------------------------------------------------------------

_CONFIDENCE = 0.9
_MIN_LETTERS = 25
_MIN_HAN = 8


@lru_cache(maxsize=1)
def _identifier() -> Any:
    # loading the model takes about a second: once per process
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(DEFAULT_WORKING_LANGUAGES))
    return identifier


def detect(text: str) -> tuple[str, float]:
    """The working language `text` is most likely written in, with the probability."""
    language, confidence = _identifier().classify(text)
    return str(language), float(confidence)


def _han(text: str) -> int:
    return sum(1 for c in text if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf")


def _long_enough(text: str) -> bool:
    return sum(1 for c in text if c.isalpha()) >= _MIN_LETTERS or _han(text) >= _MIN_HAN


def _same(text: str) -> str:
    return " ".join(text.casefold().split())


def _untranslated_findings(source: _Version, target: _Version) -> list[Finding]:
    if source.language == target.language:
        return []
    source_sentences = {source.headline} | {
        sentence for text in source.texts for sentence in split_sentences(text, source.language)
    }
    copied = {
        _same(s)
        for s in source_sentences
        if sum(c.isalpha() for c in s) >= 10 and len(s.split()) > 1
    }
    parts = [(None, target.headline)] + [
        (target.indexes[p], sentence)
        for p, text in enumerate(target.texts)
        for sentence in split_sentences(text, target.language)
    ]
    findings: list[Finding] = []
    for paragraph, sentence in parts:
        if _same(sentence) in copied:
            findings.append(
                Finding("untranslated", HIGH,
                        "This sentence is the same as in the source: it was left untranslated.",
                        paragraph, None, _excerpt(sentence))
            )  # fmt: skip
            continue
        if not _long_enough(sentence):
            continue
        language, confidence = detect(sentence)
        if language == source.language and confidence >= _CONFIDENCE:
            findings.append(
                Finding("untranslated", HIGH,
                        f"This sentence reads as {source.language}, the source language: "
                        "it seems left untranslated.",
                        paragraph, None, _excerpt(sentence))
            )  # fmt: skip
    return findings


# --- dateline ------------------------------------------------------------------------------------

_SCRIPT_OF = {"ru": "Cyrillic", "ar": "Arabic", "zh": "Han"}


def _script(char: str) -> str:
    if "\u0400" <= char <= "\u052f":
        return "Cyrillic"
    if "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f" or "\ufb50" <= char <= "\ufeff":
        return "Arabic"
    if _han(char) or "\u3040" <= char <= "\u30ff":
        return "Han"
    name = unicodedata.name(char, "")
    return "Latin" if name.startswith("LATIN") else "Other"


def _dateline_findings(source: QAText, target: QAText) -> list[Finding]:
    line = (target.dateline or "").strip()
    if not line:
        return [Finding("dateline", HIGH, "The translation has no dateline.", None,
                        source.dateline)]  # fmt: skip
    if (
        source.dateline
        and source.language != target.language
        and _same(line) == _same(source.dateline)
    ):
        return [Finding("dateline", HIGH,
                        "The dateline is the source's, not localised for the translation.",
                        None, source.dateline, line)]  # fmt: skip
    place = re.split(r"[,，،]", line, maxsplit=1)[0]
    letters = [_script(c) for c in place if c.isalpha()]
    expected = _SCRIPT_OF.get(target.language, "Latin")
    if letters and letters.count(expected) * 2 < len(letters):
        return [Finding("dateline", HIGH,
                        f"The dateline place is not written in {expected} script: "
                        "it is not localised.",
                        None, source.dateline, line)]  # fmt: skip
    if source.dateline:
        source_dates = {(d.day, d.month) for d in dates(source.dateline, source.language)}
        target_dates = {(d.day, d.month) for d in dates(line, target.language)}
        if source_dates and target_dates and not source_dates & target_dates:
            return [Finding("dateline", HIGH,
                            "The date in the dateline differs from the source's.",
                            None, source.dateline, line)]  # fmt: skip
    return []


# --- all together --------------------------------------------------------------------------------


def check(source: QAText, target: QAText, terms: Sequence[TermCheck] = ()) -> list[Finding]:
    """Every QA finding for `target` as a translation of `source`, most severe first."""
    src, tgt = _version(source), _version(target)
    findings: list[Finding] = []
    languages = (src.language, tgt.language)
    findings += _number_findings(src.headline, tgt.headline, languages, "the headline", None)
    if len(src.texts) == len(tgt.texts):
        for position, (s, t) in enumerate(zip(src.texts, tgt.texts, strict=True)):
            findings += _number_findings(
                s, t, languages, f"paragraph {position + 1}", tgt.indexes[position]
            )
    else:
        findings += _number_findings(
            " ".join(src.texts), " ".join(tgt.texts), languages, "the body", None
        )
    findings += _date_findings(src, tgt)
    findings += _term_findings(tgt, terms)
    findings += _paragraph_findings(src, tgt)
    findings += _length_findings(src, tgt)
    findings += _untranslated_findings(src, tgt)
    findings += _dateline_findings(source, target)
    return sorted(
        findings,
        key=lambda f: (_RANK.get(f.severity, 9), -1 if f.paragraph is None else f.paragraph),
    )
