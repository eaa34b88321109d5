"""Stories, their language versions (items), immutable published versions and the feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newswire.agency.models import Bureau, Desk, JSONType
from newswire.db import Base, UTCDateTime, utcnow

# draft → submitted → published (v1) → published (vN, corrected) → killed;
# "scheduled" is a publication waiting for its embargo.
ITEM_STATUSES = ("draft", "submitted", "scheduled", "published", "killed")


class Story(Base):
    """One piece of news in all its languages."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desks.id"))
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureaus.id"))
    source_language: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(10), default="own")  # own | partner (a wire's)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the last of the desk's translation languages was first published: with the source
    # item's `published_at`, the story's time to all languages.
    all_languages_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    desk: Mapped[Desk] = relationship(lazy="joined")
    bureau: Mapped[Bureau | None] = relationship(lazy="joined")
    # Loaded on first use: publishing one item must not read every language's body.
    items: Mapped[list[Item]] = relationship(
        back_populates="story", lazy="select", order_by="Item.id"
    )

    def item(self, language: str) -> Item | None:
        return next((item for item in self.items if item.language == language), None)


class Item(Base):
    """The working copy of one language version. Published content lives in `Version`."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("story_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    uri: Mapped[str] = mapped_column(String(300), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    headline: Mapped[str] = mapped_column(Text)
    subheadline: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    slugline: Mapped[str | None] = mapped_column(String(200))
    byline: Mapped[str | None] = mapped_column(String(300))
    located: Mapped[str | None] = mapped_column(String(200))
    urgency: Mapped[int] = mapped_column(Integer, default=5)
    subjects: Mapped[list[str]] = mapped_column(JSONType, default=list)
    places: Mapped[list[str]] = mapped_column(JSONType, default=list)
    people: Mapped[list[str]] = mapped_column(JSONType, default=list)
    organisations: Mapped[list[str]] = mapped_column(JSONType, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Pictures as `newswire.stories.document.Picture` dictionaries, checked on save.
    pictures: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    embargoed: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ednote: Mapped[str | None] = mapped_column(Text)
    firstcreated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Optimistic locking: every save must name the revision it started from.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    story: Mapped[Story] = relationship(back_populates="items", lazy="joined")

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012 - SQLAlchemy's declared form


class Version(Base):
    """One publication of an item: never changed once written."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("item_id", "number"),
        Index("ix_versions_pending_embargo", "released_at", "embargoed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    pubstatus: Mapped[str] = mapped_column(String(16), default="usable")
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)
    embargoed: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # When readers and subscribers may see it: null while an embargo holds it back.
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[Item] = relationship(lazy="joined")


class FeedEvent(Base):
    """Every publication event in the order subscribers must see them; `seq` is the cursor."""

    __tablename__ = "feed_events"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # published | corrected | killed
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    story_id: Mapped[int] = mapped_column(Integer)
    uri: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(16))
    subjects: Mapped[list[str]] = mapped_column(JSONType, default=list)
    desk_id: Mapped[int] = mapped_column(Integer)
    bureau_id: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(10), default="own")
    urgency: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version_row: Mapped[Version] = relationship(lazy="raise")
