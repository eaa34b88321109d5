"""How each family of local models names our languages, and what it wants around a sentence.

OPUS-MT (Marian) models take plain text; a model with several target languages expects a
`>>xxx<<` token in front of the source, which its vocabulary lists. NLLB-200 starts the source
with a language token (`eng_Latn`) and the target with another (the target prefix); M2M100 does
the same with `__en__`. Argos packages hold one pair each, named in their `metadata.json`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

FAMILIES = ("marian", "nllb", "m2m100", "argos")

# FLORES-200 codes as NLLB-200 spells them.
NLLB: dict[str, str] = {
    "az": "azj_Latn",  # North Azerbaijani, the Latin-script language of Azerbaijan
    "ru": "rus_Cyrl",
    "en": "eng_Latn",
    "fr": "fra_Latn",
    "de": "deu_Latn",
    "es": "spa_Latn",
    "ar": "arb_Arab",  # Modern Standard Arabic
    "zh": "zho_Hans",
    "tr": "tur_Latn",
    "it": "ita_Latn",
    "pt": "por_Latn",
    "fa": "pes_Arab",
    "ka": "kat_Geor",
    "uk": "ukr_Cyrl",
    "ja": "jpn_Jpan",
    "ko": "kor_Hang",
}

# M2M100 (418M and 1.2B) uses ISO 639-1 codes between double underscores.
M2M100: dict[str, str] = {code: f"__{code}__" for code in NLLB}

# Multi-target OPUS-MT models differ in how they name a target: the first of these candidates
# that the model's vocabulary holds is used.
MARIAN_TARGET_CANDIDATES: dict[str, tuple[str, ...]] = {
    "az": ("aze_Latn", "azj_Latn", "aze", "azj"),
    "ru": ("rus",),
    "en": ("eng",),
    "fr": ("fra",),
    "de": ("deu",),
    "es": ("spa",),
    "ar": ("arb", "ara", "apc"),
    "zh": ("cmn_Hans", "zho_Hans", "cmn", "zho"),
    "tr": ("tur",),
    "it": ("ita",),
    "pt": ("por",),
    "fa": ("pes", "fas"),
    "ka": ("kat",),
    "uk": ("ukr",),
    "ja": ("jpn",),
    "ko": ("kor",),
}

# Argos packages use ISO 639-1 codes; Simplified Chinese is `zh` (`zt` is Traditional).
ARGOS: dict[str, str] = {code: code for code in NLLB}


class UnmappedLanguage(ValueError):
    """The model family has no code for this language."""


@dataclass(frozen=True, slots=True)
class Framing:
    """What goes around one tokenised sentence for a family and language pair."""

    source_prefix: tuple[str, ...] = ()  # tokens before the source pieces
    target_prefix: tuple[str, ...] = ()  # tokens the decoder starts with, dropped from output


def family_code(family: str, language: str) -> str:
    """The code `family` uses for `language`; raises UnmappedLanguage if it has none."""
    table = {"nllb": NLLB, "m2m100": M2M100, "argos": ARGOS}.get(family)
    if family == "marian":
        if language in MARIAN_TARGET_CANDIDATES:
            return language
        raise UnmappedLanguage(f"OPUS-MT models have no code for {language!r} here")
    if table is None:
        raise UnmappedLanguage(f"unknown model family {family!r} (known: {', '.join(FAMILIES)})")
    try:
        return table[language]
    except KeyError:
        raise UnmappedLanguage(f"{family} models have no code for {language!r}") from None


def marian_target_token(language: str, vocabulary: Collection[str]) -> str | None:
    """`>>fra<<` when a multi-target OPUS-MT vocabulary names the target, else None."""
    for candidate in MARIAN_TARGET_CANDIDATES.get(language, ()):
        token = f">>{candidate}<<"
        if token in vocabulary:
            return token
    return None


def framing(family: str, source: str, target: str, vocabulary: Collection[str]) -> Framing:
    """The language tokens `family` needs to translate `source` → `target`."""
    if family == "nllb":
        return Framing((family_code(family, source),), (family_code(family, target),))
    if family == "m2m100":
        return Framing((family_code(family, source),), (family_code(family, target),))
    if family == "marian":
        family_code(family, source)
        family_code(family, target)
        token = marian_target_token(target, vocabulary)
        return Framing((token,) if token else ())
    family_code(family, source)
    family_code(family, target)
    return Framing()
