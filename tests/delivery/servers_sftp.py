"""An SFTP server for tests: asyncssh on 127.0.0.1, in a thread and event loop of its own.

Clients see `root` as `/` (a chroot). One user logs in with a password; the server notes every
password check, so a test can tell whether a client ever sent its password.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from tests.conftest import free_port


def _host_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


class _PasswordOnly(asyncssh.SSHServer):
    def __init__(self, server: SftpServer) -> None:
        self._server = server

    def begin_auth(self, username: str) -> bool:
        return True  # every user must authenticate

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return self._server.check(username, password)


async def _end_tasks(tasks: set[asyncio.Task[object]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(0.05)  # the connections' sockets close on the next turns of the loop


@dataclass
class SftpServer:
    root: Path
    username: str = "wire"
    password: str = "pick-up 42"
    host_key: asyncssh.SSHKey = field(default_factory=_host_key)
    port: int = field(default_factory=free_port)
    password_checks: list[str] = field(default_factory=list)  # user names, in order
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def fingerprint(self) -> str:
        """The host key's fingerprint as `ssh-keygen -l` shows it: `SHA256:…`."""
        return str(self.host_key.get_fingerprint("sha256"))

    def url(self, folder: str, user: str | None = None) -> str:
        return f"sftp://{user or self.username}@127.0.0.1:{self.port}/{folder}"

    def check(self, username: str, password: str) -> bool:
        with self._lock:
            self.password_checks.append(username)
        return username == self.username and password == self.password

    def start(self) -> SftpServer:
        ready = threading.Event()
        failed: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                acceptor = loop.run_until_complete(
                    asyncssh.listen(
                        "127.0.0.1",
                        self.port,
                        server_host_keys=[self.host_key],
                        server_factory=lambda: _PasswordOnly(self),
                        sftp_factory=lambda channel: asyncssh.SFTPServer(
                            channel, chroot=str(self.root).encode()
                        ),
                        allow_scp=False,
                    )
                )
            except BaseException as error:  # reported by start(), in the test's thread
                failed.append(error)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            acceptor.close()
            loop.run_until_complete(acceptor.wait_closed())
            # Whatever a connection still runs (an SFTP session's handler) ends before the loop
            # closes, and its socket with it.
            loop.run_until_complete(_end_tasks(asyncio.all_tasks(loop)))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        assert ready.wait(10), "the SFTP server did not start"
        if failed:
            raise failed[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def files(self, folder: str) -> dict[str, bytes]:
        """Every file in `folder`, hidden ones too, by name."""
        return {p.name: p.read_bytes() for p in sorted((self.root / folder).iterdir())}
