"""QA over a corpus of translation pairs we wrote: clean pairs raise no high finding, and each
error injected into a copy of a target is found by the check meant to find it.

Each corpus file holds one agency story in all eight working languages, the termbase terms it
uses, and the (source, target) pairs taken from it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from newswire.translation import qa, segment

CORPUS = Path(__file__).parent / "qa_corpus"
LANGUAGES = ("az", "ru", "en", "fr", "de", "es", "ar", "zh")


@dataclass(frozen=True)
class Pair:
    name: str
    source: qa.QAText
    target: qa.QAText
    terms: tuple[qa.TermCheck, ...]


def _text(language: str, version: dict[str, object]) -> qa.QAText:
    body = version["body"]
    assert isinstance(body, list)
    return qa.QAText(
        language=language,
        headline=str(version["headline"]),
        body_html="".join(f"<p>{paragraph}</p>" for paragraph in body),
        dateline=str(version["dateline"]),
    )


def load_pairs() -> list[Pair]:
    pairs: list[Pair] = []
    for path in sorted(CORPUS.glob("*.json")):
        story = json.loads(path.read_text(encoding="utf-8"))
        for source_language, target_language in story["pairs"]:
            terms = tuple(
                qa.TermCheck(
                    source_form=term["forms"][source_language],
                    preferred=term["forms"][target_language],
                    variants=tuple(term["variants"].get(target_language, ())),
                )
                for term in story["terms"]
            )
            pairs.append(
                Pair(
                    name=f"{story['id']}:{source_language}-{target_language}",
                    source=_text(source_language, story["versions"][source_language]),
                    target=_text(target_language, story["versions"][target_language]),
                    terms=terms,
                )
            )
    return pairs


PAIRS = load_pairs()

# --- injections: each returns the damaged target, or None when it does not apply -------------

_DIGIT_SETS = ("0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹")


def wrong_number(pair: Pair) -> qa.QAText | None:
    """Change the last digit of the first figure of three digits or more, in its own script."""
    body = pair.target.body_html
    for match in re.finditer(r"(?<![\d٠-٩۰-۹])[\d٠-٩۰-۹]{3,}", body):
        if re.search(r"href=\"[^\"]*$", body[: match.start()]):
            continue
        last = match.end() - 1
        digits = next(d for d in _DIGIT_SETS if body[last] in d)
        changed = digits[(digits.index(body[last]) + 1) % 10]
        return replace(pair.target, body_html=body[:last] + changed + body[last + 1 :])
    return None


def dropped_paragraph(pair: Pair) -> qa.QAText | None:
    paragraphs = re.findall(r"<p>.*?</p>", pair.target.body_html)
    if len(paragraphs) < 2:
        return None
    del paragraphs[1]
    return replace(pair.target, body_html="".join(paragraphs))


def wrong_name(pair: Pair) -> qa.QAText | None:
    for term in pair.terms:
        if not term.variants:
            continue
        headline, body = pair.target.headline, pair.target.body_html
        if term.preferred in headline or term.preferred in body:
            variant = term.variants[0]
            return replace(
                pair.target,
                headline=headline.replace(term.preferred, variant),
                body_html=body.replace(term.preferred, variant),
            )
    return None


def untranslated_sentence(pair: Pair) -> qa.QAText | None:
    """The target's last sentence of its first paragraph becomes the source's sentence."""
    source_blocks = segment.blocks(pair.source.body_html, pair.source.language)
    target_blocks = segment.blocks(pair.target.body_html, pair.target.language)
    sentences = [list(block.sentences) for block in target_blocks]
    source_sentences = source_blocks[0].sentences
    if len(source_sentences) == len(sentences[0]):
        sentences[0][-1] = source_sentences[-1]
    else:
        sentences[0] = list(source_sentences)
    return replace(pair.target, body_html=segment.rebuild(target_blocks, sentences))


def missing_dateline(pair: Pair) -> qa.QAText | None:
    return replace(pair.target, dateline=None)


# What each injection should be caught by, and which other high findings follow from it.
Injection = Callable[[Pair], qa.QAText | None]
INJECTIONS: dict[str, tuple[Injection, str, frozenset[str]]] = {
    "wrong number": (wrong_number, "numbers", frozenset({"numbers"})),
    # a dropped paragraph also drops its figures, dates and names
    "dropped paragraph": (
        dropped_paragraph,
        "paragraphs",
        frozenset({"paragraphs", "numbers", "dates", "terms"}),
    ),
    "wrong name form": (wrong_name, "terms", frozenset({"terms"})),
    # a source sentence brings the source's spelling of names with it
    "untranslated sentence": (
        untranslated_sentence,
        "untranslated",
        frozenset({"untranslated", "terms"}),
    ),
    "missing dateline": (missing_dateline, "dateline", frozenset({"dateline"})),
}


def _injected() -> Iterator[tuple[str, Pair, qa.QAText]]:
    for kind, (inject, _, _) in INJECTIONS.items():
        for pair in PAIRS:
            damaged = inject(pair)
            assert damaged is not None, f"{kind} could not be injected into {pair.name}"
            assert damaged != pair.target
            yield kind, pair, damaged


def _high(findings: list[qa.Finding]) -> list[qa.Finding]:
    return [f for f in findings if f.severity == qa.HIGH]


def test_corpus_covers_every_language_both_ways() -> None:
    assert len(PAIRS) >= 40
    sources = [pair.source.language for pair in PAIRS]
    targets = [pair.target.language for pair in PAIRS]
    for language in LANGUAGES:
        assert sources.count(language) >= 2, language
        assert targets.count(language) >= 2, language
    directions = {(pair.source.language, pair.target.language) for pair in PAIRS}
    for needed in [("az", "ru"), ("ru", "az"), ("en", "ar"), ("ar", "en"), ("zh", "en"),
                   ("en", "zh"), ("fr", "de"), ("es", "fr")]:  # fmt: skip
        assert needed in directions


@pytest.mark.parametrize("pair", PAIRS, ids=[pair.name for pair in PAIRS])
def test_clean_pair_has_no_high_finding(pair: Pair) -> None:
    findings = qa.check(pair.source, pair.target, pair.terms)
    assert _high(findings) == []


@pytest.mark.parametrize("kind", list(INJECTIONS))
def test_each_injected_error_is_found_by_its_check(kind: str) -> None:
    inject, check_name, _ = INJECTIONS[kind]
    missed = []
    for pair in PAIRS:
        damaged = inject(pair)
        assert damaged is not None
        findings = qa.check(pair.source, damaged, pair.terms)
        if not any(f.check == check_name and f.severity == qa.HIGH for f in findings):
            missed.append(pair.name)
    assert missed == []


def test_precision_and_recall(record_property: Callable[[str, object], None]) -> None:
    true_high = false_high = detected = injected = 0
    for pair in PAIRS:
        false_high += len(_high(qa.check(pair.source, pair.target, pair.terms)))
    for kind, pair, damaged in _injected():
        _, check_name, follows = INJECTIONS[kind]
        high = _high(qa.check(pair.source, damaged, pair.terms))
        injected += 1
        detected += any(f.check == check_name for f in high)
        true_high += sum(f.check in follows for f in high)
        false_high += sum(f.check not in follows for f in high)
    precision = true_high / (true_high + false_high)
    recall = detected / injected
    record_property("qa_pairs", len(PAIRS))
    record_property("qa_injected", injected)
    record_property("qa_precision", round(precision, 4))
    record_property("qa_recall", round(recall, 4))
    print(
        f"\nQA corpus: {len(PAIRS)} clean pairs, {injected} injected errors, "
        f"precision {precision:.3f}, recall {recall:.3f}"
    )
    assert recall >= 0.95
    assert precision >= 0.9
