"""Server-rendered SVG charts: the same markup goes into pages and WeasyPrint PDF reports.

Pure functions over plain numbers (no ORM, no JavaScript, no external fonts
or stylesheets), drawn with reports/svg.py.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

from reports import svg
from reports.svg import BAD, GRID, MUTED, OK, PLAIN, SERIES_STYLES, WARN, num


@dataclass(frozen=True)
class Series:
    """One line of a trend chart: a name for the legend and one value (or None) per label."""

    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart; `note` is shown after the value (e.g. "3/4")."""

    label: str
    value: float | None
    note: str = ""


def format_percent(value: float | None) -> str:
    """75.0 -> "75 %", 66.666 -> "66.7 %", None -> "–"."""
    if value is None:
        return "–"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text} %"


# --- trend chart ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plot:
    """Where a trend chart draws: its plot area, and where a period and a percentage fall."""

    left: int
    top: int
    width: int
    height: int
    periods: int
    font: int

    @property
    def bottom(self) -> int:
        return self.top + self.height

    @property
    def step(self) -> float:
        return self.width / self.periods if self.periods else self.width

    def x_of(self, index: int) -> float:
        return self.left + self.step * (index + 0.5)

    def y_of(self, value: float) -> float:
        value = min(max(value, 0.0), 100.0)
        return self.top + self.height * (1 - value / 100)


def trend_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_label: str = "",
    target: float | None = None,
    target_label: str = "",
    empty_text: str | None = None,
    width: int = 440,
    height: int = 280,
    font_size: int = 13,
) -> str:
    """A line chart of percentages (0–100) per period, one line per series, with a legend.

    `labels` name the periods on the x axis (e.g. ISO weeks); a None value
    leaves a gap in its line (nothing was decided that week). An optional
    `target` draws a dashed horizontal line (e.g. the 95 % goal).
    """
    identifier = svg.chart_id(
        "trend", title, tuple(labels), tuple((s.name, tuple(s.values)) for s in series)
    )
    # The target's label goes in the legend: inside the plot the lines near 100 % ran over it.
    entries = len(series) + (1 if target is not None and target_label else 0)
    legend_rows = max(1, -(-entries // 3))
    left, right, top = 48, 16, 14
    bottom = 40 + legend_rows * 20
    plot = _Plot(left, top, width - left - right, height - top - bottom, len(labels), font_size)
    has_data = any(v is not None for s in series for v in s.values)
    no_data = empty_text or _("No data")
    desc = _trend_desc(labels, series) if has_data else no_data
    out = svg.open_svg(identifier, width, height, title, desc)
    out += _trend_axes(plot, y_label)
    out += _trend_periods(plot, labels)
    if target is not None:
        out += _trend_target(plot, target, target_label)
    if not has_data:
        middle = (plot.left + plot.width / 2, plot.top + plot.height / 2)
        out.append(svg.text(*middle, no_data, size=font_size + 1, anchor="middle", fill=MUTED))
    for number, s in enumerate(series):
        out += _trend_line(plot, s, SERIES_STYLES[number % len(SERIES_STYLES)], labels)
    out += _trend_legend(plot, series, target_label if target is not None else "")
    out.append("</svg>")
    return "".join(out)


def _trend_desc(labels: Sequence[str], series: Sequence[Series]) -> str:
    parts = []
    for s in series:
        values = ", ".join(
            f"{label}: {format_percent(v)}" for label, v in zip(labels, s.values, strict=False)
        )
        parts.append(f"{s.name}: {values}")
    return "; ".join(parts)


def _trend_axes(plot: _Plot, y_label: str) -> list[str]:
    """The grid at every quarter, the y axis with its percentages and label, the x axis."""
    out = []
    for tick in (0, 25, 50, 75, 100):
        y = plot.y_of(tick)
        out.append(svg.line(plot.left, y, plot.left + plot.width, y, stroke=GRID))
        out.append(
            svg.text(
                plot.left - 6, y + 4, f"{tick} %", size=plot.font - 1, anchor="end", fill=MUTED
            )
        )
    if y_label:
        middle = plot.top + plot.height / 2
        out.append(
            svg.text(
                12,
                middle,
                y_label,
                size=plot.font - 1,
                anchor="middle",
                fill=MUTED,
                extra=f' transform="rotate(-90 12 {num(middle)})"',
            )
        )
    out.append(
        f'<line x1="{plot.left}" y1="{plot.top}" x2="{plot.left}" y2="{plot.bottom}" '
        f'stroke="{MUTED}"/>'
        f'<line x1="{plot.left}" y1="{plot.bottom}" x2="{plot.left + plot.width}" '
        f'y2="{plot.bottom}" stroke="{MUTED}"/>'
    )
    return out


def _trend_periods(plot: _Plot, labels: Sequence[str]) -> list[str]:
    """The x labels: as many as fit without overlapping."""
    if not labels:
        return []
    widest = max(svg.text_width(label, plot.font - 1) for label in labels) + 6
    every = max(1, -(-int(widest) // max(1, int(plot.step))))
    return [
        svg.text(plot.x_of(index), plot.bottom + 16, label, size=plot.font - 1, anchor="middle")
        for index, label in enumerate(labels)
        if index % every == 0
    ]


def _trend_target(plot: _Plot, target: float, label: str) -> list[str]:
    """The dashed target line; its label is a legend entry (`_trend_legend`), which no line
    can cross, and the line's <title> for a pointer hovering it."""
    y = plot.y_of(target)
    title = f"<title>{escape(label)}</title>" if label else ""
    return [
        f'<g class="target">{title}',
        svg.line(plot.left, y, plot.left + plot.width, y, stroke=BAD, dash="3 3"),
        "</g>",
    ]


def _trend_line(plot: _Plot, s: Series, style, labels: Sequence[str]) -> list[str]:
    """One series: its line, broken where a value is missing, and a marker on each value."""
    color, dash, shape = style
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    values = s.values[: plot.periods]
    out = [f'<g class="series" data-series={quoteattr(s.name)}>']
    segments: list[list[str]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            segments.append([])
        else:
            segments[-1].append(f"{num(plot.x_of(index))},{num(plot.y_of(value))}")
    for points in segments:
        if len(points) > 1:
            out.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
                f'stroke-width="2"{dash_attr}/>'
            )
    for index, value in enumerate(values):
        if value is not None:
            tooltip = f"{s.name} · {labels[index]}: {format_percent(value)}"
            out.append(svg.marker(shape, plot.x_of(index), plot.y_of(value), color, tooltip))
    out.append("</g>")
    return out


def _trend_legend(plot: _Plot, series: Sequence[Series], target_label: str = "") -> list[str]:
    """Three entries a row, under the x labels; the target's dashed line last."""
    out = []
    legend_top = plot.bottom + 30
    column = plot.width / 3

    def place(number: int) -> tuple[float, float]:
        row, col = divmod(number, 3)
        return plot.left + col * column, legend_top + row * 20

    for number, s in enumerate(series):
        color, dash, shape = SERIES_STYLES[number % len(SERIES_STYLES)]
        x, y = place(number)
        out.append(svg.line(x, y, x + 22, y, stroke=color, width=2, dash=dash))
        out.append(svg.marker(shape, x + 11, y, color, s.name))
        out.append(svg.text(x + 28, y + 4, svg.fit(s.name, plot.font, column - 32), size=plot.font))
    if target_label:
        x, y = place(len(series))
        out.append(svg.line(x, y, x + 22, y, stroke=BAD, width=2, dash="3 3"))
        label = svg.fit(target_label, plot.font, column - 32)
        out.append(svg.text(x + 28, y + 4, label, size=plot.font, fill=BAD))
    return out


# --- bar chart ------------------------------------------------------------------------------

ROW_HEIGHT = 26


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    target: float | None = None,
    warn_below: float | None = None,
    empty_text: str | None = None,
    width: int = 440,
    font_size: int = 13,
    max_value: float = 100.0,
    unit_percent: bool = True,
) -> str:
    """Horizontal bars, one per row (e.g. compliance by engineer), label left, value right.

    Bars at or above `target` are green, below it amber, below `warn_below`
    red; without a target they are all blue. Long labels are shortened with an
    ellipsis; the full label is in each row's <title>.
    """
    identifier = svg.chart_id("bars", title, tuple((b.label, b.value, b.note) for b in bars))
    font = font_size
    top, bottom = 10, 24
    widest = max([svg.text_width(b.label, font) for b in bars] + [60]) + 8
    label_w = min(int(width * 0.36), widest)
    left = label_w + 8
    plot_w = max(60, width - left - 100)
    height = top + bottom + ROW_HEIGHT * max(1, len(bars))
    fmt = format_percent if unit_percent else (lambda v: "–" if v is None else num(v))
    no_data = empty_text or _("No data")
    desc = (
        "; ".join(f"{b.label}: {fmt(b.value)}{f' ({b.note})' if b.note else ''}" for b in bars)
        if bars
        else no_data
    )
    out = svg.open_svg(identifier, width, height, title, desc)
    plot_bottom = top + ROW_HEIGHT * max(1, len(bars))
    for tick in (0, 0.5, 1):
        x = left + plot_w * tick
        out.append(svg.line(x, top, x, plot_bottom, stroke=GRID))
        value = fmt(max_value * tick)
        out.append(svg.text(x, plot_bottom + 16, value, size=font - 2, anchor="middle", fill=MUTED))
    if target is not None and max_value:
        x = left + plot_w * min(target, max_value) / max_value
        out.append(svg.line(x, top, x, plot_bottom, stroke=BAD, dash="3 3"))
    if not bars:
        middle = (left + plot_w / 2, top + ROW_HEIGHT / 2 + 4)
        out.append(svg.text(*middle, no_data, fill=MUTED, anchor="middle"))
    for index, b in enumerate(bars):
        color = _bar_color(b.value, target=target, warn_below=warn_below)
        length = (
            0.0
            if b.value is None or not max_value
            else plot_w * min(max(b.value, 0.0), max_value) / max_value
        )
        out += _bar_row(b, top + index * ROW_HEIGHT, label_w, left, length, color, fmt, font)
    out.append("</svg>")
    return "".join(out)


def _bar_color(value: float | None, *, target: float | None, warn_below: float | None) -> str:
    if value is None:
        return GRID
    if target is None:
        return PLAIN
    if value >= target:
        return OK
    if warn_below is not None and value < warn_below:
        return BAD
    return WARN


def _bar_row(b: Bar, y, label_w, left, length, color, fmt: Callable, font: int) -> list[str]:
    """One row: the label (shortened to fit), the bar, its value and note; all in its title."""
    value_text = fmt(b.value) + (f" ({b.note})" if b.note else "")
    middle = y + ROW_HEIGHT / 2 + 4
    return [
        f"<g><title>{escape(f'{b.label}: {value_text}')}</title>",
        svg.text(label_w, middle, svg.fit(b.label, font, label_w - 4), size=font, anchor="end"),
        f'<rect x="{left}" y="{num(y + 5)}" width="{num(length)}" height="{ROW_HEIGHT - 10}" '
        f'fill="{color}" rx="2"/>',
        svg.text(left + length + 4, middle, value_text, size=font - 1),
        "</g>",
    ]
