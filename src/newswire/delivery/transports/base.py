"""What every transport does: open a session for a run of one channel, send payloads in order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Payload:
    """One delivery as a transport sends it."""

    message_id: str  # the webhook-id: the same on every attempt of a delivery
    kind: str  # published | corrected | killed
    body: bytes  # the document in the channel's format
    media_type: str
    extension: str  # json | xml
    uri: str
    version: int
    language: str
    headline: str
    body_html: str  # the item's body, for transports that show text (e-mail)
    embargoed: datetime | None  # set on an early copy of an embargoed version


class DeliveryFailed(Exception):
    """An attempt failed; `gone` when the receiver asked (410) for no more deliveries."""

    def __init__(self, message: str, *, gone: bool = False) -> None:
        super().__init__(message)
        self.gone = gone


Send = Callable[[Payload], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Target:
    """A channel as its transport needs it (no database objects)."""

    channel_id: int
    target: str
    secrets: tuple[str, ...]
    host_key: str | None


class Transport(Protocol):
    """Opens a session to one channel's target; the session sends payloads one at a time."""

    def session(self, target: Target) -> AbstractAsyncContextManager[Send]: ...

    async def close(self) -> None: ...
