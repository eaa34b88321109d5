"""Schemathesis fuzzes every operation of our own OpenAPI document: no input gets a 5xx.

It runs against a real `newswire serve` on a SQLite file with the demo agency loaded, using a
chief editor's token, so that requests reach the code behind authentication.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from newswire.api import content, stories
from tests.conftest import free_port

NEWSWIRE = Path(sys.executable).with_name("newswire")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("fuzz")
    env = {**os.environ, "NEWSWIRE_DATABASE_URL": f"sqlite:///{folder / 'fuzz.db'}"}
    subprocess.run([str(NEWSWIRE), "demo", "--json"], env=env, check=True, capture_output=True)
    made = subprocess.run(
        [str(NEWSWIRE), "token", "create", "--user", "chief", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    token = json.loads(made.stdout)["token"]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with (folder / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [str(NEWSWIRE), "serve", "--port", str(port), "--no-worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url, token
    finally:
        process.terminate()
        process.wait(timeout=10)


def _openapi_document() -> dict[str, Any]:
    # The document depends on the code alone, not on a database: build it without a server.
    app = FastAPI()
    app.include_router(content.router)
    app.include_router(stories.router)
    return app.openapi()


schema = schemathesis.openapi.from_dict(_openapi_document())
# Boundary values (empty strings, huge integers, wrong JSON types) as well as random ones.
schema.config.phases.coverage.enabled = True


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_server_error(case: schemathesis.Case, server: tuple[str, str]) -> None:
    url, token = server
    if case.query and "wait" in case.query:
        case.query["wait"] = 0  # a long-poll would only make the fuzzer wait
    response = case.call(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=15)
    case.validate_response(response, checks=(not_a_server_error,))
