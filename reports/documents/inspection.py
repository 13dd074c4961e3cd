"""The inspection report (巡检报告): each item's result beside the previous one, photos,
rectifications, the customer's signature."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from reports.documents.formats import format_number
from reports.pdf import render_pdf, storage_url


@dataclass
class ResultRow:
    item: object
    result: object | None
    answer: str
    range: str
    previous: str
    changed: bool
    anomaly: bool
    reason: str
    note: str


@dataclass
class SectionBlock:
    title: str
    rows: list[ResultRow] = field(default_factory=list)


def _answer(item, result) -> str:
    if result is None:
        return ""
    kind = item.answer_kind
    if kind == "pass_fail":
        if result.passed is None:
            return ""
        return _("Pass") if result.passed else _("Fail")
    if kind == "number":
        if result.value is None:
            return ""
        return f"{format_number(result.value)} {item.unit}".strip()
    return result.text


def _answered(result) -> bool:
    return result is not None and (
        result.passed is not None or result.value is not None or bool(result.text.strip())
    )


def _range(item) -> str:
    if item.answer_kind != "number" or (item.min_value is None and item.max_value is None):
        return ""
    low = format_number(item.min_value) if item.min_value is not None else ""
    high = format_number(item.max_value) if item.max_value is not None else ""
    if low and high:
        text = f"{low} – {high}"
    elif low:
        text = f"≥ {low}"
    else:
        text = f"≤ {high}"
    return f"{text} {item.unit}".strip()


def _changed(item, result) -> bool:
    previous = result.previous if result is not None else None
    if previous is None:
        return False
    return (result.passed, result.value, result.text.strip()) != (
        previous.passed,
        previous.value,
        previous.text.strip(),
    )


def _blocks(inspection) -> list[SectionBlock]:
    """The checklist's sections, each item with its result and the previous one."""
    from inspections.models import ChecklistSection, InspectionResult

    results = {
        r.item_id: r
        for r in InspectionResult.objects.filter(inspection=inspection).select_related("previous")
    }
    sections = ChecklistSection.objects.filter(template_id=inspection.template_id).prefetch_related(
        "items"
    )
    blocks = []
    for section in sections:
        block = SectionBlock(title=section.title)
        for item in section.items.all():
            result = results.get(item.pk)
            previous = result.previous if result is not None else None
            block.rows.append(
                ResultRow(
                    item=item,
                    result=result,
                    answer=_answer(item, result),
                    range=_range(item),
                    previous=_answer(item, previous) if previous is not None else "",
                    changed=_changed(item, result),
                    anomaly=bool(result and result.anomaly),
                    reason=result.anomaly_reason if result else "",
                    note=result.note if result else "",
                )
            )
        blocks.append(block)
    return blocks


def inspection_context(inspection) -> dict:
    """Everything the inspection report shows, in a fixed number of queries."""
    from inspections.models import Inspection, InspectionPhoto, Rectification

    inspection = (
        Inspection.objects.select_related(
            "contract", "contract__customer", "site", "template", "engineer", "approved_by"
        )
        .filter(pk=inspection.pk)
        .get()
    )
    blocks = _blocks(inspection)
    rows = [row for block in blocks for row in block.rows]
    photos = list(
        InspectionPhoto.objects.filter(result__inspection=inspection)
        .select_related("result__item")
        .order_by("result__item__section__order", "result__item__order", "created_at", "pk")
    )
    rectifications = list(
        Rectification.objects.filter(inspection=inspection).select_related(
            "owner", "result__item", "verified_by"
        )
    )
    return {
        "inspection": inspection,
        "customer": inspection.contract.customer,
        "contract": inspection.contract,
        "sections": blocks,
        "summary": {
            "items": len(rows),
            "checked": sum(1 for row in rows if _answered(row.result)),
            "anomalies": sum(1 for row in rows if row.anomaly),
            "changed": [row for row in rows if row.changed],
            "compared": sum(1 for row in rows if row.result and row.result.previous_id),
            "rectifications_open": sum(1 for r in rectifications if r.status != "verified"),
        },
        "photos": [
            {"url": storage_url(p.image.name), "caption": p.result.item.text} for p in photos
        ],
        "rectifications": rectifications,
        "signature_url": storage_url(inspection.signature.name) if inspection.signature else "",
        "title": _("Inspection report"),
        "header": inspection.contract.customer.name,
    }


def inspection_report_pdf(inspection) -> bytes:
    """巡检报告: cover, summary and comparison, a table per section, photos, rectifications."""
    return render_pdf("reports/inspection.html", inspection_context(inspection))
