"""Keeping `public_entries` in step with publications, corrections, releases and kills."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from newswire.search.text import index_text
from newswire.site.models import PublicEntry, PublicEntryTopic

SUMMARY_CHARS = 280
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|h2|h3|li|blockquote)>|<br\s*/?>", re.IGNORECASE)
_FIRST_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.IGNORECASE | re.DOTALL)


def plain_text(body_html: str) -> str:
    """The words of a sanitised body, paragraphs separated by newlines."""
    text = _TAG.sub("", _BLOCK_END.sub("\n", body_html))
    return "\n".join(" ".join(line.split()) for line in html.unescape(text).splitlines()).strip()


def summarise(body_html: str, subheadline: str | None = None) -> str:
    """The subheadline, or the first paragraph cut at a word near SUMMARY_CHARS."""
    if subheadline:
        return subheadline
    match = _FIRST_PARAGRAPH.search(body_html)
    text = plain_text(match.group(1) if match else body_html).split("\n", 1)[0]
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text[:SUMMARY_CHARS]
    space = cut.rfind(" ")
    # Chinese and Japanese have no spaces: cut at the limit.
    return (cut[:space] if space > SUMMARY_CHARS // 2 else cut).rstrip(" ,;:") + "…"


def record(
    session: Session,
    *,
    kind: str,
    seq: int,
    item_id: int,
    story_id: int,
    path: str,
    document: dict[str, Any],
    released_at: datetime,
) -> None:
    """Apply one feed event (published, corrected or killed) to what readers see."""
    entry = session.scalars(select(PublicEntry).where(PublicEntry.item_id == item_id)).first()
    if kind == "killed":
        if entry is not None:
            session.execute(delete(PublicEntryTopic).where(PublicEntryTopic.entry_id == entry.id))
            session.delete(entry)
            session.flush()
        return
    if entry is None:
        entry = PublicEntry(id=seq, item_id=item_id, published_at=released_at)
        session.add(entry)
    else:
        session.execute(delete(PublicEntryTopic).where(PublicEntryTopic.entry_id == entry.id))
    body = document.get("body_html", "")
    codes = [subject["code"] for subject in document.get("subjects", ())]
    entry.story_id = story_id
    entry.language = document["language"]
    entry.uri = document["uri"]
    entry.path = path
    entry.headline = document["headline"]
    entry.summary = summarise(body, document.get("subheadline"))
    entry.dateline = document.get("dateline")
    entry.urgency = document.get("urgency", 5)
    entry.subjects = codes
    entry.version = document["version"]
    entry.updated_at = released_at
    entry.search_text = index_text(
        document["headline"],
        document.get("subheadline"),
        plain_text(body),
        " ".join(document.get("keywords", ())),
        document.get("byline"),
    )
    session.flush()
    session.add_all(
        PublicEntryTopic(entry_id=entry.id, code=code, language=entry.language)
        for code in dict.fromkeys(codes)
    )
