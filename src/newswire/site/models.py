"""What readers may see: one row per released, unkilled language version.

Publication, correction, embargo release and kill keep this table current in the same
transaction as the version (see `newswire.site.entries`), so that listings, feeds, sitemaps
and search read one small table instead of every version's document.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from newswire.agency.models import JSONType
from newswire.db import Base, UTCDateTime


class PublicEntry(Base):
    """A language version as listings see it. `id` orders entries by first publication."""

    __tablename__ = "public_entries"
    __table_args__ = (
        Index("ix_public_entries_language_id", "language", "id"),
        Index("ix_public_entries_story", "story_id"),
    )

    # The sequence number of the feed event that first released the item: unique, and
    # increasing with publication time, so "newest first" is an index walk (also in FTS5).
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), unique=True)
    story_id: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(16))
    uri: Mapped[str] = mapped_column(String(300))
    path: Mapped[str] = mapped_column(String(400))
    headline: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    dateline: Mapped[str | None] = mapped_column(Text)
    urgency: Mapped[int] = mapped_column(Integer, default=5)
    subjects: Mapped[list[str]] = mapped_column(JSONType, default=list)
    version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Folded by `newswire.search.text.index_text`; the database's full-text index reads it.
    search_text: Mapped[str] = mapped_column(Text, default="")


class PublicEntryTopic(Base):
    """The Media Topics of a public entry, for topic pages and feeds."""

    __tablename__ = "public_entry_topics"
    __table_args__ = (Index("ix_public_entry_topics_lookup", "language", "code", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("public_entries.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    language: Mapped[str] = mapped_column(String(16))
