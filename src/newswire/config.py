"""The one settings object. Nothing else in newswire reads the environment."""

from __future__ import annotations

import ipaddress
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from newswire.languages import DEFAULT_WORKING_LANGUAGES


class Settings(BaseSettings):
    """Every setting newswire has, with its default and the help text the README repeats."""

    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_", extra="ignore", frozen=True)

    database_url: str = Field(
        default="sqlite:///newswire.db",
        description="SQLAlchemy URL of the database: a SQLite file (default, in the working "
        "directory) or `postgresql+psycopg://user@host/db` for scale.",
    )
    config_file: Path | None = Field(
        default=None,
        description="A TOML file with any of these settings (keys without the prefix, lower case); "
        "environment variables win over it.",
    )
    host: str = Field(default="127.0.0.1", description="Address `newswire serve` listens on.")
    port: int = Field(default=8000, description="Port `newswire serve` listens on.")
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The site's public base URL, used in canonical links and feeds.",
    )
    languages: Annotated[tuple[str, ...], NoDecode] = Field(
        default=DEFAULT_WORKING_LANGUAGES,
        description="Working languages of a new agency, comma-separated BCP 47 codes.",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        description="Largest request body the API accepts (bytes); larger is 413.",
    )
    feed_max_wait: float = Field(
        default=60.0, description="Longest long-poll `wait` the content feed grants (seconds)."
    )
    outbound_allow: Annotated[
        tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...], NoDecode
    ] = Field(
        default=(),
        description="Networks (CIDR, comma-separated) that webhooks, SFTP targets and polled feeds "
        "may reach although private or loopback. Empty by default.",
    )
    vocabulary_dir: Path | None = Field(
        default=None,
        description="Folder holding the IPTC Media Topics export "
        "(`iptc-mediatopic_*.json`) for topic labels; codes alone are shown without it.",
    )
    site_language: str | None = Field(
        default=None,
        description="The website's default language, where `/` sends readers whose "
        "Accept-Language matches no working language (default: the agency's first).",
    )
    feed_full_text: bool = Field(
        default=True,
        description="RSS and Atom feeds carry each story's full text (true) or only its "
        "summary (false).",
    )
    feed_size: int = Field(
        default=50, ge=1, le=500, description="How many of the newest stories a feed lists."
    )
    media_dir: Path = Field(
        default=Path("media"),
        description="Folder where pictures uploaded in the newsroom are kept (relative paths "
        "start in the working directory); they are served at `/media/`.",
    )
    session_hours: float = Field(
        default=12.0,
        gt=0,
        description="How long a newsroom login lasts (hours) before the user logs in again.",
    )
    max_upload_bytes: int = Field(
        default=10_485_760,
        description="Largest picture the newsroom accepts (bytes).",
    )
    translation_minutes_flash: float = Field(
        default=10.0,
        gt=0,
        description="Deadline of a translation task for a flash (urgency 1), in minutes.",
    )
    translation_minutes_urgent: float = Field(
        default=30.0,
        gt=0,
        description="Deadline of a translation task for a bulletin or urgent story (urgency 2–3), "
        "in minutes.",
    )
    translation_minutes_other: float = Field(
        default=120.0,
        gt=0,
        description="Deadline of a translation task for any other story, in minutes.",
    )
    mt_libretranslate_url: str | None = Field(
        default=None,
        description="Base URL of a LibreTranslate server (e.g. `http://127.0.0.1:5000`); "
        "machine drafts use it when set.",
    )
    mt_libretranslate_key: SecretStr | None = Field(
        default=None, description="API key of the LibreTranslate server, if it asks for one."
    )
    mt_deepl_url: str = Field(
        default="https://api-free.deepl.com",
        description="Base URL of the DeepL API: `https://api-free.deepl.com` (Free) or "
        "`https://api.deepl.com` (Pro).",
    )
    mt_deepl_key: SecretStr | None = Field(
        default=None,
        description="DeepL authentication key; machine drafts use DeepL when it is set "
        "(DeepL has no Azerbaijani).",
    )
    mt_openai_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible API (e.g. `http://127.0.0.1:11434/v1`); "
        "its chat endpoint translates when this and the model are set.",
    )
    mt_openai_key: SecretStr | None = Field(
        default=None, description="Bearer key of the OpenAI-compatible API, if it asks for one."
    )
    mt_openai_model: str | None = Field(
        default=None, description="Model name sent to the OpenAI-compatible chat endpoint."
    )
    mt_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Longest wait for one answer of an HTTP translation engine (seconds).",
    )
    mt_batch_size: int = Field(
        default=32,
        ge=1,
        description="Sentences sent to a translation engine at once (one HTTP request, or one "
        "CTranslate2 batch).",
    )
    mt_threads: int = Field(
        default=0,
        ge=0,
        description="CPU threads each local CTranslate2 model uses (0: CTranslate2's default).",
    )
    mt_beam_size: int = Field(
        default=2,
        ge=1,
        le=4,
        description="Beam size of local CTranslate2 models, 1 (fastest) to 4 (best).",
    )
    delivery_timeout: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="How long a delivery attempt (webhook, SFTP, e-mail) may take before it "
        "counts as failed (seconds).",
    )
    delivery_lease: float = Field(
        default=60.0,
        gt=0,
        description="How long a worker holds the deliveries it claimed; a worker that dies "
        "leaves them to the others after this (seconds).",
    )
    delivery_retry_base: float = Field(
        default=5.0,
        gt=0,
        description="First retry delay of a failed delivery; doubles with each attempt, with "
        "jitter (seconds).",
    )
    delivery_retry_max: float = Field(
        default=3600.0, gt=0, description="Longest delay between two attempts (seconds)."
    )
    delivery_retry_window: float = Field(
        default=86400.0,
        gt=0,
        description="How long a delivery is retried after its first attempt before it is "
        "`failed` (seconds; 24 h by default).",
    )
    delivery_run: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="How many of one channel's deliveries a worker claims at a time.",
    )
    delivery_channels: int = Field(
        default=500,
        ge=1,
        le=10_000,
        description="How many channels one worker sends to at once; the others are left to "
        "other workers (or to this one, as its runs end).",
    )
    delivery_window: int = Field(
        default=4,
        ge=1,
        le=100,
        description="How many of a channel's deliveries may be accepted by the receiver but "
        "not yet committed as delivered; a worker that dies sends at most that many again "
        "(same webhook-id). 1 commits each before sending the next.",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for e-mail delivery channels."
    )
    smtp_port: int = Field(default=25, description="Port of the SMTP server.")
    smtp_user: str | None = Field(default=None, description="SMTP login, if the server wants one.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS with the SMTP server.")
    smtp_from: str = Field(
        default="newswire@localhost", description="Sender address of delivery e-mails."
    )
    api_rate_limit: int = Field(
        default=3000,
        ge=1,
        description="Requests per minute a subscriber's API key may make, unless the key has "
        "its own limit.",
    )
    log_level: str = Field(default="info", description="Log level: debug, info, warning, error.")

    @field_validator("languages", mode="before")
    @classmethod
    def _split_languages(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("outbound_allow", mode="before")
    @classmethod
    def _split_networks(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(ipaddress.ip_network(p.strip()) for p in value.split(",") if p.strip())
        return value

    @field_validator("vocabulary_dir", "config_file", "site_language", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls, env_settings))

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the TOML file named by NEWSWIRE_CONFIG_FILE, when there is one."""

    def __init__(self, settings_cls: type[BaseSettings], env: PydanticBaseSettingsSource) -> None:
        super().__init__(settings_cls)
        self._env = env

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = self._env().get("config_file")
        if not path:
            return {}
        with Path(path).open("rb") as handle:
            data = tomllib.load(handle)
        return {key.lower(): value for key, value in data.items()}


def settings_fields() -> dict[str, str]:
    """Environment variable name → help text, for the README check and `--help`."""
    return {
        f"NEWSWIRE_{name.upper()}": field.description or ""
        for name, field in Settings.model_fields.items()
    }
