"""What bench_delivery sets up: a database with 100 webhook subscribers, and its processes."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench._agency import found_agency
from bench._common import NEWSWIRE, answering
from newswire import migrate
from newswire.agency import services as agency
from newswire.agency.services import SYSTEM
from newswire.config import Settings
from newswire.db import Database
from newswire.delivery import services as delivery
from newswire.stories.services import StoryContext

ROOT = Path(__file__).resolve().parent.parent
ALLOW = "127.0.0.1/32"


def bootstrap(url: str, hooks: list[str]) -> str:
    """An agency (bureau `baku`, desk `economy`), a chief editor and one subscriber per URL in
    `hooks`, each with a product of its own that takes everything and a ninjs webhook channel.
    Returns the editor's API token."""
    settings = Settings(database_url=url, outbound_allow=(ipaddress.ip_network(ALLOW),))
    database = Database(url)
    migrate.upgrade(database)
    ctx = StoryContext.from_settings(None, settings.public_url)
    try:
        with database.write() as session:
            found_agency(session, settings)
            user = agency.add_user(session, SYSTEM, name="editor", role="chief_editor").user
            token = agency.create_token(session, SYSTEM, user)
            for n, hook in enumerate(hooks):
                delivery.add_subscriber(
                    session,
                    SYSTEM,
                    ctx.vocabulary,
                    name=f"client-{n:03d}",
                    webhook=hook,
                    allow=settings.outbound_allow,
                )
    finally:
        database.dispose()
    return token


def newswire_env(url: str, folder: Path, public_url: str) -> dict[str, str]:
    """The environment of every newswire process: only the settings chosen here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    return env | {
        "NEWSWIRE_DATABASE_URL": url,
        "NEWSWIRE_OUTBOUND_ALLOW": ALLOW,
        "NEWSWIRE_PUBLIC_URL": public_url,
        "NEWSWIRE_MEDIA_DIR": str(folder / "media"),
        "NEWSWIRE_LOG_LEVEL": "warning",
    }


@dataclass
class Processes:
    """The processes a run starts, each logging to a file in `folder`; all stopped at the end."""

    folder: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(
        self, name: str, command: list[str], env: dict[str, str], ready: str | None = None
    ) -> int:
        """Start `command`; with `ready`, wait until that URL answers below 500. Its pid."""
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        log.close()
        self.running[name] = process
        if ready is not None and not answering(ready, process, seconds=60):
            tail = (self.folder / f"{name}.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{name} did not start:\n{tail}")
        return process.pid

    def newswire(
        self, name: str, args: list[str], env: dict[str, str], ready: str | None = None
    ) -> int:
        return self.start(name, [str(NEWSWIRE), *args], env, ready)

    def receiver(self, name: str, port: int) -> int:
        command = [sys.executable, "-m", "bench._delivery_receiver", "--port", str(port)]
        return self.start(name, command, dict(os.environ), f"http://127.0.0.1:{port}/count")

    def pid(self, name: str) -> int:
        return self.running[name].pid

    def stop(self, name: str) -> None:
        process = self.running.pop(name, None)
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time of every PostgreSQL server process on the machine (other users' too)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "postgres":
                total += cpu_seconds(int(entry.name))
        except OSError:
            continue
    return total
