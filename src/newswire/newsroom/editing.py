"""The story editor's services: form ↔ ItemInput, embargo times, conflicts, one-transaction actions.

The editor's form is plain text fields (comma-separated lists, a `datetime-local` embargo in
the bureau's time zone). `EditorForm` holds what the user typed, so that a refused save can
show it again unchanged; `to_input` turns it into the `ItemInput` the story services take.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.agency.models import Agency, Bureau, User
from newswire.agency.services import Principal
from newswire.errors import InvalidInput, NotFound
from newswire.newsroom.i18n import N_
from newswire.newsroom.models import MediaFile
from newswire.newsroom.render import zone
from newswire.stories import permissions, services
from newswire.stories.dateline import render_dateline
from newswire.stories.document import ItemInput, Picture
from newswire.stories.models import Item, Story
from newswire.stories.sanitize import clean_body, clean_text
from newswire.stories.services import StoryContext
from newswire.stories.topics import Vocabulary

# The editor's fields in the order the form shows them, with their labels (for conflicts).
FIELD_LABELS = {
    "headline": N_("Headline"),
    "subheadline": N_("Subheadline"),
    "slugline": N_("Slugline"),
    "byline": N_("Byline"),
    "located": N_("Dateline place"),
    "urgency": N_("Urgency"),
    "subjects": N_("Media Topics"),
    "places": N_("Places"),
    "keywords": N_("Keywords"),
    "ednote": N_("Editorial note"),
    "embargo": N_("Embargo"),
    "body_html": N_("Body"),
}

URGENCY_LABELS = {
    1: N_("1 · flash"),
    2: N_("2 · bulletin"),
    3: N_("3 · urgent"),
    4: "4",
    5: N_("5 · routine"),
    6: "6",
    7: "7",
    8: "8",
    9: N_("9 · lowest"),
}

# The story services name fields as the writing API does; the form names them its own way.
_FORM_FIELD = {
    "headlines": "headline",
    "bodies": "body_html",
    "embargoed": "embargo",
    "associations": "file",
    "If-Match": "revision",
}

# The longest input accepted (slugline, byline and place are column sizes of `Item`): longer
# input is refused with a message rather than by the database.
_LIMITS = {
    "headline": 2000,
    "subheadline": 4000,
    "slugline": 200,
    "byline": 300,
    "located": 200,
    "subjects": 4000,
    "places": 4000,
    "keywords": 4000,
    "ednote": 4000,
    "embargo": 40,
    "urgency": 2,
    "revision": 12,
    "note": 2000,
}

_LIST_SEPARATOR = re.compile(r"[,\n;]+")


def form_field(service_field: str | None) -> str | None:
    """The editor's name for a field that a story service named in an error."""
    if service_field is None:
        return None
    return _FORM_FIELD.get(service_field, service_field)


# --- the form --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EditorForm:
    """What the editor's form holds, as text: either typed by the user or read from an item."""

    headline: str = ""
    subheadline: str = ""
    slugline: str = ""
    byline: str = ""
    located: str = ""
    urgency: str = "5"
    subjects: str = ""
    places: str = ""
    keywords: str = ""
    ednote: str = ""
    embargo: str = ""
    body_html: str = ""
    revision: str = ""
    note: str = ""

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> EditorForm | None:
        """The posted fields; None when the post carried no item fields (only a button)."""
        if "headline" not in values:
            return None
        texts = {}
        for name in (f.name for f in fields(cls)):
            value = values.get(name)
            text = value if isinstance(value, str) else ""
            limit = _LIMITS.get(name)
            if limit is not None and len(text) > limit:
                raise InvalidInput(f"{name} is longer than {limit} characters", field=name)
            texts[name] = text
        return cls(**texts)

    @property
    def subject_codes(self) -> tuple[str, ...]:
        return split_list(self.subjects)

    def expected_revision(self) -> int | None:
        if not self.revision.strip():
            return None
        try:
            return int(self.revision)
        except ValueError:
            raise InvalidInput("the form's revision is not a number", field="revision") from None


def split_list(text: str) -> tuple[str, ...]:
    """Comma-separated values (also semicolons or lines), stripped, without repeats."""
    return tuple(
        dict.fromkeys(part.strip() for part in _LIST_SEPARATOR.split(text) if part.strip())
    )


def form_of_item(item: Item, timezone: str, city: str | None) -> EditorForm:
    """The form showing an item's working copy; the place defaults to the bureau's city."""
    return EditorForm(
        headline=item.headline,
        subheadline=item.subheadline or "",
        slugline=item.slugline or "",
        byline=item.byline or "",
        located=item.located or city or "",
        urgency=str(item.urgency),
        subjects=", ".join(item.subjects or ()),
        places=", ".join(item.places or ()),
        keywords=", ".join(item.keywords or ()),
        ednote=item.ednote or "",
        embargo=embargo_local(item.embargoed, timezone),
        body_html=item.body_html,
        revision=str(item.revision),
    )


def form_from_source(source: Item | None, timezone: str, city: str | None) -> EditorForm:
    """An empty language version, prefilled with the source item's metadata (not its text)."""
    if source is None:
        return EditorForm(located=city or "")
    return EditorForm(
        slugline=source.slugline or "",
        byline=source.byline or "",
        located=city or "",
        urgency=str(source.urgency),
        subjects=", ".join(source.subjects or ()),
        places=", ".join(source.places or ()),
        embargo=embargo_local(source.embargoed, timezone),
    )


# --- embargo times -----------------------------------------------------------------------------


def embargo_local(moment: datetime | None, timezone: str) -> str:
    """A UTC time as a `datetime-local` value in `timezone` ("2030-06-01T09:30")."""
    if moment is None:
        return ""
    return moment.astimezone(zone(timezone)).strftime("%Y-%m-%dT%H:%M")


def embargo_utc(value: str, timezone: str) -> datetime | None:
    """A `datetime-local` value typed in `timezone`, as an aware UTC time; None when empty.

    A time that a clock change skips or repeats is read as the first such moment (fold 0).
    """
    text = value.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"the embargo {text!r} is not a date and time like 2030-06-01T09:30", field="embargo"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(timezone))
    return moment.astimezone(UTC)


# --- form → ItemInput ------------------------------------------------------------------------


def to_input(
    form: EditorForm,
    language: str,
    timezone: str,
    keep: Item | None,
    pictures: tuple[Picture, ...] = (),
) -> ItemInput:
    """The ItemInput a form describes. What the form does not edit (people, organisations,
    pictures) is kept from `keep`, the stored item, or taken from `pictures` for a new one."""
    urgency_text = form.urgency.strip()
    try:
        urgency = int(urgency_text) if urgency_text else None
    except ValueError:
        raise InvalidInput("urgency runs from 1 (flash) to 9", field="urgency") from None
    if keep is not None:
        pictures = tuple(Picture.model_validate(p) for p in keep.pictures or ())
    return ItemInput(
        language=language,
        headline=form.headline,
        subheadline=form.subheadline or None,
        body_html=form.body_html,
        slugline=form.slugline or None,
        byline=form.byline or None,
        located=form.located or None,
        urgency=urgency,
        subjects=form.subject_codes,
        places=split_list(form.places),
        people=tuple(keep.people or ()) if keep else (),
        organisations=tuple(keep.organisations or ()) if keep else (),
        keywords=split_list(form.keywords),
        pictures=pictures,
        embargoed=embargo_utc(form.embargo, timezone),
        ednote=form.ednote or None,
    )


# --- comparing the user's version with the stored one ------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A field whose value in the user's version differs from the stored one."""

    name: str
    label: str  # a msgid: translate it for display
    mine: str
    theirs: str


def _names(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(text for text in (clean_text(v) for v in values) if text)


def _embargo_text(moment: datetime | None, timezone: str) -> str:
    return f"{embargo_local(moment, timezone).replace('T', ' ')} ({timezone})" if moment else ""


def changed_fields(
    data: ItemInput, item: Item, timezone: str, city: str | None
) -> list[FieldChange]:
    """Fields of `data` that differ from `item` once cleaned as the story services clean them.

    Empty when saving `data` would change nothing the editor shows."""
    mine = {
        "headline": clean_text(data.headline) or "",
        "subheadline": clean_text(data.subheadline) or "",
        "slugline": clean_text(data.slugline) or "",
        "byline": clean_text(data.byline) or "",
        "located": clean_text(data.located) or city or "",
        "urgency": str(data.urgency if data.urgency is not None else item.urgency),
        "subjects": ", ".join(dict.fromkeys(data.subjects)),
        "places": _names(data.places),
        "keywords": _names(data.keywords),
        "ednote": clean_text(data.ednote) or "",
        "embargo": _embargo_text(data.embargoed, timezone),
        "body_html": clean_body(data.body_html),
    }
    theirs = {
        "headline": item.headline,
        "subheadline": item.subheadline or "",
        "slugline": item.slugline or "",
        "byline": item.byline or "",
        "located": item.located or city or "",
        "urgency": str(item.urgency),
        "subjects": ", ".join(item.subjects or ()),
        "places": ", ".join(item.places or ()),
        "keywords": ", ".join(item.keywords or ()),
        "ednote": item.ednote or "",
        "embargo": _embargo_text(item.embargoed, timezone),
        "body_html": item.body_html,
    }
    return [
        FieldChange(name, FIELD_LABELS[name], mine[name], theirs[name])
        for name in FIELD_LABELS
        if mine[name] != theirs[name]
    ]


class EditConflict(Exception):
    """Someone saved the item after the user loaded it, and the user's version differs."""

    def __init__(
        self,
        revision: int,
        changed_by: str | None,
        changed_at: datetime,
        changes: tuple[FieldChange, ...],
    ) -> None:
        super().__init__(f"the item is at revision {revision}")
        self.revision = revision  # the form carries it, so that a second save overwrites
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.changes = changes


# --- loading the editor ------------------------------------------------------------------------


@dataclass(slots=True)
class EditorState:
    """Everything the editor page shows, read in two queries."""

    story: Story
    agency: Agency
    language: str
    item: Item | None  # None: the language version does not exist yet
    items: list[Item]  # every language version of the story
    source: Item | None
    timezone: str  # the bureau's (else the agency's): embargoes are entered in it
    city: str | None  # the bureau's city in this language: the default dateline place
    updated_by: str | None

    @property
    def machine_draft(self) -> bool:
        """A working copy nobody has saved yet: the translation desk's machine draft."""
        return self.item is not None and self.item.updated_by_id is None and self.item.revision == 1

    pictures: list[Picture] = field(default_factory=list)

    @property
    def status(self) -> str | None:
        return self.item.status if self.item else None

    @property
    def missing_languages(self) -> list[str]:
        present = {item.language for item in self.items}
        return [code for code in self.agency.languages if code not in present]


def load_editor(session: Session, ctx: StoryContext, story_id: int, language: str) -> EditorState:
    """The story with every language version (one query), and who saved this one last."""
    agency = ctx.agency(session)
    if language not in agency.languages:
        raise NotFound(f"{language!r} is not a working language of the agency", field="lang")
    items = list(session.scalars(select(Item).where(Item.story_id == story_id).order_by(Item.id)))
    story = items[0].story if items else session.get(Story, story_id)
    if story is None:
        raise NotFound(f"no story {story_id}")
    item = next((i for i in items if i.language == language), None)
    source = next((i for i in items if i.language == story.source_language), None)
    bureau = story.bureau
    updated_by = None
    if item is not None and item.updated_by_id is not None:
        updated_by = session.scalar(select(User.name).where(User.id == item.updated_by_id))
    state = EditorState(
        story=story,
        agency=agency,
        language=language,
        item=item,
        items=items,
        source=source,
        timezone=bureau.timezone if bureau else agency.timezone,
        city=bureau.city_in(language) if bureau else None,
        updated_by=updated_by,
    )
    if item is not None:
        state.pictures = [Picture.model_validate(p) for p in item.pictures or ()]
    elif source is not None:
        state.pictures = list(pictures_for_language(session, story.id, source, language))
    return state


def dateline_parts(state: EditorState, place: str | None) -> tuple[str, str, str]:
    """(full dateline, the dateline without its place, the separator before the rest).

    The editor's script rebuilds the preview from the last two as the place is typed."""
    when = state.item.firstcreated if state.item else None
    if when is None:
        when = state.source.firstcreated if state.source else datetime.now(UTC)
    agency = state.agency.short_name_in(state.language)
    rest = render_dateline(None, when, state.timezone, state.language, agency)
    marked = render_dateline("\x00", when, state.timezone, state.language, agency)
    separator = marked[1 : len(marked) - len(rest)]
    full = render_dateline(place or None, when, state.timezone, state.language, agency)
    return full, rest, separator


@dataclass(frozen=True, slots=True)
class Actions:
    """Which buttons the editor shows; the story services enforce the same rules."""

    save: bool
    submit: bool
    publish: bool
    correct: bool
    kill: bool
    pictures: bool


def allowed_actions(actor: Principal, state: EditorState) -> Actions:
    story, language = state.story, state.language
    status = state.status or "draft"
    editable = status != "killed" and permissions.can_edit(actor, story, language, status)
    may_publish = permissions.can_publish(actor, story, language)
    source_out = language == story.source_language or (
        state.source is not None and state.source.status in ("published", "scheduled")
    )
    return Actions(
        save=editable,
        submit=editable and status == "draft",
        publish=may_publish and status in ("draft", "submitted") and source_out,
        correct=editable and may_publish and status == "published",
        kill=permissions.can_kill(actor, story) and status in ("published", "scheduled"),
        pictures=editable and state.item is not None,
    )


# --- saving ------------------------------------------------------------------------------------


def pictures_for_language(
    session: Session, story_id: int, source: Item, language: str
) -> tuple[Picture, ...]:
    """The source item's pictures with their captions in `language`, where the upload gave one."""
    rows = session.scalars(select(MediaFile).where(MediaFile.story_id == story_id)).all()
    captions = {row.filename: row.captions or {} for row in rows}
    result = []
    for data in source.pictures or ():
        picture = Picture.model_validate(data)
        filename = picture.href.rsplit("/", 1)[-1]
        caption = captions.get(filename, {}).get(language)
        result.append(picture.model_copy(update={"caption": caption}) if caption else picture)
    return tuple(result)


def save_form(
    session: Session,
    actor: Principal,
    ctx: StoryContext,
    story_id: int,
    language: str,
    form: EditorForm,
) -> Item:
    """Save the editor's form when it changes anything; returns the stored item.

    A form based on an older revision that differs from the stored item raises EditConflict;
    one that differs in nothing is no conflict, since saving it would change nothing.
    """
    agency = ctx.agency(session)
    if language not in agency.languages:
        raise NotFound(f"{language!r} is not a working language of the agency", field="lang")
    story = services.get_story(session, story_id)
    bureau = story.bureau
    timezone = bureau.timezone if bureau else agency.timezone
    city = bureau.city_in(language) if bureau else None
    item = story.item(language)
    expected = form.expected_revision()
    if item is None:
        source = story.item(story.source_language)
        pictures = pictures_for_language(session, story.id, source, language) if source else ()
        data = to_input(form, language, timezone, None, pictures)
        created, _ = services.save_item(session, actor, ctx, story_id, data, expected_revision=None)
        return created
    data = to_input(form, language, timezone, item)
    changes = changed_fields(data, item, timezone, city)
    if not changes:
        return item
    permissions.require(
        permissions.can_edit(actor, story, language, item.status), "edit this language version"
    )
    if expected != item.revision:
        changed_by = None
        if item.updated_by_id is not None:
            changed_by = session.scalar(select(User.name).where(User.id == item.updated_by_id))
        raise EditConflict(item.revision, changed_by, item.updated_at, tuple(changes))
    saved, _ = services.save_item(session, actor, ctx, story_id, data, expected_revision=expected)
    return saved


def kill_item(
    session: Session,
    actor: Principal,
    ctx: StoryContext,
    story_id: int,
    language: str,
    reason: str,
    *,
    confirmed: bool,
) -> None:
    """Kill a language version; whoever may not kill learns that before any form problem."""
    story = services.get_story(session, story_id)
    permissions.require(permissions.can_kill(actor, story), "kill this item")
    if not clean_text(reason):
        raise InvalidInput(
            "say why the story is killed: readers and subscribers see the reason", field="reason"
        )
    if not confirmed:
        raise InvalidInput("tick the box to confirm the kill", field="confirm")
    services.kill(session, actor, ctx, story_id, language, reason)


# --- filing a new story ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewStoryChoices:
    languages: list[str]  # the agency's working languages
    default_language: str  # the user's bureau's, else the first working language
    bureau: Bureau | None


def new_story_choices(
    session: Session, ctx: StoryContext, bureau_id: int | None
) -> NewStoryChoices:
    agency = ctx.agency(session)
    bureau = session.get(Bureau, bureau_id) if bureau_id is not None else None
    default = bureau.default_language if bureau else agency.languages[0]
    if default not in agency.languages:
        default = agency.languages[0]
    return NewStoryChoices(list(agency.languages), default, bureau)


def file_story(
    session: Session,
    actor: Principal,
    ctx: StoryContext,
    *,
    desk_id: int,
    bureau_id: int | None,
    language: str,
    form: EditorForm,
    timezone: str,
) -> Story:
    """A new story filed from the newsroom's form, in the user's bureau."""
    bureau = session.get(Bureau, bureau_id) if bureau_id is not None else None
    data = to_input(form, language, timezone, None)
    return services.create_story(session, actor, ctx, data, desk_id=desk_id, bureau=bureau)


# --- the Media Topics picker ---------------------------------------------------------------------


def _folded(text: str) -> str:
    """Case and accents folded, so that "economie" finds "Économie"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# (vocabulary, language) → [(code, label in language, folded label, folded English label)]
_TOPIC_INDEX: dict[tuple[int, str], tuple[Vocabulary, list[tuple[str, str, str, str]]]] = {}


def _topic_index(vocabulary: Vocabulary, language: str) -> list[tuple[str, str, str, str]]:
    key = (id(vocabulary), language)
    cached = _TOPIC_INDEX.get(key)
    if cached is not None and cached[0] is vocabulary:
        return cached[1]
    rows = []
    for topic in vocabulary.topics.values():
        if topic.retired:
            continue
        label = topic.label(language) or topic.code
        english = topic.labels.get("en") or ""
        rows.append((topic.code, label, _folded(label), _folded(english)))
    rows.sort(key=lambda row: row[2])
    _TOPIC_INDEX[key] = (vocabulary, rows)
    return rows


def search_topics(
    vocabulary: Vocabulary, query: str, language: str, limit: int = 20
) -> list[tuple[str, str]]:
    """Media Topics whose label in `language` or in English, or whose code, contains `query`:
    (code, label in `language`), the best matches first (whole label, then label start, then
    a word's start)."""
    wanted = _folded(query.strip())
    if not wanted:
        return []
    digits = wanted.removeprefix("medtop:")
    ranked = []
    for code, label, folded, english in _topic_index(vocabulary, language):
        if digits.isdigit() and code.removeprefix("medtop:").startswith(digits):
            rank = 0
        else:
            rank = min(_rank(folded, wanted), _rank(english, wanted))
            if rank > 3:
                continue
        ranked.append((rank, len(label), label, code))
    ranked.sort()
    return [(code, label) for _rank_, _length, label, code in ranked[:limit]]


def _rank(label: str, wanted: str) -> int:
    if not label:
        return 9
    if label == wanted:
        return 0
    if label.startswith(wanted):
        return 1
    position = label.find(wanted)
    if position < 0:
        return 9
    return 2 if not label[position - 1].isalnum() else 3


def topic_chips(
    vocabulary: Vocabulary, codes: tuple[str, ...], language: str
) -> list[tuple[str, str]]:
    """(code, label in the interface language) for each chosen topic; the code without a label."""
    return [(code, vocabulary.label(code, language) or code) for code in codes]
