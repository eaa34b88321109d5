"""GET of one ninjs item: newswire under uvicorn vs a bare Starlette endpoint, same run.

Both run as one uvicorn worker with uvloop and httptools; wrk loads each in turn, three
interleaved rounds; the figure is the ratio of medians (target: at least 0.5).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import httpx

from bench._agency import draft, make_agency
from bench._common import (
    NEWSWIRE,
    free_port,
    median,
    server,
    wait_for_quiet,
    write_result,
    wrk,
)
from newswire.stories import services as stories

ROUNDS = 3
SECONDS = 8


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        bench = make_agency(Path(folder) / "bench.db")
        story_id = draft(bench, 1, 600)
        with bench.database.write() as session:
            version = stories.publish(session, bench.editor, bench.ctx, story_id, "en")
            uri = version.item.uri
        bench.database.dispose()
        url_env = {"NEWSWIRE_DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.db'}"}
        auth = {"Authorization": f"Bearer {bench.subscriber_key}"}
        port, bare_port = free_port(), free_port()
        newswire_cmd = [str(NEWSWIRE), "serve", "--port", str(port), "--no-worker"]
        item_url = f"http://127.0.0.1:{port}/api/v1/items/{uri}"
        with server(newswire_cmd, f"http://127.0.0.1:{port}/healthz", url_env):
            body = httpx.get(item_url, headers=auth).content
            body_file = Path(folder) / "item.json"
            body_file.write_bytes(body)
            bare_cmd = [
                sys.executable, "-m", "uvicorn", "bench.bare_starlette:app",
                "--port", str(bare_port), "--loop", "uvloop", "--http", "httptools",
                "--no-access-log", "--log-level", "warning",
            ]  # fmt: skip
            bare_env = {"BENCH_BODY_FILE": str(body_file)}
            bare_url = f"http://127.0.0.1:{bare_port}"
            with server(bare_cmd, f"{bare_url}/healthz", bare_env):
                assert httpx.get(f"{bare_url}/item").content == body
                ours: list[float] = []
                bare: list[float] = []
                busy = wait_for_quiet()
                for _ in range(ROUNDS):
                    ours.append(wrk(item_url, auth, SECONDS))
                    bare.append(wrk(f"{bare_url}/item", {}, SECONDS))
    ratio = median(ours) / median(bare)
    result = {
        "figure": "newswire GET /api/v1/items/{uri} req/s ÷ bare Starlette req/s",
        "ratio": round(ratio, 3),
        "target": ">= 0.5",
        "newswire_rps": [round(v) for v in ours],
        "starlette_rps": [round(v) for v in bare],
        "body_bytes": len(body),
        "background_cpu_before": round(busy, 3),
        "tool": f"wrk -t2 -c64 -d{SECONDS}s, {ROUNDS} interleaved rounds, medians",
    }
    path = write_result("item_get", result)
    print(
        f"item GET: ratio {ratio:.2f} to bare Starlette "
        f"(newswire {median(ours):,.0f} req/s, Starlette {median(bare):,.0f} req/s, "
        f"{len(body)} B body) → {path}"
    )


if __name__ == "__main__":
    main()
