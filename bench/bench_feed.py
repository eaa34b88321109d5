"""Long-poll wake-up: 200 clients parked on /api/v1/feed; a story is published through the
writing API; how long until every client has the event?

Latency runs from the moment the publish request is sent to the moment each client has read
its response (so it includes the publication itself). One warm-up publication comes first and
is reported apart (the server's first write fills its caches). The baseline, in the same run
against the same server, is the same 200 clients sending a feed request that is answered at
once (`wait=0`) at the same instant: the cost of answering 200 connections together, without
any waiting. Target: p99 under 100 ms.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import aiohttp

from bench._agency import draft, make_agency
from bench._common import (
    NEWSWIRE,
    free_port,
    percentile,
    server,
    wait_for_quiet,
    write_result,
)
from newswire.agency import services as agency
from newswire.agency.services import SYSTEM

CLIENTS = 200
ROUNDS = 10


async def _poll(session: aiohttp.ClientSession, url: str, cursor: int) -> tuple[float, int]:
    async with session.get(f"{url}/api/v1/feed?cursor={cursor}&wait=30") as response:
        body = await response.json()
    received = time.perf_counter()
    assert body["events"], body
    return received, int(body["next_cursor"])


async def _run(url: str, key: str, token: str, story_ids: list[int]) -> dict[str, list[float]]:
    connector = aiohttp.TCPConnector(limit=0)
    reader = {"Authorization": f"Bearer {key}"}
    staff = {"Authorization": f"Bearer {token}"}
    feed: list[float] = []
    floor: list[float] = []
    warmup: list[float] = []
    async with (
        aiohttp.ClientSession(connector=connector, headers=reader) as session,
        aiohttp.ClientSession(headers=staff) as writer,
    ):
        async with session.get(f"{url}/api/v1/feed?cursor=0") as response:
            cursor = int((await response.json())["next_cursor"])
        for round_, story_id in enumerate(story_ids):
            polls = [asyncio.create_task(_poll(session, url, cursor)) for _ in range(CLIENTS)]
            await asyncio.sleep(1.0)  # every poll is parked on the hub by now
            sent = time.perf_counter()
            async with writer.post(f"{url}/api/v1/stories/{story_id}/items/en/publish") as r:
                assert r.status == 200, await r.text()
            results = await asyncio.gather(*polls)
            latencies = [(received - sent) * 1000 for received, _ in results]
            cursor = results[0][1]
            if round_ == 0:
                warmup += latencies
                continue
            feed += latencies

            async def at_once(cursor: int = cursor) -> float:
                async with session.get(f"{url}/api/v1/feed?cursor={cursor}&wait=0") as response:
                    await response.read()
                return time.perf_counter()

            sent = time.perf_counter()
            finished = await asyncio.gather(*[at_once() for _ in range(CLIENTS)])
            floor += [(t - sent) * 1000 for t in finished]
    return {"feed": feed, "floor": floor, "warmup": warmup}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        bench = make_agency(path)
        story_ids = [draft(bench, n, 300) for n in range(ROUNDS + 1)]
        with bench.database.write() as session:
            token = agency.create_token(session, SYSTEM, agency.get_user(session, "editor"))
        bench.database.dispose()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [str(NEWSWIRE), "serve", "--port", str(port), "--no-worker"]
        with server(command, f"{url}/healthz", {"NEWSWIRE_DATABASE_URL": f"sqlite:///{path}"}):
            busy = wait_for_quiet()
            latencies = asyncio.run(_run(url, bench.subscriber_key, token, story_ids))
    feed, floor = latencies["feed"], latencies["floor"]
    p99, floor_p99 = percentile(feed, 99), percentile(floor, 99)
    result = {
        "figure": "p99 ms from publish request to event at each of 200 parked long-polls",
        "p50_ms": round(percentile(feed, 50), 1),
        "p99_ms": round(p99, 1),
        "max_ms": round(max(feed), 1),
        "target": "p99 < 100 ms",
        "warmup_publication_max_ms": round(max(latencies["warmup"]), 1),
        "baseline_p99_ms_200_immediate_feed_requests": round(floor_p99, 1),
        "ratio_to_baseline_p99": round(p99 / floor_p99, 2),
        "samples": len(feed),
        "background_cpu_before": round(busy, 3),
    }
    path_out = write_result("feed_longpoll", result)
    print(
        f"feed long-poll: p99 {p99:.1f} ms (p50 {result['p50_ms']} ms) for {CLIENTS} clients × "
        f"{ROUNDS} publications; baseline 200 immediate feed GETs p99 {floor_p99:.1f} ms "
        f"(ratio {p99 / floor_p99:.2f}) → {path_out}"
    )


if __name__ == "__main__":
    main()
