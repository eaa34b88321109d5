"""Delivery channels' transports, in a registry that `default_transports` fills."""

from __future__ import annotations

from newswire.config import Settings
from newswire.delivery.transports.base import DeliveryFailed, Payload, Transport
from newswire.delivery.transports.email import EmailTransport
from newswire.delivery.transports.sftp import SftpTransport
from newswire.delivery.transports.webhook import WebhookTransport

__all__ = ["DeliveryFailed", "Payload", "Transport", "default_transports"]


def default_transports(settings: Settings) -> dict[str, Transport]:
    """The one place that says which channel kinds newswire can push to."""
    return {
        "webhook": WebhookTransport(settings),
        "sftp": SftpTransport(settings),
        "email": EmailTransport(settings),
    }
