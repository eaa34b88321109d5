"""Imports every table model, so that `Base.metadata` is complete (Alembic, tests)."""

from newswire.agency.models import (
    Agency,
    ApiKey,
    AuditEntry,
    Bureau,
    Desk,
    LoginThrottle,
    StaffSession,
    User,
    user_desks,
)
from newswire.db import Base
from newswire.delivery.models import Subscriber
from newswire.newsroom.models import MediaFile
from newswire.site.models import PublicEntry, PublicEntryTopic
from newswire.stories.models import FeedEvent, Item, Story, Version
from newswire.translation.models import MTModel, Term, TermForm, TMSegment, TranslationTask

__all__ = [
    "Agency",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Bureau",
    "Desk",
    "FeedEvent",
    "Item",
    "LoginThrottle",
    "MTModel",
    "MediaFile",
    "PublicEntry",
    "PublicEntryTopic",
    "StaffSession",
    "Story",
    "Subscriber",
    "TMSegment",
    "Term",
    "TermForm",
    "TranslationTask",
    "User",
    "Version",
    "user_desks",
]
