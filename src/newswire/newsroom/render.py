"""The newsroom's Jinja2 environments: one per interface language, each with its gettext catalog."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from newswire.languages import LANGUAGES
from newswire.newsroom import i18n
from newswire.newsroom.labels import URGENCIES

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")

URGENCY_NAMES = {number: name for name, number in URGENCIES.items()}  # CSS class names


@lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def babel_locale(language: str) -> str:
    return LANGUAGES[language].babel_locale if language in LANGUAGES else "en"


@lru_cache(maxsize=64)
def _babel(locale: str) -> Locale:
    # Babel parses a locale name on every call it is given one: a queue formats a hundred times.
    return Locale.parse(locale)


@lru_cache(maxsize=64)
def short_pattern(locale: str) -> str:
    """Day, month and time without the year ("27 Nov, 15:41"): CLDR has no skeleton for all
    of them, so the locale's own day-month pattern and short time are joined its own way."""
    data = _babel(locale)
    day = data.datetime_skeletons["MMMd"].pattern
    time = data.time_formats["short"].pattern
    return str(data.datetime_formats["short"]).replace("{1}", day).replace("{0}", time)


def format_when(value: datetime | None, language: str, timezone: str, *, short: bool) -> str:
    if value is None:
        return ""
    name = babel_locale(language)
    locale = _babel(name)
    if short:
        return format_datetime(value, short_pattern(name), tzinfo=zone(timezone), locale=locale)
    return format_datetime(value, "medium", tzinfo=zone(timezone), locale=locale)


@pass_context
def _when(context: Context, value: datetime | None, short: bool = False) -> str:
    return format_when(value, context["ui"], context["timezone"], short=short)


def urgency_class(urgency: int | None) -> str:
    """CSS class of an urgency: flash (1) and bulletin (2) must stand out in every queue."""
    return f"urgency-{URGENCY_NAMES.get(urgency or 5, 'routine')}"


def _static_version(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=6).hexdigest()


class Renderer:
    """Renders newsroom templates in the user's interface language."""

    def __init__(self) -> None:
        self._environments: dict[str, Environment] = {}
        self._versions = {
            path.name: _static_version(path) for path in STATIC.iterdir() if path.is_file()
        }

    def environment(self, language: str) -> Environment:
        env = self._environments.get(language)
        if env is None:
            env = Environment(
                loader=FileSystemLoader(TEMPLATES),
                autoescape=select_autoescape(default=True),
                auto_reload=False,
                trim_blocks=True,
                lstrip_blocks=True,
                extensions=["jinja2.ext.i18n"],
            )
            env.install_gettext_translations(  # type: ignore[attr-defined]
                i18n.translations(language), newstyle=True
            )
            env.filters["when"] = _when
            env.filters["urgency_class"] = urgency_class
            env.globals["static"] = self.static_url
            env.globals["LANGUAGES"] = LANGUAGES
            env.globals["interface_languages"] = i18n.interface_languages()
            env.globals["ROLE_NAMES"] = i18n.ROLE_NAMES
            self._environments[language] = env
        return env

    def static_url(self, name: str) -> str:
        version = self._versions.get(name, "0")
        return f"/static/newsroom/{name}?v={version}"

    def render(self, template: str, language: str, **context: Any) -> str:
        env = self.environment(language)
        return env.get_template(template).render(ui=language, **context)

    def gettext(self, language: str, message: str, **values: object) -> str:
        text = i18n.translations(language).gettext(message)
        return text % values if values else text
