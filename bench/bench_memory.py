"""Resident memory of `newswire serve` after `newswire demo`, once it has served every item in
every format, against an idle Python that imports the same big libraries (same run).

Target: under 250 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench._common import NEWSWIRE, free_port, server, write_result

IMPORTS = "import fastapi, sqlalchemy.orm, lxml.etree, jinja2, pydantic, uvicorn"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def baseline_mb() -> float:
    script = "\n".join(
        [IMPORTS, "import os, sys", "print(os.getpid(), flush=True)", "sys.stdin.read()"]
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdin is not None
    pid = int(process.stdout.readline().strip())
    try:
        return rss_mb(pid)
    finally:
        process.stdin.close()
        process.wait(timeout=10)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            "NEWSWIRE_DATABASE_URL": f"sqlite:///{Path(folder) / 'demo.db'}",
            "NEWSWIRE_VOCABULARY_DIR": os.environ.get("NEWSWIRE_VOCABULARY_DIR", ""),
        }
        demo = subprocess.run(
            [str(NEWSWIRE), "demo", "--json"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        key = json.loads(demo.stdout)["subscriber"]["api_key"]
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [str(NEWSWIRE), "serve", "--port", str(port)]
        with server(command, f"{url}/healthz", env) as pid:
            started = rss_mb(pid)
            auth = {"Authorization": f"Bearer {key}"}
            items = httpx.get(f"{url}/api/v1/items?limit=200", headers=auth).json()["items"]
            for item in items:
                for fmt in ("ninjs", "ninjs3", "newsml"):
                    one = f"{url}/api/v1/items/{item['uri']}?format={fmt}"
                    httpx.get(one, headers=auth).raise_for_status()
            httpx.get(f"{url}/api/v1/feed?cursor=0&limit=1000", headers=auth).raise_for_status()
            served = rss_mb(pid)
    base = baseline_mb()
    result = {
        "figure": "newswire serve resident memory after demo and serving every item (MB)",
        "rss_mb_after_serving": round(served, 1),
        "rss_mb_at_start": round(started, 1),
        "baseline_idle_python_with_same_imports_mb": round(base, 1),
        "ratio_to_baseline": round(served / base, 2),
        "items_served": len(items),
        "target": "< 250 MB",
    }
    path = write_result("memory", result)
    print(
        f"memory: serve {served:.0f} MB after serving {len(items)} items × 3 formats "
        f"(at start {started:.0f} MB); idle Python with the same imports {base:.0f} MB "
        f"(ratio {served / base:.2f}) → {path}"
    )


if __name__ == "__main__":
    main()
