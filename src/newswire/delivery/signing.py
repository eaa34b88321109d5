"""Standard Webhooks 1.0 signatures: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`."""

from __future__ import annotations

import base64
import hashlib
import hmac

from newswire.security import WEBHOOK_SECRET_PREFIX


def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_…` secret: the base64 after the prefix."""
    return base64.b64decode(secret.removeprefix(WEBHOOK_SECRET_PREFIX))


class Signer:
    """Signs a channel's deliveries; the keyed hashes are set up once and copied per message."""

    def __init__(self, keys: tuple[bytes, ...]) -> None:
        self._hashes = tuple(hmac.new(key, digestmod=hashlib.sha256) for key in keys)

    def sign(self, message_id: str, timestamp: int, body: bytes) -> str:
        """The `webhook-signature` header: one `v1,…` per key, space-separated (a rotation
        signs with both secrets, so receivers holding either verify)."""
        prefix = f"{message_id}.{timestamp}.".encode()
        signatures = []
        for keyed in self._hashes:
            digest = keyed.copy()
            digest.update(prefix)
            digest.update(body)
            signatures.append("v1," + base64.b64encode(digest.digest()).decode())
        return " ".join(signatures)


def signature(keys: tuple[bytes, ...], message_id: str, timestamp: int, body: bytes) -> str:
    return Signer(keys).sign(message_id, timestamp, body)
