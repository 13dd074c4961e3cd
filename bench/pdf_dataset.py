"""The data the PDF benchmark renders: a long inspection with photos, a year of surveys.

Built through the ORM on the benchmark's throwaway database (bench/pdf.py).
"""

import io
from datetime import UTC, date, datetime
from decimal import Decimal


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
