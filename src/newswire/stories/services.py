"""The story lifecycle: file, edit, submit, publish, correct, kill, and embargo release.

Every function takes the session and a `StoryContext`; the caller owns the transaction, so a
publication, its version, its feed event and its audit row commit together or not at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire import db
from newswire.agency.models import Agency, Bureau
from newswire.agency.services import Principal, audit, check_languages, get_agency
from newswire.delivery import queue as publish_queue
from newswire.errors import Conflict, InvalidInput, NotFound, PreconditionRequired
from newswire.site import entries
from newswire.stories import permissions
from newswire.stories.dateline import render_dateline
from newswire.stories.document import ItemDocument, ItemInput, Picture, Subject
from newswire.stories.models import FeedEvent, Item, Story, Version
from newswire.stories.sanitize import MAX_DEPTH, clean_body, clean_text, nesting_depth
from newswire.stories.topics import Vocabulary, load_vocabulary


class StoryListener(Protocol):
    """Told of what happens to a story inside the same transaction (the translation desk).

    `before_publish` may refuse a publication or correction by raising; `after` hears every
    save, submit and new version (`event` is saved, submitted, published, corrected or killed).
    """

    def before_publish(
        self, session: Session, actor: Principal, story: Story, item: Item, *, override: bool
    ) -> None: ...

    def after(
        self,
        session: Session,
        actor: Principal,
        ctx: StoryContext,
        story: Story,
        item: Item,
        event: str,
        version: Version | None,
    ) -> None: ...


@dataclass(slots=True)
class StoryContext:
    """What story services need besides the session: the vocabulary, the public base URL and
    whoever listens to story events."""

    vocabulary: Vocabulary
    public_url: str = "http://127.0.0.1:8000"
    listeners: tuple[StoryListener, ...] = ()
    _agency: Agency | None = field(default=None, repr=False)

    def tell(
        self,
        session: Session,
        actor: Principal,
        story: Story,
        item: Item,
        event: str,
        version: Version | None = None,
    ) -> None:
        for listener in self.listeners:
            listener.after(session, actor, self, story, item, event, version)

    @classmethod
    def from_settings(
        cls,
        vocabulary_dir: Path | None,
        public_url: str,
        listeners: tuple[StoryListener, ...] = (),
    ) -> StoryContext:
        return cls(load_vocabulary(vocabulary_dir), public_url.rstrip("/"), listeners)

    def agency(self, session: Session) -> Agency:
        # The agency changes rarely (by `newswire init`); one read per process is enough.
        if self._agency is None:
            agency = get_agency(session)
            session.expunge(agency)
            self._agency = agency
        return self._agency


# --- reading ------------------------------------------------------------------------------


def get_story(session: Session, story_id: int) -> Story:
    story = session.get(Story, story_id)
    if story is None:
        raise NotFound(f"no story {story_id}")
    return story


def get_item(session: Session, story_id: int, language: str) -> Item:
    item = session.scalars(
        select(Item).where(Item.story_id == story_id, Item.language == language)
    ).first()
    if item is None:
        raise NotFound(f"story {story_id} has no {language!r} version", field="lang")
    return item


def _item_and_story(session: Session, story_id: int, language: str) -> tuple[Item, Story]:
    """One query: the item with its story, desk and bureau (all joined eagerly)."""
    item = session.scalars(
        select(Item).where(Item.story_id == story_id, Item.language == language)
    ).first()
    if item is None:
        if session.get(Story, story_id) is None:
            raise NotFound(f"no story {story_id}")
        raise NotFound(f"story {story_id} has no {language!r} version", field="lang")
    return item, item.story


def released_version(session: Session, uri: str, number: int | None = None) -> Version | None:
    """The newest version readers may see (or version `number`), None when there is none."""
    query = (
        select(Version)
        .join(Item, Version.item_id == Item.id)
        .where(Item.uri == uri, Version.released_at.is_not(None))
    )
    if number is not None:
        query = query.where(Version.number == number)
    return session.scalars(query.order_by(Version.number.desc()).limit(1)).first()


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


def story_path(story_id: int, language: str, slugline: str | None) -> str:
    slug = slugify(slugline or "") or "story"
    return f"/{language}/news/{story_id}-{slug}"


# --- writing ------------------------------------------------------------------------------


def _check_input(ctx: StoryContext, agency: Agency, data: ItemInput) -> None:
    check_languages([data.language], field="language")
    if data.language not in agency.languages:
        raise InvalidInput(
            f"{data.language!r} is not a working language of the agency", field="language"
        )
    if data.urgency is not None and not 1 <= data.urgency <= 9:
        raise InvalidInput("urgency runs from 1 (flash) to 9", field="urgency")
    if not clean_text(data.headline):
        raise InvalidInput("the headline is empty", field="headlines")
    if nesting_depth(data.body_html) > MAX_DEPTH:
        raise InvalidInput(
            f"the body nests markup more than {MAX_DEPTH} levels deep", field="bodies"
        )
    for code in data.subjects:
        problem = ctx.vocabulary.check(code)
        if problem:
            raise InvalidInput(problem, field="subjects")
    if len(data.pictures) > MAX_PICTURES:
        raise InvalidInput(f"at most {MAX_PICTURES} pictures per item", field="associations")
    for picture in data.pictures:
        if not _PICTURE_URL.match(picture.href) or len(picture.href) > 2000:
            raise InvalidInput(
                f"a picture needs an absolute http(s) URL, not {picture.href[:80]!r}",
                field="associations",
            )
        for size in (picture.width, picture.height):
            if size is not None and not 0 < size <= 100_000:
                raise InvalidInput(
                    "picture width and height are positive pixels", field="associations"
                )
    for name in ("firstcreated", "embargoed"):
        value: datetime | None = getattr(data, name)
        if value is not None and value.tzinfo is None:
            raise InvalidInput("times need a time zone offset (RFC 3339)", field=name)


MAX_PICTURES = 20
_PICTURE_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


def _pictures(pictures: tuple[Picture, ...]) -> list[dict[str, Any]]:
    cleaned = []
    for picture in pictures:
        cleaned.append(
            Picture(
                href=picture.href,
                caption=clean_text(picture.caption),
                alt=clean_text(picture.alt),
                credit=clean_text(picture.credit),
                mimetype=clean_text(picture.mimetype),
                width=picture.width,
                height=picture.height,
            ).model_dump(exclude_none=True)
        )
    return cleaned


def _names(values: tuple[str, ...]) -> list[str]:
    return [text for text in (clean_text(v) for v in values) if text]


def _apply(item: Item, data: ItemInput, actor: Principal) -> None:
    item.headline = clean_text(data.headline) or ""
    item.subheadline = clean_text(data.subheadline)
    item.body_html = clean_body(data.body_html)
    item.slugline = clean_text(data.slugline)
    item.byline = clean_text(data.byline)
    item.located = clean_text(data.located)
    if data.urgency is not None:
        item.urgency = data.urgency
    item.subjects = list(dict.fromkeys(data.subjects))
    item.places = _names(data.places)
    item.people = _names(data.people)
    item.organisations = _names(data.organisations)
    item.keywords = _names(data.keywords)
    item.pictures = _pictures(data.pictures)
    item.embargoed = data.embargoed
    item.ednote = clean_text(data.ednote)
    item.updated_at = db.utcnow()
    item.updated_by_id = actor.user_id


def create_story(
    session: Session,
    actor: Principal,
    ctx: StoryContext,
    data: ItemInput,
    *,
    desk_id: int,
    bureau: Bureau | None,
) -> Story:
    """A new story whose source item is `data`, as a draft."""
    agency = ctx.agency(session)
    _check_input(ctx, agency, data)
    permissions.require(permissions.can_create(actor, desk_id), "file stories in this desk")
    now = db.utcnow()
    firstcreated = data.firstcreated or now
    story = Story(
        desk_id=desk_id,
        bureau_id=bureau.id if bureau else None,
        source_language=data.language,
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(story)
    session.flush()
    _new_item(session, actor, agency, story, data, firstcreated)
    audit(session, actor, "story.create", "story", story.id, language=data.language)
    return story


def _new_item(
    session: Session,
    actor: Principal,
    agency: Agency,
    story: Story,
    data: ItemInput,
    firstcreated: datetime,
) -> Item:
    if data.uri and session.scalars(select(Item.id).where(Item.uri == data.uri)).first():
        raise Conflict(f"an item with uri {data.uri!r} exists already", field="uri")
    item = Item(
        story_id=story.id,
        language=data.language,
        uri=data.uri or item_uri(agency, firstcreated, story.id, data.language),
        status="draft",
        firstcreated=firstcreated,
    )
    _apply(item, data, actor)
    story.items.append(item)
    session.flush()
    return item


def item_uri(agency: Agency, firstcreated: datetime, story_id: int, language: str) -> str:
    return f"urn:newsml:{agency.domain}:{firstcreated:%Y%m%d}:{story_id}-{language}"


def save_item(
    session: Session,
    actor: Principal,
    ctx: StoryContext,
    story_id: int,
    data: ItemInput,
    *,
    expected_revision: int | None,
) -> tuple[Item, bool]:
    """Create or update a language version's working copy. Returns (item, created).

    Updating needs the revision the caller started from: a save based on an older revision
    is refused with Conflict, so that no one overwrites a colleague's edit unseen.
    """
    agency = ctx.agency(session)
    _check_input(ctx, agency, data)
    story = get_story(session, story_id)
    item = story.item(data.language)
    status = item.status if item else "draft"
    permissions.require(
        permissions.can_edit(actor, story, data.language, status), "edit this language version"
    )
    if item is None:
        source = story.item(story.source_language)
        firstcreated = data.firstcreated or (source.firstcreated if source else db.utcnow())
        item = _new_item(session, actor, agency, story, data, firstcreated)
        audit(session, actor, "item.create", "story", story.id, language=data.language)
        ctx.tell(session, actor, story, item, "saved")
        return item, True
    if expected_revision is None:
        raise PreconditionRequired(
            f"send If-Match with the revision you edited (now {item.revision})", field="If-Match"
        )
    if item.status == "killed":
        raise Conflict("a killed item cannot be edited", field="status")
    if expected_revision != item.revision:
        who = item.updated_by_id
        raise Conflict(
            f"the item changed since revision {expected_revision}: it is at revision "
            f"{item.revision} (last saved by user {who} at {item.updated_at:%H:%M:%S} UTC)",
            field="If-Match",
        )
    if data.firstcreated is not None:
        item.firstcreated = data.firstcreated
    _apply(item, data, actor)
    session.flush()
    audit(session, actor, "item.update", "story", story.id, language=data.language)
    ctx.tell(session, actor, story, item, "saved")
    return item, False


def draft_from_machine(
    session: Session, actor: Principal, ctx: StoryContext, story: Story, data: ItemInput
) -> Item | None:
    """A language version's first working copy, written by the translation desk's machine
    draft; None (and nothing changed) when someone already started that version."""
    if story.item(data.language) is not None:
        return None
    agency = ctx.agency(session)
    _check_input(ctx, agency, data)
    source = story.item(story.source_language)
    firstcreated = source.firstcreated if source else db.utcnow()
    item = _new_item(session, actor, agency, story, data, firstcreated)
    audit(session, actor, "item.machine_draft", "story", story.id, language=data.language)
    return item


def submit(
    session: Session, actor: Principal, ctx: StoryContext, story_id: int, language: str
) -> Item:
    item, story = _item_and_story(session, story_id, language)
    permissions.require(
        permissions.can_edit(actor, story, language, item.status), "submit this item"
    )
    if item.status != "draft":
        raise Conflict(f"only a draft can be submitted; this item is {item.status}")
    item.status = "submitted"
    audit(session, actor, "item.submit", "story", story_id, language=language)
    ctx.tell(session, actor, story, item, "submitted")
    return item


def item_place(story: Story, item: Item) -> str | None:
    """The dateline's place: the item's own, or its bureau's city in the item's language."""
    bureau = story.bureau
    return item.located or (bureau.city_in(item.language) if bureau else None)


def item_dateline(agency: Agency, story: Story, item: Item) -> str:
    """The dateline an item is published with, in its bureau's time zone."""
    timezone = story.bureau.timezone if story.bureau else agency.timezone
    return render_dateline(
        item_place(story, item),
        item.firstcreated,
        timezone,
        item.language,
        agency.short_name_in(item.language),
    )


def _document(
    ctx: StoryContext,
    agency: Agency,
    story: Story,
    item: Item,
    *,
    number: int,
    pubstatus: str,
    now: datetime,
    note: str | None,
) -> ItemDocument:
    place = item_place(story, item)
    return ItemDocument(
        uri=item.uri,
        version=number,
        pubstatus=pubstatus,
        language=item.language,
        firstcreated=item.firstcreated,
        versioncreated=now,
        embargoed=item.embargoed if item.embargoed and item.embargoed > now else None,
        urgency=item.urgency,
        headline=item.headline,
        subheadline=item.subheadline,
        body_html=item.body_html,
        slugline=item.slugline,
        byline=item.byline,
        located=place,
        dateline=item_dateline(agency, story, item),
        subjects=tuple(
            Subject(code=code, name=ctx.vocabulary.label(code, item.language))
            for code in item.subjects
        ),
        places=tuple(item.places),
        people=tuple(item.people),
        organisations=tuple(item.organisations),
        keywords=tuple(item.keywords),
        pictures=tuple(Picture.model_validate(p) for p in item.pictures or ()),
        ednote=item.ednote,
        correction_note=note,
        copyrightholder=agency.name_in(item.language),
        agency_domain=agency.domain,
        story_id=story.id,
        canonical_url=ctx.public_url + story_path(story.id, item.language, item.slugline),
    )


def _new_version(
    session: Session,
    actor: Principal,
    ctx: StoryContext,
    story: Story,
    item: Item,
    *,
    pubstatus: str,
    kind: str,
    note: str | None,
    at: datetime | None = None,
) -> Version:
    agency = ctx.agency(session)
    now = at or db.utcnow()
    number = item.current_version + 1
    document = _document(
        ctx, agency, story, item, number=number, pubstatus=pubstatus, now=now, note=note
    )
    held = kind == "published" and document.embargoed is not None
    version = Version(
        item=item,
        number=number,
        pubstatus=pubstatus,
        document=document.model_dump(mode="json", exclude_none=True),
        note=note,
        embargoed=document.embargoed,
        created_at=now,
        created_by_id=actor.user_id,
        released_at=None if held else now,
    )
    session.add(version)
    item.current_version = number
    if kind == "killed":
        item.status = "killed"
    elif held:
        item.status = "scheduled"
    else:
        item.status = "published"
        if item.published_at is None:
            item.published_at = now
    if held:
        session.flush()
        publish_queue.enqueue_embargoed(session, story, item, version)
    else:
        _feed_event(session, story, item, version, kind)
    audit(session, actor, f"item.{kind}", "story", story.id, language=item.language, version=number)
    ctx.tell(session, actor, story, item, kind, version)
    return version


def _feed_event(session: Session, story: Story, item: Item, version: Version, kind: str) -> None:
    """Make a version visible: its feed event and what the reader website shows."""
    db.serialise_publications(session)
    released_at = version.released_at or db.utcnow()
    event = FeedEvent(
        kind=kind,
        version_row=version,
        item_id=item.id,
        story_id=story.id,
        uri=item.uri,
        version=version.number,
        language=item.language,
        subjects=list(item.subjects),
        desk_id=story.desk_id,
        bureau_id=story.bureau_id,
        origin=story.origin,
        urgency=item.urgency,
        created_at=released_at,
    )
    session.add(event)
    session.flush()
    # The publish queue's rows, in this same transaction: no crash can lose a delivery.
    publish_queue.enqueue(session, event, embargoed=False)
    entries.record(
        session,
        kind=kind,
        seq=event.seq,
        item_id=item.id,
        story_id=story.id,
        path=story_path(story.id, item.language, version.document.get("slugline")),
        document=version.document,
        released_at=released_at,
    )
    db.notify_publication(session)


def publish(
    session: Session,
    actor: Principal,
    ctx: StoryContext,
    story_id: int,
    language: str,
    *,
    at: datetime | None = None,
    override: bool = False,
) -> Version:
    """Publish a draft or submitted item as version 1 (held back while an embargo runs).

    `at` backdates the publication (imports and the demo); it defaults to now. `override`
    publishes over the listeners' objections that allow one (QA findings), on the record.
    """
    item, story = _item_and_story(session, story_id, language)
    permissions.require(permissions.can_publish(actor, story, language), "publish this item")
    if item.status not in ("draft", "submitted"):
        raise Conflict(
            f"this item is {item.status}; a published item changes by correction", field="status"
        )
    if language != story.source_language:
        source = story.item(story.source_language)
        if source is None or source.status not in ("published", "scheduled"):
            raise Conflict("publish the source item first", field="lang")
    for listener in ctx.listeners:
        listener.before_publish(session, actor, story, item, override=override)
    return _new_version(
        session, actor, ctx, story, item, pubstatus="usable", kind="published", note=None, at=at
    )


def correct(
    session: Session,
    actor: Principal,
    ctx: StoryContext,
    story_id: int,
    language: str,
    note: str | None,
    *,
    at: datetime | None = None,
    override: bool = False,
) -> Version:
    """Publish the current working copy as a new version of a published item."""
    item, story = _item_and_story(session, story_id, language)
    permissions.require(permissions.can_publish(actor, story, language), "correct this item")
    if item.status != "published":
        raise Conflict(f"only a published item can be corrected; this one is {item.status}")
    for listener in ctx.listeners:
        listener.before_publish(session, actor, story, item, override=override)
    return _new_version(
        session,
        actor,
        ctx,
        story,
        item,
        pubstatus="usable",
        kind="corrected",
        note=clean_text(note),
        at=at,
    )


def kill(
    session: Session,
    actor: Principal,
    ctx: StoryContext,
    story_id: int,
    language: str,
    reason: str | None,
    *,
    at: datetime | None = None,
) -> Version:
    """Withdraw an item: a last version with pubstatus `canceled` that every channel honours."""
    item, story = _item_and_story(session, story_id, language)
    permissions.require(permissions.can_kill(actor, story), "kill this item")
    if item.status not in ("published", "scheduled"):
        raise Conflict(f"only a published item can be killed; this one is {item.status}")
    return _new_version(
        session,
        actor,
        ctx,
        story,
        item,
        pubstatus="canceled",
        kind="killed",
        note=clean_text(reason),
        at=at,
    )


def release_due_embargoes(session: Session, now: datetime | None = None) -> int:
    """Release every held version whose embargo has passed; returns how many."""
    now = now or db.utcnow()
    due = session.scalars(
        select(Version)
        .join(Item, Version.item_id == Item.id)
        .where(Version.released_at.is_(None), Version.embargoed <= now, Item.status == "scheduled")
        .order_by(Version.embargoed, Version.id)
    ).all()
    for version in due:
        item = version.item
        version.released_at = now
        item.status = "published"
        item.published_at = item.published_at or now
        story = item.story
        session.flush()
        _feed_event(session, story, item, version, "published")
        audit(session, SYSTEM_ACTOR, "item.released", "story", story.id, language=item.language)
    return len(due)


def next_embargo(session: Session) -> datetime | None:
    return session.scalars(
        select(Version.embargoed)
        .join(Item, Version.item_id == Item.id)
        .where(
            Version.released_at.is_(None),
            Version.embargoed.is_not(None),
            Item.status == "scheduled",
        )
        .order_by(Version.embargoed)
        .limit(1)
    ).first()


SYSTEM_ACTOR = Principal(name="embargo", role="system")
