"""What every benchmark shares: a quiet machine, servers as subprocesses, JSON results."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from newswire import migrate
from newswire.db import Database

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
NEWSWIRE = Path(sys.executable).with_name("newswire")


def _cpu_times() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return idle, sum(fields)


def wait_for_quiet(limit: float = 0.05, timeout: float = 60.0) -> float:
    """Wait until background CPU use over 2 s is under `limit` (or give up); returns it."""
    deadline = time.monotonic() + timeout
    busy = 1.0
    while time.monotonic() < deadline:
        idle0, total0 = _cpu_times()
        time.sleep(2)
        idle1, total1 = _cpu_times()
        busy = 1 - (idle1 - idle0) / max(1, total1 - total0)
        if busy < limit:
            break
    return busy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answering(url: str, process: subprocess.Popen[bytes], seconds: float) -> bool:
    """Whether `url` answers below 500 within `seconds`, while `process` is alive."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return True
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.05)


@contextmanager
def server(command: list[str], url: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """Run a server until the block ends; yields its pid once /healthz-like `url` answers."""
    process = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not answering(url, process, seconds=30):
            raise RuntimeError(f"{command} did not start")
        yield process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def wrk(url: str, headers: dict[str, str], seconds: int = 8, connections: int = 64) -> float:
    """Requests per second that wrk measures (wrk is installed by `make bench` if missing)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run `make bench`, which installs it")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} error responses from {url}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not match:
        raise RuntimeError(f"no Requests/sec in wrk's output:\n{output}")
    return float(match.group(1))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values)


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    result = {
        "benchmark": name,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        **result,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return path


def wrk_stats(
    url: str, headers: dict[str, str] | None = None, seconds: int = 8, connections: int = 64
) -> dict[str, Any]:
    """One wrk run (`-t2 --latency`): req/s, latency percentiles in ms, requests, errors.

    Raises if wrk saw any non-2xx/3xx response or socket error, so a figure is never made of
    error pages or refused connections.
    """
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run `make bench`, which installs it")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} error responses from {url}")
    sockets = re.search(r"Socket errors: (.*)", output)
    if sockets:
        raise RuntimeError(f"wrk saw socket errors from {url}: {sockets.group(1)}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    requests = re.search(r"(\d+) requests in", output)
    if not rps or not requests:
        raise RuntimeError(f"no Requests/sec in wrk's output:\n{output}")
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {
        f"p{int(p)}": round(float(value) * units[unit], 3)
        for p, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    }
    return {"rps": float(rps.group(1)), "requests": int(requests.group(1)), "latency_ms": latency}


def nginx_command(
    folder: Path, files: dict[str, tuple[Path, str]], port: int, workers: int = 2
) -> list[str]:
    """Write an nginx.conf in `folder` serving `files` (URL path → (file, content type)) on
    127.0.0.1:`port`, and return the command that runs it in the foreground (for `server`).

    The Debian package's nginx as BASELINES.md measures it: `workers` worker processes,
    sendfile on, access log off, every other setting at its default; pid file, error log and
    temporary folders live in `folder`.
    """
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise SystemExit("nginx is not installed: `apt-get install nginx-light`")
    locations = "\n".join(
        f'    location = {path} {{ default_type "{content_type}"; alias {file}; }}'
        for path, (file, content_type) in files.items()
    )
    temp = "\n".join(
        f"  {name}_temp_path {folder / ('nginx-' + name)};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, the workers would otherwise run as `nobody`, which cannot read a private folder.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(
        f"{user}worker_processes {workers};\n"
        f"pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'nginx-error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "  access_log off;\n"
        "  sendfile on;\n"
        "  types {}\n"
        f"{temp}\n"
        "  server {\n"
        f"    listen 127.0.0.1:{port};\n"
        f"{locations}\n"
        "  }\n"
        "}\n"
    )
    error_log = str(folder / "nginx-error.log")
    return [binary, "-c", str(config), "-p", str(folder), "-e", error_log, "-g", "daemon off;"]


@contextmanager
def postgres_schema(base: str, prefix: str) -> Iterator[str]:
    """A fresh, migrated schema (as tests/conftest.py makes), selected by the returned URL's
    search_path; dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        database = Database(url)
        migrate.upgrade(database)
        database.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
