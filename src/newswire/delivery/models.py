"""Subscribers, the products they buy, their delivery channels and the publish queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newswire.agency.models import JSONType
from newswire.db import Base, UTCDateTime, utcnow

CONTENT_KINDS = ("all", "own", "partner")
CHANNEL_KINDS = ("webhook", "sftp", "email")
# A delivery is open while it may still be sent; delivered and failed are final.
OPEN_STATES = ("pending", "in_flight", "retrying")
DELIVERY_STATES = (*OPEN_STATES, "delivered", "failed")

subscriber_products = Table(
    "subscriber_products",
    Base.metadata,
    Column("subscriber_id", ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
)


class Product(Base):
    """A filter over published versions; every empty list means "any"."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    topics: Mapped[list[str]] = mapped_column(JSONType, default=list)  # medtop codes
    desk_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    bureau_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    # IPTC urgency 1 (flash) to 9: versions at least this urgent (a number no greater) match.
    max_urgency: Mapped[int] = mapped_column(Integer, default=9)
    content: Mapped[str] = mapped_column(String(10), default="all")  # all | own | partner
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscriber(Base):
    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    products: Mapped[list[Product]] = relationship(
        secondary=subscriber_products, lazy="selectin", order_by=Product.name
    )
    channels: Mapped[list[Channel]] = relationship(
        back_populates="subscriber", lazy="raise", order_by="Channel.id"
    )


class Channel(Base):
    """Where a subscriber's pushed deliveries go: a webhook, an SFTP folder or mailboxes.

    Secrets are needed in clear to sign or log in, so they are stored as given; they are never
    logged and the pages show them only once, when made.
    """

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # webhook | sftp | email
    target: Mapped[str] = mapped_column(String(2000))  # https://…, sftp://user@host/dir, a@b,c@d
    format: Mapped[str] = mapped_column(String(16), default="ninjs")  # ninjs | ninjs3 | newsml
    secret: Mapped[str | None] = mapped_column(String(200))  # whsec_… or an SFTP password
    # During a rotation the previous secret signs too, until this time.
    previous_secret: Mapped[str | None] = mapped_column(String(200))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    host_key: Mapped[str | None] = mapped_column(String(200))  # SFTP: the server key's SHA256:…
    embargoed_copy: Mapped[bool] = mapped_column(Boolean, default=False)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_reason: Mapped[str | None] = mapped_column(String(500))
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Health, kept up to date by the workers.
    last_delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in a row

    subscriber: Mapped[Subscriber] = relationship(back_populates="channels", lazy="joined")


class Delivery(Base):
    """One version for one channel: the publish queue's row and the ledger of what was sent.

    Rows are written in the publication's own transaction. A channel's rows go out in `id`
    order, which is publication order. `message_id` is the `webhook-id`: the same on every
    attempt; a replay is a new row with a new one.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        # The queue: open rows per channel in order. Partial, so that it stays small however
        # long the ledger of delivered rows grows.
        Index(
            "ix_deliveries_open",
            "channel_id",
            "id",
            sqlite_where=text("state IN ('pending', 'in_flight', 'retrying')"),
            postgresql_where=text("state IN ('pending', 'in_flight', 'retrying')"),
        ),
        Index("ix_deliveries_item_channel", "item_id", "channel_id"),
        Index("ix_deliveries_channel_created", "channel_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(Integer)
    feed_seq: Mapped[int | None] = mapped_column(Integer)  # none for an early embargoed copy
    kind: Mapped[str] = mapped_column(String(16))  # published | corrected | killed
    embargoed: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    replay_of: Mapped[int | None] = mapped_column(Integer)

    channel: Mapped[Channel] = relationship(lazy="raise")
