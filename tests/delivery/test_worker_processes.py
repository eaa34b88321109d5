"""Real `newswire worker` processes: killed mid fan-out, sharing the queue, facing a receiver
that goes away. Receivers accept each `webhook-id` once and count redeliveries."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from newswire.api.app import create_app
from newswire.config import Settings
from newswire.db import Database
from newswire.delivery.models import Delivery
from tests.conftest import Newsroom
from tests.delivery.helpers import publish, subscribe, wait_until
from tests.delivery.receiver import Receiver

NEWSWIRE = Path(sys.executable).with_name("newswire")


@pytest.fixture
def api(settings: Settings, database: Database, newsroom: Newsroom) -> Iterator[TestClient]:
    """The API with no embedded worker: only the worker processes of each test deliver."""
    with TestClient(create_app(settings, database, worker=False)) as client:
        yield client


def start_worker(settings: Settings, folder: Path, **extra: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    env |= {
        "NEWSWIRE_DATABASE_URL": settings.database_url,
        "NEWSWIRE_OUTBOUND_ALLOW": "127.0.0.1/32",
        "NEWSWIRE_DELIVERY_LEASE": "1",
        "NEWSWIRE_DELIVERY_RETRY_BASE": "0.2",
        "NEWSWIRE_DELIVERY_RETRY_MAX": "0.5",
        "NEWSWIRE_DELIVERY_TIMEOUT": "2",
        "NEWSWIRE_LOG_LEVEL": "warning",
        **extra,
    }
    with (folder / f"worker-{time.monotonic_ns()}.log").open("wb") as log:
        return subprocess.Popen(
            [str(NEWSWIRE), "worker"], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def running_workers(folder: Path) -> int:
    """How many workers started in `folder` have said they are running."""
    return sum("worker running" in log.read_text() for log in folder.glob("worker-*.log"))


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def ledger(database: Database) -> dict[int, list[tuple[str, str]]]:
    """Each channel's deliveries in queue order: (message id, state)."""
    found: dict[int, list[tuple[str, str]]] = {}
    with database.read() as session:
        for row in session.scalars(select(Delivery).order_by(Delivery.id)):
            found.setdefault(row.channel_id, []).append((row.message_id, row.state))
    return found


def all_delivered(database: Database, expected: int) -> bool:
    with database.read() as session:
        done = session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.state == "delivered")
        )
    return done == expected


def test_a_worker_killed_ten_times_mid_fan_out_loses_repeats_and_reorders_nothing(
    api: TestClient, newsroom: Newsroom, settings: Settings, receiver: Receiver, tmp_path: Path
) -> None:
    paths = [f"partner{n}" for n in range(4)]
    channels = {
        subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, path): path
        for path in paths
    }
    for path in paths:
        receiver.delays[path] = 0.02  # slow enough that a kill lands mid fan-out
    published = 0
    kills_mid_fan_out = 0
    for _ in range(10):
        for _ in range(5):
            publish(api, newsroom)
            published += 1
        before = receiver.total()
        worker = start_worker(settings, tmp_path)
        try:
            wait_until(lambda start=before: receiver.total() >= start + 3, seconds=30)
            time.sleep(random.uniform(0.0, 0.03))
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        if receiver.total() < published * len(paths):
            kills_mid_fan_out += 1
    assert kills_mid_fan_out == 10

    final = start_worker(settings, tmp_path)
    try:
        wait_until(lambda: all_delivered(newsroom.database, published * len(paths)), seconds=60)
    finally:
        stop(final)

    queued = ledger(newsroom.database)
    redelivered = 0
    for channel_id, path in channels.items():
        accepted = [r.message_id for r in receiver.got(path)]
        # every delivery arrived, in the order of the queue (publication order), once
        assert accepted == [message_id for message_id, _ in queued[channel_id]]
        assert {state for _, state in queued[channel_id]} == {"delivered"}
        redelivered += len(receiver.redelivered[path])
    # A kill can catch at most `delivery_window` of a channel's deliveries between the
    # receiver's 2xx and our commit: only those are sent again (the receiver, keyed by
    # webhook-id, drops them).
    assert redelivered <= 10 * len(paths) * settings.delivery_window


def test_a_receiver_down_for_a_while_gets_its_backlog_in_order_and_delays_no_one(
    api: TestClient, newsroom: Newsroom, settings: Settings, receiver: Receiver, tmp_path: Path
) -> None:
    subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "up")
    flaky = Receiver().start()
    down = subscribe(newsroom.database, newsroom.ctx.vocabulary, flaky, "down")
    flaky.stop()  # nothing listens on its port now: connections are refused
    worker = start_worker(settings, tmp_path)
    try:
        time.sleep(1.5)  # the worker is up
        uris = []
        for _ in range(8):
            sent = time.monotonic()
            uris.append(publish(api, newsroom)[1])
            arrived = receiver.wait_for("up", len(uris), seconds=5)[-1]
            assert arrived.uri == uris[-1]
            assert arrived.at - sent < 1.0  # the other receiver's outage delays nothing
            time.sleep(0.1)
        rows = list(ledger(newsroom.database)[down])
        assert len(rows) == 8
        assert all(state != "delivered" for _, state in rows)
        back = Receiver(port=flaky.port, secrets=flaky.secrets).start()
        try:
            got = back.wait_for("down", 8, seconds=15)
            assert [r.uri for r in got] == uris
            assert back.rejected == []
        finally:
            back.stop()
    finally:
        stop(worker)


def test_two_workers_share_the_queue_with_no_double_delivery(
    api: TestClient, newsroom: Newsroom, settings: Settings, receiver: Receiver, tmp_path: Path
) -> None:
    paths = [f"client{n}" for n in range(10)]
    channels = {
        subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, path): path
        for path in paths
    }
    for path in paths:
        receiver.delays[path] = 0.002
    # Each worker sends to at most five channels at once: the other must take the rest. No
    # worker dies here, so the lease is long: a lease running out on a loaded machine would
    # rightly lead to a second attempt, which is not what this test is about.
    options = {
        "NEWSWIRE_DELIVERY_RUN": "3",
        "NEWSWIRE_DELIVERY_CHANNELS": "5",
        "NEWSWIRE_DELIVERY_LEASE": "60",
    }
    workers = [start_worker(settings, tmp_path, **options) for _ in range(2)]
    try:
        # both running before anything is published, so that both are there to take part
        wait_until(lambda: running_workers(tmp_path) == 2, seconds=30)
        for _ in range(20):
            publish(api, newsroom)
        wait_until(lambda: all_delivered(newsroom.database, 20 * len(paths)), seconds=60)
    finally:
        for worker in workers:
            stop(worker)
    queued = ledger(newsroom.database)
    for channel_id, path in channels.items():
        assert [r.message_id for r in receiver.got(path)] == [m for m, _ in queued[channel_id]]
    assert dict(receiver.redelivered) == {}
    with newsroom.database.read() as session:
        names = set(session.scalars(select(Delivery.worker).distinct()))
    assert len(names) == 2  # both took part
