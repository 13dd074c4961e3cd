"""The PDF report benchmark: `python -m bench.pdf`, or `bench/run pdf`.

Self-contained: it migrates a throwaway SQLite database (or the empty one
--database-url names) and keeps photos in a throwaway media folder. It builds

1. an inspection of a long checklist (enough items for about 30 pages) with
   40 JPEG photos of 800×600 made with Pillow, and times
   `reports.documents.inspection.inspection_report_pdf`;
2. a year of half-yearly questionnaires for 50 customers (and the year
   before, for the trend), and times `reports.documents.satisfaction.satisfaction_year_pdf`
   for all customers.

Each is rendered once to warm up (fonts, templates), then `--runs` times;
the median is the result. Goal: under 5 s each. Results are printed and
written to the PDF block of docs/PERFORMANCE.md (or --output). A missed
goal is a result, not an error.

The data is built in bench/pdf_dataset.py, the report written by
bench/pdf_report.py.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.pdf_report import ABOUT, TITLE, machine, report
from bench.report_file import write_run

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"[bench.pdf] {message}", file=sys.stderr, flush=True)


def pdf_pages(pdf: bytes) -> int:
    if shutil.which("pdfinfo"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            out = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
        match = re.search(r"^Pages:\s+(\d+)", out, re.M)
        if match:
            return int(match.group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@dataclass
class Rendered:
    """One report rendered: the first (cold) run, the median of the next, the last PDF."""

    first: float
    median: float
    pdf: bytes
    pages: int


def timed(render, runs: int) -> Rendered:
    """The first run, then the median of the next `runs`, in seconds, and the last PDF."""
    started = time.perf_counter()
    pdf = render()
    first = time.perf_counter() - started
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        pdf = render()
        samples.append(time.perf_counter() - started)
    return Rendered(first, statistics.median(samples), pdf, pdf_pages(pdf))


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=760, help="checklist items (about 30 pages)")
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    parser.add_argument(
        "--database-url", default="", help="an empty database to use instead of a SQLite file"
    )
    parser.add_argument("--keep", type=Path, default=None, help="also save the PDFs here")
    return parser.parse_args(argv)


def _set_up(args: argparse.Namespace, workdir: Path) -> None:
    """Django on the benchmark's own database and media folder."""
    # Never the DATABASE_URL of the environment: the benchmark writes its own data.
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    os.environ.setdefault("LANGUAGE_CODE", "zh-hans")
    import django

    django.setup()


def _render(args: argparse.Namespace) -> tuple[Rendered, Rendered]:
    """Migrate, build the data, then time both reports in Chinese: (inspection, satisfaction)."""
    from django.core.management import call_command
    from django.utils import translation

    from bench.pdf_dataset import build_inspection, build_people, build_satisfaction
    from reports.documents.inspection import inspection_report_pdf
    from reports.documents.satisfaction import satisfaction_year_pdf

    log(f"migrate ({os.environ['DATABASE_URL']})")
    call_command("migrate", verbosity=0, interactive=False)
    engineer, manager = build_people()
    log(f"inspection: {args.items} items, {args.photos} photos of 800×600")
    inspection = build_inspection(
        items=args.items, photos=args.photos, engineer=engineer, manager=manager
    )
    log(f"satisfaction: {args.customers} customers")
    build_satisfaction(customers=args.customers, year=2026)
    translation.activate("zh-hans")
    log("render the inspection report")
    inspection_run = timed(lambda: inspection_report_pdf(inspection), args.runs)
    log("render the yearly satisfaction report")
    satisfaction_run = timed(lambda: satisfaction_year_pdf(year=2026), args.runs)
    return inspection_run, satisfaction_run


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    try:
        _set_up(args, workdir)
        started = datetime.now(UTC)
        inspection, satisfaction = _render(args)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / "bench-inspection.pdf").write_bytes(inspection.pdf)
            (args.keep / "bench-satisfaction.pdf").write_bytes(satisfaction.pdf)
        section, summary = report(
            started=started,
            info=machine(),
            inspection=inspection,
            satisfaction=satisfaction,
            args=args,
        )
        print(section)
        write_run(args.output, "pdf", title=TITLE, about=ABOUT, latest=section, summary=summary)
        log(f"written to {args.output}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
