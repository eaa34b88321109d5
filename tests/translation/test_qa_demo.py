"""QA on the demo agency's own translations: 24 stories, each written in one language and
translated by people into the seven others. They are correct, so a high finding on one of them
is a false alarm that would stop its publication; and a figure changed in one of them must be
caught.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from newswire.agency import services as agency
from newswire.db import Database
from newswire.demo.agency import AGENCY_SHORT_NAME, BUREAUS
from newswire.demo.loader import paragraphs, story_files
from newswire.languages import DEFAULT_WORKING_LANGUAGES
from newswire.stories.dateline import render_dateline
from newswire.translation import qa, segment
from newswire.translation.checks import term_checks
from newswire.translation.termbase import TermIndex, load_demo_terms

# Any moment will do: the datelines of source and translation are rendered for the same one.
WHEN = datetime(2025, 2, 19, 9, 30, tzinfo=UTC)
_BUREAUS = {code: (timezone, cities) for code, _, timezone, _, cities in BUREAUS}


@dataclass(frozen=True)
class Pair:
    name: str
    source: qa.QAText
    target: qa.QAText
    target_paragraphs: tuple[str, ...]  # the body as written, before it becomes HTML


def _text(story: dict[str, Any], language: str, body: list[str]) -> qa.QAText:
    timezone, cities = _BUREAUS[story["bureau"]]
    return qa.QAText(
        language=language,
        headline=story["items"][language]["headline"],
        body_html=paragraphs(body),
        dateline=render_dateline(
            cities[language], WHEN, timezone, language, AGENCY_SHORT_NAME[language]
        ),
    )


def load_pairs() -> list[Pair]:
    pairs: list[Pair] = []
    for story in story_files():
        source_language = story["source_language"]
        source = _text(story, source_language, story["items"][source_language]["body"])
        for language, item in story["items"].items():
            if language != source_language:
                pairs.append(
                    Pair(f"{story['key']}:{source_language}-{language}", source,
                         _text(story, language, item["body"]), tuple(item["body"]))
                )  # fmt: skip
    return pairs


PAIRS = load_pairs()
_FIGURE = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d+)*")


def wrong_figure(pair: Pair) -> qa.QAText | None:
    """One digit of one figure of the body changed, both picked at random (the same each run);
    None when the body has no figure written with digits."""
    chooser = random.Random(pair.name)
    spots = [
        (number, position)
        for number, text in enumerate(pair.target_paragraphs)
        for figure in _FIGURE.finditer(text)
        for position in range(figure.start(), figure.end())
        if text[position].isdigit()
    ]
    if not spots:
        return None
    number, position = chooser.choice(spots)
    body = list(pair.target_paragraphs)
    text = body[number]
    digits = "٠١٢٣٤٥٦٧٨٩" if text[position] in "٠١٢٣٤٥٦٧٨٩" else "0123456789"
    leading = position == 0 or not text[position - 1].isdigit()
    # a leading zero would leave the value unchanged ("05" is 5)
    digit = chooser.choice([d for d in (digits[1:] if leading else digits) if d != text[position]])
    body[number] = text[:position] + digit + text[position + 1 :]
    return qa.QAText(
        pair.target.language, pair.target.headline, paragraphs(body), pair.target.dateline
    )


@pytest.fixture
def terms(database: Database) -> TermIndex:
    """The demo termbase, loaded the way `newswire demo` loads it."""
    with database.write() as session:
        agency.ensure_agency(
            session,
            name={"en": "Azerbaijan State News Agency"},
            short_name={"en": "AZERTAC"},
            domain="azertac.az",
            working_languages=DEFAULT_WORKING_LANGUAGES,
        )
        assert load_demo_terms(session) > 0
    with database.read() as session:
        return TermIndex.load(session)


def _checks(index: TermIndex, pair: Pair) -> list[qa.TermCheck]:
    source = pair.source
    text = " ".join([source.headline, segment.plain(source.body_html)])
    return term_checks(index, text, source.language, pair.target.language)


def test_every_demo_translation_is_a_pair() -> None:
    assert len(PAIRS) == 24 * 7
    assert {pair.target.language for pair in PAIRS} == set(DEFAULT_WORKING_LANGUAGES)


def test_real_translations_raise_no_high_finding(
    terms: TermIndex, record_property: Callable[[str, object], None]
) -> None:
    flagged: list[str] = []
    term_total = 0
    for pair in PAIRS:
        checks = _checks(terms, pair)
        term_total += len(checks)
        high = [f for f in qa.check(pair.source, pair.target, checks) if f.severity == qa.HIGH]
        flagged += [f"{pair.name}: {f.check}: {f.message}" for f in high[:1]]
    share = len(flagged) / len(PAIRS)
    record_property("qa_demo_pairs", len(PAIRS))
    record_property("qa_demo_flagged", len(flagged))
    record_property("qa_demo_false_high_share", round(share, 4))
    print(
        f"\nQA demo: {len(PAIRS)} real translations ({term_total} termbase checks), "
        f"{len(flagged)} with a high finding ({share:.1%})"
    )
    assert term_total > 100  # the termbase took part
    assert share <= 0.02, "\n".join(flagged)


def test_a_changed_digit_in_a_real_translation_is_high(
    record_property: Callable[[str, object], None],
) -> None:
    injected = caught = 0
    missed: list[str] = []
    for pair in PAIRS:
        damaged = wrong_figure(pair)
        if damaged is None:
            continue
        assert damaged != pair.target
        injected += 1
        findings = qa.check(pair.source, damaged)
        # a day of the month is a figure too: the dates check answers for it
        if any(f.severity == qa.HIGH and f.check in ("numbers", "dates") for f in findings):
            caught += 1
        else:
            missed.append(pair.name)
    recall = caught / injected
    record_property("qa_demo_injected", injected)
    record_property("qa_demo_recall", round(recall, 4))
    print(f"\nQA demo: {injected} figures changed by one digit, {caught} caught ({recall:.1%})")
    assert injected >= 150
    assert recall >= 0.95, missed
