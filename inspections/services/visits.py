"""Carrying an inspection out: start, record the answers with photos, submit; then the
manager's review and the customer's signature on the approved report.

Each write locks the inspection row, checks who may act (inspections.permissions) and
takes its step through inspections.services.workflow, in one transaction. Refusals raise
core.errors.TransitionForbidden (never allowed) or TransitionConflict (not now), and bad
input raises ValidationError, so the views report them the same way as ticket actions.

Recording a result flags anomalies (inspections.anomalies). Submitting does not open
rectifications by itself: not every anomaly needs an action (a change may be expected),
so the engineer opens them explicitly from the result, optionally with a fault ticket;
the reviewer sees which anomalies have none and can open them too.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import customer_id_of, role_of
from core.errors import TransitionConflict
from core.inputs import clean_number
from core.uploads import files_validate, photo_validate, signature_png
from inspections.anomalies import anomalies
from inspections.models import ChecklistItem, Inspection, InspectionPhoto, InspectionResult
from inspections.permissions import is_manager, may_carry_out
from inspections.selectors import previous_results
from inspections.services.notices import notify_sent_back, notify_to_review
from inspections.services.workflow import (
    inspection_step,
    lock_inspection,
    refuse_unless_possible,
    require,
)

# The result column: 14 digits, 4 after the point.
RESULT_VALUE_LIMIT = Decimal("9999999999.9999")


def _start(inspection: Inspection, user: User, now: datetime | None) -> None:
    inspection_step(
        inspection,
        "start",
        user=user,
        at=now or timezone.now(),
        changes=["started_at", "engineer"],
        engineer=user if role_of(user) == Role.ENGINEER else None,
    )


@transaction.atomic
def inspection_start(*, inspection: Inspection, user: User, now: datetime | None = None):
    inspection = lock_inspection(inspection)
    require(may_carry_out(inspection, user), _("You may not carry out this inspection."))
    refuse_unless_possible(inspection, "start", _("This inspection has already been started."))
    _start(inspection, user, now)
    return inspection


def _clean_answer(item: ChecklistItem, *, passed, value, text: str):
    """The answer in the form the item asks for: (passed, value, text), or field errors."""
    kind = ChecklistItem.AnswerKind
    value = clean_number(
        value, field="value", minimum=-RESULT_VALUE_LIMIT, maximum=RESULT_VALUE_LIMIT, places=4
    )
    if item.answer_kind == kind.NUMBER:
        if value is None:
            raise ValidationError({"value": _("Enter the measured value.")})
        return None, value, text
    if item.answer_kind == kind.PASS_FAIL:
        if passed is None:
            raise ValidationError({"passed": _("Choose pass or fail.")})
        return passed, None, text
    if item.required and not text:
        raise ValidationError({"text": _("Write the answer.")})
    return None, None, text


def _photos_add(result: InspectionResult, photos, user: User) -> None:
    photos = [photo for photo in photos or () if photo]
    files_validate(photos, field="photos", already=result.photos.count() if photos else 0)
    for photo in photos:
        photo_validate(photo, field="photos")
    for photo in photos:
        InspectionPhoto.objects.create(result=result, image=photo, taken_by=user)


@transaction.atomic
def result_record(
    *,
    inspection: Inspection,
    item: ChecklistItem,
    user: User,
    passed: bool | None = None,
    value=None,
    text: str = "",
    note: str = "",
    photos=(),
    now: datetime | None = None,
) -> InspectionResult:
    """Record (or correct) the answer to one item; starts a scheduled inspection."""
    inspection = lock_inspection(inspection)
    require(may_carry_out(inspection, user), _("You may not carry out this inspection."))
    if inspection.state == Inspection.State.SCHEDULED:
        _start(inspection, user, now)
    if inspection.state != Inspection.State.IN_PROGRESS:
        raise TransitionConflict(_("This inspection can no longer be changed."))
    if item.section.template_id != inspection.template_id:
        raise ValidationError({"item": _("This item is not on the inspection's checklist.")})
    passed, value, text = _clean_answer(item, passed=passed, value=value, text=(text or "").strip())
    previous = previous_results(inspection).get((item.section.title, item.text))
    reasons = anomalies(item, passed=passed, value=value, previous=previous)
    result, _created = InspectionResult.objects.update_or_create(
        inspection=inspection,
        item=item,
        defaults={
            "passed": passed,
            "value": value,
            "text": text,
            "note": (note or "").strip(),
            "anomaly": bool(reasons),
            "anomaly_reason": "; ".join(reasons)[:300],
            "previous": previous,
        },
    )
    _photos_add(result, photos, user)
    return result


def missing_items(inspection: Inspection) -> list[str]:
    """What still stops submission: unanswered required items and missing required photos."""
    items = ChecklistItem.objects.filter(
        section__template_id=inspection.template_id
    ).select_related("section")
    results = {
        r.item_id: r for r in inspection.results.prefetch_related("photos").select_related("item")
    }
    problems = []
    kind = ChecklistItem.AnswerKind
    for item in items:
        result = results.get(item.pk)
        answered = result is not None and (
            (item.answer_kind == kind.PASS_FAIL and result.passed is not None)
            or (item.answer_kind == kind.NUMBER and result.value is not None)
            or (item.answer_kind == kind.TEXT and (bool(result.text) or not item.required))
        )
        label = f"{item.section.title} · {item.text}"
        if item.required and not answered:
            problems.append(_("Not answered: %(item)s") % {"item": label})
        if item.photo_required and (result is None or not result.photos.all()):
            problems.append(_("Photo needed: %(item)s") % {"item": label})
    return problems


@transaction.atomic
def inspection_submit(
    *, inspection: Inspection, user: User, summary: str = "", now: datetime | None = None
) -> Inspection:
    inspection = lock_inspection(inspection)
    require(may_carry_out(inspection, user), _("You may not carry out this inspection."))
    refuse_unless_possible(
        inspection, "submit", _("Only an inspection in progress can be submitted.")
    )
    problems = missing_items(inspection)
    if problems:
        raise ValidationError(problems)
    inspection_step(
        inspection,
        "submit",
        user=user,
        at=now or timezone.now(),
        changes=["submitted_at", "summary"],
        summary=summary.strip(),
    )
    notify_to_review(inspection, submitted_by=user)
    return inspection


@transaction.atomic
def inspection_review(
    *,
    inspection: Inspection,
    user: User,
    approve: bool,
    note: str = "",
    now: datetime | None = None,
) -> Inspection:
    """A manager approves a submitted inspection, or sends it back with a note."""
    inspection = lock_inspection(inspection)
    require(is_manager(user), _("Only a manager reviews inspections."))
    step = "approve" if approve else "send_back"
    refuse_unless_possible(inspection, step, _("This inspection is not waiting for review."))
    note, now = note.strip(), now or timezone.now()
    if approve:
        inspection_step(
            inspection,
            "approve",
            user=user,
            at=now,
            changes=["approved_at", "approved_by", "review_note"],
            note=note,
            by=user,
            review_note=note,
        )
        return inspection
    if not note:
        raise ValidationError({"note": _("Say what must be corrected.")})
    inspection_step(
        inspection,
        "send_back",
        user=user,
        at=now,
        changes=["submitted_at", "review_note"],
        note=note,
        review_note=note,
    )
    notify_sent_back(inspection, note=note)
    return inspection


@transaction.atomic
def inspection_sign(
    *,
    inspection: Inspection,
    user: User,
    signer_name: str,
    signature: str,
    now: datetime | None = None,
) -> Inspection:
    """The customer signs the approved report: in the portal, or on the engineer's screen."""
    inspection = lock_inspection(inspection)
    customer = customer_id_of(user) == inspection.contract.customer_id
    require(
        customer or may_carry_out(inspection, user),
        _("Only the customer, or the engineer collecting the signature, can sign."),
    )
    refuse_unless_possible(
        inspection, "sign", _("Only an approved inspection report can be signed.")
    )
    errors = {}
    if not signer_name.strip():
        errors["signer_name"] = _("Who signs?")
    try:
        png = signature_png(signature)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    inspection_step(
        inspection,
        "sign",
        user=user,
        at=now or timezone.now(),
        changes=["signed_at", "signer_name", "signature"],
        signer_name=signer_name.strip()[:100],
        signature=png,
    )
    return inspection
