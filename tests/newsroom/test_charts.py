"""The dashboard's SVG charts: valid, accessible, escaped, one bar per figure, stable colours."""

from __future__ import annotations

from lxml import etree

from newswire.newsroom import charts
from newswire.newsroom.charts import Series

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & Co'


def parse(markup: str) -> etree._Element:
    return etree.fromstring(markup.encode())


def bars_of(root: etree._Element) -> list[etree._Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "bar"]


def texts(root: etree._Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def check_accessible(root: etree._Element, chart_id: str, title: str) -> None:
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("id") == chart_id
    first, second = root[0], root[1]
    assert first.tag == f"{SVG}title"
    assert first.text == title
    assert second.tag == f"{SVG}desc"
    assert second.text
    assert root.get("aria-labelledby") == f"{first.get('id')} {second.get('id')}"
    assert root.get("viewBox", "").startswith("0 0 ")
    # Content Security Policy: colours are attributes, never inline styles; no script at all
    assert not [element for element in root.iter() if element.get("style") is not None]
    assert not list(root.iter(f"{SVG}script"))


def languages_chart(chart_id: str, values: dict[str, list[int]]) -> str:
    return charts.stacked_bars(
        chart_id=chart_id,
        title="Stories per day by language",
        description="Stacked by language.",
        categories=["1 May", "2 May", "3 May"],
        series=[
            Series(code, counts, charts.language_colour(code), code)
            for code, counts in values.items()
        ],
        x_label="Day",
        y_label="Stories",
        locale="en_GB",
    )


def test_stacked_bars_draw_one_bar_per_non_zero_figure() -> None:
    values = {"az": [3, 0, 1], "ru": [0, 0, 2], "ar": [1, 0, 0]}
    root = parse(languages_chart("by-language", values))
    check_accessible(root, "by-language", "Stories per day by language")

    drawn = bars_of(root)
    assert len(drawn) == 4  # 3+1 on the first day, nothing on the second, 1+2 on the third
    colours = {code: charts.language_colour(code) for code in values}
    assert sorted(rect.get("fill") for rect in drawn) == sorted(
        [colours["az"], colours["ar"], colours["az"], colours["ru"]]
    )
    captions = [rect.find(f"{SVG}title").text for rect in drawn]  # type: ignore[union-attr]
    assert "1 May · az: 3" in captions
    assert "3 May · ru: 2" in captions
    # stacked: the first day's bars sit on each other, together as tall as 4 stories
    first_day = [rect for rect in drawn if rect.get("x") == drawn[0].get("x")]
    assert len(first_day) == 2
    # the legend names every language, in its own language, with its colour
    legend = root.find(f".//{SVG}g[@class='legend']")
    assert legend is not None
    labels = {text.text: text.get("lang") for text in legend.iter(f"{SVG}text")}
    assert labels == {"az": "az", "ru": "ru", "ar": "ar"}
    swatches = [rect.get("fill") for rect in legend.iter(f"{SVG}rect")]
    assert swatches == [colours["az"], colours["ru"], colours["ar"]]
    # axis labels
    assert "Day" in texts(root)
    assert "Stories" in texts(root)


def test_a_language_keeps_its_colour_in_every_chart() -> None:
    one = parse(languages_chart("a", {"fr": [1, 0, 0], "zh": [0, 2, 0]}))
    other = parse(languages_chart("b", {"zh": [5, 0, 0], "de": [0, 0, 1], "fr": [0, 1, 0]}))

    def fill_of(root: etree._Element, code: str) -> set[str | None]:
        return {
            rect.get("fill")
            for rect in bars_of(root)
            if rect.find(f"{SVG}title").text.split(" · ")[1].startswith(code)  # type: ignore[union-attr]
        }

    for code in ("fr", "zh"):
        assert fill_of(one, code) == fill_of(other, code) == {charts.language_colour(code)}
    working = ("az", "ru", "en", "fr", "de", "es", "ar", "zh")
    assert len({charts.language_colour(code) for code in working}) == len(working)
    assert charts.language_colour("xx") == charts.language_colour("xx")


def test_an_empty_period_draws_axes_and_no_bar() -> None:
    root = parse(languages_chart("empty", {"en": [0, 0, 0]}))
    assert bars_of(root) == []
    assert "0" in texts(root)


def test_bar_labels_are_escaped_text() -> None:
    markup = charts.bars(
        chart_id="desks",
        title=f"Desks {HOSTILE}",
        description=HOSTILE,
        labels=["<script>", HOSTILE, "Economy"],
        values=[4, 12345, 0],
        x_label="Stories",
        locale="fr",
    )
    assert "<script>" not in markup
    root = parse(markup)
    check_accessible(root, "desks", f"Desks {HOSTILE}")
    assert root[1].text == HOSTILE
    # a desk named <script> is shown as its name, as text
    assert "<script>" in texts(root)
    assert len(bars_of(root)) == 2  # Economy has no bar: its row says 0
    captions = [rect.find(f"{SVG}title").text for rect in bars_of(root)]  # type: ignore[union-attr]
    assert captions == ["<script>: 4", f"{HOSTILE}: 12\u202f345"]
    assert "12\u202f345" in texts(root)  # numbers formatted for the interface language
    assert "Economy" in texts(root)
    assert "0" in texts(root)


def test_long_labels_are_shortened_in_the_drawing_only() -> None:
    name = "Foreign affairs and international organisations desk"
    root = parse(
        charts.bars(
            chart_id="long",
            title="t",
            description="d",
            labels=[name],
            values=[2],
            x_label="Stories",
            locale="en",
        )
    )
    shown = [text for text in texts(root) if text.startswith("Foreign")]
    assert len(shown) == 1
    assert shown[0].endswith("…")
    assert len(shown[0]) < len(name)
    assert bars_of(root)[0].find(f"{SVG}title").text == f"{name}: 2"  # type: ignore[union-attr]


def test_lines_break_where_a_day_has_no_figure() -> None:
    def minutes(seconds: float) -> str:
        return f"{seconds / 60:.0f} min"

    markup = charts.lines(
        chart_id="completion",
        title="Time to all languages",
        description="Median and 90th percentile.",
        categories=["1 May", "2 May", "3 May", "4 May"],
        series=[
            Series("Median", [1800, 3600, None, 600], "#0b4f8a"),
            Series("90th percentile", [1800, 7200, None, None], "#b00020", dashed=True),
        ],
        x_label="Day",
        y_label="Time",
        format_value=minutes,
        steps=(60, 300, 900, 1800, 3600),
    )
    root = parse(markup)
    check_accessible(root, "completion", "Time to all languages")
    points = list(root.iter(f"{SVG}circle"))
    assert len(points) == 5
    assert [point.find(f"{SVG}title").text for point in points] == [  # type: ignore[union-attr]
        "1 May · Median: 30 min",
        "2 May · Median: 60 min",
        "4 May · Median: 10 min",
        "1 May · 90th percentile: 30 min",
        "2 May · 90th percentile: 120 min",
    ]
    polylines = list(root.iter(f"{SVG}polyline"))
    assert len(polylines) == 2  # the median's line stops at the gap; 4 May is a lone point
    assert polylines[1].get("stroke-dasharray")
    # the time axis is in whole steps, labelled by the formatter
    assert {"0 min", "30 min", "60 min", "90 min", "120 min"} <= set(texts(root))
    assert {"Median", "90th percentile", "Day", "Time"} <= set(texts(root))


def test_nice_ticks() -> None:
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(3) == [0, 1, 2, 3]
    assert charts.nice_ticks(7) == [0, 2, 4, 6, 8]
    assert charts.nice_ticks(40) == [0, 10, 20, 30, 40]
    assert charts.nice_ticks(41)[-1] == 50
    assert charts.nice_ticks(5400, integer=False, steps=(60, 900, 1800, 3600)) == [
        0,
        1800,
        3600,
        5400,
    ]
    many = charts.nice_ticks(10 * 86400, integer=False, steps=(60, 3600, 86400))
    assert many[-1] >= 10 * 86400
    assert len(many) <= 6
