"""Pictures uploaded in the newsroom: checked with Pillow, kept by content hash, added to a story.

Whatever the browser declares as the file's type is ignored: Pillow reads the bytes, only a
JPEG, PNG, WebP or GIF that decodes completely and is at most `MAX_PIXELS` is accepted, and the
file is stored as `<sha256>.<ext>` in the media folder, where `/media/` serves it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire import db
from newswire.agency.services import Principal, audit
from newswire.errors import InvalidInput, NotFound
from newswire.newsroom.models import MediaFile
from newswire.stories import permissions, services
from newswire.stories.document import Picture
from newswire.stories.models import Item
from newswire.stories.sanitize import clean_text

MAX_PIXELS = 40_000_000
# Pillow format → (file extension, media type). Nothing else is opened at all.
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
}
FIELD = "file"


@dataclass(frozen=True, slots=True)
class CheckedPicture:
    """An upload that Pillow decoded completely."""

    data: bytes
    sha256: str
    extension: str
    mimetype: str
    width: int
    height: int

    @property
    def filename(self) -> str:
        return f"{self.sha256}.{self.extension}"


def check_picture(data: bytes, max_bytes: int) -> CheckedPicture:
    """Refuse (InvalidInput on `file`) anything but a whole JPEG, PNG, WebP or GIF picture."""
    if not data:
        raise InvalidInput("choose a picture file to upload", field=FIELD)
    if len(data) > max_bytes:
        raise InvalidInput(
            f"the picture has {len(data):,} bytes; at most {max_bytes:,} are accepted",
            field=FIELD,
        )
    with warnings.catch_warnings():
        # Pillow warns of a "decompression bomb" before it refuses one: both are refusals here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                kind = image.format or ""
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise InvalidInput(
                        f"the picture is {width}×{height} pixels; at most "
                        f"{MAX_PIXELS // 1_000_000} megapixels are accepted",
                        field=FIELD,
                    )
                image.verify()
            # verify() checks the file's structure but leaves the image unusable: decode it
            # again, for real, to find damage that only decoding shows.
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                image.load()
        except InvalidInput:
            raise
        except UnidentifiedImageError:
            raise InvalidInput(
                "the file is not a JPEG, PNG, WebP or GIF picture", field=FIELD
            ) from None
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise InvalidInput(
                f"the picture has too many pixels: at most {MAX_PIXELS // 1_000_000} "
                "megapixels are accepted",
                field=FIELD,
            ) from None
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
            raise InvalidInput(
                "the picture is damaged or incomplete: it cannot be decoded", field=FIELD
            ) from None
    if kind not in FORMATS or width < 1 or height < 1:
        raise InvalidInput("the file is not a JPEG, PNG, WebP or GIF picture", field=FIELD)
    extension, mimetype = FORMATS[kind]
    return CheckedPicture(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        extension=extension,
        mimetype=mimetype,
        width=width,
        height=height,
    )


def store_picture(media_dir: Path, picture: CheckedPicture) -> Path:
    """Write the picture into the media folder (through a temporary file, then a rename).

    The same bytes always get the same name, so a second upload of a picture changes nothing.
    """
    media_dir.mkdir(parents=True, exist_ok=True)
    target = media_dir / picture.filename
    if target.is_file() and target.stat().st_size == len(picture.data):
        return target
    handle, temporary = tempfile.mkstemp(dir=media_dir, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(picture.data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)  # served by the web server, which may run as another user
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target


def picture_url(public_url: str, filename: str) -> str:
    return f"{public_url.rstrip('/')}/media/{filename}"


def _may_change(actor: Principal, item: Item) -> bool:
    """Whether `actor` may change this language version's pictures: a picture added in one
    language reaches only the versions its uploader may edit (a reporter's upload never
    touches a published source, a translator's never the source or others' languages)."""
    return item.status != "killed" and permissions.can_edit(
        actor, item.story, item.language, item.status
    )


def editable_item(session: Session, actor: Principal, story_id: int, language: str) -> Item:
    item = services.get_item(session, story_id, language)
    permissions.require(_may_change(actor, item), "change the pictures of this language version")
    return item


def add_picture(
    session: Session,
    actor: Principal,
    ctx: services.StoryContext,
    story_id: int,
    language: str,
    picture: CheckedPicture,
    *,
    captions: Mapping[str, str],
    alt: str | None,
    credit: str | None,
) -> MediaFile:
    """Record an upload and add it to every language version of the story, each with the
    caption in its language (else the caption given in `language`)."""
    item = editable_item(session, actor, story_id, language)
    story = item.story
    captions = {code: text for code, value in captions.items() if (text := clean_text(value))}
    href = picture_url(ctx.public_url, picture.filename)
    row = session.scalars(
        select(MediaFile).where(
            MediaFile.story_id == story.id, MediaFile.filename == picture.filename
        )
    ).first()
    if row is None:
        row = MediaFile(
            sha256=picture.sha256,
            filename=picture.filename,
            mimetype=picture.mimetype,
            width=picture.width,
            height=picture.height,
            size=len(picture.data),
            story_id=story.id,
            uploaded_by_id=actor.user_id,
        )
        session.add(row)
    row.captions = captions
    row.credit = clean_text(credit)
    now = db.utcnow()
    for each in story.items:
        if not _may_change(actor, each):
            continue
        existing = [p for p in each.pictures or () if p.get("href") != href]
        if len(existing) >= services.MAX_PICTURES:
            raise InvalidInput(
                f"the {each.language!r} version has {services.MAX_PICTURES} pictures already",
                field=FIELD,
            )
        entry = Picture(
            href=href,
            caption=captions.get(each.language) or captions.get(language),
            alt=clean_text(alt),
            credit=clean_text(credit),
            mimetype=picture.mimetype,
            width=picture.width,
            height=picture.height,
        )
        each.pictures = [*existing, entry.model_dump(exclude_none=True)]
        each.updated_at = now
        each.updated_by_id = actor.user_id
    session.flush()
    audit(session, actor, "picture.add", "story", story.id, language=language, href=href)
    return row


def remove_picture(
    session: Session, actor: Principal, story_id: int, language: str, href: str
) -> None:
    """Take a picture off every language version of the story (published versions keep it)."""
    item = editable_item(session, actor, story_id, language)
    if not any(p.get("href") == href for p in item.pictures or ()):
        raise NotFound("this language version has no such picture", field="href")
    now = db.utcnow()
    for each in item.story.items:
        if not _may_change(actor, each):
            continue
        kept = [p for p in each.pictures or () if p.get("href") != href]
        if len(kept) != len(each.pictures or ()):
            each.pictures = kept
            each.updated_at = now
            each.updated_by_id = actor.user_id
    session.flush()
    audit(session, actor, "picture.remove", "story", story_id, language=language, href=href)
