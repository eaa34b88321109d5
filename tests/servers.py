"""A real `newswire serve` process on the demo agency, for browser tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import VOCABULARIES, free_port

NEWSWIRE = Path(sys.executable).with_name("newswire")


@contextmanager
def demo_server(folder: Path, *, worker: bool = False) -> Iterator[str]:
    """The base URL of `newswire serve` on a fresh SQLite file in `folder` holding the demo."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Only the settings chosen here: a developer's own NEWSWIRE_* must not leak into the server.
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWSWIRE_")}
    env |= {
        "NEWSWIRE_DATABASE_URL": f"sqlite:///{folder / 'newswire.db'}",
        "NEWSWIRE_PUBLIC_URL": url,
        "NEWSWIRE_MEDIA_DIR": str(folder / "media"),
        "NEWSWIRE_LOG_LEVEL": "warning",
    }
    if VOCABULARIES.is_dir():
        env["NEWSWIRE_VOCABULARY_DIR"] = str(VOCABULARIES)
    demo = subprocess.run(
        [str(NEWSWIRE), "demo"], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    log_path = folder / "serve.log"
    command = [str(NEWSWIRE), "serve", "--port", str(port)]
    if not worker:
        command.append("--no-worker")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve did not start: {log_path.read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
