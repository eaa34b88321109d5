"""An SMTP server for tests: aiosmtpd on 127.0.0.1 that keeps every message it accepts."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.conftest import free_port


@dataclass(frozen=True, slots=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    data: bytes

    @property
    def mail(self) -> EmailMessage:
        """The message as the `email` package reads it (headers decoded)."""
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Mailbox:
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    _controller: Controller | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        with self._lock:
            self.received.append(
                Received(
                    sender=str(envelope.mail_from),
                    recipients=tuple(envelope.rcpt_tos),
                    data=bytes(content),
                )
            )
        return "250 OK"

    def start(self) -> Mailbox:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    def messages(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def wait_for(self, count: int, seconds: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.messages()
            if len(found) >= count:
                return found
            time.sleep(0.02)
        return self.messages()
