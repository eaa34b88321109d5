"""Standard Webhooks 1.0 signatures: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`."""

from __future__ import annotations

import base64
import hashlib
import hmac

from newswire.security import WEBHOOK_SECRET_PREFIX


def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_…` secret: the base64 after the prefix."""
    return base64.b64decode(secret.removeprefix(WEBHOOK_SECRET_PREFIX))


def signature(keys: tuple[bytes, ...], message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: one `v1,…` per key, space-separated (a rotation signs
    with both secrets, so receivers holding either verify)."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        for key in keys
    )
