"""Charts drawn on the server as SVG: small pure functions from figures to markup.

No script draws them, so they work under the newsroom's Content Security Policy and without
JavaScript. Every text is escaped here; colours are presentation attributes (`fill=`,
`stroke=`) and everything else is a class styled by dashboard.css, never a `style=` attribute.
Each chart is an image with a title and a description for screen readers; the page shows the
same figures in a table after it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from babel.numbers import format_decimal
from markupsafe import Markup, escape

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 760
MARGIN_LEFT = 64
MARGIN_RIGHT = 16
MARGIN_TOP = 16
PLOT_HEIGHT = 220
X_AXIS_BAND = 48  # tick labels and the axis label under the plot
LEGEND_ROW = 22
CHAR_WIDTH = 7.2  # a rough width of one character at the chart's font size, for layout only
LABEL_CHARS = 24  # longer category labels are shortened in the drawing (the title has them whole)
BAR_ROW = 26

# One colour per language, the same in every chart (the Okabe-Ito colours first: they stay
# distinct for the common kinds of colour blindness), dark enough to read on white.
LANGUAGE_COLOURS = {
    "az": "#0072b2",
    "ru": "#d55e00",
    "en": "#009e73",
    "fr": "#cc79a7",
    "de": "#e69f00",
    "es": "#56b4e9",
    "ar": "#6a3d9a",
    "zh": "#a6761d",
    "tr": "#1b9e77",
    "it": "#666666",
    "pt": "#e7298a",
    "fa": "#7570b3",
    "ka": "#66a61e",
    "uk": "#b8a000",
    "ja": "#8c564b",
    "ko": "#17becf",
}
FALLBACK_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#9c755f", "#76b7b2")
BAR_COLOUR = "#0b4f8a"


def language_colour(code: str) -> str:
    """The colour of a language in every chart."""
    known = LANGUAGE_COLOURS.get(code)
    if known:
        return known
    return FALLBACK_COLOURS[sum(code.encode()) % len(FALLBACK_COLOURS)]


@dataclass(frozen=True, slots=True)
class Series:
    """One named row of figures: a language's counts per day, or the median per day."""

    label: str
    values: Sequence[float | None]
    colour: str
    lang: str | None = None  # the label's language, when it is not the interface's
    dashed: bool = False  # for lines


# --- small pieces ---------------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate, short."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(**attributes: object) -> str:
    parts = []
    for name, value in attributes.items():
        if value is None:
            continue
        key = name.rstrip("_").replace("_", "-")
        shown = _n(value) if isinstance(value, float) else value
        parts.append(f' {key}="{escape(shown)}"')
    return "".join(parts)


def _text(
    x: float, y: float, content: str, *, lang: str | None = None, **attributes: object
) -> str:
    return f"<text{_attrs(x=x, y=y, lang=lang, **attributes)}>{escape(content)}</text>"


def _shorten(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _open(chart_id: str, title: str, description: str, height: float) -> str:
    return (
        f'<svg xmlns="{SVG_NS}"{_attrs(id=chart_id, class_="chart", role="img")}'
        f"{_attrs(viewBox=f'0 0 {WIDTH} {_n(height)}', width=WIDTH, height=_n(height))}"
        f"{_attrs(aria_labelledby=f'{chart_id}-title {chart_id}-desc')}>"
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
    )


def nice_ticks(
    maximum: float, *, integer: bool = True, steps: Sequence[float] = (), target: int = 5
) -> list[float]:
    """Axis ticks from 0 to a round value at or above `maximum`, about `target` intervals.

    `steps` lists the steps allowed, smallest first (durations: 1 min, 5 min, 1 h, ...);
    otherwise a step is 1, 2 or 5 times a power of ten.
    """
    maximum = max(maximum, 0.0)
    if maximum == 0:
        maximum = steps[0] if steps else 1.0
    step: float
    if steps:
        step = next((s for s in steps if maximum / s <= target), 0.0)
        if not step:
            largest = steps[-1]
            step = largest * math.ceil(maximum / largest / target)
    else:
        magnitude = 10 ** math.floor(math.log10(maximum / target))
        step = next(m * magnitude for m in (1, 2, 5, 10) if maximum / (m * magnitude) <= target)
        if integer:
            step = max(1.0, float(round(step)))
    count = math.ceil(maximum / step - 1e-9)
    return [step * n for n in range(count + 1)]


def _legend(series: Sequence[Series], top: float, *, lines: bool = False) -> tuple[str, float]:
    """Swatches and labels in rows under the plot; returns the markup and its height."""
    parts = ['<g class="legend">']
    x, y = float(MARGIN_LEFT), top
    for entry in series:
        width = 14 + 6 + len(entry.label) * CHAR_WIDTH + 18
        if x + width > WIDTH - MARGIN_RIGHT and x > MARGIN_LEFT:
            x, y = float(MARGIN_LEFT), y + LEGEND_ROW
        if lines:
            parts.append(
                f"<line{_attrs(x1=x, y1=y + 7.0, x2=x + 14.0, y2=y + 7.0, stroke=entry.colour)}"
                f'{_attrs(stroke_dasharray="5 3" if entry.dashed else None)} class="swatch-line"/>'
            )
        else:
            parts.append(
                f'<rect{_attrs(x=x, y=y, width=14, height=14, fill=entry.colour)} class="swatch"/>'
            )
        parts.append(_text(x + 20.0, y + 11.0, entry.label, lang=entry.lang, class_="legend-label"))
        x += width
    parts.append("</g>")
    return "".join(parts), (y - top) + LEGEND_ROW


def _y_axis(
    ticks: Sequence[float], top_value: float, label: str, fmt: Callable[[float], str]
) -> str:
    parts = ['<g class="axis axis-y">']
    right = WIDTH - MARGIN_RIGHT
    for tick in ticks:
        y = MARGIN_TOP + PLOT_HEIGHT - tick / top_value * PLOT_HEIGHT
        parts.append(f'<line{_attrs(x1=MARGIN_LEFT, y1=y, x2=right, y2=y)} class="grid"/>')
        parts.append(_text(MARGIN_LEFT - 6.0, y + 4.0, fmt(tick), text_anchor="end"))
    middle = MARGIN_TOP + PLOT_HEIGHT / 2
    parts.append(
        _text(
            14.0,
            middle,
            label,
            text_anchor="middle",
            transform=f"rotate(-90 14 {_n(middle)})",
            class_="axis-label",
        )
    )
    parts.append("</g>")
    return "".join(parts)


def _x_axis(categories: Sequence[str], label: str) -> str:
    """Category labels under evenly spaced bands, thinned out when there are many."""
    band = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / max(1, len(categories))
    every = max(1, math.ceil(len(categories) / 12))
    baseline = MARGIN_TOP + PLOT_HEIGHT
    parts = [
        '<g class="axis axis-x">',
        f"<line{_attrs(x1=MARGIN_LEFT, y1=baseline, x2=WIDTH - MARGIN_RIGHT, y2=baseline)}"
        ' class="baseline"/>',
    ]
    for position, category in enumerate(categories):
        if position % every:
            continue
        x = MARGIN_LEFT + band * (position + 0.5)
        parts.append(_text(x, baseline + 16.0, category, text_anchor="middle"))
    parts.append(
        _text(
            MARGIN_LEFT + (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / 2,
            baseline + 38.0,
            label,
            text_anchor="middle",
            class_="axis-label",
        )
    )
    parts.append("</g>")
    return "".join(parts)


def _number(locale: str) -> Callable[[float], str]:
    def fmt(value: float) -> str:
        return str(format_decimal(value, locale=locale))

    return fmt


# --- the charts -----------------------------------------------------------------------------


def stacked_bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    locale: str,
) -> Markup:
    """One bar per category (a day), stacked by series (languages), with a legend.

    Each non-zero figure is one `<rect class="bar">` whose `<title>` names it in full.
    """
    fmt = _number(locale)
    totals = [sum(entry.values[n] or 0 for entry in series) for n in range(len(categories))]
    ticks = nice_ticks(max(totals, default=0))
    top_value = ticks[-1]
    legend, legend_height = _legend(series, MARGIN_TOP + PLOT_HEIGHT + X_AXIS_BAND)
    height = MARGIN_TOP + PLOT_HEIGHT + X_AXIS_BAND + legend_height
    parts = [
        _open(chart_id, title, description, height),
        _y_axis(ticks, top_value, y_label, fmt),
        _x_axis(categories, x_label),
        '<g class="bars">',
    ]
    band = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / max(1, len(categories))
    bar_width = max(1.0, band * 0.72)
    for position, category in enumerate(categories):
        x = MARGIN_LEFT + band * position + (band - bar_width) / 2
        y = float(MARGIN_TOP + PLOT_HEIGHT)
        for entry in series:
            value = entry.values[position] or 0
            if value <= 0:
                continue
            bar_height = value / top_value * PLOT_HEIGHT
            y -= bar_height
            parts.append(
                f'<rect class="bar"{_attrs(x=x, y=y, width=bar_width, height=bar_height)}'
                f"{_attrs(fill=entry.colour)}>"
                f"<title>{escape(f'{category} · {entry.label}: {fmt(value)}')}</title></rect>"
            )
    parts.extend(["</g>", legend, "</svg>"])
    return Markup("".join(parts))  # noqa: S704 - every text in parts was escaped above


def bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float],
    x_label: str,
    locale: str,
    colour: str = BAR_COLOUR,
) -> Markup:
    """Horizontal bars, one row per label (a desk, a bureau), the figure written at the end.

    A zero draws no bar: its row shows the label and "0".
    """
    fmt = _number(locale)
    ticks = nice_ticks(max(values, default=0))
    top_value = ticks[-1]
    left = min(
        WIDTH / 2, max(MARGIN_LEFT, 12 + max((len(_shorten(t)) for t in labels), default=0) * 7.2)
    )
    plot_width = WIDTH - left - MARGIN_RIGHT - 40  # room for the figure after the longest bar
    plot_height = max(1, len(labels)) * BAR_ROW
    height = MARGIN_TOP + plot_height + X_AXIS_BAND
    baseline = MARGIN_TOP + plot_height
    parts = [_open(chart_id, title, description, height), '<g class="axis axis-x">']
    for tick in ticks:
        x = left + tick / top_value * plot_width
        parts.append(f'<line{_attrs(x1=x, y1=MARGIN_TOP, x2=x, y2=baseline)} class="grid"/>')
        parts.append(_text(x, baseline + 16.0, fmt(tick), text_anchor="middle"))
    parts.append(
        _text(
            left + plot_width / 2,
            baseline + 38.0,
            x_label,
            text_anchor="middle",
            class_="axis-label",
        )
    )
    parts.append('</g><g class="bars">')
    for row, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = MARGIN_TOP + row * BAR_ROW
        parts.append(
            _text(
                left - 6.0,
                y + BAR_ROW / 2 + 4.0,
                _shorten(label),
                text_anchor="end",
                class_="category",
            )
        )
        width = value / top_value * plot_width if value > 0 else 0.0
        if width:
            parts.append(
                f'<rect class="bar"{_attrs(x=left, y=y + 4.0, width=width, height=BAR_ROW - 8.0)}'
                f"{_attrs(fill=colour)}><title>{escape(f'{label}: {fmt(value)}')}</title></rect>"
            )
        parts.append(_text(left + width + 4.0, y + BAR_ROW / 2 + 4.0, fmt(value), class_="value"))
    parts.extend(["</g>", "</svg>"])
    return Markup("".join(parts))  # noqa: S704 - every text in parts was escaped above


def lines(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    format_value: Callable[[float], str],
    steps: Sequence[float] = (),
) -> Markup:
    """One line per series over the categories; a missing value (None) breaks the line.

    Each point is a `<circle class="point">` whose `<title>` gives its figure.
    """
    present = [v for entry in series for v in entry.values if v is not None]
    ticks = nice_ticks(max(present, default=0), integer=False, steps=steps)
    top_value = ticks[-1]
    legend, legend_height = _legend(series, MARGIN_TOP + PLOT_HEIGHT + X_AXIS_BAND, lines=True)
    height = MARGIN_TOP + PLOT_HEIGHT + X_AXIS_BAND + legend_height
    parts = [
        _open(chart_id, title, description, height),
        _y_axis(ticks, top_value, y_label, format_value),
        _x_axis(categories, x_label),
    ]
    band = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / max(1, len(categories))
    for entry in series:
        dash = "5 3" if entry.dashed else None
        parts.append(f'<g class="series"{_attrs(stroke=entry.colour, fill=entry.colour)}>')
        segment: list[str] = []
        points: list[str] = []
        for position, value in enumerate([*entry.values, None]):
            if value is None:
                if len(segment) > 1:
                    parts.append(
                        f'<polyline class="line" fill="none"{_attrs(points=" ".join(segment))}'
                        f"{_attrs(stroke_dasharray=dash)}/>"
                    )
                segment = []
                continue
            x = MARGIN_LEFT + band * (position + 0.5)
            y = MARGIN_TOP + PLOT_HEIGHT - value / top_value * PLOT_HEIGHT
            segment.append(f"{_n(x)},{_n(y)}")
            caption = f"{categories[position]} · {entry.label}: {format_value(value)}"
            points.append(
                f'<circle class="point"{_attrs(cx=x, cy=y, r=3)}>'
                f"<title>{escape(caption)}</title></circle>"
            )
        parts.extend(points)
        parts.append("</g>")
    parts.extend([legend, "</svg>"])
    return Markup("".join(parts))  # noqa: S704 - every text in parts was escaped above
