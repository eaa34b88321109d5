"""HTML rendering: the Jinja2 environment, dates in the reader's language, JSON-LD."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from babel.dates import format_skeleton, format_time
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from newswire.languages import LANGUAGES, Language
from newswire.site import strings

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")

# Facebook's locale names for Open Graph.
OG_LOCALES = {
    "az": "az_AZ", "ru": "ru_RU", "en": "en_GB", "fr": "fr_FR", "de": "de_DE",
    "es": "es_ES", "ar": "ar_AR", "zh": "zh_CN", "tr": "tr_TR", "it": "it_IT",
    "pt": "pt_PT", "fa": "fa_IR", "ka": "ka_GE", "uk": "uk_UA", "ja": "ja_JP", "ko": "ko_KR",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Picture:
    url: str
    alt: str
    caption: str | None = None
    credit: str | None = None
    width: int | None = None
    height: int | None = None


def topic_slug(code: str) -> str:
    """URLs name a Media Topic by its number: /en/topic/11000000."""
    return code.removeprefix("medtop:")


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def localised(value: datetime, language: str, timezone: str) -> str:
    """A date and time as a reader of `language` writes it, in the agency's time zone."""
    locale = LANGUAGES[language].babel_locale if language in LANGUAGES else "en"
    zone = _zone(timezone)
    day = format_skeleton("yMMMd", value, tzinfo=zone, locale=locale)
    time = format_time(value, "short", tzinfo=zone, locale=locale)
    return f"{day}{_DATE_TIME_SEPARATORS.get(language, ', ')}{time}"


_DATE_TIME_SEPARATORS = {"ar": "، ", "zh": " ", "ja": " "}


def json_ld(data: dict[str, Any]) -> str:
    """JSON for a <script> element: `<` escaped so no text can close the element."""
    return orjson.dumps(data).decode().replace("<", "\\u003c")


def _static_version(name: str) -> str:
    return hashlib.blake2b((STATIC / name).read_bytes(), digest_size=6).hexdigest()


@pass_context
def _when(context: Context, value: datetime) -> str:
    return localised(value, context["lang"].code, context["timezone"])


class Renderer:
    """Renders the site's templates; one per process."""

    def __init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True),
            auto_reload=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["iso"] = iso
        self.env.filters["topic_slug"] = topic_slug
        self.env.filters["when"] = _when
        versions = {p.name: _static_version(p.name) for p in STATIC.iterdir() if p.is_file()}
        self.env.globals["static"] = lambda name: f"/static/site/{name}?v={versions[name]}"

    def render(self, template: str, language: Language, timezone: str, **context: Any) -> bytes:
        code = language.code

        def t(key: str, **values: object) -> str:
            return strings.text(code, key, **values)

        page = self.env.get_template(template)
        html = page.render(lang=language, t=t, timezone=timezone, **context)
        return html.encode()
