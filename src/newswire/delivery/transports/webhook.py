"""HTTPS webhooks signed per Standard Webhooks 1.0, over one shared aiohttp session."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from yarl import URL

from newswire.config import Settings
from newswire.delivery import outbound
from newswire.delivery.signing import Signer, secret_key
from newswire.delivery.transports.base import DeliveryFailed, Payload, Send, Target

USER_AGENT = "newswire-webhooks/1"


class WebhookTransport:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        if self._client is None or self._client.closed:
            connector = aiohttp.TCPConnector(
                limit=0,  # the worker bounds concurrency itself, one request per channel
                limit_per_host=0,
                resolver=outbound.SafeResolver(self._settings.outbound_allow),
                ttl_dns_cache=60,
            )
            self._client = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self._settings.delivery_timeout),
                headers={"User-Agent": USER_AGENT},
                skip_auto_headers=("Accept-Encoding",),
            )
        return self._client

    @asynccontextmanager
    async def session(self, target: Target) -> AsyncIterator[Send]:
        url = URL(target.target)  # parsed once per run, not by aiohttp at every request
        host = url.raw_host or ""
        literal = _ip_literal(host)
        if literal is not None:  # aiohttp does not ask the resolver about an IP literal
            try:
                outbound.check_address(literal, self._settings.outbound_allow)
            except outbound.RefusedAddress as error:
                refusal = str(error)

                async def refuse(_payload: Payload) -> None:
                    raise DeliveryFailed(refusal)

                yield refuse
                return
        signer = Signer(tuple(secret_key(secret) for secret in target.secrets))
        client = self._session()

        async def send(payload: Payload) -> None:
            timestamp = int(time.time())
            headers = {
                "Content-Type": payload.media_type,
                "webhook-id": payload.message_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": signer.sign(payload.message_id, timestamp, payload.body),
                "newswire-event": payload.kind,
                "newswire-uri": payload.uri,
                "newswire-version": str(payload.version),
            }
            if payload.embargoed is not None:
                headers["newswire-embargoed"] = payload.embargoed.isoformat()
            try:
                async with client.post(
                    url, data=payload.body, headers=headers, allow_redirects=False
                ) as response:
                    status = response.status
                    if 200 <= status < 300:
                        await response.read()
                        return
                    text = (await response.content.read(300)).decode("utf-8", "replace")
            except outbound.RefusedAddress as error:
                raise DeliveryFailed(str(error)) from None
            except TimeoutError:
                raise DeliveryFailed(
                    f"no answer within {self._settings.delivery_timeout:g} s"
                ) from None
            except aiohttp.ClientConnectorError as error:
                cause = error.os_error
                if isinstance(cause, outbound.RefusedAddress):
                    raise DeliveryFailed(str(cause)) from None
                raise DeliveryFailed(f"cannot connect: {outbound.describe(cause)}") from None
            except (aiohttp.ClientError, asyncio.IncompleteReadError, ConnectionError) as error:
                raise DeliveryFailed(f"connection failed: {outbound.describe(error)}") from None
            detail = " ".join(text.split())[:200]
            message = f"HTTP {status}" + (f": {detail}" if detail else "")
            raise DeliveryFailed(message, gone=status == 410)

        yield send

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None
