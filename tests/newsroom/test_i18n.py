"""The newsroom's interface is translated: every message in the code and templates has a
translation in each catalog, with the same placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from newswire.newsroom import i18n
from tests.conftest import REPO

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
PYBABEL = Path(sys.executable).with_name("pybabel")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every message id of the newsroom, extracted as `make messages` does."""
    pot = tmp_path_factory.mktemp("messages") / "newsroom.pot"
    result = subprocess.run(
        [str(PYBABEL), "extract", "-F", "babel.cfg", "-k", "N_", "-k", "gettext:2",
         "--no-location", "-o", str(pot), "src/newswire/newsroom"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with pot.open("rb") as handle:
        template = read_po(handle)
    # A plural message's id is the pair (singular, plural); catalogs are keyed by the singular.
    return {
        message.id if isinstance(message.id, str) else message.id[0]: ""
        for message in template
        if message.id
    }


def test_the_interface_speaks_at_least_english_russian_azerbaijani_and_french() -> None:
    assert {"en", "ru", "az", "fr"} <= set(i18n.interface_languages())


def test_extraction_finds_the_messages(extracted: dict[str, str]) -> None:
    assert "Log out" in extracted
    assert "Wrong user name or password." in extracted  # from Python code
    assert "Your password has been changed." in extracted  # a deferred N_() message
    assert len(extracted) > 40


@pytest.mark.parametrize("language", [code for code in i18n.interface_languages() if code != "en"])
def test_every_message_is_translated(extracted: dict[str, str], language: str) -> None:
    with i18n.catalog_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    untranslated = []
    wrong_placeholders = []
    for msgid in extracted:
        message = catalog.get(msgid)
        if message is None or not message.string or message.fuzzy:
            untranslated.append(msgid)
            continue
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        if not all(forms):  # every plural form of the language, filled
            untranslated.append(msgid)
        if any(set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(form)) for form in forms):
            wrong_placeholders.append(msgid)
    assert untranslated == [], f"{language}: run `make messages` and translate these"
    assert wrong_placeholders == []


def test_translations_are_served() -> None:
    assert i18n.translations("ru").gettext("Log out") == "Выйти"
    assert i18n.translations("fr").gettext("Log out") == "Se déconnecter"
    assert i18n.translations("az").gettext("Log out") == "Çıxış"
    assert i18n.translations("en").gettext("Log out") == "Log out"


def test_accept_language_negotiation() -> None:
    available = ("en", "ru", "az", "fr")
    assert i18n.negotiate("fr-FR,fr;q=0.9,en;q=0.8", available) == "fr"
    assert i18n.negotiate("de-DE,ru;q=0.5,en;q=0.9", available) == "en"
    assert i18n.negotiate("zh-CN", available) == "en"
    assert i18n.negotiate(None, available) == "en"
    assert i18n.negotiate("az;q=0, ru", available) == "ru"
