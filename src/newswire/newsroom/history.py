"""A story's history for the newsroom: its versions in every language, its audit log, and the
two versions (or working copies) a writer wants to compare.

Plain functions over a session; the views only call them and render what they return.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.agency.models import AuditEntry, User
from newswire.agency.services import Principal
from newswire.errors import InvalidInput, NotFound
from newswire.newsroom import diff
from newswire.newsroom.i18n import N_
from newswire.newsroom.render import format_when
from newswire.stories import permissions
from newswire.stories.dateline import render_dateline
from newswire.stories.document import ItemDocument
from newswire.stories.models import Item, Story, Version
from newswire.stories.sanitize import clean_body
from newswire.stories.services import StoryContext, get_story

# What each audited story action reads as in the log ("editor · published a correction").
ACTION_PHRASES = {
    "story.create": N_("filed the story"),
    "item.create": N_("added a language version"),
    "item.update": N_("saved"),
    "item.submit": N_("submitted"),
    "item.published": N_("published"),
    "item.corrected": N_("published a correction"),
    "item.killed": N_("killed"),
    "item.released": N_("released when the embargo ended"),
}

STATUS_NAMES = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "scheduled": N_("scheduled"),
    "published": N_("published"),
    "killed": N_("killed"),
}

# What made each version: the first publication, a correction, or the kill.
VERSION_KINDS = {
    "published": N_("publication"),
    "corrected": N_("correction"),
    "killed": N_("kill"),
}

FIELD_NAMES = {
    "headline": N_("Headline"),
    "subheadline": N_("Subheadline"),
    "slugline": N_("Slugline"),
    "byline": N_("Byline"),
    "dateline": N_("Dateline"),
    "urgency": N_("Urgency"),
    "subjects": N_("Subjects"),
    "places": N_("Places"),
    "keywords": N_("Keywords"),
    "embargo": N_("Embargo"),
    "pictures": N_("Pictures"),
}


# --- who may look -------------------------------------------------------------------------


def get_visible_story(session: Session, story_id: int, actor: Principal) -> Story:
    """The story, when `actor` sees its desk (Forbidden otherwise)."""
    story = get_story(session, story_id)
    permissions.require_visible(actor, story)
    return story


# --- the history page ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VersionRow:
    id: int
    number: int
    pubstatus: str
    kind: str  # published | corrected | killed
    headline: str
    note: str | None  # the correction note or the kill reason
    created_at: datetime
    created_by: str | None
    released_at: datetime | None  # None while an embargo holds it back
    embargoed: datetime | None

    @property
    def ref(self) -> str:
        return version_ref(self.id)


@dataclass(frozen=True, slots=True)
class LanguageHistory:
    """One language version: its working copy now, and its published versions, newest first."""

    language: str
    is_source: bool
    status: str
    revision: int
    headline: str
    updated_at: datetime
    updated_by: str | None
    current_version: int
    versions: tuple[VersionRow, ...]

    @property
    def ref(self) -> str:
        return current_ref(self.language)


@dataclass(frozen=True, slots=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    phrase: str | None  # an interface message; None for actions without one (shown as-is)
    language: str | None
    version: int | None


@dataclass(frozen=True, slots=True)
class StoryHistory:
    story_id: int
    desk: str
    source_language: str
    created_at: datetime
    created_by: str | None
    languages: tuple[LanguageHistory, ...]
    audit: tuple[AuditRow, ...]  # oldest first

    @property
    def headline(self) -> tuple[str, str]:
        """The source item's headline and its language (for the page title)."""
        for language in self.languages:
            if language.is_source:
                return language.headline, language.language
        first = self.languages[0] if self.languages else None
        return (first.headline, first.language) if first else ("", self.source_language)

    def default_pair(self) -> tuple[str, str]:
        """What the compare form starts with: the source's last change, published or not."""
        source = next((lang for lang in self.languages if lang.is_source), None)
        if source is None:
            return "", ""
        if len(source.versions) >= 2:
            return source.versions[1].ref, source.versions[0].ref
        if source.versions:
            return source.versions[0].ref, source.ref
        return source.ref, source.ref


def version_ref(version_id: int) -> str:
    return f"v{version_id}"


def current_ref(language: str) -> str:
    return f"current-{language}"


def _version_kind(version: Version) -> str:
    if version.pubstatus == "canceled":
        return "killed"
    return "published" if version.number == 1 else "corrected"


def _user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {user_id for user_id in ids if user_id is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all()
    return {row.id: row.name for row in rows}


def _language_order(story: Story, working: list[str]) -> dict[str, int]:
    order = {story.source_language: -1}
    for position, code in enumerate(working):
        order.setdefault(code, position)
    return order


def story_history(session: Session, ctx: StoryContext, story: Story, ui: str) -> StoryHistory:
    """Every version of every language version of `story`, and its audit log."""
    items = list(story.items)
    versions = (
        session.scalars(
            select(Version)
            .where(Version.item_id.in_([item.id for item in items]))
            .order_by(Version.item_id, Version.number.desc())
        ).all()
        if items
        else []
    )
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "story", AuditEntry.object_id == story.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    names = _user_names(
        session,
        [story.created_by_id]
        + [item.updated_by_id for item in items]
        + [version.created_by_id for version in versions],
    )
    by_item: dict[int, list[VersionRow]] = {item.id: [] for item in items}
    for version in versions:
        by_item[version.item_id].append(
            VersionRow(
                id=version.id,
                number=version.number,
                pubstatus=version.pubstatus,
                kind=_version_kind(version),
                headline=str(version.document.get("headline") or ""),
                note=version.note,
                created_at=version.created_at,
                created_by=names.get(version.created_by_id or 0),
                released_at=version.released_at,
                embargoed=version.embargoed,
            )
        )
    order = _language_order(story, list(ctx.agency(session).languages))
    items.sort(key=lambda item: (order.get(item.language, len(order)), item.language))
    languages = tuple(
        LanguageHistory(
            language=item.language,
            is_source=item.language == story.source_language,
            status=item.status,
            revision=item.revision,
            headline=item.headline,
            updated_at=item.updated_at,
            updated_by=names.get(item.updated_by_id or 0),
            current_version=item.current_version,
            versions=tuple(by_item[item.id]),
        )
        for item in items
    )
    audit = tuple(
        AuditRow(
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            phrase=ACTION_PHRASES.get(entry.action),
            language=_text(entry.detail.get("language")),
            version=_number(entry.detail.get("version")),
        )
        for entry in entries
    )
    return StoryHistory(
        story_id=story.id,
        desk=story.desk.name_in(ui),
        source_language=story.source_language,
        created_at=story.created_at,
        created_by=names.get(story.created_by_id or 0),
        languages=languages,
        audit=audit,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- one version --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VersionPage:
    story_id: int
    version: VersionRow
    document: ItemDocument
    body_html: str  # sanitised again here: only this may be rendered as markup
    newer: int | None  # the ids of the neighbouring versions of the same item
    older: int | None


def _story_version(session: Session, story: Story, version_id: int) -> Version:
    version = session.get(Version, version_id)
    if version is None or version.item.story_id != story.id:
        raise NotFound(f"story {story.id} has no version {version_id}")
    return version


def version_page(session: Session, story: Story, version_id: int) -> VersionPage:
    version = _story_version(session, story, version_id)
    document = ItemDocument.model_validate(version.document)
    numbers = dict(
        session.execute(
            select(Version.number, Version.id).where(Version.item_id == version.item_id)
        ).all()
    )
    names = _user_names(session, [version.created_by_id])
    row = VersionRow(
        id=version.id,
        number=version.number,
        pubstatus=version.pubstatus,
        kind=_version_kind(version),
        headline=document.headline,
        note=version.note,
        created_at=version.created_at,
        created_by=names.get(version.created_by_id or 0),
        released_at=version.released_at,
        embargoed=version.embargoed,
    )
    return VersionPage(
        story_id=story.id,
        version=row,
        document=document,
        # Bodies were sanitised when saved; cleaning again costs little and keeps any document
        # written by other means (an import, an older release) inert as well.
        body_html=clean_body(document.body_html),
        newer=numbers.get(version.number + 1),
        older=numbers.get(version.number - 1),
    )


# --- comparing two versions ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A version, or a working copy, reduced to what the diff compares."""

    ref: str
    language: str
    number: int | None  # None for the working copy
    status: str  # the version's kind, or the working copy's status
    at: datetime
    by: str | None
    note: str | None
    headline: str
    subheadline: str | None
    slugline: str | None
    byline: str | None
    dateline: str | None
    urgency: int
    subjects: tuple[tuple[str, str], ...]  # (code, label in the interface language)
    places: tuple[str, ...]
    keywords: tuple[str, ...]
    embargo: str | None  # formatted for the reader of the page
    pictures: tuple[str, ...]  # captions
    body_html: str


@dataclass(frozen=True, slots=True)
class StoryDiff:
    story_id: int
    a: Snapshot
    b: Snapshot
    fields: tuple[diff.FieldDiff, ...]
    body: tuple[diff.ParagraphDiff, ...]

    @property
    def same_language(self) -> bool:
        return self.a.language == self.b.language

    @property
    def changed(self) -> bool:
        return any(f.changed for f in self.fields) or any(p.kind != "equal" for p in self.body)

    def blocks(self) -> list[diff.Block]:
        """The body with long runs of unchanged paragraphs folded away."""
        return diff.collapse(self.body)


_REF = re.compile(
    r"^(?:v(?P<version>\d{1,9})|current-(?P<language>[a-z]{2,3}(?:-[A-Za-z]{2,4})?))$"
)


def _subjects(
    ctx: StoryContext, codes: Iterable[tuple[str, str | None]], ui: str
) -> tuple[tuple[str, str], ...]:
    return tuple((code, ctx.vocabulary.label(code, ui) or name or code) for code, name in codes)


def _caption(caption: str | None, alt: str | None, href: str) -> str:
    return caption or alt or href.rsplit("/", 1)[-1]


def snapshot(
    session: Session,
    ctx: StoryContext,
    story: Story,
    ref: str,
    *,
    ui: str,
    timezone: str,
    field: str = "a",
) -> Snapshot:
    """The version `v<id>` or the working copy `current-<language>` of `story`."""
    found = _REF.match(ref)
    if found is None:
        raise InvalidInput(f"{ref[:40]!r} names no version of this story", field=field)
    if found["version"]:
        version = _story_version(session, story, int(found["version"]))
        document = ItemDocument.model_validate(version.document)
        names = _user_names(session, [version.created_by_id])
        return Snapshot(
            ref=ref,
            language=document.language,
            number=version.number,
            status=_version_kind(version),
            at=version.created_at,
            by=names.get(version.created_by_id or 0),
            note=version.note,
            headline=document.headline,
            subheadline=document.subheadline,
            slugline=document.slugline,
            byline=document.byline,
            dateline=document.dateline,
            urgency=document.urgency,
            subjects=_subjects(ctx, ((s.code, s.name) for s in document.subjects), ui),
            places=document.places,
            keywords=document.keywords,
            embargo=_when(document.embargoed, ui, timezone),
            pictures=tuple(_caption(p.caption, p.alt, p.href) for p in document.pictures),
            body_html=document.body_html,
        )
    language = found["language"]
    item = story.item(language)
    if item is None:
        raise NotFound(f"story {story.id} has no {language!r} version", field="lang")
    return _working_copy(session, ctx, story, item, ref, ui=ui, timezone=timezone)


def _working_copy(
    session: Session,
    ctx: StoryContext,
    story: Story,
    item: Item,
    ref: str,
    *,
    ui: str,
    timezone: str,
) -> Snapshot:
    agency = ctx.agency(session)
    bureau = story.bureau
    place = item.located or (bureau.city_in(item.language) if bureau else None)
    names = _user_names(session, [item.updated_by_id])
    return Snapshot(
        ref=ref,
        language=item.language,
        number=None,
        status=item.status,
        at=item.updated_at,
        by=names.get(item.updated_by_id or 0),
        note=None,
        headline=item.headline,
        subheadline=item.subheadline,
        slugline=item.slugline,
        byline=item.byline,
        # As the next version would print it, so that an unchanged dateline compares equal.
        dateline=render_dateline(
            place,
            item.firstcreated,
            bureau.timezone if bureau else agency.timezone,
            item.language,
            agency.short_name_in(item.language),
        ),
        urgency=item.urgency,
        subjects=_subjects(ctx, ((code, None) for code in item.subjects), ui),
        places=tuple(item.places),
        keywords=tuple(item.keywords),
        embargo=_when(item.embargoed, ui, timezone),
        pictures=tuple(
            _caption(p.get("caption"), p.get("alt"), str(p.get("href", ""))) for p in item.pictures
        ),
        body_html=item.body_html,
    )


def _when(value: datetime | None, ui: str, timezone: str) -> str | None:
    return format_when(value, ui, timezone, short=False) if value else None


def compare(a: Snapshot, b: Snapshot, story_id: int) -> StoryDiff:
    """Field by field, then the body paragraph by paragraph, from `a` to `b`."""
    fields = (
        diff.text_field(FIELD_NAMES["headline"], a.headline, b.headline),
        diff.text_field(FIELD_NAMES["subheadline"], a.subheadline, b.subheadline),
        diff.text_field(FIELD_NAMES["slugline"], a.slugline, b.slugline),
        diff.text_field(FIELD_NAMES["byline"], a.byline, b.byline),
        diff.text_field(FIELD_NAMES["dateline"], a.dateline, b.dateline),
        diff.value_field(FIELD_NAMES["urgency"], str(a.urgency), str(b.urgency)),
        diff.list_field(FIELD_NAMES["subjects"], a.subjects, b.subjects),
        diff.list_field(FIELD_NAMES["places"], _pairs(a.places), _pairs(b.places)),
        diff.list_field(FIELD_NAMES["keywords"], _pairs(a.keywords), _pairs(b.keywords)),
        diff.value_field(FIELD_NAMES["embargo"], a.embargo, b.embargo),
        diff.list_field(FIELD_NAMES["pictures"], _pairs(a.pictures), _pairs(b.pictures)),
    )
    similarity = diff.SAME_LANGUAGE_SIMILARITY if a.language == b.language else 0.0
    body = diff.body_diff(a.body_html, b.body_html, min_similarity=similarity)
    return StoryDiff(story_id=story_id, a=a, b=b, fields=fields, body=tuple(body))


def _pairs(values: Iterable[str]) -> list[tuple[str, str]]:
    return [(value, value) for value in values]


def story_diff(
    session: Session,
    ctx: StoryContext,
    story: Story,
    a: str,
    b: str,
    *,
    ui: str,
    timezone: str,
) -> StoryDiff:
    first = snapshot(session, ctx, story, a, ui=ui, timezone=timezone, field="a")
    second = snapshot(session, ctx, story, b, ui=ui, timezone=timezone, field="b")
    return compare(first, second, story.id)
