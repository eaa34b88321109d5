"""The languages newswire knows how to work in, and how each one is written."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_WORKING_LANGUAGES: tuple[str, ...] = ("az", "ru", "en", "fr", "de", "es", "ar", "zh")


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # BCP 47 as used in URLs and documents
    native_name: str
    english_name: str
    babel_locale: str
    rtl: bool = False
    html_lang: str = ""  # the value for <html lang>, when it differs from the code

    @property
    def lang_attribute(self) -> str:
        return self.html_lang or self.code


LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language("az", "Azərbaycanca", "Azerbaijani", "az"),
        Language("ru", "Русский", "Russian", "ru"),
        Language("en", "English", "English", "en_GB"),
        Language("fr", "Français", "French", "fr"),
        Language("de", "Deutsch", "German", "de"),
        Language("es", "Español", "Spanish", "es"),
        Language("ar", "العربية", "Arabic", "ar", rtl=True),
        Language("zh", "中文", "Chinese", "zh_Hans_CN", html_lang="zh-CN"),
        Language("tr", "Türkçe", "Turkish", "tr"),
        Language("it", "Italiano", "Italian", "it"),
        Language("pt", "Português", "Portuguese", "pt"),
        Language("fa", "فارسی", "Persian", "fa", rtl=True),
        Language("ka", "ქართული", "Georgian", "ka"),
        Language("uk", "Українська", "Ukrainian", "uk"),
        Language("ja", "日本語", "Japanese", "ja"),
        Language("ko", "한국어", "Korean", "ko"),
    )
}


def is_known(code: str) -> bool:
    return code in LANGUAGES


def get(code: str) -> Language:
    return LANGUAGES[code]
