"""What every document writes the same way: numbers, percentages, local times, CSV files."""

import csv
import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from reports import charts
from tickets.rollups import service_tz


def pk_of(value) -> int | None:
    """A model instance or a primary key (or None) -> the primary key."""
    if value is None or value == "":
        return None
    return getattr(value, "pk", None) or int(value)


def local_text(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, service_tz()).strftime("%Y-%m-%d %H:%M")


def format_number(value: Decimal | float | int | None) -> str:
    """12.5000 -> "12.5", 3.0 -> "3", None -> ""."""
    if value is None:
        return ""
    text = f"{Decimal(str(value)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def percent_text(value: float | None) -> str:
    return charts.format_percent(value)


# A spreadsheet reads a cell starting with one of these as a formula (`=HYPERLINK(...)`).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(cell):
    """A cell as written to CSV: None empty; text that a spreadsheet would run as a formula is
    prefixed with a single quote. Every text cell is escaped (a name, a fault cause or a label
    alike), whatever its source; numbers (int, float, Decimal) are data and stay as they are,
    so a negative number the report computes is still a number in Excel."""
    if cell is None:
        return ""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 with BOM, CRLF line ends: what Excel on a Chinese Windows expects.

    The one CSV writer of the site: every CSV download goes through here."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(str(cell)) for cell in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=service_tz())
    return start, start + timedelta(days=1)


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username
