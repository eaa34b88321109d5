"""What the website reads: listings, one story with its language versions, feed entries.

Everything here reads `public_entries` (what readers may see) and, for a story's full text,
the released version it points at. Functions take the session and return plain data, so the
views, the feeds and the sitemaps share them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newswire.site.models import PublicEntry, PublicEntryTopic
from newswire.stories.models import Item, Version
from newswire.stories.topics import Vocabulary

PAGE_SIZE = 20
MAX_OFFSET = 100_000  # deeper listing pages are empty: they are crawled, not read
TOP_STORY_WINDOW = 30  # the top story is the most urgent of this many newest entries


@dataclass(frozen=True, slots=True)
class Listing:
    entries: list[PublicEntry]
    has_more: bool


def latest(
    session: Session,
    language: str,
    *,
    codes: Sequence[str] = (),
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> Listing:
    """Newest first; with `codes`, only entries filed under one of those Media Topics."""
    if offset > MAX_OFFSET:
        return Listing([], False)
    query = select(PublicEntry).where(PublicEntry.language == language)
    if codes:
        query = query.where(
            PublicEntry.id.in_(
                select(PublicEntryTopic.entry_id).where(
                    PublicEntryTopic.language == language, PublicEntryTopic.code.in_(codes)
                )
            )
        )
    rows = list(
        session.scalars(query.order_by(PublicEntry.id.desc()).limit(limit + 1).offset(offset))
    )
    return Listing(rows[:limit], len(rows) > limit)


def top_story(entries: Sequence[PublicEntry]) -> PublicEntry | None:
    """The most urgent of the newest entries (urgency 1 is a flash); the newest on a tie."""
    window = entries[:TOP_STORY_WINDOW]
    if not window:
        return None
    return min(window, key=lambda e: (e.urgency, -e.id))


def descendants(vocabulary: Vocabulary, code: str) -> list[str]:
    """`code` and every narrower Media Topic under it."""
    children: dict[str, list[str]] = {}
    for topic in vocabulary.topics.values():
        if topic.parent:
            children.setdefault(topic.parent, []).append(topic.code)
    found = [code]
    for current in found:
        found.extend(children.get(current, ()))
    return found


def top_level(vocabulary: Vocabulary, code: str) -> str:
    seen = 0
    topic = vocabulary.topics.get(code)
    while topic is not None and topic.parent and seen < 10:
        code = topic.parent
        topic = vocabulary.topics.get(code)
        seen += 1
    return code


def sections(
    session: Session, language: str, vocabulary: Vocabulary, *, per_section: int = 4
) -> list[tuple[str, list[PublicEntry]]]:
    """Top-level Media Topics that have entries in `language`, each with its newest entries,
    the busiest first."""
    recent = session.scalars(
        select(PublicEntry)
        .where(PublicEntry.language == language)
        .order_by(PublicEntry.id.desc())
        .limit(500)
    ).all()
    grouped: dict[str, list[PublicEntry]] = {}
    for entry in recent:
        for top in dict.fromkeys(top_level(vocabulary, code) for code in entry.subjects):
            grouped.setdefault(top, []).append(entry)
    ordered = sorted(grouped.items(), key=lambda pair: (-len(pair[1]), pair[0]))
    return [(code, entries[:per_section]) for code, entries in ordered]


def story_versions(session: Session, story_id: int) -> list[PublicEntry]:
    """Every language version of a story that readers may see."""
    return list(
        session.scalars(
            select(PublicEntry).where(PublicEntry.story_id == story_id).order_by(PublicEntry.id)
        )
    )


def document_of(session: Session, entry: PublicEntry) -> dict[str, Any]:
    document: dict[str, Any] = session.scalars(
        select(Version.document).where(
            Version.item_id == entry.item_id, Version.number == entry.version
        )
    ).one()
    return document


def documents_of(session: Session, entries: Sequence[PublicEntry]) -> dict[int, dict[str, Any]]:
    """Documents of several entries in one query, by entry id."""
    if not entries:
        return {}
    wanted = {(e.item_id, e.version): e.id for e in entries}
    rows = session.execute(
        select(Version.item_id, Version.number, Version.document).where(
            Version.item_id.in_([e.item_id for e in entries]), Version.released_at.is_not(None)
        )
    )
    found: dict[int, dict[str, Any]] = {}
    for item_id, number, document in rows:
        entry_id = wanted.get((item_id, number))
        if entry_id is not None:
            found[entry_id] = document
    return found


def was_withdrawn(session: Session, story_id: int, language: str) -> bool:
    """Whether this language version was published once and then killed (410 Gone)."""
    return bool(
        session.scalars(
            select(Item.id).where(
                Item.story_id == story_id, Item.language == language, Item.status == "killed"
            )
        ).first()
    )


def newest_update(session: Session, language: str | None = None) -> datetime | None:
    query = select(func.max(PublicEntry.updated_at))
    if language is not None:
        query = query.where(PublicEntry.language == language)
    return session.scalars(query).one()


def recent_entries(session: Session, since: datetime) -> list[PublicEntry]:
    """Entries first published since `since`, newest first (the Google News sitemap)."""
    return list(
        session.scalars(
            select(PublicEntry)
            .where(PublicEntry.published_at >= since)
            .order_by(PublicEntry.id.desc())
            .limit(1000)
        )
    )


def language_page(session: Session, language: str, *, limit: int, offset: int) -> list[PublicEntry]:
    """Entries of one language in publication order, for the per-language sitemaps."""
    return list(
        session.scalars(
            select(PublicEntry)
            .where(PublicEntry.language == language)
            .order_by(PublicEntry.id)
            .limit(limit)
            .offset(offset)
        )
    )


def alternates_by_story(
    session: Session, story_ids: Sequence[int]
) -> dict[int, list[tuple[str, str]]]:
    """(language, path) of every public version of each story."""
    found: dict[int, list[tuple[str, str]]] = {}
    for start in range(0, len(story_ids), 500):
        chunk = story_ids[start : start + 500]
        rows = session.execute(
            select(PublicEntry.story_id, PublicEntry.language, PublicEntry.path)
            .where(PublicEntry.story_id.in_(chunk))
            .order_by(PublicEntry.id)
        )
        for story_id, language, path in rows:
            found.setdefault(story_id, []).append((language, path))
    return found


def count_entries(session: Session, language: str) -> int:
    return session.scalars(
        select(func.count()).select_from(PublicEntry).where(PublicEntry.language == language)
    ).one()
