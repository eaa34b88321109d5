"""The agency itself, its bureaus, desks and staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newswire.db import Base, UTCDateTime, utcnow

JSONType = JSON().with_variant(JSONB(), "postgresql")

ROLES = ("reporter", "editor", "translator", "chief_editor", "admin")


class Agency(Base):
    """The one agency of an installation."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[dict[str, str]] = mapped_column(JSONType)  # language → full name
    short_name: Mapped[dict[str, str]] = mapped_column(JSONType)  # language → "AZERTAC"
    domain: Mapped[str] = mapped_column(String(200))
    languages: Mapped[list[str]] = mapped_column(JSONType)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")

    def short_name_in(self, language: str) -> str:
        return self.short_name.get(language) or self.short_name.get("en") or self.domain

    def name_in(self, language: str) -> str:
        return self.name.get(language) or self.name.get("en") or self.short_name_in(language)


class Bureau(Base):
    __tablename__ = "bureaus"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    city: Mapped[dict[str, str]] = mapped_column(JSONType)  # language → city name
    timezone: Mapped[str] = mapped_column(String(64))
    default_language: Mapped[str] = mapped_column(String(16))

    def city_in(self, language: str) -> str:
        return self.city.get(language) or self.city.get("en") or self.code


user_desks = Table(
    "user_desks",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("desk_id", ForeignKey("desks.id", ondelete="CASCADE"), primary_key=True),
)


class Desk(Base):
    __tablename__ = "desks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[dict[str, str]] = mapped_column(JSONType)
    # The languages the translation desk turns this desk's stories into; None: every working
    # language of the agency.
    translation_languages: Mapped[list[str] | None] = mapped_column(JSONType)

    def name_in(self, language: str) -> str:
        return self.name.get(language) or self.name.get("en") or self.code


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureaus.id"))
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)  # a translator's targets
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The newsroom's own interface language; None follows the browser's Accept-Language.
    ui_language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    desks: Mapped[list[Desk]] = relationship(secondary=user_desks, lazy="selectin")
    bureau: Mapped[Bureau | None] = relationship(lazy="joined")

    @property
    def desk_ids(self) -> set[int]:
        return {desk.id for desk in self.desks}


class ApiKey(Base):
    """A staff token or a subscriber's API key. Only a SHA-256 of the key is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to recognise a key
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A subscriber key's requests per minute; none: the `api_rate_limit` setting.
    rate_limit: Mapped[int | None] = mapped_column(Integer)


class AuditEntry(Base):
    """Who did what, when. Rows are only ever added."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class StaffSession(Base):
    """A browser logged in to the newsroom. Only a SHA-256 of the cookie's token is stored."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Consecutive failed logins per user name and per client address."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "user:NAME" or "ip:ADDR"
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
