"""Choosing the reader's language from `Accept-Language` (RFC 9110 §12.5.4)."""

from __future__ import annotations

from collections.abc import Sequence


def preferred_language(header: str | None, available: Sequence[str], default: str) -> str:
    """The available language the reader ranks highest; `default` when none matches.

    "zh-CN" and "zh-Hans" match "zh", "en-US" matches "en"; q=0 means "not this one".
    """
    if not header:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and 0.0 < quality <= 1.0:
            ranked.append((-quality, position, tag))
    lowered = {code.lower(): code for code in available}
    for _q, _position, tag in sorted(ranked):
        if tag == "*":
            return default
        primary = tag.split("-", 1)[0]
        if tag in lowered:
            return lowered[tag]
        if primary in lowered:
            return lowered[primary]
    return default
