"""Server-rendered SVG charts: the same markup goes into pages and WeasyPrint PDF reports.

Pure functions over plain numbers (no ORM, no JavaScript, no external fonts
or stylesheets). Every label is XML-escaped; every chart has a viewBox, a
<title> and a <desc>, so it scales to the width of a phone and a screen
reader can name it. Text uses a font list that finds a CJK font wherever one
is installed (the PDF renderer embeds the one it finds).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha1
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

FONT_FAMILY = (
    "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, "
    "WenQuanYi Micro Hei, Hiragino Sans GB, SimHei, sans-serif"
)
INK = "#1d2433"
MUTED = "#5b6478"
GRID = "#d9dee8"
OK = "#1a7f37"
WARN = "#b35900"
BAD = "#c62828"
# Distinguishable in colour and, for colour-blind readers, by dash pattern and marker.
SERIES_STYLES = [
    ("#0b5cab", "", "circle"),
    ("#b35900", "6 3", "square"),
    ("#1a7f37", "2 3", "diamond"),
    ("#8e24aa", "8 3 2 3", "triangle"),
    ("#c62828", "4 4", "circle"),
    ("#00838f", "1 2", "square"),
]


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


def _text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK and other wide characters take 1 em, the rest 0.6 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def _fit(text: str, size: float, width: float) -> str:
    """Shorten a label with an ellipsis so it fits the given width."""
    if _text_width(text, size) <= width:
        return text
    out = ""
    for ch in text:
        if _text_width(out + ch + "…", size) > width:
            break
        out += ch
    return out + "…"


def _chart_id(*parts) -> str:
    return "chart-" + sha1(repr(parts).encode()).hexdigest()[:10]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x, y, content: str, *, size=12, anchor="start", fill=INK, weight="", extra="") -> str:
    weight_attr = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}"{weight_attr}{extra}>{escape(content)}</text>'
    )


def _open_svg(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family={quoteattr(FONT_FAMILY)} class="chart-svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _marker(shape: str, x: float, y: float, color: str, tooltip: str) -> str:
    tip = f"<title>{escape(tooltip)}</title>"
    if shape == "square":
        return (
            f'<rect x="{_num(x - 3.5)}" y="{_num(y - 3.5)}" width="7" height="7" '
            f'fill="{color}">{tip}</rect>'
        )
    if shape == "diamond":
        points = f"{_num(x)},{_num(y - 4.5)} {_num(x + 4.5)},{_num(y)} {_num(x)},{_num(y + 4.5)} "
        points += f"{_num(x - 4.5)},{_num(y)}"
        return f'<polygon points="{points}" fill="{color}">{tip}</polygon>'
    if shape == "triangle":
        points = (
            f"{_num(x)},{_num(y - 4.5)} {_num(x + 4.5)},{_num(y + 4)} {_num(x - 4.5)},{_num(y + 4)}"
        )
        return f'<polygon points="{points}" fill="{color}">{tip}</polygon>'
    return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" fill="{color}">{tip}</circle>'


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
    chart_id = _chart_id(
        "trend", title, tuple(labels), tuple((s.name, tuple(s.values)) for s in series)
    )
    font = font_size
    legend_rows = max(1, -(-len(series) // 3))
    left, right, top = 48, 16, 14
    bottom = 40 + legend_rows * 20
    plot_w = width - left - right
    plot_h = height - top - bottom
    has_data = any(v is not None for s in series for v in s.values)
    desc_parts = []
    for s in series:
        values = ", ".join(
            f"{label}: {format_percent(v)}" for label, v in zip(labels, s.values, strict=False)
        )
        desc_parts.append(f"{s.name}: {values}")
    desc = "; ".join(desc_parts) if has_data else (empty_text or _("No data"))
    out = _open_svg(chart_id, width, height, title, desc)

    def y_of(value: float) -> float:
        value = min(max(value, 0.0), 100.0)
        return top + plot_h * (1 - value / 100)

    # Grid and y axis.
    for tick in (0, 25, 50, 75, 100):
        y = y_of(tick)
        out.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{left + plot_w}" y2="{_num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(_text(left - 6, y + 4, f"{tick} %", size=font - 1, anchor="end", fill=MUTED))
    if y_label:
        out.append(
            _text(
                12,
                top + plot_h / 2,
                y_label,
                size=font - 1,
                anchor="middle",
                fill=MUTED,
                extra=f' transform="rotate(-90 12 {_num(top + plot_h / 2)})"',
            )
        )
    out.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{MUTED}"/>'
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="{MUTED}"/>'
    )

    n = len(labels)
    step_x = plot_w / n if n else plot_w

    def x_of(index: int) -> float:
        return left + step_x * (index + 0.5)

    # X labels: as many as fit without overlapping.
    if n:
        widest = max(_text_width(label, font - 1) for label in labels) + 6
        every = max(1, -(-int(widest) // max(1, int(step_x))))
        for index, label in enumerate(labels):
            if index % every == 0:
                out.append(
                    _text(x_of(index), top + plot_h + 16, label, size=font - 1, anchor="middle")
                )

    if target is not None:
        y = y_of(target)
        out.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{left + plot_w}" y2="{_num(y)}" '
            f'stroke="{BAD}" stroke-width="1" stroke-dasharray="3 3"/>'
        )
        if target_label:
            out.append(
                _text(left + plot_w - 2, y - 4, target_label, size=font - 2, anchor="end", fill=BAD)
            )

    if not has_data:
        out.append(
            _text(
                left + plot_w / 2,
                top + plot_h / 2,
                empty_text or _("No data"),
                size=font + 1,
                anchor="middle",
                fill=MUTED,
            )
        )

    for number, s in enumerate(series):
        color, dash, shape = SERIES_STYLES[number % len(SERIES_STYLES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<g class="series" data-series={quoteattr(s.name)}>')
        segment: list[str] = []
        segments: list[list[str]] = []
        for index, value in enumerate(s.values[:n]):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{_num(x_of(index))},{_num(y_of(value))}")
        if segment:
            segments.append(segment)
        for points in segments:
            if len(points) > 1:
                out.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
                    f'stroke-width="2"{dash_attr}/>'
                )
        for index, value in enumerate(s.values[:n]):
            if value is not None:
                tooltip = f"{s.name} · {labels[index]}: {format_percent(value)}"
                out.append(_marker(shape, x_of(index), y_of(value), color, tooltip))
        out.append("</g>")

    # Legend, three entries a row, under the x labels.
    legend_top = top + plot_h + 30
    column = plot_w / 3
    for number, s in enumerate(series):
        color, dash, shape = SERIES_STYLES[number % len(SERIES_STYLES)]
        row, col = divmod(number, 3)
        x = left + col * column
        y = legend_top + row * 20
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{_num(x)}" y1="{_num(y)}" x2="{_num(x + 22)}" y2="{_num(y)}" '
            f'stroke="{color}" stroke-width="2"{dash_attr}/>'
        )
        out.append(_marker(shape, x + 11, y, color, s.name))
        out.append(_text(x + 28, y + 4, _fit(s.name, font, column - 32), size=font))
    out.append("</svg>")
    return "".join(out)


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
    chart_id = _chart_id("bars", title, tuple((b.label, b.value, b.note) for b in bars))
    font = font_size
    row_h = 26
    top, bottom = 10, 24
    label_w = min(int(width * 0.36), max([_text_width(b.label, font) for b in bars] + [60]) + 8)
    value_w = 100
    left = label_w + 8
    plot_w = max(60, width - left - value_w)
    height = top + bottom + row_h * max(1, len(bars))
    fmt = format_percent if unit_percent else (lambda v: "–" if v is None else _num(v))
    desc = (
        "; ".join(f"{b.label}: {fmt(b.value)}{f' ({b.note})' if b.note else ''}" for b in bars)
        if bars
        else (empty_text or _("No data"))
    )
    out = _open_svg(chart_id, width, height, title, desc)
    plot_bottom = top + row_h * max(1, len(bars))
    for tick in (0, 0.5, 1):
        x = left + plot_w * tick
        out.append(
            f'<line x1="{_num(x)}" y1="{top}" x2="{_num(x)}" y2="{plot_bottom}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            _text(
                x,
                plot_bottom + 16,
                fmt(max_value * tick),
                size=font - 2,
                anchor="middle",
                fill=MUTED,
            )
        )
    if target is not None and max_value:
        x = left + plot_w * min(target, max_value) / max_value
        out.append(
            f'<line x1="{_num(x)}" y1="{top}" x2="{_num(x)}" y2="{plot_bottom}" '
            f'stroke="{BAD}" stroke-width="1" stroke-dasharray="3 3"/>'
        )
    if not bars:
        out.append(
            _text(
                left + plot_w / 2,
                top + row_h / 2 + 4,
                empty_text or _("No data"),
                fill=MUTED,
                anchor="middle",
            )
        )
    for index, b in enumerate(bars):
        y = top + index * row_h
        if b.value is None:
            color = GRID
        elif target is None:
            color = "#0b5cab"
        elif b.value >= target:
            color = OK
        elif warn_below is not None and b.value < warn_below:
            color = BAD
        else:
            color = WARN
        length = (
            0.0
            if b.value is None or not max_value
            else plot_w * min(max(b.value, 0.0), max_value) / max_value
        )
        value_text = fmt(b.value) + (f" ({b.note})" if b.note else "")
        out.append(f"<g><title>{escape(f'{b.label}: {value_text}')}</title>")
        out.append(
            _text(
                label_w,
                y + row_h / 2 + 4,
                _fit(b.label, font, label_w - 4),
                size=font,
                anchor="end",
            )
        )
        out.append(
            f'<rect x="{left}" y="{_num(y + 5)}" width="{_num(length)}" height="{row_h - 10}" '
            f'fill="{color}" rx="2"/>'
        )
        out.append(_text(left + length + 4, y + row_h / 2 + 4, value_text, size=font - 1))
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
