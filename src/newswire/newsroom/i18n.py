"""The newsroom's own interface in several languages, with gettext catalogs read through Babel.

Catalogs are the `.po` files under `locale/`, compiled in memory when first used, so the
repository holds no binary `.mo` files. English is the source language of every message.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE = Path(__file__).with_name("locale")
DOMAIN = "newsroom"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later, at display time."""
    return message


ROLE_NAMES = {
    "reporter": N_("reporter"),
    "editor": N_("editor"),
    "translator": N_("translator"),
    "chief_editor": N_("chief editor"),
    "admin": N_("admin"),
}


def interface_languages() -> tuple[str, ...]:
    """English and every language that has a catalog, in a stable order."""
    found = sorted(path.name for path in LOCALE.iterdir() if (path / "LC_MESSAGES").is_dir())
    return (SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE))


def catalog_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=32)
def translations(language: str) -> NullTranslations:
    path = catalog_path(language)
    if language == SOURCE_LANGUAGE or not path.is_file():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def negotiate(accept_language: str | None, available: tuple[str, ...]) -> str:
    """The first language of an Accept-Language header that the interface speaks."""
    if accept_language:
        weighted = []
        for position, part in enumerate(accept_language.split(",")):
            tag, _, parameters = part.strip().partition(";")
            quality = 1.0
            if parameters.strip().startswith("q="):
                try:
                    quality = float(parameters.strip()[2:])
                except ValueError:
                    quality = 0.0
            weighted.append((-quality, position, tag.strip().lower().split("-")[0]))
        for quality, _position, code in sorted(weighted):
            if quality < 0 and code in available:
                return code
    return SOURCE_LANGUAGE
