"""What every machine translation engine is, and the one error they all raise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class EngineError(Exception):
    """An engine could not translate: one line of text the desk shows on the task.

    The message never holds a key or token; an HTTP engine's message names the engine and what
    went wrong (timeout, refused connection, HTTP status, unreadable answer).
    """


class Engine(Protocol):
    """A machine translation engine, local or behind HTTP."""

    name: str  # "ctranslate2:/path/to/model", "libretranslate", "deepl" or "openai"
    keeps_markup: bool  # True: it is sent inline HTML; False: only the text between tags

    def serves(self, source: str, target: str) -> bool:
        """Whether it translates `source` → `target` directly."""
        ...

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """One translation per text, in order; raises EngineError."""
        ...
