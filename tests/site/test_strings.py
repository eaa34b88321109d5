"""The reader website's interface strings: complete, consistent and written in each script."""

from __future__ import annotations

import re
import string

import pytest

from newswire.languages import DEFAULT_WORKING_LANGUAGES
from newswire.site.strings import STRINGS, UI_LANGUAGES, text

_TRANSLATIONS = [(language, key) for language in UI_LANGUAGES for key in STRINGS["en"]]


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_ui_languages_are_the_working_languages() -> None:
    # The site shows one edition per working language, so the tables must cover them all.
    assert UI_LANGUAGES == DEFAULT_WORKING_LANGUAGES
    assert set(STRINGS) == set(UI_LANGUAGES)


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_every_key_is_translated(language: str) -> None:
    assert set(STRINGS[language]) == set(STRINGS["en"])


@pytest.mark.parametrize(("language", "key"), _TRANSLATIONS)
def test_translation_is_clean(language: str, key: str) -> None:
    value = STRINGS[language][key]
    assert value
    assert value == value.strip()
    # Typographic quotes only: a straight " would also break HTML attributes.
    assert '"' not in value


@pytest.mark.parametrize(("language", "key"), _TRANSLATIONS)
def test_placeholders_match_english(language: str, key: str) -> None:
    assert _placeholders(STRINGS[language][key]) == _placeholders(STRINGS["en"][key])


def test_placeholders_are_named() -> None:
    # Positional "{}" or "{0}" could not be filled by text()'s keyword values.
    for table in STRINGS.values():
        for value in table.values():
            for name in _placeholders(value):
                assert name.isidentifier()


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_every_string_formats_with_its_placeholders(language: str) -> None:
    for key, value in STRINGS[language].items():
        filled = text(language, key, **dict.fromkeys(_placeholders(value), "X"))
        assert "{" not in filled
        assert "}" not in filled


def test_text_fills_values() -> None:
    assert text("en", "search_results", query="Baku") == "Results for “Baku”"
    assert text("de", "search_results", query="Baku") == "Ergebnisse für „Baku“"
    assert text("ru", "page_n", n=3) == "Страница 3"
    assert text("zh", "page_n", n=3) == "第3页"
    assert text("en", "rights", year=2026, agency="AZERTAC") == (
        "© 2026 AZERTAC. All rights reserved."
    )


def test_values_are_not_reinterpreted_as_templates() -> None:
    # A reader's query is data: braces in it must come out as typed.
    assert text("en", "search_results", query="{agency}") == "Results for “{agency}”"


def test_missing_value_is_an_error() -> None:
    with pytest.raises(KeyError):
        text("en", "page_n")


@pytest.mark.parametrize("language", ["tr", "xx", "", "EN"])
def test_other_languages_fall_back_to_english(language: str) -> None:
    assert text(language, "home") == "Home"
    assert text(language, "page_n", n=2) == "Page 2"


def test_unknown_key_is_an_error() -> None:
    with pytest.raises(KeyError):
        text("en", "no_such_key")
    with pytest.raises(KeyError):
        text("fr", "no_such_key")
    with pytest.raises(KeyError):
        text("xx", "no_such_key")


def test_arabic_is_written_in_arabic() -> None:
    arabic = re.compile(r"[\u0600-\u06ff]")
    for key, value in STRINGS["ar"].items():
        if key not in {"rss", "atom"}:
            assert arabic.search(value), key
    # Lists in running Arabic text take the Arabic comma, not the Latin one.
    assert "،" in STRINGS["ar"]["not_found_text"]
    assert not any("," in value for value in STRINGS["ar"].values())


def test_chinese_is_written_in_han_with_full_width_punctuation() -> None:
    han = re.compile(r"[\u4e00-\u9fff]")
    for key, value in STRINGS["zh"].items():
        if key not in {"rss", "atom"}:
            assert han.search(value), key
        # Half-width sentence punctuation looks wrong next to Han characters.
        assert not re.search(r"[,:;!?]|\.(?!\w)", value), key
    assert STRINGS["zh"]["search_results"].startswith("“{query}”")


def test_azerbaijani_uses_its_own_letters() -> None:
    letters = set("əğışçöüƏĞIŞÇÖÜ")
    assert letters & set("".join(STRINGS["az"].values()))
    # Latin script: no Cyrillic left over from the Soviet-era alphabet.
    assert not any(re.search(r"[\u0400-\u04ff]", value) for value in STRINGS["az"].values())


def test_quotation_marks_follow_each_language() -> None:
    assert "„{query}“" in STRINGS["de"]["search_results"]
    assert "«\u00a0{query}\u00a0»" in STRINGS["fr"]["search_results"]
    assert "«{query}»" in STRINGS["ru"]["search_results"]
    assert "«{query}»" in STRINGS["es"]["search_results"]
    assert "«{query}»" in STRINGS["ar"]["search_results"]
    assert "“{query}”" in STRINGS["az"]["search_results"]


def test_french_colons_have_a_non_breaking_space() -> None:
    for key, value in STRINGS["fr"].items():
        for match in re.finditer(":", value):
            assert value[match.start() - 1] == "\u00a0", key


def test_placeholders_may_share_names_with_parameters() -> None:
    # The site description is filled with language=..., as the page template does.
    assert text("en", "site_description", agency="AZERTAC", language="English") == (
        "News from AZERTAC in English: politics, economy, the world and culture."
    )
