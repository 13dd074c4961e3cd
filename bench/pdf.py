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
"""

import argparse
import io
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def log(message: str) -> None:
    print(f"[bench.pdf] {message}", file=sys.stderr, flush=True)


def photo_jpeg(n: int) -> bytes:
    """An 800×600 photo-like JPEG: a gradient, shapes and a label, about 40 KB."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600))
    draw = ImageDraw.Draw(image)
    for y in range(0, 600, 4):
        shade = (40 + (y * 3 + n * 17) % 180, 90 + (y + n * 7) % 120, 160)
        draw.rectangle([0, y, 800, y + 4], fill=shade)
    for k in range(12):
        x, y = (n * 53 + k * 97) % 700, (n * 31 + k * 61) % 500
        draw.ellipse([x, y, x + 90, y + 70], outline=(255, 255, 255), width=3)
    draw.text((20, 20), f"photo {n}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


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


def build_people():
    from accounts.models import User

    engineer = User.objects.create_user("bench-engineer", first_name="工程师", last_name="王")
    manager = User.objects.create_user("bench-manager", first_name="经理", last_name="李")
    return engineer, manager


def build_contract(number: str, customer_name: str):
    from contracts.models import Contract, Customer, Site
    from contracts.phases import AfterWarranty

    customer = Customer.objects.create(name=customer_name, region="华南")
    site = Site.objects.create(
        customer=customer, name=f"{customer_name}调度中心", address="示例路 1 号", region="华南"
    )
    contract = Contract.objects.create(
        number=number,
        title="平台运维服务",
        customer=customer,
        signed_on=date(2024, 1, 10),
        final_acceptance_on=date(2024, 9, 25),
        warranty_months=36,
        after_warranty=AfterWarranty.LIFETIME,
    )
    contract.sites.add(site)
    return contract, site


def build_inspection(*, items: int, photos: int, engineer, manager):
    """An approved inspection of `items` checklist items in 8 sections, with photos."""
    from django.core.files.base import ContentFile

    from inspections.models import (
        ChecklistItem,
        ChecklistSection,
        ChecklistTemplate,
        Inspection,
        InspectionPhoto,
        InspectionResult,
        Rectification,
    )

    contract, site = build_contract("BENCH-INSPECT-1", "东江水务集团有限公司")
    template = ChecklistTemplate.objects.create(name="年度健康检查", code="bench-annual")
    titles = [
        "基础软件",
        "应用：页面加载",
        "应用：登录与会话",
        "应用：响应时间",
        "业务数据",
        "备份",
        "网络",
        "安全",
    ]
    sections = [
        ChecklistSection.objects.create(template=template, order=i, title=title)
        for i, title in enumerate(titles)
    ]
    checklist = []
    for n in range(items):
        section = sections[n * len(sections) // items]
        kind = ["number", "pass_fail", "text"][n % 3]
        checklist.append(
            ChecklistItem(
                section=section,
                order=n,
                text=f"检查项 {n + 1}：服务器与应用运行状态",
                answer_kind=kind,
                unit="ms" if kind == "number" else "",
                min_value=Decimal(0) if kind == "number" else None,
                max_value=Decimal(800) if kind == "number" else None,
            )
        )
    ChecklistItem.objects.bulk_create(checklist)
    checklist = list(ChecklistItem.objects.filter(section__template=template).order_by("order"))
    at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

    def inspection(due_on, previous=None):
        done = Inspection.objects.create(
            contract=contract,
            site=site,
            template=template,
            engineer=engineer,
            due_on=due_on,
            state=Inspection.State.APPROVED,
            started_at=at,
            submitted_at=at,
            approved_at=at,
            approved_by=manager,
            summary="系统整体运行平稳，个别指标需要关注。",
        )
        before = {r.item_id: r for r in previous.results.all()} if previous else {}
        rows = []
        for n, item in enumerate(checklist):
            value = Decimal(300 + (n * 37 + due_on.month) % 700)
            anomaly = item.answer_kind == "number" and value > item.max_value
            rows.append(
                InspectionResult(
                    inspection=done,
                    item=item,
                    value=value if item.answer_kind == "number" else None,
                    passed=(n % 29 != 0) if item.answer_kind == "pass_fail" else None,
                    text="运行正常" if item.answer_kind == "text" else "",
                    anomaly=anomaly,
                    anomaly_reason="超出可接受范围" if anomaly else "",
                    note="已复核" if anomaly else "",
                    previous=before.get(item.pk),
                )
            )
        InspectionResult.objects.bulk_create(rows)
        return done

    previous = inspection(date(2025, 11, 20))
    current = inspection(date(2026, 11, 20), previous)
    results = list(current.results.order_by("pk"))
    for n in range(photos):
        photo = InspectionPhoto(result=results[n * 7 % len(results)], taken_by=engineer)
        photo.image.save(f"bench-{n}.jpg", ContentFile(photo_jpeg(n)), save=True)
    for result in current.results.filter(anomaly=True)[:10]:
        Rectification.objects.create(
            inspection=current,
            result=result,
            description="优化慢查询并复测",
            owner=engineer,
            due_on=date(2026, 12, 10),
        )
    return current


def build_satisfaction(*, customers: int, year: int) -> None:
    """Two half-yearly surveys a customer this year, one last year; 8 rated questions."""
    from contracts.models import Contact
    from reports.models import Question, Questionnaire, Survey, SurveyAnswer

    questionnaire = Questionnaire.objects.create(name="维护工作客户意见征询表", code="bench-q")
    questions = [
        Question.objects.create(
            questionnaire=questionnaire,
            order=i,
            text=f"问题 {i + 1}：服务及时性与质量",
            kind="rating",
        )
        for i in range(8)
    ]
    comment = Question.objects.create(
        questionnaire=questionnaire, order=9, text="意见和建议", kind="text"
    )
    for c in range(customers):
        contract, _site = build_contract(f"BENCH-SAT-{c:03d}", f"客户单位 {c + 1:02d} 有限公司")
        contact = Contact.objects.create(
            customer=contract.customer, name=f"联系人 {c}", phone=f"1390000{c:04d}"
        )
        for y, month in [(year - 1, 7), (year, 1), (year, 7)]:
            answered = (c + month) % 5 != 0
            survey = Survey.objects.create(
                questionnaire=questionnaire,
                contract=contract,
                contact=contact,
                period_start=date(y, month, 1),
                period_end=date(y, month + 5, 28),
                sent_at=datetime(y, month, 2, 1, 0, tzinfo=UTC),
                answered_at=datetime(y, month, 9, 1, 0, tzinfo=UTC) if answered else None,
            )
            if not answered:
                continue
            SurveyAnswer.objects.bulk_create(
                [
                    SurveyAnswer(survey=survey, question=q, rating=1 + (c + i + month) % 5)
                    for i, q in enumerate(questions)
                ]
                + [SurveyAnswer(survey=survey, question=comment, text="希望备件到货更快一些。")]
            )


def timed(render, runs: int) -> tuple[float, float, bytes]:
    """(first run, median of the next `runs`) in seconds, and the last PDF."""
    started = time.perf_counter()
    pdf = render()
    first = time.perf_counter() - started
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        pdf = render()
        samples.append(time.perf_counter() - started)
    return first, statistics.median(samples), pdf


def machine() -> dict[str, str]:
    import django
    from django.db import connection

    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        weasy = metadata.version("weasyprint")  # only reports/pdf.py imports WeasyPrint
    except metadata.PackageNotFoundError:
        weasy = "?"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "django": django.get_version(),
        "weasyprint": weasy,
        "database": connection.vendor,
        "os": platform.platform(),
        "load": _load(),
    }


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "n/a"


def report(*, started: datetime, info: dict, rows: list[tuple[str, str, str, bool]], notes) -> str:
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
    for measure, result, goal, met in rows:
        lines.append(f"| {measure} | {result} | {goal} | {'yes' if met else '**no**'} |")
    lines += ["", *notes, ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
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
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    # Never the DATABASE_URL of the environment: the benchmark writes its own data.
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    os.environ.setdefault("LANGUAGE_CODE", "zh-hans")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    from bench.report_file import write_run
    from reports.documents.inspection import inspection_report_pdf
    from reports.documents.satisfaction import satisfaction_year_pdf

    try:
        started = datetime.now(UTC)
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
        inspection_first, inspection_median, inspection_pdf = timed(
            lambda: inspection_report_pdf(inspection), args.runs
        )
        log("render the yearly satisfaction report")
        satisfaction_first, satisfaction_median, satisfaction_pdf = timed(
            lambda: satisfaction_year_pdf(year=2026), args.runs
        )
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / "bench-inspection.pdf").write_bytes(inspection_pdf)
            (args.keep / "bench-satisfaction.pdf").write_bytes(satisfaction_pdf)
        pages = pdf_pages(inspection_pdf)
        sat_pages = pdf_pages(satisfaction_pdf)
        info = machine()
        rows = [
            (
                f"inspection report, {pages} pages, {args.items} items, {args.photos} photos "
                f"({len(inspection_pdf) / 1e6:.1f} MB): median of {args.runs}",
                f"{inspection_median:.2f} s (first {inspection_first:.2f} s)",
                f"< {GOAL_SECONDS:.0f} s",
                inspection_median < GOAL_SECONDS,
            ),
            (
                f"yearly satisfaction report, {args.customers} customers, {sat_pages} pages "
                f"({len(satisfaction_pdf) / 1e6:.1f} MB): median of {args.runs}",
                f"{satisfaction_median:.2f} s (first {satisfaction_first:.2f} s)",
                f"< {GOAL_SECONDS:.0f} s",
                satisfaction_median < GOAL_SECONDS,
            ),
        ]
        notes = [
            "The times include the database queries and "
            "reading the photos from the media storage; photos are embedded as stored (JPEG).",
        ]
        section = report(started=started, info=info, rows=rows, notes=notes)
        summary = (
            f"{started:%Y-%m-%d %H:%M} UTC (load {info['load']}): inspection report, "
            f"{pages} pages, median {inspection_median:.2f} s; yearly satisfaction report, "
            f"{args.customers} customers, {sat_pages} pages, median {satisfaction_median:.2f} s "
            f"(goal < {GOAL_SECONDS:.0f} s each); "
            + (
                "all goals met"
                if max(inspection_median, satisfaction_median) < GOAL_SECONDS
                else "goal missed"
            )
        )
        print(section)
        write_run(args.output, "pdf", title=TITLE, about=ABOUT, latest=section, summary=summary)
        log(f"written to {args.output}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
