"""The SVG charts are well-formed, self-contained, accessible and escape what they show."""

import xml.etree.ElementTree as ET

from reports.charts import Bar, Series, bar_chart, format_percent, trend_chart
from reports.svg import FONT_FAMILY

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    root = ET.fromstring(markup)
    assert root.tag == f"{SVG}svg"
    return root


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_trend_chart_is_well_formed_with_axes_legend_and_title():
    markup = trend_chart(
        ["W45", "W46", "W47"],
        [
            Series("Response", [100.0, 75.0, None]),
            Series("On site", [50.0, None, 80.0]),
            Series("解决", [None, None, 90.0]),
        ],
        title="Compliance per week",
        y_label="compliance",
        target=95,
        target_label="target 95 %",
    )
    root = _parse(markup)
    assert root.get("viewBox").startswith("0 0 ")
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Compliance per week"
    texts = _texts(root)
    # Axis labels, week labels and the legend.
    for expected in ["0 %", "50 %", "100 %", "W45", "W46", "W47", "compliance"]:
        assert expected in texts
    for name in ["Response", "On site", "解决"]:
        assert name in texts
    assert "target 95 %" in texts
    # One line per series with at least two consecutive points; gaps split the line.
    assert len(root.findall(f".//{SVG}polyline")) == 1
    # A marker per value, each with its own tooltip.
    tooltips = [t.text for t in root.iter(f"{SVG}title")]
    assert "Response · W46: 75 %" in tooltips
    # Self-contained: no script, no stylesheet, no external reference, a CJK-capable font list.
    assert "<script" not in markup and "<style" not in markup and "href" not in markup
    assert root.get("font-family") == FONT_FAMILY
    assert "Noto Sans CJK SC" in FONT_FAMILY and "sans-serif" in FONT_FAMILY


def test_labels_are_escaped():
    nasty = 'A&B <script>alert("x")</script>'
    markup = trend_chart([nasty], [Series(nasty, [50.0])], title=nasty)
    root = _parse(markup)
    assert "<script>" not in markup
    assert root.find(f"{SVG}title").text == nasty
    assert nasty in _texts(root)
    bars = bar_chart([Bar(nasty, 40.0, "2/5")], title=nasty)
    root = _parse(bars)
    assert "<script>" not in bars
    assert root.find(f"{SVG}title").text == nasty


def test_trend_chart_without_data_says_so():
    root = _parse(
        trend_chart(["W1"], [Series("Response", [None])], title="Trend", empty_text="Nothing yet")
    )
    assert "Nothing yet" in _texts(root)
    assert root.find(f"{SVG}desc").text == "Nothing yet"


def test_bar_chart_has_one_bar_per_row_coloured_by_target():
    markup = bar_chart(
        [
            Bar("王工程师", 100.0, "4/4"),
            Bar("engineer_north", 50.0, "1/2"),
            Bar("(not assigned)", None),
        ],
        title="Compliance by engineer",
        target=95,
        warn_below=80,
    )
    root = _parse(markup)
    assert root.find(f"{SVG}title").text == "Compliance by engineer"
    texts = _texts(root)
    assert "王工程师" in texts and "engineer_north" in texts and "(not assigned)" in texts
    assert "100 % (4/4)" in texts and "50 % (1/2)" in texts
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "16"]
    assert [b.get("fill") for b in bars] == ["#1a7f37", "#c62828", "#d9dee8"]
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    # Height grows with the rows; the viewBox matches the size.
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"


def test_long_labels_are_shortened_but_kept_whole_in_the_row_title():
    long = "东江水务集团有限公司调度中心第三运维班组" * 2
    root = _parse(bar_chart([Bar(long, 70.0)], title="By customer"))
    shown = [t for t in _texts(root) if t.startswith("东江")]
    assert shown and shown[0].endswith("…") and len(shown[0]) < len(long)
    assert any(t.text.startswith(long) for t in root.iter(f"{SVG}title"))


def test_empty_bar_chart_is_valid():
    root = _parse(bar_chart([], title="Nobody", empty_text="No engineer yet"))
    assert "No engineer yet" in _texts(root)


def test_format_percent():
    assert format_percent(75.0) == "75 %"
    assert format_percent(200 / 3) == "66.7 %"
    assert format_percent(None) == "–"


def test_the_target_label_sits_in_the_legend_where_no_line_crosses_it():
    markup = trend_chart(
        ["W45", "W46", "W47", "W48"],
        [Series("Response", [100.0, 96.0, 100.0, 94.0]), Series("On site", [95.0] * 4)],
        title="Compliance per week",
        target=95,
        target_label="目标 95 %",
    )
    root = _parse(markup)
    label = next(t for t in root.iter(f"{SVG}text") if t.text == "目标 95 %")
    lowest_line = max(
        float(point.split(",")[1])
        for polyline in root.iter(f"{SVG}polyline")
        for point in polyline.get("points").split()
    )
    x_axis = max(float(t.get("y")) for t in root.iter(f"{SVG}text") if t.text == "W45")
    # Below the plot and the week labels, inside the picture.
    assert float(label.get("y")) > x_axis > lowest_line
    assert float(label.get("y")) < float(root.get("height"))
