"""The archive search: every language, filtered by desk, bureau, topic, urgency, status and date.

With words, it is the website's own search function (`newswire.search.backend`) over the
published copy of every working language. Without words, the filters list working copies
straight from the items table, so that drafts, submitted and killed items can be found too;
unpublished copy is listed only from the desks whose queues the user sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import TextClause, and_, bindparam, func, or_, select, text
from sqlalchemy.orm import Session

from newswire.agency.models import Bureau, Desk
from newswire.errors import InvalidInput
from newswire.newsroom.auth import StaffLogin
from newswire.newsroom.i18n import N_
from newswire.newsroom.labels import URGENCIES
from newswire.search.backend import MAX_OFFSET, Filters, search_across
from newswire.site.entries import summarise
from newswire.site.models import PublicEntry
from newswire.site.queries import descendants
from newswire.stories.models import ITEM_STATUSES, Item, Story, Version
from newswire.stories.permissions import ALL_DESK_ROLES
from newswire.stories.services import StoryContext
from newswire.stories.topics import Vocabulary

PAGE_SIZE = 20
MAX_QUERY_CHARS = 200  # as on the website
MAX_PAGE = MAX_OFFSET // PAGE_SIZE + 1
# The urgency filter: each choice keeps items at least that urgent (`labels.URGENCIES`).
URGENCY_CHOICES = {
    "flash": N_("Flashes"),
    "bulletin": N_("Flashes and bulletins"),
    "urgent": N_("Urgent and above"),
}
# Copy readers have not seen: listed only from the user's own desks.
UNPUBLISHED = ("draft", "submitted", "scheduled")
_EARLIEST_YEAR, _LATEST_YEAR = 1900, 9000


class ArchiveInputError(InvalidInput):
    """A field of the search form that cannot be used; `msgid` and `values` let the page
    say so in the user's language."""

    def __init__(self, field: str, msgid: str, **values: object) -> None:
        super().__init__(msgid % values if values else msgid, field=field)
        self.msgid = msgid
        self.values = values


# --- the form -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchForm:
    """The search form as sent: the query string's values, unchecked (an empty one is "any")."""

    q: str = ""
    lang: str = ""
    desk: str = ""
    bureau: str = ""
    topic: str = ""
    topic_code: str = ""
    urgency: str = ""
    status: str = ""
    date_from: str = ""
    date_to: str = ""
    page: str = ""

    # Query-string names that are Python keywords or less clear as attributes.
    _PARAMS: ClassVar[dict[str, str]] = {"date_from": "from", "date_to": "to"}

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> SearchForm:
        values = {
            f.name: params.get(cls._PARAMS.get(f.name, f.name), "").strip() for f in fields(cls)
        }
        return cls(**values)

    def query_string(self, page: int = 1) -> str:
        """These fields as a query string with its "?", at `page` (for the paging links)."""
        pairs = [
            (self._PARAMS.get(f.name, f.name), getattr(self, f.name))
            for f in fields(self)
            if f.name != "page" and getattr(self, f.name)
        ]
        if page > 1:
            pairs.append(("page", str(page)))
        return "?" + urlencode(pairs) if pairs else ""


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Options:
    """What the form offers, labelled in the interface language, and how codes map to rows."""

    languages: tuple[str, ...]  # the agency's working languages
    desks: tuple[Choice, ...]
    bureaus: tuple[Choice, ...]
    topics: tuple[Choice, ...]  # top-level Media Topics
    desk_ids: Mapping[str, int]
    bureau_ids: Mapping[str, int]
    desk_names: Mapping[int, str]
    bureau_names: Mapping[int, str]


def load_options(session: Session, ctx: StoryContext, ui: str) -> Options:
    desks = session.scalars(select(Desk).order_by(Desk.code)).all()
    bureaus = session.scalars(select(Bureau).order_by(Bureau.code)).all()
    topics = sorted(
        (Choice(topic.code, topic.label(ui) or topic.code) for topic in ctx.vocabulary.top_level()),
        key=lambda choice: choice.label.casefold(),
    )
    return Options(
        languages=tuple(ctx.agency(session).languages),
        desks=tuple(Choice(desk.code, desk.name_in(ui)) for desk in desks),
        bureaus=tuple(Choice(bureau.code, bureau.city_in(ui)) for bureau in bureaus),
        topics=tuple(topics),
        desk_ids={desk.code: desk.id for desk in desks},
        bureau_ids={bureau.code: bureau.id for bureau in bureaus},
        desk_names={desk.id: desk.name_in(ui) for desk in desks},
        bureau_names={bureau.id: bureau.city_in(ui) for bureau in bureaus},
    )


@dataclass(frozen=True, slots=True)
class ArchiveQuery:
    """A checked search: words (None lists items), languages, filters and the page."""

    text: str | None
    languages: tuple[str, ...]
    filters: Filters
    page: int = 1


def parse(
    form: SearchForm, options: Options, vocabulary: Vocabulary, timezone: str
) -> ArchiveQuery:
    """Check the form; ArchiveInputError names the first field that cannot be used.

    Dates are days in the user's time zone: "from" starts at its midnight there, "to" runs to
    the end of its day.
    """
    if len(form.q) > MAX_QUERY_CHARS:
        raise ArchiveInputError(
            "q", N_("Search for at most %(count)s characters."), count=MAX_QUERY_CHARS
        )
    if form.lang and form.lang not in options.languages:
        raise ArchiveInputError("lang", N_("Choose one of the agency's working languages."))
    if form.desk and form.desk not in options.desk_ids:
        raise ArchiveInputError("desk", N_("Choose a desk from the list."))
    if form.bureau and form.bureau not in options.bureau_ids:
        raise ArchiveInputError("bureau", N_("Choose a bureau from the list."))
    topics = _topics(form, vocabulary)
    if form.urgency and form.urgency not in URGENCIES:
        raise ArchiveInputError("urgency", N_("Choose an urgency from the list."))
    if form.status and form.status not in ITEM_STATUSES:
        raise ArchiveInputError("status", N_("Choose a status from the list."))
    zone = ZoneInfo(timezone)
    start = _day(form.date_from, "from", zone)
    end = _day(form.date_to, "to", zone)
    if start and end and end < start:
        raise ArchiveInputError("to", N_("The end date is before the start date."))
    page = _page(form.page)
    return ArchiveQuery(
        text=" ".join(form.q.split()) or None,
        languages=(form.lang,) if form.lang else options.languages,
        filters=Filters(
            topics=topics,
            desks=(options.desk_ids[form.desk],) if form.desk else (),
            bureaus=(options.bureau_ids[form.bureau],) if form.bureau else (),
            max_urgency=URGENCIES.get(form.urgency),
            published_from=start,
            published_to=end + timedelta(days=1) if end else None,
            statuses=(form.status,) if form.status else (),
        ),
        page=page,
    )


def _topics(form: SearchForm, vocabulary: Vocabulary) -> tuple[str, ...]:
    """The chosen topic (a typed code wins over the list) and every narrower one, as the
    website's topic pages do."""
    code = form.topic_code or form.topic
    if not code:
        return ()
    field = "topic_code" if form.topic_code else "topic"
    if code.isdigit():
        code = "medtop:" + code
    if vocabulary.check(code) is not None:
        raise ArchiveInputError(
            field, N_("%(code)s is not a Media Topic code like medtop:04000000."), code=code
        )
    return tuple(descendants(vocabulary, code))


def _day(value: str, field: str, zone: ZoneInfo) -> datetime | None:
    """Midnight at the start of the day `value` in `zone`, in UTC."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or not _EARLIEST_YEAR <= day.year <= _LATEST_YEAR:
        raise ArchiveInputError(
            field,
            N_("Enter the date as YYYY-MM-DD, for example %(example)s."),
            example="2024-05-01",
        )
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _page(value: str) -> int:
    if not value:
        return 1
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise ArchiveInputError("page", N_("There is no such page of results."))
    return int(value)


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """One language version in the results."""

    story_id: int
    language: str
    headline: str
    summary: str
    urgency: int
    status: str
    desk: str
    bureau: str | None
    time: datetime
    published: bool  # `time` is the first publication; otherwise the last change
    public_path: str | None  # the page readers see, while the item is public


@dataclass(frozen=True, slots=True)
class Results:
    hits: list[Hit]
    has_more: bool
    page: int
    full_text: bool  # searched published copy by its words


def visible_desks(login: StaffLogin) -> frozenset[int] | None:
    """Desks whose unpublished copy the user may find: those of the user's queues (None: all)."""
    if login.role in ALL_DESK_ROLES:
        return None
    return frozenset(desk.id for desk in login.desks)


def run(
    session: Session, query: ArchiveQuery, options: Options, own_desks: frozenset[int] | None
) -> Results:
    """One page of results, newest first."""
    offset = (query.page - 1) * PAGE_SIZE
    if query.text is not None:
        hits, has_more = _search_published(session, query, options, offset)
    else:
        hits, has_more = _list_items(session, query, options, own_desks, offset)
    return Results(hits, has_more, query.page, full_text=query.text is not None)


def _search_published(
    session: Session, query: ArchiveQuery, options: Options, offset: int
) -> tuple[list[Hit], bool]:
    """The website's search over every language asked for; published copy is public, so
    every user sees every desk's."""
    assert query.text is not None
    page = search_across(
        session,
        query.languages,
        query.text,
        limit=PAGE_SIZE,
        offset=offset,
        filters=query.filters,
    )
    item_ids = [entry.item_id for entry in page.entries]
    working = {
        row.id: row
        for row in session.execute(
            select(Item.id, Item.status, Story.desk_id, Story.bureau_id)
            .join(Story, Story.id == Item.story_id)
            .where(Item.id.in_(item_ids))
        )
    }
    hits = []
    for entry in page.entries:
        row = working.get(entry.item_id)
        if row is None:  # removed between the two reads
            continue
        hits.append(
            Hit(
                story_id=entry.story_id,
                language=entry.language,
                headline=entry.headline,
                summary=entry.summary,
                urgency=entry.urgency,
                status=row.status,
                desk=options.desk_names.get(row.desk_id, ""),
                bureau=options.bureau_names.get(row.bureau_id) if row.bureau_id else None,
                time=entry.published_at,
                published=True,
                public_path=entry.path,
            )
        )
    return hits, page.has_more


def _list_items(
    session: Session,
    query: ArchiveQuery,
    options: Options,
    own_desks: frozenset[int] | None,
    offset: int,
) -> tuple[list[Hit], bool]:
    """Working copies matching the filters, the most recently published or changed first
    (headline and summary of the working copy, which may be ahead of the published one)."""
    filters = query.filters
    when = func.coalesce(Item.published_at, Item.updated_at)
    statement = (
        select(
            Item.id,
            Item.story_id,
            Item.language,
            Item.headline,
            Item.subheadline,
            Item.body_html,
            Item.urgency,
            Item.status,
            Item.published_at,
            Item.updated_at,
            Story.desk_id,
            Story.bureau_id,
            PublicEntry.path,
            Version.document,
        )
        .join(Story, Story.id == Item.story_id)
        .outerjoin(PublicEntry, PublicEntry.item_id == Item.id)
        .outerjoin(
            Version, and_(Version.item_id == Item.id, Version.number == Item.current_version)
        )
        .where(Item.language.in_(query.languages))
    )
    if own_desks is not None:
        statement = statement.where(
            or_(Item.status.not_in(UNPUBLISHED), Story.desk_id.in_(sorted(own_desks)))
        )
    if filters.desks:
        statement = statement.where(Story.desk_id.in_(filters.desks))
    if filters.bureaus:
        statement = statement.where(Story.bureau_id.in_(filters.bureaus))
    if filters.max_urgency is not None:
        statement = statement.where(Item.urgency <= filters.max_urgency)
    if filters.statuses:
        statement = statement.where(Item.status.in_(filters.statuses))
    if filters.published_from is not None:
        statement = statement.where(when >= filters.published_from)
    if filters.published_to is not None:
        statement = statement.where(when < filters.published_to)
    if filters.topics:
        statement = statement.where(_has_subject(session, filters.topics))
    rows = session.execute(
        statement.order_by(when.desc(), Item.id.desc()).limit(PAGE_SIZE + 1).offset(offset)
    ).all()
    hits = []
    for row in rows[:PAGE_SIZE]:
        headline, subheadline, body = row.headline, row.subheadline, row.body_html
        if own_desks is not None and row.desk_id not in own_desks and row.document:
            # Another desk's working copy may be ahead of what it published (a correction
            # being written): show what went out, as the website does.
            document = row.document
            headline = document.get("headline", headline)
            subheadline = document.get("subheadline")
            body = document.get("body_html", "")
        hits.append(_hit(row, options, headline, summarise(body, subheadline)))
    return hits, len(rows) > PAGE_SIZE


def _hit(row: Any, options: Options, headline: str, summary: str) -> Hit:
    return Hit(
        story_id=row.story_id,
        language=row.language,
        headline=headline,
        summary=summary,
        urgency=row.urgency,
        status=row.status,
        desk=options.desk_names.get(row.desk_id, ""),
        bureau=options.bureau_names.get(row.bureau_id) if row.bureau_id else None,
        time=row.published_at or row.updated_at,
        published=row.published_at is not None,
        public_path=row.path,
    )


def _has_subject(session: Session, codes: Sequence[str]) -> TextClause:
    """Whether an item's Media Topics (a JSON list) hold any of `codes`: each database reads
    its own JSON. Only constants go into the text; the codes are bound."""
    if session.get_bind().dialect.name == "sqlite":
        sql = "EXISTS (SELECT 1 FROM json_each(items.subjects) WHERE json_each.value IN :codes)"
    else:
        sql = (
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text(items.subjects) AS subject(code) "
            "WHERE subject.code IN :codes)"
        )
    return text(sql).bindparams(bindparam("codes", list(codes), expanding=True))
