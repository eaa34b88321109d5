"""Subscribers: the machine clients the agency serves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from newswire.agency.models import JSONType
from newswire.db import Base, UTCDateTime, utcnow


class Subscriber(Base):
    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)  # empty: all
    topics: Mapped[list[str]] = mapped_column(JSONType, default=list)  # medtop codes; empty: all
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    # The signing secret is needed in clear to sign each delivery, so it is stored as given.
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
