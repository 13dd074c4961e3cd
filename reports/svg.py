"""The SVG the charts are drawn with: text, markers, the opening of a chart, and its look.

Every label is XML-escaped; every chart has a viewBox, a <title> and a
<desc>, so it scales to the width of a phone and a screen reader can name it.
Text uses a font list that finds a CJK font wherever one is installed (the
PDF renderer embeds the one it finds).
"""

from hashlib import sha1
from xml.sax.saxutils import escape, quoteattr

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
PLAIN = "#0b5cab"
# Distinguishable in colour and, for colour-blind readers, by dash pattern and marker.
SERIES_STYLES = [
    (PLAIN, "", "circle"),
    ("#b35900", "6 3", "square"),
    ("#1a7f37", "2 3", "diamond"),
    ("#8e24aa", "8 3 2 3", "triangle"),
    ("#c62828", "4 4", "circle"),
    ("#00838f", "1 2", "square"),
]


def text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK and other wide characters take 1 em, the rest 0.6 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def fit(text: str, size: float, width: float) -> str:
    """Shorten a label with an ellipsis so it fits the given width."""
    if text_width(text, size) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > width:
            break
        out += ch
    return out + "…"


def chart_id(*parts) -> str:
    return "chart-" + sha1(repr(parts).encode()).hexdigest()[:10]


def num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def text(x, y, content: str, *, size=12, anchor="start", fill=INK, weight="", extra="") -> str:
    weight_attr = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{num(x)}" y="{num(y)}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}"{weight_attr}{extra}>{escape(content)}</text>'
    )


def line(x1, y1, x2, y2, *, stroke: str, width: float = 1, dash: str = "") -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
        f'stroke="{stroke}" stroke-width="{num(width)}"{dash_attr}/>'
    )


def open_svg(identifier: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{identifier}-title {identifier}-desc" '
        f'font-family={quoteattr(FONT_FAMILY)} class="chart-svg">',
        f'<title id="{identifier}-title">{escape(title)}</title>',
        f'<desc id="{identifier}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def marker(shape: str, x: float, y: float, color: str, tooltip: str) -> str:
    tip = f"<title>{escape(tooltip)}</title>"
    if shape == "square":
        return (
            f'<rect x="{num(x - 3.5)}" y="{num(y - 3.5)}" width="7" height="7" '
            f'fill="{color}">{tip}</rect>'
        )
    if shape == "diamond":
        points = f"{num(x)},{num(y - 4.5)} {num(x + 4.5)},{num(y)} {num(x)},{num(y + 4.5)} "
        points += f"{num(x - 4.5)},{num(y)}"
        return f'<polygon points="{points}" fill="{color}">{tip}</polygon>'
    if shape == "triangle":
        points = f"{num(x)},{num(y - 4.5)} {num(x + 4.5)},{num(y + 4)} {num(x - 4.5)},{num(y + 4)}"
        return f'<polygon points="{points}" fill="{color}">{tip}</polygon>'
    return f'<circle cx="{num(x)}" cy="{num(y)}" r="4" fill="{color}">{tip}</circle>'
