"""The PDF block of docs/PERFORMANCE.md: its goal and method, and the report of a run."""

import os
import platform
from datetime import datetime
from importlib import metadata

from bench.machine import cpu_model, load_average
from bench.report_file import yes_or_no

GOAL_SECONDS = 5.0
TITLE = "The PDF reports (`bench/run pdf`)"
ABOUT = """Goal: the inspection report of a long checklist (about 30 pages, 40
photos) and the yearly satisfaction report of 50 customers each rendered in
under 5 s (median).

Method: `bench/run pdf` (`python -m bench.pdf`, not part of `bench/run`;
no services needed) migrates a throwaway SQLite database and keeps photos in
a throwaway media folder. It builds

1. an inspection of a long checklist (760 items, about 30 pages) with 40
   JPEG photos of 800×600 made with Pillow, and times
   `reports.documents.inspection.inspection_report_pdf`;
2. a year of half-yearly questionnaires for 50 customers (and the year
   before, for the trend), and times `reports.documents.satisfaction.satisfaction_year_pdf`
   for all customers.

Each is rendered by WeasyPrint once to warm up (fonts, templates), then 3
times; the median is the result.
"""
NOTES = [
    "The times include the database queries and "
    "reading the photos from the media storage; photos are embedded as stored (JPEG).",
]


def machine() -> dict[str, str]:
    """CPU, load and software versions; WeasyPrint's, and which database the data was in."""
    import django
    from django.db import connection

    try:
        weasy = metadata.version("weasyprint")  # only reports/pdf.py imports WeasyPrint
    except metadata.PackageNotFoundError:
        weasy = "?"
    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "django": django.get_version(),
        "weasyprint": weasy,
        "database": connection.vendor,
        "os": platform.platform(),
        "load": load_average(),
    }


def _rows(*, inspection, satisfaction, args) -> list[tuple[str, str, str, bool]]:
    """(measure, result, goal, met) of each report; `inspection` and `satisfaction` are
    `bench.pdf.Rendered`."""
    return [
        (
            f"inspection report, {inspection.pages} pages, {args.items} items, "
            f"{args.photos} photos ({len(inspection.pdf) / 1e6:.1f} MB): median of {args.runs}",
            f"{inspection.median:.2f} s (first {inspection.first:.2f} s)",
            f"< {GOAL_SECONDS:.0f} s",
            inspection.median < GOAL_SECONDS,
        ),
        (
            f"yearly satisfaction report, {args.customers} customers, {satisfaction.pages} pages "
            f"({len(satisfaction.pdf) / 1e6:.1f} MB): median of {args.runs}",
            f"{satisfaction.median:.2f} s (first {satisfaction.first:.2f} s)",
            f"< {GOAL_SECONDS:.0f} s",
            satisfaction.median < GOAL_SECONDS,
        ),
    ]


def _summary(*, started: datetime, info: dict, inspection, satisfaction, args) -> str:
    met = max(inspection.median, satisfaction.median) < GOAL_SECONDS
    return (
        f"{started:%Y-%m-%d %H:%M} UTC (load {info['load']}): inspection report, "
        f"{inspection.pages} pages, median {inspection.median:.2f} s; yearly satisfaction "
        f"report, {args.customers} customers, {satisfaction.pages} pages, median "
        f"{satisfaction.median:.2f} s (goal < {GOAL_SECONDS:.0f} s each); "
        + ("all goals met" if met else "goal missed")
    )


def report(*, started: datetime, info: dict, inspection, satisfaction, args) -> tuple[str, str]:
    """The markdown of the run, and its one-line summary for the History."""
    lines = [
        f"### Latest run: {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores; Python {info['python']}, "
        f"Django {info['django']}, WeasyPrint {info['weasyprint']}, {info['database']}; "
        f"{info['os']}; load average {info['load']}.",
        "",
        "| measure | result | goal | met? |",
        "|---|---|---|---|",
    ]
    for measure, result, goal, met in _rows(
        inspection=inspection, satisfaction=satisfaction, args=args
    ):
        lines.append(f"| {measure} | {result} | {goal} | {yes_or_no(met)} |")
    lines += ["", *NOTES, ""]
    summary = _summary(
        started=started, info=info, inspection=inspection, satisfaction=satisfaction, args=args
    )
    return "\n".join(lines), summary
