"""Settings come from NEWSWIRE_* variables or a TOML file; the environment wins."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from newswire.config import Settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "LANGUAGES", "OUTBOUND_ALLOW", "VOCABULARY_DIR", "CONFIG_FILE"):
        monkeypatch.delenv(f"NEWSWIRE_{name}", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///newswire.db"
    assert settings.languages == ("az", "ru", "en", "fr", "de", "es", "ar", "zh")
    assert settings.outbound_allow == ()
    assert settings.vocabulary_dir is None


def test_environment_lists_and_empty_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_LANGUAGES", "en, fr")
    monkeypatch.setenv("NEWSWIRE_OUTBOUND_ALLOW", "127.0.0.1/32,10.0.0.0/8")
    monkeypatch.setenv("NEWSWIRE_VOCABULARY_DIR", "")
    settings = Settings()
    assert settings.languages == ("en", "fr")
    assert settings.outbound_allow == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
    )
    assert settings.vocabulary_dir is None


def test_toml_file_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "newswire.toml"
    config.write_text('port = 9000\npublic_url = "https://news.example"\nlog_level = "debug"\n')
    monkeypatch.setenv("NEWSWIRE_CONFIG_FILE", str(config))
    monkeypatch.setenv("NEWSWIRE_LOG_LEVEL", "warning")
    settings = Settings()
    assert settings.port == 9000
    assert settings.public_url == "https://news.example"
    assert settings.log_level == "warning"
