"""`newswire export`: every published item's latest version, in one IPTC format."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.progress import Progress
from sqlalchemy import select

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
    formats = default_formats()
    try:
        chosen = formats.get(format_name)
    except UnknownFormat:
        known = ", ".join(formats.names())
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
