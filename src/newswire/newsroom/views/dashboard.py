"""The newsroom's dashboard: stories per language, desk and bureau per day, and how long
stories take to reach every working language, as SVG charts each followed by its table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from babel.dates import format_skeleton
from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Query, Request, Response

from newswire.api.deps import StateDep, read
from newswire.api.state import AppState
from newswire.db import utcnow
from newswire.languages import LANGUAGES
from newswire.newsroom import charts, stats
from newswire.newsroom.render import babel_locale
from newswire.newsroom.web import StaffDep, interface_language, page, require_role
from newswire.stories import permissions

router = APIRouter()

ROLES = ("editor", "chief_editor", "admin")
DEFAULT_DAYS = 14
MEDIAN_COLOUR = "#0b4f8a"
P90_COLOUR = "#b00020"
# Steps of the time axis, in seconds: 1, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1 day.
DURATION_STEPS = (60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


@router.get("/dashboard")
async def dashboard(
    request: Request,
    state: StateDep,
    login: StaffDep,
    days: Annotated[int, Query(ge=stats.MIN_DAYS, le=stats.MAX_DAYS)] = DEFAULT_DAYS,
) -> Response:
    require_role(login, *ROLES)
    # Translators, who see every desk, never get here (ROLES): the rest see their own desks.
    desk_ids = None if login.role in permissions.ALL_DESK_ROLES else [d.id for d in login.desks]
    now = utcnow()
    figures = await read(
        state,
        lambda session: stats.dashboard(
            session, days=days, timezone=login.timezone, desk_ids=desk_ids, now=now
        ),
    )
    ui = interface_language(request, login)
    return page(
        request, login, "dashboard.html", **Presenter(state, ui, figures.period).context(figures)
    )


# --- what the template shows ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    lang: str | None = None  # when the label is in another language than the interface's
    rtl: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    day: date
    label: str
    cells: list[str]
    total: str


@dataclass(frozen=True, slots=True)
class Table:
    """Counts per day (rows) and per language, desk or bureau (columns), with totals."""

    columns: list[Column]
    rows: list[Row]
    totals: list[str]
    total: str


@dataclass(frozen=True, slots=True)
class CompletionRow:
    day: date
    label: str
    stories: str
    complete: str
    share: str
    median: str
    p90: str


@dataclass(frozen=True, slots=True)
class MissingLanguage:
    code: str
    name: str
    lang: str
    rtl: bool


@dataclass(frozen=True, slots=True)
class SlowStory:
    story_id: int
    headline: str
    lang: str
    rtl: bool
    desk: str
    first_released: Any  # datetime, shown with the `when` filter
    complete: bool
    duration: str
    missing: list[MissingLanguage] = field(default_factory=list)


class Presenter:
    """Formats figures for one interface language: Babel numbers and dates, gettext words."""

    def __init__(self, state: AppState, ui: str, span: stats.Period) -> None:
        self.state = state
        self.ui = ui
        self.locale = babel_locale(ui)
        self.labels = [self.day(day) for day in span.days]  # under the charts' bars
        self.first, self.last = self.labels[0], self.labels[-1]

    def _(self, message: str, **values: object) -> str:
        return self.state.newsroom.gettext(self.ui, message, **values)

    def number(self, value: float) -> str:
        return str(format_decimal(value, locale=self.locale))

    def percent(self, part: int, whole: int) -> str:
        if not whole:
            return "—"
        return str(format_percent(part / whole, locale=self.locale))

    def day(self, value: date) -> str:
        return str(format_skeleton("MMMd", value, locale=self.locale))

    def long_day(self, value: date) -> str:
        return str(format_skeleton("MMMEd", value, locale=self.locale))

    def duration(self, seconds: float | None) -> str:
        """A duration such as "1 h 05 min", rounded to the minute."""
        if seconds is None:
            return "—"
        if seconds < 60:
            return self._("%(seconds)s s", seconds=self.number(math.floor(seconds)))
        hours, minutes = divmod(math.floor(seconds / 60 + 0.5), 60)  # half a minute up
        if not hours:
            return self._("%(minutes)s min", minutes=self.number(minutes))
        return self._(
            "%(hours)s h %(minutes)s min", hours=self.number(hours), minutes=str(minutes).zfill(2)
        )

    def language(self, code: str) -> Column:
        known = LANGUAGES.get(code)
        if known is None:
            return Column(code, code)
        return Column(known.native_name, known.lang_attribute, known.rtl)

    def table(
        self, days: Sequence[date], columns: list[Column], counts: Sequence[Sequence[int]]
    ) -> Table:
        rows = []
        for position, day in enumerate(days):
            cells = [row[position] for row in counts]
            rows.append(
                Row(
                    day,
                    self.long_day(day),
                    [self.number(c) for c in cells],
                    self.number(sum(cells)),
                )
            )
        totals = [sum(row) for row in counts]
        return Table(columns, rows, [self.number(t) for t in totals], self.number(sum(totals)))

    def context(self, figures: stats.Dashboard) -> dict[str, Any]:
        """Everything dashboard.html shows."""
        days = figures.period.days
        desk_names = [desk.name_in(self.ui) for desk in figures.desks]
        return {
            "days": len(days),
            "min_days": stats.MIN_DAYS,
            "max_days": stats.MAX_DAYS,
            "first_label": self.long_day(days[0]),
            "last_label": self.long_day(days[-1]),
            "scope": None if figures.all_desks else desk_names,
            "working_languages": [self.language(code) for code in figures.languages],
            **self.languages(figures),
            **self.desks(figures),
            **self.bureaus(figures),
            **self.completion(figures),
        }

    def languages(self, figures: stats.Dashboard) -> dict[str, Any]:
        days = figures.period.days
        published = figures.publications.by_language
        codes = list(figures.languages)
        codes += sorted(code for code in published if code not in codes)
        counts = [published.get(code, [0] * len(days)) for code in codes]
        columns = [self.language(code) for code in codes]
        chart = charts.stacked_bars(
            chart_id="chart-languages",
            title=self._("Stories published per day by language"),
            description=self._(
                "Language versions first published each day from %(first)s to %(last)s, "
                "stacked by language. The table after the chart gives the same figures.",
                first=self.first,
                last=self.last,
            ),
            categories=self.labels,
            series=[
                charts.Series(column.label, row, charts.language_colour(code), column.lang)
                for code, column, row in zip(codes, columns, counts, strict=True)
            ],
            x_label=self._("Day"),
            y_label=self._("Stories"),
            locale=self.locale,
        )
        return {"language_chart": chart, "language_table": self.table(days, columns, counts)}

    def desks(self, figures: stats.Dashboard) -> dict[str, Any]:
        days = figures.period.days
        published = figures.publications.by_desk
        counts = [published.get(desk.id, [0] * len(days)) for desk in figures.desks]
        columns = [Column(desk.name_in(self.ui)) for desk in figures.desks]
        return self.per_group(
            "desk",
            days,
            columns,
            counts,
            title=self._("New stories per desk"),
            description=self._(
                "Stories first published in their source language from %(first)s to %(last)s, "
                "per desk. The table after the chart gives the figures per day.",
                first=self.first,
                last=self.last,
            ),
        )

    def bureaus(self, figures: stats.Dashboard) -> dict[str, Any]:
        days = figures.period.days
        published = figures.publications.by_bureau
        keys: list[int | None] = [bureau.id for bureau in figures.bureaus]
        columns = [Column(bureau.city_in(self.ui)) for bureau in figures.bureaus]
        if any(published.get(None, ())):
            keys.append(None)
            columns.append(Column(self._("No bureau")))
        counts = [published.get(key, [0] * len(days)) for key in keys]
        return self.per_group(
            "bureau",
            days,
            columns,
            counts,
            title=self._("New stories per bureau"),
            description=self._(
                "Stories first published in their source language from %(first)s to %(last)s, "
                "per bureau. The table after the chart gives the figures per day.",
                first=self.first,
                last=self.last,
            ),
        )

    def per_group(
        self,
        group: str,
        days: Sequence[date],
        columns: list[Column],
        counts: Sequence[Sequence[int]],
        *,
        title: str,
        description: str,
    ) -> dict[str, Any]:
        """New stories per desk or bureau (`group`): a bar each for the period, then the table
        per day. The callers translate the title and description: whole sentences to extract."""
        chart = charts.bars(
            chart_id=f"chart-{group}s",
            title=title,
            description=description,
            labels=[column.label for column in columns],
            values=[sum(row) for row in counts],
            x_label=self._("Stories"),
            locale=self.locale,
        )
        return {f"{group}_chart": chart, f"{group}_table": self.table(days, columns, counts)}

    def summary(self, day: date, label: str, figures: stats.DayCompletion) -> CompletionRow:
        return CompletionRow(
            day=day,
            label=label,
            stories=self.number(figures.stories),
            complete=self.number(figures.complete),
            share=self.percent(figures.complete, figures.stories),
            median=self.duration(figures.median),
            p90=self.duration(figures.p90),
        )

    def completion(self, figures: stats.Dashboard) -> dict[str, Any]:
        days = figures.period.days
        done = figures.completion
        chart = charts.lines(
            chart_id="chart-completion",
            title=self._("Time from first publication to all working languages"),
            description=self._(
                "Median and 90th percentile, per day of first publication from %(first)s to "
                "%(last)s, of the time stories took to come out in every working language. "
                "The table after the chart gives the same figures.",
                first=self.first,
                last=self.last,
            ),
            categories=self.labels,
            series=[
                charts.Series(self._("Median"), [d.median for d in done.days], MEDIAN_COLOUR),
                charts.Series(
                    self._("90th percentile"), [d.p90 for d in done.days], P90_COLOUR, dashed=True
                ),
            ],
            x_label=self._("Day"),
            y_label=self._("Time to all languages"),
            format_value=self.duration,
            steps=DURATION_STEPS,
        )
        desk_names = {desk.id: desk.name_in(self.ui) for desk in figures.desks}
        slowest = []
        for story in done.slowest:
            source = self.language(story.source_language)
            missing = [(code, self.language(code)) for code in story.missing]
            slowest.append(
                SlowStory(
                    story_id=story.story_id,
                    headline=story.headline,
                    lang=source.lang or story.source_language,
                    rtl=source.rtl,
                    desk=desk_names.get(story.desk_id, ""),
                    first_released=story.first_released,
                    complete=story.complete,
                    duration=self.duration(story.seconds),
                    missing=[
                        MissingLanguage(code, column.label, column.lang or code, column.rtl)
                        for code, column in missing
                    ],
                )
            )
        return {
            "completion_chart": chart,
            "completion_rows": [
                self.summary(day, self.long_day(day), summary)
                for day, summary in zip(days, done.days, strict=True)
            ],
            "completion_total": self.summary(days[-1], self._("Whole period"), done.total),
            "slowest": slowest,
        }
