"""`newswire export`: every published item's latest version, in one IPTC format."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.progress import Progress
from sqlalchemy import func, select

from newswire.agency.services import get_agency
from newswire.config import Settings
from newswire.db import Database
from newswire.errors import InvalidInput
from newswire.formats.registry import UnknownFormat, default_formats
from newswire.stories.document import ItemDocument
from newswire.stories.models import Item, Version


def export_items(
    database: Database,
    settings: Settings,
    format_name: str,
    language: str | None,
    output: Path | None,
    *,
    progress: bool,
) -> int:
    """Write the items to `output` (one file each) or to stdout (one document a line)."""
    if format_name in FEED_FORMATS:
        return export_feeds(database, settings, format_name, language, output)
    formats = default_formats()
    try:
        chosen = formats.get(format_name)
    except UnknownFormat:
        known = ", ".join([*formats.names(), *FEED_FORMATS])
        raise InvalidInput(
            f"unknown format {format_name!r} (formats: {known})", field="format"
        ) from None
    query = (
        select(Version.document, Item.id)
        .join(Item, Version.item_id == Item.id)
        .where(Item.status == "published", Version.number == Item.current_version)
        .order_by(Version.released_at, Version.id)
    )
    if language:
        query = query.where(Item.language == language)
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
    count = 0
    with database.read() as session:
        rows = session.execute(query).all()
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("exporting", total=len(rows))
        for document, item_id in rows:
            body = chosen.render(ItemDocument.model_validate(document))
            if output is None:
                sys.stdout.buffer.write(body + b"\n")
            else:
                (output / f"item-{item_id}.{chosen.file_extension}").write_bytes(body)
            count += 1
            bar.advance(task)
    return count


FEED_FORMATS = ("rss", "atom")


def export_feeds(
    database: Database,
    settings: Settings,
    kind: str,
    language: str | None,
    output: Path | None,
) -> int:
    """One feed per language holding every public story of it, newest first."""
    from newswire.site import pages
    from newswire.site.cache import Page
    from newswire.site.models import PublicEntry
    from newswire.site.render import Renderer
    from newswire.stories.topics import load_vocabulary

    with database.read() as session:
        agency = get_agency(session)
        session.expunge(agency)
        languages = [language] if language else list(agency.languages)
        if language and language not in agency.languages:
            raise InvalidInput(
                f"{language!r} is not a working language of the agency", field="lang"
            )
        total = session.scalar(select(func.count()).select_from(PublicEntry)) or 0
        ctx = pages.SiteContext(
            renderer=Renderer(),
            vocabulary=load_vocabulary(settings.vocabulary_dir),
            public_url=settings.public_url.rstrip("/"),
            default_language=settings.site_language,
            full_text_feeds=settings.feed_full_text,
            feed_size=max(total, 1),
            agency=agency,
        )
        if output is not None:
            output.mkdir(parents=True, exist_ok=True)
        count = 0
        for code in languages:
            page = pages.feed(session, ctx, code, kind, None)
            if not isinstance(page, Page):  # a language's feed always renders
                raise InvalidInput(f"no feed for {code!r}", field="lang")
            if output is None:
                sys.stdout.buffer.write(page.body + b"\n")
            else:
                (output / f"{code}.{kind}.xml").write_bytes(page.body)
            count += (
                session.scalar(
                    select(func.count())
                    .select_from(PublicEntry)
                    .where(PublicEntry.language == code)
                )
                or 0
            )
    return count
