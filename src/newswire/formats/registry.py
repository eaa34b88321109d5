"""Output formats looked up by name, in a registry that one function fills.

Nothing registers itself on import: `default_formats()` is the single place that says which
formats newswire offers, and tests or deployments can build their own registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from newswire.formats.newsml import MEDIA_TYPE as NEWSML_MEDIA_TYPE
from newswire.formats.newsml import render_newsml
from newswire.formats.ninjs import render_ninjs2, render_ninjs3
from newswire.stories.document import ItemDocument


@dataclass(frozen=True, slots=True)
class Format:
    """One output format: the name clients ask for, its media type, and its renderer."""

    name: str
    media_type: str
    render: Callable[[ItemDocument], bytes]
    file_extension: str  # for exports, without the dot


class UnknownFormat(KeyError):
    """No format is registered under the name asked for."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        super().__init__(name)
        self.name = name
        self.known = known

    def __str__(self) -> str:
        # KeyError's own str() is the repr of the key; callers show this text to users.
        known = ", ".join(self.known) or "none"
        return f"unknown format {self.name!r}; known formats: {known}"


class FormatRegistry:
    """Formats by name, in the order they were registered."""

    def __init__(self) -> None:
        self._formats: dict[str, Format] = {}

    def register(self, fmt: Format) -> None:
        """Add `fmt`; a second format under the same name is a programming error."""
        if fmt.name in self._formats:
            raise ValueError(f"format {fmt.name!r} is already registered")
        self._formats[fmt.name] = fmt

    def get(self, name: str) -> Format:
        """The format called `name`, or `UnknownFormat`."""
        try:
            return self._formats[name]
        except KeyError:
            raise UnknownFormat(name, self.names()) from None

    def names(self) -> tuple[str, ...]:
        """Registered names, in registration order."""
        return tuple(self._formats)

    def by_media_type(self, media_type: str) -> Format | None:
        """The first format registered for `media_type` (for `Accept` negotiation), if any."""
        return next((f for f in self._formats.values() if f.media_type == media_type), None)


def default_formats() -> FormatRegistry:
    """The formats newswire serves: ninjs 2.2 (the default), ninjs 3.1 and NewsML-G2 2.35."""
    registry = FormatRegistry()
    registry.register(Format("ninjs", "application/json", render_ninjs2, "json"))
    registry.register(Format("ninjs3", "application/json", render_ninjs3, "json"))
    registry.register(Format("newsml", NEWSML_MEDIA_TYPE, render_newsml, "xml"))
    return registry
