"""Outbound safety: pushed deliveries never reach private, loopback or link-local addresses
unless the operator allow-lists their network (`NEWSWIRE_OUTBOUND_ALLOW`).

The check runs twice: when a channel is added (a clear error for the admin) and on every
connection, after name resolution, so that a name re-pointed at an internal address later
(DNS rebinding) is refused too.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedAddress(OSError):
    """The target resolves to an address deliveries may not reach."""


def is_public(address: Address) -> bool:
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def check_address(address: str, allow: Sequence[Network]) -> None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if is_public(ip) or any(ip in network for network in allow):
        return
    raise RefusedAddress(
        f"{address} is a private, loopback or link-local address; "
        "allow its network in NEWSWIRE_OUTBOUND_ALLOW to deliver there"
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (blocking)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def check_host(host: str, port: int, allow: Sequence[Network]) -> list[str]:
    """Resolve `host` and refuse it if any address is off limits; returns the addresses."""
    try:
        addresses = resolve(host, port)
    except OSError as error:
        raise RefusedAddress(f"{host} does not resolve: {error}") from None
    for address in addresses:
        check_address(address, allow)
    return addresses


class SafeResolver(AbstractResolver):
    """aiohttp's resolver, refusing any off-limits address before a connection is made."""

    def __init__(self, allow: Iterable[Network]) -> None:
        self._inner = DefaultResolver()
        self._allow = tuple(allow)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        for entry in found:
            check_address(entry["host"], self._allow)
        return found

    async def close(self) -> None:
        await self._inner.close()


def describe(error: Any) -> str:
    return str(error) or type(error).__name__
