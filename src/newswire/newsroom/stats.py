"""The dashboard's figures: first publications per day, and how long stories take to reach
every working language.

A story's language version counts as published when its version 1 is released (readers can
see it); corrections and kills are not new publications. Days are the user's local days, so
the database groups releases by quarter hour (portable integer arithmetic on both SQLite and
PostgreSQL) and Python puts each quarter hour in its local day: every time zone in use is a
whole number of quarter hours from UTC, so no quarter hour straddles a local midnight.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, ColumnElement, Integer, and_, case, cast, func, select
from sqlalchemy.orm import Session

from newswire.agency.models import Bureau, Desk
from newswire.agency.services import get_agency
from newswire.stories.models import Item, Story, Version

MIN_DAYS = 1
MAX_DAYS = 90
BUCKET_SECONDS = 900
SLOWEST_LIMIT = 10


@dataclass(frozen=True, slots=True)
class Period:
    """The last `len(days)` local days up to today, and the UTC instants that bound them."""

    days: tuple[date, ...]
    start: datetime
    end: datetime
    timezone: str

    def index(self, instant: datetime) -> int | None:
        """The position of the local day of `instant` in `days`, None outside the period."""
        local = instant.astimezone(ZoneInfo(self.timezone)).date()
        position = (local - self.days[0]).days
        return position if 0 <= position < len(self.days) else None


def period(days: int, timezone: str, now: datetime) -> Period:
    """The `days` local days ending today (in `timezone`), today included."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return Period(
        days=tuple(first + timedelta(days=n) for n in range(days)),
        start=start,
        end=end,
        timezone=timezone,
    )


@dataclass(frozen=True, slots=True)
class Publications:
    """First publications per local day, each list aligned with `Period.days`.

    `by_language` counts every language version (version 1 released that day); `by_desk` and
    `by_bureau` count stories, each on the day its source item was first released.
    """

    by_language: dict[str, list[int]]
    by_desk: dict[int, list[int]]
    by_bureau: dict[int | None, list[int]]


def _quarter_hour(session: Session, column: Any) -> ColumnElement[int]:
    """Seconds since the epoch // BUCKET_SECONDS, on the database at hand."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite stores UTC text; strftime('%s') reads it as UTC and truncates to the second.
        return cast(func.strftime("%s", column), Integer) // BUCKET_SECONDS
    return cast(func.floor(func.extract("epoch", column) / BUCKET_SECONDS), BigInteger)


def _desk_filter(desk_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    return [] if desk_ids is None else [Story.desk_id.in_(list(desk_ids))]


def publications(session: Session, span: Period, desk_ids: Collection[int] | None) -> Publications:
    """Count first publications in `span`; `desk_ids` None means every desk.

    One grouped query: quarter hour x language x source language x desk x bureau.
    """
    bucket = _quarter_hour(session, Version.released_at).label("bucket")
    query = (
        select(
            bucket,
            Item.language,
            Story.source_language,
            Story.desk_id,
            Story.bureau_id,
            func.count().label("count"),
        )
        .select_from(Version)
        .join(Item, Version.item_id == Item.id)
        .join(Story, Item.story_id == Story.id)
        .where(
            Version.number == 1,
            Version.released_at >= span.start,
            Version.released_at < span.end,
            *_desk_filter(desk_ids),
        )
        .group_by(bucket, Item.language, Story.source_language, Story.desk_id, Story.bureau_id)
    )
    size = len(span.days)
    by_language: dict[str, list[int]] = defaultdict(lambda: [0] * size)
    by_desk: dict[int, list[int]] = defaultdict(lambda: [0] * size)
    by_bureau: dict[int | None, list[int]] = defaultdict(lambda: [0] * size)
    for quarter, language, source_language, desk_id, bureau_id, count in session.execute(query):
        day = span.index(datetime.fromtimestamp(int(quarter) * BUCKET_SECONDS, UTC))
        if day is None:
            continue
        by_language[language][day] += count
        if language == source_language:
            by_desk[desk_id][day] += count
            by_bureau[bureau_id][day] += count
    return Publications(dict(by_language), dict(by_desk), dict(by_bureau))


# --- time to all working languages ------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (as PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass(frozen=True, slots=True)
class StoryProgress:
    """How far one story got through the working languages."""

    story_id: int
    desk_id: int
    first_released: datetime  # the source item's version 1
    last_released: datetime  # the latest version 1 of a working language so far
    languages_out: int  # working languages with a released version 1

    def complete(self, working: int) -> bool:
        return self.languages_out >= working

    def seconds(self) -> float:
        return max(0.0, (self.last_released - self.first_released).total_seconds())


@dataclass(frozen=True, slots=True)
class DayCompletion:
    stories: int  # stories whose source was first released that day
    complete: int  # of those, the ones out in every working language
    median: float | None  # seconds from source to last language, over complete stories
    p90: float | None


@dataclass(frozen=True, slots=True)
class LaggingStory:
    """One of the slowest stories: still incomplete, or the longest to complete."""

    story_id: int
    desk_id: int
    source_language: str
    headline: str
    first_released: datetime
    seconds: float  # to the last language; for an incomplete story, so far (until now)
    complete: bool
    missing: tuple[str, ...]  # working languages not yet released


@dataclass(frozen=True, slots=True)
class Completion:
    days: list[DayCompletion]  # aligned with Period.days
    total: DayCompletion  # over the whole period
    slowest: list[LaggingStory]


def _summary(progress: Sequence[StoryProgress], working: int) -> DayCompletion:
    durations = [story.seconds() for story in progress if story.complete(working)]
    return DayCompletion(
        stories=len(progress),
        complete=len(durations),
        median=percentile(durations, 0.5),
        p90=percentile(durations, 0.9),
    )


def story_progress(
    session: Session,
    span: Period,
    languages: Sequence[str],
    desk_ids: Collection[int] | None,
) -> list[StoryProgress]:
    """Every story whose source item was first released in `span`, aggregated per story."""
    working = list(languages)
    released = and_(Version.number == 1, Version.released_at.is_not(None))
    is_source = Item.language == Story.source_language
    started = (
        select(Item.story_id)
        .join(Version, Version.item_id == Item.id)
        .join(Story, Item.story_id == Story.id)
        .where(
            released,
            is_source,
            Version.released_at >= span.start,
            Version.released_at < span.end,
            *_desk_filter(desk_ids),
        )
    )
    in_working = Item.language.in_(working)
    first = func.min(case((is_source, Version.released_at)))
    last = func.max(case((in_working, Version.released_at)))
    query = (
        select(
            Item.story_id,
            Story.desk_id,
            first.label("first"),
            last.label("last"),
            func.count(func.distinct(case((in_working, Item.language)))).label("out"),
        )
        .select_from(Version)
        .join(Item, Version.item_id == Item.id)
        .join(Story, Item.story_id == Story.id)
        .where(released, Item.story_id.in_(started), in_working | is_source)
        .group_by(Item.story_id, Story.desk_id)
    )
    result = []
    for story_id, desk_id, first_at, last_at, out in session.execute(query):
        result.append(
            StoryProgress(
                story_id=story_id,
                desk_id=desk_id,
                first_released=first_at,
                last_released=last_at or first_at,
                languages_out=out,
            )
        )
    return result


def completion(
    session: Session,
    span: Period,
    languages: Sequence[str],
    desk_ids: Collection[int] | None,
    now: datetime,
    *,
    limit: int = SLOWEST_LIMIT,
) -> Completion:
    """Time from a story's first publication to its last working language, per local day."""
    progress = story_progress(session, span, languages, desk_ids)
    working = len(languages)
    per_day: list[list[StoryProgress]] = [[] for _ in span.days]
    for story in progress:
        day = span.index(story.first_released)
        if day is not None:
            per_day[day].append(story)

    def waited(story: StoryProgress) -> float:
        if story.complete(working):
            return story.seconds()
        return max(0.0, (now - story.first_released).total_seconds())

    # Incomplete stories first (the longest waiting on top), then the slowest complete ones.
    ranked = sorted(
        progress, key=lambda story: (story.complete(working), -waited(story), story.story_id)
    )[:limit]
    return Completion(
        days=[_summary(stories, working) for stories in per_day],
        total=_summary(progress, working),
        slowest=_lagging(session, ranked, languages, waited),
    )


def _lagging(
    session: Session,
    ranked: Sequence[StoryProgress],
    languages: Sequence[str],
    waited: Callable[[StoryProgress], float],
) -> list[LaggingStory]:
    """Headlines and missing languages of the few stories listed (one query)."""
    if not ranked:
        return []
    rows = session.execute(
        select(Item.story_id, Item.language, Item.headline, Story.source_language, Version.id)
        .join(Story, Item.story_id == Story.id)
        .outerjoin(
            Version,
            and_(
                Version.item_id == Item.id,
                Version.number == 1,
                Version.released_at.is_not(None),
            ),
        )
        .where(Item.story_id.in_([story.story_id for story in ranked]))
    ).all()
    out: dict[int, set[str]] = defaultdict(set)
    headline: dict[int, tuple[str, str]] = {}
    for story_id, language, text, source_language, version_id in rows:
        if version_id is not None:
            out[story_id].add(language)
        if language == source_language:
            headline[story_id] = (text, source_language)
    lagging = []
    for story in ranked:
        text, source_language = headline.get(story.story_id, ("", ""))
        lagging.append(
            LaggingStory(
                story_id=story.story_id,
                desk_id=story.desk_id,
                source_language=source_language,
                headline=text,
                first_released=story.first_released,
                seconds=waited(story),
                complete=story.complete(len(languages)),
                missing=tuple(code for code in languages if code not in out[story.story_id]),
            )
        )
    return lagging


# --- the whole page -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dashboard:
    period: Period
    languages: tuple[str, ...]  # the agency's working languages, in the agency's order
    desks: list[Desk]  # the desks the user sees
    all_desks: bool  # whether those are every desk (a chief editor's, an admin's)
    bureaus: list[Bureau]
    publications: Publications
    completion: Completion


def dashboard(
    session: Session,
    *,
    days: int,
    timezone: str,
    desk_ids: Collection[int] | None,
    now: datetime,
) -> Dashboard:
    """Every figure of the dashboard for the last `days` local days of `timezone`.

    `desk_ids` limits the figures to those desks (an editor's); None means every desk.
    """
    span = period(days, timezone, now)
    languages = tuple(get_agency(session).languages)
    desks_query = select(Desk).order_by(Desk.code)
    if desk_ids is not None:
        desks_query = desks_query.where(Desk.id.in_(list(desk_ids)))
    desks = list(session.scalars(desks_query))
    bureaus = list(session.scalars(select(Bureau).order_by(Bureau.code)))
    return Dashboard(
        period=span,
        languages=languages,
        desks=desks,
        all_desks=desk_ids is None,
        bureaus=bureaus,
        publications=publications(session, span, desk_ids),
        completion=completion(session, span, languages, desk_ids, now),
    )
