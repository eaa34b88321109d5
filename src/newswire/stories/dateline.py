"""Datelines in each language: place, date in the bureau's time zone, agency.

`Baku, 19 February, AZERTAC` · `Баку, 19 февраля, АЗЕРТАДЖ` · `Bakou, 19 février, AZERTAC` ·
`باكو، 19 فبراير، أذرتاج` · `巴库，2月19日，阿塞拜疆国家通讯社`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from newswire.languages import LANGUAGES

# The separator between the three parts of a dateline, where it is not ", ".
_SEPARATORS = {"ar": "، ", "fa": "، ", "zh": "，", "ja": "、"}


def render_dateline(
    place: str | None, when: datetime, timezone: str, language: str, agency: str
) -> str:
    """The dateline as a reader of `language` expects it. `when` is an aware UTC time."""
    local = when.astimezone(ZoneInfo(timezone))
    locale = LANGUAGES[language].babel_locale if language in LANGUAGES else language
    day = format_skeleton("MMMMd", local, locale=locale)
    separator = _SEPARATORS.get(language, ", ")
    parts = [part for part in (place, day, agency) if part]
    return separator.join(parts)
