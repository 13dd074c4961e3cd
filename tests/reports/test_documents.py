"""The report documents as a reader sees them: text extracted from the PDF, CSV rows."""

import csv
import io
import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from inspections.models import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Inspection,
    InspectionPhoto,
    InspectionResult,
    Rectification,
)
from reports.documents.daily_repair import daily_repair_csv, daily_repair_pdf
from reports.documents.formats import csv_bytes
from reports.documents.inspection import inspection_context, inspection_report_pdf
from reports.documents.satisfaction import satisfaction_year_pdf
from reports.documents.sla_month import sla_month_context, sla_month_csv, sla_month_pdf
from tests.tickets import conftest as tickets_conftest
from tests.tickets.conftest import shanghai
from tickets.models import FaultReport, SlaClock
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_dispatch

branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world

pytestmark = pytest.mark.django_db

CUSTOMER = "东江水务集团有限公司"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# PDF helpers --------------------------------------------------------------------------------


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def squeeze(text: str) -> str:
    """Text without any whitespace: pdftotext spaces table cells freely."""
    return "".join(text.split())


def pdf_pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    line = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def embedded_fonts(pdf: bytes, tmp_path: Path) -> list[str]:
    """Lines of `pdffonts` naming an embedded font."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    lines = out.splitlines()[2:]
    return [line for line in lines if " yes " in line.split("  ", 1)[-1] or "yes yes" in line]


def assert_cjk_embedded(pdf: bytes, tmp_path: Path) -> None:
    fonts = embedded_fonts(pdf, tmp_path)
    assert any("WenQuanYi" in line or "CJK" in line for line in fonts), fonts


def save_pages(pdf: bytes, artifacts_dir: Path, name: str) -> list[Path]:
    source = artifacts_dir / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(source), str(artifacts_dir / name)], check=True
    )
    pages = sorted(artifacts_dir.glob(f"{name}-*.png"))
    assert pages
    return pages


def jpeg(color=(40, 90, 160), size=(160, 120)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=70)
    return out.getvalue()


def png_signature() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 100), "white")
    ImageDraw.Draw(image).line([(10, 80), (120, 20), (200, 70), (290, 30)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV for Excel starts with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# Inspection data ----------------------------------------------------------------------------


def checklist(*, sections: int = 2, items_per_section: int = 3) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.create(name="季度巡检清单", code="quarterly", version=1)
    titles = ["基础软件", "应用系统", "网络", "安全"]
    for s in range(sections):
        section = ChecklistSection.objects.create(
            template=template, order=s, title=titles[s % len(titles)] + (f" {s}" if s > 3 else "")
        )
        for i in range(items_per_section):
            if i % 3 == 0:
                ChecklistItem.objects.create(
                    section=section,
                    order=i,
                    text=f"页面加载时间 {s}.{i}",
                    answer_kind="number",
                    unit="s",
                    min_value=Decimal("0"),
                    max_value=Decimal("3"),
                )
            elif i % 3 == 1:
                ChecklistItem.objects.create(
                    section=section,
                    order=i,
                    text=f"数据库备份正常 {s}.{i}",
                    answer_kind="pass_fail",
                )
            else:
                ChecklistItem.objects.create(
                    section=section, order=i, text=f"系统日志检查 {s}.{i}", answer_kind="text"
                )
    return template


def inspection_done(
    world,
    template,
    *,
    due_on,
    previous=None,
    slow_item_value=Decimal("1.2"),
    fail_backup=False,
    photos=0,
    photo_size=(160, 120),
    signed=True,
) -> Inspection:
    """An approved (and signed) inspection with a result for every item."""
    inspection = Inspection.objects.create(
        contract=world["contract"],
        site=world["site"],
        template=template,
        engineer=world["engineer"],
        due_on=due_on,
        state=Inspection.State.SIGNED if signed else Inspection.State.APPROVED,
        started_at=datetime.combine(due_on, datetime.min.time()).replace(
            hour=9, tzinfo=shanghai(2026, 1, 1).tzinfo
        ),
        approved_by=world["manager"],
        approved_at=shanghai(due_on.year, due_on.month, due_on.day, 17, 0),
        summary="整体运行平稳。",
        signer_name="客户代表" if signed else "",
        signed_at=shanghai(due_on.year, due_on.month, due_on.day, 18, 0) if signed else None,
    )
    if signed:
        inspection.signature.save("sig.png", ContentFile(png_signature()), save=True)
    before = {}
    if previous is not None:
        before = {r.item_id: r for r in previous.results.all()}
    results = []
    for item in ChecklistItem.objects.filter(section__template=template).order_by(
        "section__order", "order"
    ):
        values = {}
        anomaly = False
        reason = ""
        if item.answer_kind == "number":
            first = item.section.order == 0 and item.order == 0
            value = slow_item_value if first else Decimal("0.8")
            values["value"] = value
            if value > item.max_value:
                anomaly, reason = True, "超出可接受范围"
        elif item.answer_kind == "pass_fail":
            failed = fail_backup and item.section.order == 0
            values["passed"] = not failed
            if failed:
                anomaly, reason = True, "备份失败"
        else:
            values["text"] = "无异常"
        results.append(
            InspectionResult.objects.create(
                inspection=inspection,
                item=item,
                anomaly=anomaly,
                anomaly_reason=reason,
                note="已检查" if anomaly else "",
                previous=before.get(item.pk),
                **values,
            )
        )
    for n in range(photos):
        photo = InspectionPhoto(result=results[n % len(results)], taken_by=world["engineer"])
        photo.image.save(
            f"p{n}.jpg", ContentFile(jpeg((n * 5 % 255, 90, 160), photo_size)), save=True
        )
    return inspection


@pytest.fixture
def inspected(world):
    """Two quarterly inspections: the second has two anomalies and one changed value."""
    template = checklist()
    first = inspection_done(world, template, due_on=date(2026, 8, 20), signed=False)
    second = inspection_done(
        world,
        template,
        due_on=date(2026, 11, 20),
        previous=first,
        slow_item_value=Decimal("4.5"),
        fail_backup=True,
        photos=3,
    )
    anomalous = second.results.filter(anomaly=True).order_by("pk").first()
    Rectification.objects.create(
        inspection=second,
        result=anomalous,
        description="优化页面加载性能",
        owner=world["engineer"],
        due_on=date(2026, 11, 30),
    )
    return second


# Inspection report ---------------------------------------------------------------------------


def test_inspection_report_has_chinese_text_figures_font_and_pages(
    inspected, tmp_path, artifacts_dir
):
    pdf = inspection_report_pdf(inspected)
    save_pages(pdf, artifacts_dir, "inspection-report")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert CUSTOMER in text
    assert "DJ-2024-017" in text and "调度中心" in text
    assert "Inspection report" in text
    assert "Items checked: 6 of 6. Anomalies: 2." in text
    # Sections, values with units and ranges, the previous value, the changed item.
    assert "基础软件" in text and "应用系统" in text
    assert "4.5 s" in text and "1.2 s" in text
    assert "0–3s" in squeeze(text)
    assert "超出可接受范围" in text and "备份失败" in text
    assert "优化页面加载性能" in text and "Open" in text
    assert "客户代表" in text
    pages = pdf_pages(pdf, tmp_path)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert text.count(CUSTOMER) >= pages  # the header repeats the customer on every page
    assert_cjk_embedded(pdf, tmp_path)


def test_inspection_summary_counts_changes_against_last_time(inspected):
    context = inspection_context(inspected)
    summary = context["summary"]
    assert (summary["items"], summary["checked"], summary["anomalies"]) == (6, 6, 2)
    changed = [row.item.text for row in summary["changed"]]
    assert changed == ["页面加载时间 0.0", "数据库备份正常 0.1"]
    assert summary["rectifications_open"] == 1
    assert len(context["photos"]) == 3 and context["signature_url"].startswith("storage:")


def test_first_inspection_says_there_is_nothing_to_compare(world, tmp_path):
    inspection = inspection_done(world, checklist(), due_on=date(2026, 11, 3), signed=False)
    text = pdf_text(inspection_report_pdf(inspection), tmp_path)
    assert "nothing to compare" in text
    assert "Not signed yet" in text


# Monthly SLA report ----------------------------------------------------------------------------


def _ticket(world, at, *, summary="泵站数据不上报"):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        contract=None,
        site=world["site"],
        kind="fault",
        priority="P1",
        summary=summary,
        channel="phone",
        reported_at=at,
        now=at,
    )


@pytest.fixture
def month_tickets(world):
    """November: four P1 tickets acknowledged after 5, 10, 20 and 45 minutes (30 allowed)."""
    start = shanghai(2026, 11, 10, 9, 0)
    tickets = []
    for index, delay in enumerate([5, 10, 20, 45]):
        at = start + timedelta(hours=index)
        ticket = _ticket(world, at)
        ticket_acknowledge(
            ticket_id=ticket.pk, user=world["agent"], now=at + timedelta(minutes=delay)
        )
        tickets.append(ticket)
    # October's ticket is not in November's report.
    _ticket(world, shanghai(2026, 10, 31, 23, 0), summary="十月的工单")
    return tickets


NOW = shanghai(2026, 11, 10, 12, 30)


def test_sla_month_pdf_shows_compliance_tickets_and_inspections(
    world, month_tickets, inspected, tmp_path, artifacts_dir
):
    pdf = sla_month_pdf(year=2026, month=11, now=NOW)
    save_pages(pdf, artifacts_dir, "sla-month")
    text = pdf_text(pdf, tmp_path)
    assert "Monthly SLA report 2026-11" in text
    assert CUSTOMER in text
    for ticket in month_tickets:
        assert ticket.number in text
    assert "十月的工单" not in text
    # Response: 3 met of 4 decided.
    assert "75 %" in text
    assert "3 met · 1 breached" in text
    # The inspection of the month and its anomalies.
    assert "2026-11-20" in text and "Anomalies found: 2" in text
    assert_cjk_embedded(pdf, tmp_path)


def test_sla_month_csv_has_translated_header_and_one_row_per_ticket(world, month_tickets):
    rows = read_csv(sla_month_csv(year=2026, month=11, now=NOW))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Ticket", "Customer", "Contract", "Site"]
    assert "Response: outcome" in header
    assert [r[0] for r in body] == [t.number for t in month_tickets]
    outcome = header.index("Response: outcome")
    assert [r[outcome] for r in body] == ["Met", "Met", "Met", "Breached"]
    assert all(r[1] == CUSTOMER for r in body)


def test_sla_month_csv_header_is_translated(world, month_tickets):
    with translation.override("zh-hans"):
        header = read_csv(sla_month_csv(year=2026, month=11, now=NOW))[0]
    with translation.override("en"):
        english = read_csv(sla_month_csv(year=2026, month=11, now=NOW))[0]
    assert len(header) == len(english)


def test_sla_month_csv_columns_hold_what_their_headers_say(world, month_tickets):
    from reports.documents.formats import local_text

    rows = read_csv(sla_month_csv(year=2026, month=11, now=NOW))
    header, body = rows[0], rows[1:]
    due, stopped = header.index("Response: due by"), header.index("Response: stopped at")
    for ticket, row in zip(month_tickets, body, strict=True):
        clock = ticket.clocks.get(kind="response")
        assert row[due] == local_text(clock.target_at)
        assert row[stopped] == local_text(clock.stopped_at)
    with translation.override("zh-hans"):
        chinese = read_csv(sla_month_csv(year=2026, month=11, now=NOW))[0]
    # The stop time was headed "响应：暂停" (paused): a time of stopping is not a pause.
    assert "响应：计时停止时间" in chinese and "响应：截止时间" in chinese
    assert not any("暂停" in column for column in chinese)


def test_sla_month_for_another_customer_is_empty(world, month_tickets):
    other = world["other_contract"].customer
    rows = read_csv(sla_month_csv(year=2026, month=11, customer=other.pk, now=NOW))
    assert rows[1:] == []


# Daily repair report -----------------------------------------------------------------------------


@pytest.fixture
def repaired(world):
    """Two tickets dispatched to the engineer on 10 November, one with a fault report."""
    first = _ticket(world, shanghai(2026, 11, 10, 8, 0), summary="水泵控制器故障")
    second = _ticket(world, shanghai(2026, 11, 10, 10, 0), summary="网关离线")
    for ticket in (first, second):
        ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=ticket.reported_at)
        ticket_dispatch(
            ticket_id=ticket.pk,
            user=world["agent"],
            engineer=world["engineer"],
            now=ticket.reported_at + timedelta(minutes=10),
        )
    FaultReport.objects.create(
        ticket=first,
        cause="控制器电源模块损坏",
        solution="更换电源模块",
        written_by=world["engineer"],
    )
    # Not handled that day.
    _ticket(world, shanghai(2026, 11, 11, 10, 0), summary="次日工单")
    return [first, second]


def test_daily_repair_pdf_and_csv(world, repaired, tmp_path, artifacts_dir):
    pdf = daily_repair_pdf(day=date(2026, 11, 10))
    save_pages(pdf, artifacts_dir, "daily-repair")
    text = pdf_text(pdf, tmp_path)
    assert "Daily repair report 2026-11-10" in text
    assert "控制器电源模块损坏" in text and "更换电源模块" in text
    assert CUSTOMER in text and "调度中心" in text
    assert "次日工单" not in text
    assert "Tickets handled: 2" in text
    assert_cjk_embedded(pdf, tmp_path)

    rows = read_csv(daily_repair_csv(day=date(2026, 11, 10)))
    assert rows[0][:3] == ["Engineer", "Ticket", "Customer"]
    assert [r[1] for r in rows[1:]] == [t.number for t in repaired]
    assert rows[1][8:10] == ["控制器电源模块损坏", "更换电源模块"]
    assert rows[1][0] == "engineer"


def test_daily_repair_csv_escapes_a_formula_in_a_fault_cause(world, repaired):
    FaultReport.objects.filter(ticket=repaired[0]).update(
        cause='=HYPERLINK("http://evil.example/","click")', solution="@SUM(A1:A2)"
    )
    rows = read_csv(daily_repair_csv(day=date(2026, 11, 10)))
    assert rows[1][8] == '\'=HYPERLINK("http://evil.example/","click")'
    assert rows[1][9] == "'@SUM(A1:A2)"
    # What was not a formula is written as it was.
    assert rows[1][1] == repaired[0].number


def test_csv_cells_starting_like_a_formula_are_escaped_and_numbers_kept():
    data = csv_bytes(
        ["name", "n"],
        [["+1 call", -3], ["-x", Decimal("-1.5")], ["\tTab", 0], ["\rCR", None], ["ok", 2]],
    )
    rows = read_csv(data)
    assert rows[1:] == [
        ["'+1 call", "-3"],
        ["'-x", "-1.5"],
        ["'\tTab", "0"],
        ["'\rCR", ""],
        ["ok", "2"],
    ]


def test_daily_repair_of_a_quiet_day_is_empty_but_valid(world, tmp_path):
    text = pdf_text(daily_repair_pdf(day=date(2026, 11, 9)), tmp_path)
    assert "No ticket was handled" in text
    assert read_csv(daily_repair_csv(day=date(2026, 11, 9)))[1:] == []


# Yearly satisfaction ---------------------------------------------------------------------------


def satisfaction_rows(world, *, year=2026):
    """Surveys of both half years, ratings; the previous year for the trend."""
    from reports.models.satisfaction import Question, Questionnaire, Survey, SurveyAnswer

    questionnaire = Questionnaire.objects.create(name="维护工作客户意见征询表", code="half-yearly")
    q1 = Question.objects.create(
        questionnaire=questionnaire, order=1, text="响应速度", kind="rating"
    )
    q2 = Question.objects.create(
        questionnaire=questionnaire, order=2, text="服务态度", kind="rating"
    )
    q3 = Question.objects.create(
        questionnaire=questionnaire, order=3, text="意见和建议", kind="text"
    )
    plan = [
        (year, 1, 7, True, (5, 4), "希望加快备件到货"),
        (year, 7, 12, True, (3, 4), ""),
        (year - 1, 7, 12, True, (3, 3), ""),
    ]
    for y, first, last, answered, (r1, r2), comment in plan:
        survey = Survey.objects.create(
            questionnaire=questionnaire,
            contract=world["contract"],
            contact=world["contact"],
            period_start=date(y, first, 1),
            period_end=date(y, last, 28),
            sent_at=shanghai(y, first, 2, 9, 0),
            answered_at=shanghai(y, first, 10, 9, 0) if answered else None,
        )
        SurveyAnswer.objects.create(survey=survey, question=q1, rating=r1)
        SurveyAnswer.objects.create(survey=survey, question=q2, rating=r2)
        SurveyAnswer.objects.create(survey=survey, question=q3, text=comment)
    # One unanswered survey of the other customer.
    from contracts.models import Contact

    Survey.objects.create(
        questionnaire=questionnaire,
        contract=world["other_contract"],
        contact=Contact.objects.filter(customer=world["other_contract"].customer).first(),
        period_start=date(year, 7, 1),
        period_end=date(year, 12, 28),
        sent_at=shanghai(year, 7, 2, 9, 0),
    )


def test_satisfaction_year_pdf(world, tmp_path, artifacts_dir):
    satisfaction_rows(world)
    pdf = satisfaction_year_pdf(year=2026)
    save_pages(pdf, artifacts_dir, "satisfaction-year")
    text = pdf_text(pdf, tmp_path)
    assert "Satisfaction analysis 2026" in text
    assert CUSTOMER in text and "青川市文化和旅游局" in text
    assert "响应速度" in text and "服务态度" in text
    assert "希望加快备件到货" in text
    # 3 surveys sent, 2 answered.
    assert "Surveys answered: 2 of 3" in text
    assert "66.7 %" in text
    # 响应速度: (5 + 3) / 2 = 4.00 this year, 3.00 the year before.
    assert "4.00" in text and "3.00" in text
    assert "<svg" not in text
    assert_cjk_embedded(pdf, tmp_path)


def test_satisfaction_year_for_one_customer(world, tmp_path):
    satisfaction_rows(world)
    text = pdf_text(satisfaction_year_pdf(year=2026, customer=world["customer"]), tmp_path)
    assert "Surveys answered: 2 of 2" in text
    assert "青川市文化和旅游局" not in text


def test_clock_outcomes_follow_the_dashboard_rules(world, month_tickets):
    context = sla_month_context(year=2026, month=11, now=NOW)
    response = next(c for c in context["compliance"] if c["kind"] == SlaClock.Kind.RESPONSE)
    assert (response["value"].met, response["value"].breached) == (3, 1)
    assert response["percent"] == "75 %"


def test_sla_month_states_how_late_escalations_were_noticed(world, month_tickets, tmp_path):
    """Steps recorded by a sweep that ran late carry their lateness into the monthly report."""
    from tickets.escalation import sweep_due_steps
    from tickets.models import EscalationStep

    # The 12:00 ticket's response warning falls due at 12:15 (50 % of 30 min); no
    # sweep ran until 12:30, so it was noticed 15 minutes late.
    sweep_due_steps(now=NOW)
    steps = EscalationStep.objects.filter(ticket__in=month_tickets)
    late_warning = steps.get(
        ticket=month_tickets[3], clock__kind="response", due_at=NOW - timedelta(minutes=15)
    )
    assert late_warning.lateness_seconds == 900

    detection = sla_month_context(year=2026, month=11, now=NOW)["detection"]
    lateness = sorted(step.lateness_seconds for step in steps)
    assert detection.steps == len(lateness) >= 3
    assert detection.maximum == max(lateness)
    assert detection.late == sum(1 for value in lateness if value > 60)

    with translation.override("en"):
        text = pdf_text(sla_month_pdf(year=2026, month=11, now=NOW), tmp_path)
    assert f"Detection latency of {len(lateness)} escalation steps" in " ".join(text.split())
    assert "recorded more than a minute late" in text
