"""Desk queues: a desk's stories, filtered and paged, and a cheap stamp of the desk's state.

A page of a queue takes the same few queries whatever it holds, none per row: every matching
story with its status and last activity (narrow columns and indexes, from which come the
counts per status and the page's order), the times of the page's last activities, every
language version of the page's stories with their authors, the bureaus, and the stamp.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, ScalarSelect, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from newswire.agency.models import AuditEntry, Bureau, Desk, User
from newswire.agency.services import Principal
from newswire.errors import Forbidden, InvalidInput, NotFound
from newswire.languages import LANGUAGES
from newswire.newsroom.labels import URGENCIES
from newswire.stories import permissions
from newswire.stories.models import ITEM_STATUSES, Item, Story

PAGE_SIZE = 100
MAX_PAGE = 100_000
MAX_TEXT = 200


# --- who may open a queue ------------------------------------------------------------------


def may_open(actor: Principal, desk: Desk) -> bool:
    """Users see their own desks' queues; chief editors, admins and translators every desk's."""
    return permissions.can_see(actor, desk.id)


def open_desk(session: Session, actor: Principal, code: str) -> Desk:
    """The desk `code` if `actor` may see its queue: NotFound, else Forbidden."""
    desk = session.scalars(select(Desk).where(Desk.code == code)).first()
    if desk is None:
        raise NotFound(f"there is no desk {code!r}")
    if not may_open(actor, desk):
        raise Forbidden("this desk's queue is not open to you")
    return desk


# --- filters ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """What the filter form asks for; the query string is its form."""

    status: str | None = None
    language: str | None = None
    urgency: str | None = None
    mine: bool = False
    bureau: str | None = None
    text: str | None = None
    page: int = 1

    @classmethod
    def parse(
        cls,
        *,
        status: str = "",
        language: str = "",
        urgency: str = "",
        mine: str = "",
        bureau: str = "",
        text: str = "",
        page: int = 1,
    ) -> QueueFilters:
        """Filters from the form's fields, where an empty field means "any"."""
        status = status.strip()
        if status and status not in ITEM_STATUSES:
            raise InvalidInput(f"no such status {status!r}", field="status")
        language = language.strip()
        if language and language not in LANGUAGES:
            raise InvalidInput(f"no such language {language!r}", field="lang")
        urgency = urgency.strip()
        if urgency == "any":
            urgency = ""
        if urgency and urgency not in URGENCIES:
            raise InvalidInput(f"no such urgency {urgency!r}", field="urgency")
        if not 1 <= page <= MAX_PAGE:
            raise InvalidInput("no such page", field="page")
        return cls(
            status=status or None,
            language=language or None,
            urgency=urgency or None,
            mine=mine.strip() not in ("", "0", "false", "off"),
            bureau=bureau.strip() or None,
            text=" ".join(text.split())[:MAX_TEXT] or None,
            page=page,
        )

    def params(self) -> list[tuple[str, str]]:
        values = [
            ("status", self.status),
            ("lang", self.language),
            ("urgency", self.urgency),
            ("mine", "1" if self.mine else None),
            ("bureau", self.bureau),
            ("q", self.text),
            ("page", str(self.page) if self.page > 1 else None),
        ]
        return [(name, value) for name, value in values if value]

    def query(self) -> str:
        """The query string of these filters, with its "?" (empty when there are none)."""
        params = self.params()
        return "?" + urlencode(params) if params else ""

    def with_status(self, status: str | None) -> str:
        """The query string of the same filters on another status tab, from its first page."""
        return replace(self, status=status, page=1).query()

    def at_page(self, page: int) -> str:
        return replace(self, page=page).query()

    @property
    def narrowed(self) -> bool:
        """Whether anything besides the status tab narrows the queue."""
        return bool(self.language or self.urgency or self.mine or self.bureau or self.text)


# --- reading a queue ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LanguageVersion:
    language: str
    status: str
    name: str  # the language's own name, for the pill's title


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One story in a queue, as its source item shows it."""

    story_id: int
    language: str  # the source language
    lang_attribute: str  # for `lang=`
    rtl: bool
    status: str
    urgency: int
    slugline: str | None
    headline: str
    bureau: str | None  # the bureau's city in the interface language
    author: str | None
    activity: datetime
    versions: tuple[LanguageVersion, ...]
    revision: int  # the sum of the items' revisions: changes with every edit of any version


@dataclass(slots=True)
class Queue:
    desk: Desk
    filters: QueueFilters
    rows: list[QueueRow]
    counts: dict[str, int]  # status → stories matching every filter but the status
    has_next: bool
    stamp: str
    languages: tuple[str, ...] = ()  # the agency's working languages, in its order
    bureaus: list[tuple[str, str]] = field(default_factory=list)  # code, city

    @property
    def total(self) -> int:
        """Stories matching every filter but the status (the "All" tab)."""
        return sum(self.counts.values())

    @property
    def matching(self) -> int:
        """Stories matching every filter, the status too: what the pages run through."""
        if self.filters.status is None:
            return self.total
        return self.counts.get(self.filters.status, 0)

    @property
    def first(self) -> int:
        """The position of the page's first row (1-based), 0 for an empty page."""
        return (self.filters.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.filters.page - 1) * PAGE_SIZE + len(self.rows)


# A story as its source item shows it: the queue lists, filters and counts by it.
_SOURCE = aliased(Item, name="source_item")
_SOURCE_JOIN = and_(_SOURCE.story_id == Story.id, _SOURCE.language == Story.source_language)


def _last_entry() -> ScalarSelect[int | None]:
    """The newest audit entry about a story: every filing, edit and status change of every
    language writes one, so it orders stories by their last activity (ids grow with time)."""
    return (
        select(func.max(AuditEntry.id))
        .where(AuditEntry.object_id == Story.id, AuditEntry.object_type == "story")
        .correlate(Story)
        .scalar_subquery()
    )


def _conditions(
    desk: Desk, filters: QueueFilters, user_id: int | None, bureau_ids: dict[str, int]
) -> list[ColumnElement[bool]]:
    """Every condition of the filters but the status (which the tabs count apart)."""
    conditions: list[ColumnElement[bool]] = [Story.desk_id == desk.id]
    if filters.language:
        version = aliased(Item)
        conditions.append(
            exists().where(version.story_id == Story.id, version.language == filters.language)
        )
    if filters.urgency:
        conditions.append(_SOURCE.urgency == URGENCIES[filters.urgency])
    if filters.mine:
        conditions.append(Story.created_by_id == user_id if user_id is not None else false())
    if filters.bureau:
        bureau_id = bureau_ids.get(filters.bureau)
        conditions.append(Story.bureau_id == bureau_id if bureau_id is not None else false())
    if filters.text:
        # Any language version's headline or slugline: a translator looks in its language.
        version = aliased(Item)
        conditions.append(
            exists().where(
                version.story_id == Story.id,
                or_(
                    version.headline.icontains(filters.text, autoescape=True),
                    version.slugline.icontains(filters.text, autoescape=True),
                ),
            )
        )
    return conditions


def stamp(session: Session, desk_id: int) -> str:
    """A string that changes whenever a story or item of the desk is added, changed or removed.

    One aggregate statement that reads only narrow rows and indexes: the desk's stories (how
    many, the newest id), their items (how many, from the story/language index) and the newest
    audit entry about any of them. Every change to a story or an item is audited by the
    service that makes it (filing, edits, submission, publication, correction, kill, pictures,
    embargo release), so the newest entry moves with every change. `Item.revision` would move
    too, but it sits after the body in each row: summing it reads every body of the desk, on
    every poll of every open queue.
    """
    items = (
        select(func.count())
        .select_from(Item)
        .where(Item.story_id == Story.id)
        .correlate(Story)
        .scalar_subquery()
    )
    row = session.execute(
        select(
            func.count(Story.id),
            func.coalesce(func.max(Story.id), 0),
            func.coalesce(func.sum(items), 0),
            func.coalesce(func.max(_last_entry()), 0),
        ).where(Story.desk_id == desk_id)
    ).one()
    return "-".join(str(int(value)) for value in row)


def _ordered_versions(
    found: Iterable[tuple[str, str]], order: dict[str, int]
) -> tuple[LanguageVersion, ...]:
    ordered = sorted(found, key=lambda pair: (order.get(pair[0], len(order)), pair[0]))
    return tuple(
        LanguageVersion(language, status, _native_name(language)) for language, status in ordered
    )


def _native_name(code: str) -> str:
    known = LANGUAGES.get(code)
    return known.native_name if known else code


@dataclass(frozen=True, slots=True)
class Matching:
    """Every story matching a queue's filters but the status, newest activity first."""

    rows: list[tuple[int, str, int | None]]  # story id, source item status, last audit entry
    counts: dict[str, int]  # status → stories


def _matching(session: Session, conditions: list[ColumnElement[bool]]) -> Matching:
    # Every matching story with its source item's status and its last activity, in one
    # pass over narrow columns and indexes: the counts per status and the page's order come
    # from it, and only the page's own stories are then read in full.
    # Plain tuples, made as the rows stream in: a thousand result rows kept alive through the
    # request would be promoted to the collector's oldest generation and make its full (and,
    # in a large process, slow) collections more frequent.
    rows: list[tuple[int, str, int | None]] = [
        (story_id, status, entry)
        for story_id, status, entry in session.connection().execute(
            select(Story.id, _SOURCE.status, _last_entry())
            .select_from(Story)
            .join(_SOURCE, _SOURCE_JOIN)
            .where(*conditions)
        )
    ]
    counts = dict.fromkeys(ITEM_STATUSES, 0)
    for _story_id, status, _entry in rows:
        counts[status] = counts.get(status, 0) + 1
    rows.sort(key=lambda row: (row[2] or 0, row[0]), reverse=True)
    return Matching(rows, counts)


class QueueCache:
    """Recent `Matching` results by desk and filters, each valid while the desk's stamp is the
    one it was read under. The stamp is read from the database on every request, so an entry
    is never stale, whichever process changed the desk."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[object, ...], tuple[str, Matching]] = OrderedDict()

    def get(self, key: tuple[object, ...], desk_stamp: str) -> Matching | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != desk_stamp:
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: tuple[object, ...], desk_stamp: str, matching: Matching) -> None:
        self._entries[key] = (desk_stamp, matching)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


def load_queue(
    session: Session,
    desk: Desk,
    filters: QueueFilters,
    *,
    user_id: int | None,
    ui_language: str,
    working_languages: Sequence[str],
    cache: QueueCache | None = None,
) -> Queue:
    """One page of the desk's stories, newest activity first, with the counts per status.

    With a `cache`, the matching stories of the same filters are read again only when the
    desk's stamp has moved: paging, switching status tabs and live refreshes of an unchanged
    desk then cost the stamp and the page's own rows.
    """
    bureaus = session.execute(select(Bureau.id, Bureau.code, Bureau.city)).all()
    bureau_ids = {code: id_ for id_, code, _city in bureaus}
    cities = {id_: city.get(ui_language) or city.get("en") or code for id_, code, city in bureaus}
    desk_stamp = stamp(session, desk.id)
    key = (desk.id, filters.language, filters.urgency, filters.bureau, filters.text,
           user_id if filters.mine else None)  # fmt: skip
    found_before = cache.get(key, desk_stamp) if cache is not None else None
    if found_before is None:
        found_before = _matching(session, _conditions(desk, filters, user_id, bureau_ids))
        if cache is not None:
            cache.put(key, desk_stamp, found_before)
    matching, counts = found_before.rows, dict(found_before.counts)
    if filters.status:
        matching = [row for row in matching if row[1] == filters.status]
    start = (filters.page - 1) * PAGE_SIZE
    page = matching[start : start + PAGE_SIZE]
    has_next = len(matching) > start + PAGE_SIZE
    entries = [entry for _story_id, _status, entry in page if entry is not None]
    times: dict[int, datetime] = {}
    if entries:
        times = {
            entry.id: entry.at
            for entry in session.execute(
                select(AuditEntry.id, AuditEntry.at).where(AuditEntry.id.in_(entries))
            )
        }

    # Then every language version of those stories, with the story and its author.
    found: dict[int, list[Any]] = {story_id: [] for story_id, _status, _entry in page}
    if found:
        for item in session.execute(
            select(
                Item.story_id,
                Item.language,
                Item.status,
                Item.revision,
                Item.urgency,
                Item.slugline,
                Item.headline,
                Story.source_language,
                Story.bureau_id,
                Story.created_at,
                User.name,
            )
            .join(Story, Story.id == Item.story_id)
            .outerjoin(User, User.id == Story.created_by_id)
            .where(Item.story_id.in_(list(found)))
        ):
            found[item.story_id].append(item)

    order = {code: n for n, code in enumerate(working_languages)}
    rows = []
    for story_id, _status, entry in page:
        items = found[story_id]
        source = next((i for i in items if i.language == i.source_language), None)
        if source is None:  # the story went away between the two reads
            continue
        known = LANGUAGES.get(source.language)
        rows.append(
            QueueRow(
                story_id=story_id,
                language=source.language,
                lang_attribute=known.lang_attribute if known else source.language,
                rtl=bool(known and known.rtl),
                status=source.status,
                urgency=source.urgency,
                slugline=source.slugline,
                headline=source.headline,
                bureau=cities.get(source.bureau_id) if source.bureau_id is not None else None,
                author=source.name,
                activity=times.get(entry, source.created_at) if entry else source.created_at,
                versions=_ordered_versions(((i.language, i.status) for i in items), order),
                revision=sum(i.revision for i in items),
            )
        )
    return Queue(
        desk=desk,
        filters=filters,
        rows=rows,
        counts=counts,
        has_next=has_next,
        stamp=desk_stamp,
        languages=tuple(working_languages),
        bureaus=sorted(((code, cities[id_]) for id_, code, _city in bureaus), key=lambda b: b[1]),
    )
