"""Push delivery: a publication to 100 webhook subscribers on 127.0.0.1, against a raw
aiohttp fan-out of the same bodies to the same receivers, in the same run.

Set-up: a fresh database (a SQLite file, or a new PostgreSQL schema dropped afterwards) with an
agency, a chief editor's API token and 100 subscribers, each with a product that takes
everything and a ninjs webhook to its own path on a receiver process (`_delivery_receiver`:
aiohttp on uvloop, answers 204, notes each request's arrival on CLOCK_MONOTONIC, the same clock
this process reads). Stories of 400 words are filed through `POST /api/v1/stories` beforehand;
only publications are timed. Every newswire process runs with
NEWSWIRE_OUTBOUND_ALLOW=127.0.0.1/32. On SQLite the deliveries are sent by the worker embedded
in `newswire serve`; on PostgreSQL by two `newswire worker` processes beside
`newswire serve --no-worker`.

1. Throughput (backlog): with no worker running, M stories are published (100·M deliveries
   queued); then the worker starts (SQLite: serve is restarted with its worker; PostgreSQL: two
   workers start) and drains the queue. Deliveries/s = arrivals ÷ (last arrival − first
   arrival), so the start-up of the process is left out; from the process start is reported
   too. The baseline, right after: the receivers reset, the same bodies (as the receivers got
   them) posted to the same 100 paths, 100·M requests by an `aiohttp.ClientSession` on uvloop
   with 32 in flight, rate measured the same way, three times. Two rounds of (ours, 3 × raw);
   ratio = median of ours ÷ median of raw. Target: at least 0.5.
2. Latency: with the worker running, N stories published one at a time on a steady schedule,
   at 2/s (well within what the worker sends) and at 20/s (2,000 deliveries/s asked for). When
   a publication takes longer than its slot the next one follows at once, so the pace actually
   achieved is reported. Latency = arrival at the receiver − the moment the publish request was
   *sent* (it includes the publication's own transaction; from the response is reported too).
   p50 and p99 over all 100·N deliveries. Target: p99 under 1 s at 20/s. The baseline: the raw
   client posting one body to the 100 paths at once (32 in flight) at the same pace, measured
   from the moment it starts.
3. Burst: M stories published one after another as fast as the API takes them while the
   worker runs; deliveries/s = 100·M ÷ (last arrival − first publish sent).

CPU seconds of every process (this one, the receivers, serve, workers, and all PostgreSQL server
processes on the machine) are read from /proc around each phase. One receiver process is
enough: in the raw run it uses less CPU than the client, and two receiver processes
(`--receivers 2` splits the paths over two) gave no higher raw rate on the 2-core machine.
With `--py-spy BIN`, every serve and worker process is sampled in each phase; collapsed stacks
go to bench/results/delivery-profiles/.

    python -m bench.bench_delivery [--quick] [--no-sqlite]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--receivers 1|2]
        [--py-spy /path/to/py-spy]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa
import uvloop

from bench._agency import words
from bench._common import (
    RESULTS,
    free_port,
    median,
    percentile,
    postgres_schema,
    wait_for_quiet,
    write_result,
)
from bench._delivery_setup import (
    Processes,
    bootstrap,
    cpu_seconds,
    newswire_env,
    postgres_cpu_seconds,
)
from newswire.delivery.models import Delivery

SUBSCRIBERS = 100
IN_FLIGHT = 32
RAW_RUNS = 3  # raw runs after each backlog round; their median counts
TARGET_P99_S = 1.0
TARGET_RATIO = 0.5
WAIT_SECONDS = 180.0  # the longest we wait for deliveries to arrive before giving up
STATES = "SELECT state, count(*) FROM deliveries GROUP BY state"
WARMUP = 2  # publications before each latency run, not counted

Record = tuple[str, str, str, float]  # path, webhook-id, newswire-uri, arrival (monotonic)


@dataclass(frozen=True)
class Sizes:
    backlog: int  # stories per backlog round
    rounds: int  # backlog rounds, each followed by RAW_RUNS raw runs
    paces: tuple[tuple[float, int], ...]  # latency runs: (publications a second, stories)
    burst: int  # stories in the burst run

    @property
    def drafts(self) -> int:
        latency = sum(WARMUP + count for _pace, count in self.paces)
        return self.backlog * self.rounds + latency + self.burst


FULL = Sizes(backlog=100, rounds=2, paces=((2.0, 20), (20.0, 40)), burst=30)
QUICK = Sizes(backlog=30, rounds=1, paces=((2.0, 6), (20.0, 30)), burst=20)
HEADLINE_PACE = 20.0  # the pace whose p99 is held against the target


# --- talking to the receivers and the API -----------------------------------------------------


@dataclass
class Receivers:
    ports: list[int]

    def hooks(self) -> list[str]:
        """One path per subscriber, spread over the receiver processes."""
        return [
            f"http://127.0.0.1:{self.ports[n % len(self.ports)]}/hook/s{n:03d}"
            for n in range(SUBSCRIBERS)
        ]

    async def _get(self, path: str, session: aiohttp.ClientSession | None = None) -> list[Any]:
        if session is None:
            async with aiohttp.ClientSession() as own:
                return await self._get(path, own)
        found = []
        for port in self.ports:
            async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                response.raise_for_status()
                found.append(await response.json(content_type=None))
        return found

    async def records(self) -> list[Record]:
        return [(r[0], r[1], r[2], r[3]) for part in await self._get("/records") for r in part]

    async def bodies(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for part in await self._get("/bodies"):
            found |= part
        return found

    async def reset(self) -> None:
        async with aiohttp.ClientSession() as session:
            for port in self.ports:
                async with session.post(f"http://127.0.0.1:{port}/reset") as response:
                    response.raise_for_status()

    async def wait_for(self, expected: int, seconds: float = WAIT_SECONDS) -> bool:
        """Whether `expected` requests arrived within `seconds` (polled ten times a second)."""
        deadline = time.monotonic() + seconds
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if sum(await self._get("/count", session)) >= expected:
                    return True
                await asyncio.sleep(0.1)
        return False


@dataclass
class Publication:
    story_id: int
    uri: str
    sent: float
    returned: float


class Api:
    """The writing API as an editor uses it."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}"}

    async def create(self, session: aiohttp.ClientSession, n: int) -> int:
        document = {
            "language": "en",
            "headlines": [{"role": "main", "value": f"Caspian ports report record cargo ({n})"}],
            "bodies": [{"role": "main", "contenttype": "text/html", "value": words(400, n)}],
            "urgency": 4,
            "slugline": "CASPIAN-PORTS",
            "by": "Leyla Mammadova",
            "subjects": [{"literal": "medtop:04000000"}],
        }
        async with session.post(
            f"{self.url}/api/v1/stories?desk=economy&bureau=baku",
            json=document,
            headers=self.headers,
        ) as response:
            body = await response.json()
            assert response.status == 201, body
            return int(body["story_id"])

    async def publish(self, session: aiohttp.ClientSession, story_id: int) -> Publication:
        sent = time.monotonic()
        async with session.post(
            f"{self.url}/api/v1/stories/{story_id}/items/en/publish", headers=self.headers
        ) as response:
            body = await response.json()
        returned = time.monotonic()
        assert response.status == 200, body
        return Publication(story_id, str(body["uri"]), sent, returned)

    async def create_many(self, count: int) -> list[int]:
        async with aiohttp.ClientSession() as session:
            return [await self.create(session, n) for n in range(count)]

    async def publish_many(
        self, story_ids: list[int], pace: float | None = None
    ) -> list[Publication]:
        """One at a time; with `pace`, each on its slot of a steady schedule."""
        done = []
        async with aiohttp.ClientSession() as session:
            began = time.monotonic()
            for n, story_id in enumerate(story_ids):
                if pace:
                    await asyncio.sleep(max(0.0, began + n / pace - time.monotonic()))
                done.append(await self.publish(session, story_id))
        return done


# --- the raw baseline -------------------------------------------------------------------------


async def raw_post(jobs: list[tuple[str, bytes, dict[str, str]]]) -> float:
    """Post every job with one ClientSession, `IN_FLIGHT` at a time; the wall time."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        queue = iter(jobs)

        async def lane() -> None:
            for url, body, headers in queue:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    if response.status != 204:
                        raise RuntimeError(f"the receiver answered {response.status}")

        began = time.monotonic()
        await asyncio.gather(*(lane() for _ in range(IN_FLIGHT)))
        return time.monotonic() - began


def raw_jobs(
    hooks: list[str], bodies: dict[str, str], uris: list[str], tag: str
) -> list[tuple[str, bytes, dict[str, str]]]:
    jobs = []
    for n, uri in enumerate(uris):
        body = bodies[uri].encode()
        for m, hook in enumerate(hooks):
            headers = {
                "Content-Type": "application/json",
                "webhook-id": f"raw_{tag}_{n}_{m}",
                "newswire-uri": uri,
            }
            jobs.append((hook, body, headers))
    return jobs


# --- figures ----------------------------------------------------------------------------------


def spread(records: list[Record]) -> tuple[float, float]:
    times = [r[3] for r in records]
    return min(times), max(times)


def rate(records: list[Record]) -> float:
    """Arrivals per second between the first and the last arrival."""
    first, last = spread(records)
    return len(records) / max(last - first, 1e-9)


def ms(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "p50_ms": round(percentile(values, 50) * 1000, 1),
        "p90_ms": round(percentile(values, 90) * 1000, 1),
        "p99_ms": round(percentile(values, 99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
        "n": len(values),
    }


@dataclass
class CpuMeter:
    """CPU seconds each named process (and PostgreSQL) spends between `start` and `stop`; with
    `py_spy`, each newswire process is also sampled (collapsed stacks in `profiles`)."""

    processes: Processes
    postgres: bool
    label: str
    py_spy: str | None = None
    profiles: Path | None = None
    _before: dict[str, float] = field(default_factory=dict)
    _pids: dict[str, int] = field(default_factory=dict)
    _spies: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _wall: float = 0.0

    def _read(self) -> dict[str, float]:
        found = {name: cpu_seconds(pid) for name, pid in self._pids.items()}
        if self.postgres:
            found["postgres (all)"] = postgres_cpu_seconds()
        return found

    def _spy(self, name: str) -> None:
        if self.py_spy is None or self.profiles is None or not name.startswith(("serve", "worker")):
            return
        self.profiles.mkdir(parents=True, exist_ok=True)
        output = self.profiles / f"{self.label}-{name}.txt"
        command = [self.py_spy, "record", "--pid", str(self._pids[name]), "--format", "raw"]
        command += ["--threads", "--nonblocking", "--output", str(output)]
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._spies.append(spy)

    def start(self) -> None:
        self._pids = {name: p.pid for name, p in self.processes.running.items()}
        self._pids["bench (this process)"] = os.getpid()
        self._before = self._read()
        self._wall = time.monotonic()
        for name in self._pids:
            self._spy(name)

    def add(self, name: str) -> None:
        """A process started after `start`: counted from zero."""
        self._pids[name] = self.processes.pid(name)
        self._before[name] = 0.0
        self._spy(name)

    def stop(self) -> dict[str, float]:
        after = self._read()
        found = {
            name: round(after[name] - self._before.get(name, 0.0), 2)
            for name in after
            if name in self._before
        }
        found["wall"] = round(time.monotonic() - self._wall, 2)
        for spy in self._spies:  # py-spy writes its file when interrupted
            spy.send_signal(signal.SIGINT)
        for spy in self._spies:
            try:
                spy.wait(timeout=20)
            except subprocess.TimeoutExpired:
                spy.kill()
                spy.wait()
        self._spies.clear()
        return found


# --- one database -----------------------------------------------------------------------------


@dataclass
class Run:
    kind: str  # sqlite | postgresql
    url: str
    folder: Path
    sizes: Sizes
    receiver_count: int
    processes: Processes = field(init=False)
    receivers: Receivers = field(init=False)
    api: Api = field(init=False)
    env: dict[str, str] = field(init=False)
    port: int = field(default_factory=free_port)
    workers_running: bool = False
    py_spy: str | None = None

    def __post_init__(self) -> None:
        self.processes = Processes(self.folder)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def worker_names(self) -> list[str]:
        return ["serve"] if self.kind == "sqlite" else ["worker-1", "worker-2"]

    def serve(self, *, worker: bool) -> None:
        self.processes.stop("serve")
        args = ["serve", "--port", str(self.port)] + ([] if worker else ["--no-worker"])
        self.processes.newswire("serve", args, self.env, f"{self.base}/healthz")

    def start_workers(self) -> None:
        if self.kind == "sqlite":
            self.serve(worker=True)
        else:
            for name in self.worker_names:
                self.processes.newswire(name, ["worker"], self.env)
        self.workers_running = True

    def stop_workers(self) -> None:
        if self.kind == "sqlite":
            self.serve(worker=False)
        else:
            for name in self.worker_names:
                self.processes.stop(name)
        self.workers_running = False

    def meter(self, label: str, *, spy: bool = True) -> CpuMeter:
        meter = CpuMeter(
            self.processes,
            postgres=self.kind == "postgresql",
            label=f"{self.kind}-{label}",
            py_spy=self.py_spy if spy else None,
            profiles=RESULTS / "delivery-profiles",
        )
        meter.start()
        return meter

    def sql(self, statement: str) -> list[tuple[Any, ...]]:
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                return [tuple(row) for row in conn.execute(sa.text(statement))]
        finally:
            engine.dispose()

    # --- phases -------------------------------------------------------------------------------

    def backlog(self, story_ids: list[int], n: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """Ours draining a queued backlog, then the raw client on the same bodies."""
        if self.workers_running:
            self.stop_workers()
        receivers = self.receivers
        uvloop.run(receivers.reset())
        meter = self.meter(f"publish{n}")
        began = time.monotonic()
        published = uvloop.run(self.api.publish_many(story_ids))
        publish_seconds = time.monotonic() - began
        publish_cpu = meter.stop()
        expected = SUBSCRIBERS * len(story_ids)
        meter = self.meter(f"drain{n}")
        since = datetime.now(UTC)
        started = time.monotonic()
        self.start_workers()
        for name in self.worker_names:
            meter.add(name)
        complete = uvloop.run(receivers.wait_for(expected))
        cpu = meter.stop()
        records = uvloop.run(receivers.records())
        bodies = uvloop.run(receivers.bodies())
        first, last = spread(records)
        ours = {
            "deliveries": len(records),
            "expected": expected,
            "complete": complete,
            "distinct_webhook_ids": len({r[1] for r in records}),
            "per_second": round(rate(records)),
            "per_second_from_process_start": round(len(records) / (last - started)),
            "first_arrival_after_start_s": round(first - started, 2),
            "drain_s": round(last - first, 2),
            "cpu_seconds": cpu,
            "delivered_per_worker_process": self.split(since),
            "publish_per_second_no_worker": round(len(story_ids) / publish_seconds, 1),
            "publish_cpu_seconds": publish_cpu,
        }
        uris = [p.uri for p in published]
        raw_runs = [self.raw(receivers.hooks(), bodies, uris, f"{n}-{k}") for k in range(RAW_RUNS)]
        raw = {
            "per_second": round(median([r["per_second"] for r in raw_runs])),
            "runs": raw_runs,
            "body_bytes": round(median([len(b.encode()) for b in bodies.values()])),
        }
        return ours, raw

    def raw(
        self, hooks: list[str], bodies: dict[str, str], uris: list[str], tag: str
    ) -> dict[str, Any]:
        """The raw client posting the bodies of `uris` to every hook."""
        jobs = raw_jobs(hooks, bodies, uris, tag)
        uvloop.run(self.receivers.reset())
        meter = self.meter(f"raw{tag}", spy=False)
        wall = uvloop.run(raw_post(jobs))
        uvloop.run(self.receivers.wait_for(len(jobs), 10))
        cpu = meter.stop()
        records = uvloop.run(self.receivers.records())
        return {
            "deliveries": len(records),
            "per_second": round(rate(records)),
            "per_second_client_wall": round(len(jobs) / wall),
            "cpu_seconds": cpu,
        }

    def latency(self, story_ids: list[int], pace: float) -> dict[str, Any]:
        if not self.workers_running:
            self.start_workers()
        receivers = self.receivers
        uvloop.run(receivers.reset())
        warm = uvloop.run(self.api.publish_many(story_ids[:WARMUP]))
        uvloop.run(receivers.wait_for(SUBSCRIBERS * len(warm), 60))
        uvloop.run(receivers.reset())
        measured = story_ids[WARMUP:]
        meter = self.meter(f"latency{pace:g}")
        since = datetime.now(UTC)
        published = uvloop.run(self.api.publish_many(measured, pace=pace))
        expected = SUBSCRIBERS * len(published)
        complete = uvloop.run(receivers.wait_for(expected))
        cpu = meter.stop()
        records = uvloop.run(receivers.records())
        by_uri: dict[str, list[float]] = defaultdict(list)
        for _path, _id, uri, at in records:
            by_uri[uri].append(at)
        from_sent, from_returned, last_of_100 = [], [], []
        for p in published:
            arrivals = by_uri.get(p.uri, [])
            from_sent += [at - p.sent for at in arrivals]
            from_returned += [at - p.returned for at in arrivals]
            if len(arrivals) == SUBSCRIBERS:
                last_of_100.append(max(arrivals) - p.sent)
        # The floor: the raw client posting one body to the 100 paths, at the same pace.
        body = uvloop.run(receivers.bodies())[published[0].uri]
        floor = uvloop.run(self._raw_fanouts(body, min(len(published), 40), pace))
        achieved = len(published) / (published[-1].returned - published[0].sent)
        return {
            "publications": len(published),
            "pace_per_second": pace,
            "achieved_publications_per_second": round(achieved, 1),
            "deliveries": len(records),
            "expected": expected,
            "complete": complete,
            "from_publish_sent": ms(from_sent),
            "from_publish_returned": ms(from_returned),
            "all_100_delivered_from_sent": ms(last_of_100),
            "publish_response": ms([p.returned - p.sent for p in published]),
            "baseline_raw_fanout_of_100": ms(floor),
            "cpu_seconds": cpu,
            "delivered_per_worker_process": self.split(since),
        }

    async def _raw_fanouts(self, body: str, count: int, pace: float) -> list[float]:
        hooks = self.receivers.hooks()
        await self.receivers.reset()
        starts = []
        began = time.monotonic()
        for n in range(count):
            await asyncio.sleep(max(0.0, began + n / pace - time.monotonic()))
            starts.append(time.monotonic())
            await raw_post(raw_jobs(hooks, {"u": body}, ["u"], tag=f"fan{n}"))
        await self.receivers.wait_for(count * SUBSCRIBERS, 10)
        records = await self.receivers.records()
        by_id = {r[1]: r[3] for r in records}
        return [
            by_id[f"raw_fan{n}_0_{m}"] - starts[n]
            for n in range(count)
            for m in range(SUBSCRIBERS)
            if f"raw_fan{n}_0_{m}" in by_id
        ]

    def burst(self, story_ids: list[int]) -> dict[str, Any]:
        if not self.workers_running:
            self.start_workers()
        receivers = self.receivers
        uvloop.run(receivers.reset())
        meter = self.meter("burst")
        since = datetime.now(UTC)
        published = uvloop.run(self.api.publish_many(story_ids))
        expected = SUBSCRIBERS * len(published)
        complete = uvloop.run(receivers.wait_for(expected))
        cpu = meter.stop()
        records = uvloop.run(receivers.records())
        _first, last = spread(records)
        first_sent = published[0].sent
        last_returned = published[-1].returned
        return {
            "publications": len(published),
            "deliveries": len(records),
            "expected": expected,
            "complete": complete,
            "per_second": round(len(records) / (last - first_sent)),
            "publish_per_second": round(len(published) / (last_returned - first_sent), 1),
            "last_arrival_after_last_publish_s": round(last - last_returned, 2),
            "cpu_seconds": cpu,
            "delivered_per_worker_process": self.split(since),
        }

    def settle(self, seconds: float = 15.0) -> dict[str, int]:
        """Wait until the workers have written what they sent (no open row); the states."""
        deadline = time.monotonic() + seconds
        while True:
            states = {str(s): int(n) for s, n in self.sql(STATES)}
            if set(states) <= {"delivered", "failed"} or time.monotonic() > deadline:
                return states
            time.sleep(0.1)

    def split(self, since: datetime) -> list[int]:
        """How many deliveries each worker process made since `since`, most first."""
        self.settle()
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    sa.select(Delivery.worker, sa.func.count())
                    .where(Delivery.delivered_at >= since)
                    .group_by(Delivery.worker)
                ).all()
        finally:
            engine.dispose()
        return sorted((int(count) for _worker, count in rows), reverse=True)

    def queue_state(self) -> dict[str, Any]:
        """The publish queue once the workers have written what they sent."""
        states = self.settle()
        retried = self.sql("SELECT count(*) FROM deliveries WHERE attempts > 1")[0][0]
        return {
            "states": states,
            "delivered_after_a_retry": retried,
        }

    def measure(self) -> dict[str, Any]:
        sizes = self.sizes
        ports = [free_port() for _ in range(self.receiver_count)]
        self.receivers = Receivers(ports)
        for n, port in enumerate(ports):
            self.processes.receiver(f"receiver-{n + 1}", port)
        token = bootstrap(self.url, self.receivers.hooks())
        self.env = newswire_env(self.url, self.folder, self.base)
        self.api = Api(self.base, token)
        self.serve(worker=False)
        began = time.monotonic()
        drafts = uvloop.run(self.api.create_many(sizes.drafts))
        filed = time.monotonic() - began
        busy = wait_for_quiet(timeout=20)
        rounds: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for n in range(sizes.rounds):
            chunk = drafts[n * sizes.backlog : (n + 1) * sizes.backlog]
            rounds.append(self.backlog(chunk, n + 1))
            report_line(self.kind, f"backlog round {n + 1}", rounds[-1])
        rest = drafts[sizes.rounds * sizes.backlog :]
        latency: dict[str, dict[str, Any]] = {}
        for pace, count in sizes.paces:
            chunk, rest = rest[: WARMUP + count], rest[WARMUP + count :]
            latency[f"{pace:g}/s"] = self.latency(chunk, pace)
        burst = self.burst(rest)
        ours = median([r[0]["per_second"] for r in rounds])
        raw = median([r[1]["per_second"] for r in rounds])
        headline = latency[f"{HEADLINE_PACE:g}/s"]["from_publish_sent"]
        return {
            "ratio": round(ours / raw, 3),
            "deliveries_per_second": round(ours),
            "raw_aiohttp_per_second": round(raw),
            "burst_ratio": round(burst["per_second"] / raw, 3),
            "latency_ms": {
                pace: {k: run["from_publish_sent"].get(k) for k in ("p50_ms", "p99_ms")}
                for pace, run in latency.items()
            },
            "latency_p99_ms": headline.get("p99_ms"),
            "meets": {
                f"p99_under_1s_at_{HEADLINE_PACE:g}/s": headline.get("p99_ms", 1e9)
                < TARGET_P99_S * 1000,
                "ratio_at_least_0.5": ours / raw >= TARGET_RATIO,
            },
            "workers": (
                "embedded in `newswire serve`"
                if self.kind == "sqlite"
                else "2 × `newswire worker` + `newswire serve --no-worker`"
            ),
            "receiver_processes": self.receiver_count,
            "drafts_filed_per_second": round(len(drafts) / filed, 1),
            "background_cpu_before": round(busy, 3),
            "backlog_rounds": [{"ours": o, "raw": r} for o, r in rounds],
            "latency": latency,
            "burst": burst,
            "queue": self.queue_state(),
        }


def report_line(kind: str, what: str, pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    ours, raw = pair
    print(
        f"  {kind} {what}: ours {ours['per_second']:,}/s ({ours['deliveries']:,} deliveries, "
        f"drain {ours['drain_s']} s), raw aiohttp {raw['per_second']:,}/s → "
        f"{ours['per_second'] / raw['per_second']:.2f}",
        flush=True,
    )


def run_database(
    kind: str, url: str, folder: Path, sizes: Sizes, receivers: int, py_spy: str | None
) -> dict[str, Any]:
    run = Run(kind, url, folder, sizes, receivers, py_spy=py_spy)
    try:
        return run.measure()
    finally:
        run.processes.stop_all()


def summary(results: dict[str, dict[str, Any]]) -> None:
    print()
    paces = list(next(iter(results.values()))["latency"])
    head = f"{'':11} {'deliv/s':>8} {'raw/s':>7} {'ratio':>6} {'burst/s':>8}"
    for pace in paces:
        head += f" {'p50@' + pace:>10} {'p99@' + pace:>10} {'raw p99':>8}"
    print(head + "   (latencies in ms)")
    for kind, r in results.items():
        line = (
            f"{kind:11} {r['deliveries_per_second']:>8,} {r['raw_aiohttp_per_second']:>7,} "
            f"{r['ratio']:>6.2f} {r['burst']['per_second']:>8,}"
        )
        for pace in paces:
            run = r["latency"][pace]
            floor = run["baseline_raw_fanout_of_100"].get("p99_ms")
            sent = run["from_publish_sent"]
            line += f" {sent.get('p50_ms'):>10} {sent.get('p99_ms'):>10} {floor:>8}"
        print(line)
    print(
        f"targets: ratio ≥ {TARGET_RATIO} (backlog deliveries/s ÷ raw aiohttp, {IN_FLIGHT} in "
        f"flight); p99 < {TARGET_P99_S * 1000:.0f} ms at {HEADLINE_PACE:g} publications/s "
        "(publish request sent → arrival)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument(
        "--receivers", type=int, default=1, choices=(1, 2), help="receiver processes"
    )
    parser.add_argument("--dir", help="where the temporary folders go")
    parser.add_argument(
        "--py-spy",
        metavar="BIN",
        help="sample every newswire process in each phase with this py-spy (collapsed stacks "
        "in bench/results/delivery-profiles/)",
    )
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    results: dict[str, dict[str, Any]] = {}
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="bench-delivery-", dir=args.dir) as folder:
            url = f"sqlite:///{Path(folder) / 'newswire.db'}"
            results["sqlite"] = run_database(
                "sqlite", url, Path(folder), sizes, args.receivers, args.py_spy
            )
    if args.postgres:
        with (
            tempfile.TemporaryDirectory(prefix="bench-delivery-", dir=args.dir) as folder,
            postgres_schema(args.postgres, "bench_delivery") as url,
        ):
            results["postgresql"] = run_database(
                "postgresql", url, Path(folder), sizes, args.receivers, args.py_spy
            )
    if not results:
        raise SystemExit("nothing to run: give --postgres URL or leave out --no-sqlite")
    path = write_result(
        "delivery",
        {
            "figure": "webhook deliveries/s to 100 subscribers ÷ raw aiohttp fan-out of the same "
            "bodies (uvloop, 32 in flight), same run; p99 publish → arrival",
            "ratio": {k: r["ratio"] for k, r in results.items()},
            "latency_p99_ms": {k: r["latency_p99_ms"] for k, r in results.items()},
            "target": f"ratio >= {TARGET_RATIO}; p99 < {TARGET_P99_S * 1000:.0f} ms",
            "subscribers": SUBSCRIBERS,
            "sizes": {
                "backlog_stories": sizes.backlog,
                "backlog_rounds": sizes.rounds,
                "latency_runs": [{"pace": p, "stories": n} for p, n in sizes.paces],
                "burst_stories": sizes.burst,
            },
            "quick": args.quick,
            "clock": "CLOCK_MONOTONIC (time.monotonic) in every process",
            **results,
        },
    )
    summary(results)
    print(f"→ {path}")


if __name__ == "__main__":
    main()
