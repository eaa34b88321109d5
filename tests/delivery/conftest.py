from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest

from newswire.config import Settings
from tests.conftest import VOCABULARIES
from tests.delivery.receiver import Receiver

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Receivers listen on 127.0.0.1, which deliveries may reach only when allow-listed.
    return Settings(
        database_url=database_url,
        media_dir=tmp_path / "media",
        vocabulary_dir=VOCABULARIES if VOCABULARIES.is_dir() else None,
        public_url="https://azertac.example",
        outbound_allow=LOOPBACK,
        delivery_retry_base=0.2,
        delivery_retry_max=1.0,
        delivery_timeout=2.0,
        delivery_lease=5.0,
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()
