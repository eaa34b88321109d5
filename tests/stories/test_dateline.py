"""Datelines as readers of each working language expect them (Babel, bureau time zone)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newswire.stories.dateline import render_dateline
from tests.conftest import CITIES, SHORT_NAMES

BAKU = CITIES["baku"][3]

EXPECTED = {
    "az": "Bakı, 19 fevral, AZƏRTAC",
    "ru": "Баку, 19 февраля, АЗЕРТАДЖ",
    "en": "Baku, 19 February, AZERTAC",
    "fr": "Bakou, 19 février, AZERTAC",
    "de": "Baku, 19. Februar, AZERTAC",
    "es": "Bakú, 19 de febrero, AZERTAC",
    "ar": "باكو، 19 فبراير، أذرتاج",
    "zh": "巴库，2月19日，阿塞拜疆国家通讯社",
}


@pytest.mark.parametrize(("language", "expected"), EXPECTED.items())
def test_dateline_in_every_working_language(language: str, expected: str) -> None:
    filed = datetime(2021, 2, 19, 6, 30, tzinfo=UTC)
    dateline = render_dateline(BAKU[language], filed, "Asia/Baku", language, SHORT_NAMES[language])
    assert dateline == expected


def test_the_date_is_the_bureaus_local_date() -> None:
    # 22:30 UTC on the 18th is already the 19th in Baku (UTC+4) but still the 18th in Paris.
    late = datetime(2021, 2, 18, 22, 30, tzinfo=UTC)
    assert render_dateline("Bakou", late, "Asia/Baku", "fr", "AZERTAC") == (
        "Bakou, 19 février, AZERTAC"
    )
    assert render_dateline("Paris", late, "Europe/Paris", "fr", "AZERTAC") == (
        "Paris, 18 février, AZERTAC"
    )


def test_a_dateline_without_a_place_keeps_date_and_agency() -> None:
    filed = datetime(2021, 2, 19, 6, 30, tzinfo=UTC)
    assert render_dateline(None, filed, "Asia/Baku", "en", "AZERTAC") == "19 February, AZERTAC"
