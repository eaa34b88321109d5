"""Machine translation engines, looked up in a registry that `build_registry` alone fills.

Local CTranslate2 models come from the `mt_models` table (`newswire mt install`); HTTP engines
from the settings that give their URL or key. A pair no engine serves directly is routed in two
hops through English. `translate_html` runs a route over sentences with inline markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from newswire.config import Settings
from newswire.translation.engines import markup
from newswire.translation.engines.base import Engine, EngineError
from newswire.translation.models import MTModel

__all__ = [
    "PIVOT",
    "Engine",
    "EngineError",
    "EngineRegistry",
    "Route",
    "build_registry",
    "translate_html",
]

PIVOT = "en"


@dataclass(frozen=True)
class Route:
    """One engine, or two hops pivoting through English: (engine, source, target) each."""

    hops: tuple[tuple[Engine, str, str], ...]

    @property
    def name(self) -> str:
        """What the task records as its engine, e.g. `deepl` or `a (fr→en) + b (en→de)`."""
        if len(self.hops) == 1:
            return self.hops[0][0].name
        return " + ".join(f"{engine.name} ({s}→{t})" for engine, s, t in self.hops)


class EngineRegistry:
    """The engines of this installation, in order of preference (local models first)."""

    def __init__(self, engines: Sequence[Engine] = ()) -> None:
        self._engines = list(engines)

    @property
    def engines(self) -> tuple[Engine, ...]:
        return tuple(self._engines)

    def add(self, engine: Engine) -> None:
        self._engines.append(engine)

    def direct(self, source: str, target: str) -> Engine | None:
        """The first engine that translates `source` → `target` itself."""
        return next((e for e in self._engines if e.serves(source, target)), None)

    def route(self, source: str, target: str) -> Route | None:
        """A direct engine if one serves the pair, else a pivot through English, else None."""
        if source == target:
            return None
        engine = self.direct(source, target)
        if engine is not None:
            return Route(((engine, source, target),))
        if PIVOT in (source, target):
            return None
        first = self.direct(source, PIVOT)
        second = self.direct(PIVOT, target)
        if first is None or second is None:
            return None
        return Route(((first, source, PIVOT), (second, PIVOT, target)))


def build_registry(settings: Settings, models: Sequence[MTModel]) -> EngineRegistry:
    """The registry of this installation: the active local models, then the HTTP engines
    whose settings are filled in (LibreTranslate, DeepL, OpenAI-compatible, in that order)."""
    # Imported here so that importing this package (the CLI does) loads neither CTranslate2 nor
    # aiohttp.
    from newswire.translation.engines.ctranslate2 import CTranslate2Engine
    from newswire.translation.engines.http import DeepLEngine, LibreTranslateEngine, OpenAIEngine

    registry = EngineRegistry()
    pairs: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for model in models:
        if model.active:
            pairs.setdefault((model.path, model.family), []).append(
                (model.source_language, model.target_language)
            )
    # A multilingual model registered once per pair is one engine (one model in memory).
    for (path, family), served in pairs.items():
        registry.add(
            CTranslate2Engine(
                Path(path),
                family,
                served,
                threads=settings.mt_threads,
                beam_size=settings.mt_beam_size,
                batch_size=settings.mt_batch_size,
            )
        )
    timeout, batch = settings.mt_timeout, settings.mt_batch_size
    if settings.mt_libretranslate_url:
        registry.add(
            LibreTranslateEngine(
                settings.mt_libretranslate_url,
                settings.mt_libretranslate_key,
                timeout=timeout,
                batch_size=batch,
            )
        )
    if settings.mt_deepl_key and settings.mt_deepl_key.get_secret_value():
        registry.add(
            DeepLEngine(
                settings.mt_deepl_url, settings.mt_deepl_key, timeout=timeout, batch_size=batch
            )
        )
    if settings.mt_openai_url and settings.mt_openai_model:
        registry.add(
            OpenAIEngine(
                settings.mt_openai_url,
                settings.mt_openai_key,
                settings.mt_openai_model,
                timeout=timeout,
                batch_size=batch,
            )
        )
    return registry


async def translate_html(route: Route, htmls: Sequence[str]) -> list[str]:
    """Translate sentences with inline markup along `route`, keeping the markup.

    Engines that keep markup get the HTML; the others get only the text between tags, which is
    put back between the same tags. `<span translate="no">` content passes every hop untouched
    and the spans are removed from the result.
    """
    current = list(htmls)
    for engine, source, target in route.hops:
        current = await _hop(engine, current, source, target)
    return [markup.unwrap_keep(html) for html in current]


async def _hop(engine: Engine, htmls: list[str], source: str, target: str) -> list[str]:
    if engine.keeps_markup:
        translated = await engine.translate(htmls, source, target)
        _check_count(engine, translated, htmls)
        return [
            markup.restore_keep(out, markup.keep_spans(html))
            for html, out in zip(htmls, translated, strict=True)
        ]
    pieces = [markup.split(html) for html in htmls]
    runs = [markup.runs_to_translate(p) for p in pieces]
    flat = [run for sentence in runs for run in sentence]
    translated = await engine.translate(flat, source, target) if flat else []
    _check_count(engine, translated, flat)
    result = []
    start = 0
    for sentence_pieces, sentence_runs in zip(pieces, runs, strict=True):
        end = start + len(sentence_runs)
        result.append(markup.join(sentence_pieces, translated[start:end]))
        start = end
    return result


def _check_count(engine: Engine, translated: Sequence[str], sent: Sequence[str]) -> None:
    if len(translated) != len(sent):
        raise EngineError(
            f"{engine.name} returned {len(translated)} translations for {len(sent)} texts"
        )
