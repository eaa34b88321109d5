"""The translation desk's tables: tasks, translation memory, termbase and local MT models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newswire.agency.models import JSONType, User
from newswire.db import Base, UTCDateTime, utcnow

# pending → in_progress → review → done; `canceled` when the source story is killed.
TASK_STATUSES = ("pending", "in_progress", "review", "done", "canceled")
OPEN_TASK_STATUSES = ("pending", "in_progress", "review")
# A first translation, or an update after the source was corrected.
TASK_KINDS = ("translate", "update")
# The machine draft: `none` when no engine serves the pair (the translator works from scratch),
# `queued` until a worker takes it, `running` while one holds its lease, then `ready` or `failed`.
MT_STATES = ("none", "queued", "running", "ready", "failed")
TERM_KINDS = ("person", "title", "organisation", "place", "other")


class TranslationTask(Base):
    """One target language of one story, to be translated (or updated) by a deadline."""

    __tablename__ = "translation_tasks"
    __table_args__ = (
        Index("ix_translation_tasks_story_language", "story_id", "language"),
        Index("ix_translation_tasks_status_deadline", "status", "deadline"),
        Index("ix_translation_tasks_mt_state", "mt_state", "mt_lease_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    source_language: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="translate")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    urgency: Mapped[int] = mapped_column(Integer, default=5)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The source version this task translates; an update task also names the version the
    # published translation followed, so the desk can show what changed between the two.
    source_version: Mapped[int] = mapped_column(Integer, default=1)
    previous_source_version: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    mt_state: Mapped[str] = mapped_column(String(16), default="none")
    mt_engine: Mapped[str | None] = mapped_column(String(200))
    mt_error: Mapped[str | None] = mapped_column(Text)
    mt_attempts: Mapped[int] = mapped_column(Integer, default=0)
    mt_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The machine draft as `newswire.translation.drafts.Draft` (headline, body, segments with
    # their origin: machine, memory or term), kept beside whatever the translator writes.
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    assignee: Mapped[User | None] = relationship(lazy="joined")


class TMSegment(Base):
    """One aligned source/target segment of a finished translation."""

    __tablename__ = "tm_segments"
    __table_args__ = (
        Index("ix_tm_segments_exact", "source_language", "target_language", "source_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_language: Mapped[str] = mapped_column(String(16))
    target_language: Mapped[str] = mapped_column(String(16))
    source_text: Mapped[str] = mapped_column(Text)
    target_text: Mapped[str] = mapped_column(Text)
    # SHA-256 of the normalised source text: the exact lookup.
    source_key: Mapped[str] = mapped_column(String(64))
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Term(Base):
    """A name or title the agency writes one way in each language."""

    __tablename__ = "terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    forms: Mapped[list[TermForm]] = relationship(
        back_populates="term",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="TermForm.id",
    )


class TermForm(Base):
    """A term in one language: its preferred form, or a variant that drafts must not keep."""

    __tablename__ = "term_forms"
    __table_args__ = (Index("ix_term_forms_language", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    form: Mapped[str] = mapped_column(Text)
    preferred: Mapped[bool] = mapped_column(Boolean, default=True)

    term: Mapped[Term] = relationship(back_populates="forms")


class MTModel(Base):
    """A local CTranslate2 model directory registered with `newswire mt install`."""

    __tablename__ = "mt_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(1000))
    family: Mapped[str] = mapped_column(String(20))  # marian | nllb | m2m100 | argos
    source_language: Mapped[str] = mapped_column(String(16))
    target_language: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
