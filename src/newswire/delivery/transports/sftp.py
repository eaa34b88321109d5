"""SFTP upload: each delivery becomes a file, written under a temporary name and renamed, so
that a partner's pick-up job never reads half a file."""

from __future__ import annotations

import asyncio
import contextlib
import posixpath
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import asyncssh

from newswire.config import Settings
from newswire.db import run_in_thread
from newswire.delivery import outbound
from newswire.delivery.transports.base import DeliveryFailed, Payload, Send, Target

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(payload: Payload) -> str:
    """`urn_newsml_example.com_20261127_42-az-v2.json`; a kill ends in `-killed`."""
    stem = _UNSAFE.sub("_", payload.uri)
    suffix = "-killed" if payload.kind == "killed" else ""
    return f"{stem}-v{payload.version}{suffix}.{payload.extension}"


def _same_fingerprint(a: str, b: str) -> bool:
    # OpenSSH prints SHA256 fingerprints unpadded; a pasted one may keep base64's `=`.
    return a.strip().rstrip("=") == b.strip().rstrip("=")


class _PinnedHostKey(asyncssh.SSHClient):
    """Accepts the server only if its key has the channel's SHA256 fingerprint. The check
    comes before authentication, so an impostor never sees the password."""

    def __init__(self, fingerprint: str) -> None:
        self._fingerprint = fingerprint
        self.offered: str | None = None  # the fingerprint of the key the server showed

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        self.offered = str(key.get_fingerprint("sha256"))
        return _same_fingerprint(self.offered, self._fingerprint)


class SftpTransport:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @asynccontextmanager
    async def session(self, target: Target) -> AsyncIterator[Send]:
        parts = urlsplit(target.target)
        host, port = parts.hostname or "", parts.port or 22
        folder = unquote(parts.path) or "."
        timeout = self._settings.delivery_timeout
        pinned = _PinnedHostKey(target.host_key) if target.host_key else None
        try:
            addresses = await run_in_thread(
                outbound.check_host, host, port, self._settings.outbound_allow
            )
            options: dict[str, Any] = {
                "username": unquote(parts.username or ""),
                "password": target.secrets[0] if target.secrets else None,
                "connect_timeout": timeout,
                # A password, and nothing of the machine's own SSH set-up: no keys or agent
                # from ~/.ssh, no ~/.ssh/config rewriting the target, no Kerberos.
                "client_keys": None,
                "config": None,
                "gss_host": None,
                "preferred_auth": "password,keyboard-interactive",
            }
            if pinned is not None:
                options["known_hosts"] = ([], [], [])  # nothing trusted but the pinned key
                options["client_factory"] = lambda: pinned
            else:
                options["known_hosts"] = None
            connection = await asyncssh.connect(addresses[0], port, **options)
        except outbound.RefusedAddress as error:
            raise DeliveryFailed(str(error)) from None
        except asyncssh.HostKeyNotVerifiable:
            offered = pinned.offered if pinned is not None else None
            raise DeliveryFailed(
                f"the SFTP server's host key {offered or '(unknown)'} is not trusted: the "
                f"channel's host_key is {target.host_key}; no password was sent"
            ) from None
        except asyncssh.PermissionDenied:
            raise DeliveryFailed(
                f"the SFTP server refused the login of user {parts.username or '(none)'!r}: "
                "wrong user name or password"
            ) from None
        except TimeoutError:
            raise DeliveryFailed(f"the SFTP server did not answer within {timeout:g} s") from None
        except (OSError, asyncssh.Error) as error:
            raise DeliveryFailed(f"SFTP connection failed: {outbound.describe(error)}") from None
        try:
            async with connection, connection.start_sftp_client() as sftp:

                async def send(payload: Payload) -> None:
                    name = file_name(payload)
                    final = posixpath.join(folder, name)
                    partial = posixpath.join(folder, f".{name}.part")
                    try:
                        await asyncio.wait_for(_upload(sftp, partial, final, payload), timeout)
                    except TimeoutError:
                        raise DeliveryFailed(
                            f"SFTP upload of {final} took more than {timeout:g} s"
                        ) from None
                    except (OSError, asyncssh.Error) as error:
                        raise DeliveryFailed(
                            f"SFTP upload of {final} failed: {outbound.describe(error)}"
                        ) from None

                yield send
        except (OSError, asyncssh.Error) as error:
            raise DeliveryFailed(f"SFTP session failed: {outbound.describe(error)}") from None

    async def close(self) -> None:
        return None


async def _upload(sftp: asyncssh.SFTPClient, partial: str, final: str, payload: Payload) -> None:
    try:
        async with sftp.open(partial, "wb") as handle:
            await handle.write(payload.body)
        try:
            await sftp.posix_rename(partial, final)  # replaces a copy left by an earlier attempt
        except asyncssh.SFTPOpUnsupported:
            with contextlib.suppress(asyncssh.SFTPNoSuchFile):
                await sftp.remove(final)
            await sftp.rename(partial, final)
    except (OSError, asyncssh.Error):
        # Left behind after a timeout instead (a hung server would not answer a removal
        # either); the next attempt overwrites it, and its leading dot hides it meanwhile.
        with contextlib.suppress(OSError, asyncssh.Error):
            await sftp.remove(partial)
        raise
