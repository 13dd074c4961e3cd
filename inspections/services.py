"""Writes on inspections: the schedule, carrying one out, review, sign-off, rectifications, alerts.

Each write checks who may do it, locks the inspection row and changes it in one
transaction. Refusals raise core.errors.TransitionForbidden (never allowed)
or TransitionConflict (not now), and bad input raises ValidationError, so the
views report them the same way as ticket actions.

Anomalies: recording a result flags it (failed check, value out of range, or
changed since the previous inspection by more than the item's threshold).
Submitting does not open rectifications by itself: not every anomaly needs an
action (a change may be expected), so the engineer opens them explicitly from
the result, optionally with a fault ticket; the reviewer sees which anomalies
have none and can open them too.
"""

import base64
import binascii
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import customer_id_of, role_of
from contracts.phases import SERVICE_PHASES, add_months
from core.errors import TransitionConflict, TransitionForbidden
from core.inputs import clean_number
from core.uploads import files_validate, photo_validate
from inspections.models import (
    ChecklistItem,
    Inspection,
    InspectionAlert,
    InspectionPhoto,
    InspectionPlan,
    InspectionResult,
    Rectification,
)
from tickets.models import Notification

MANAGER_ROLES = ("manager", "leader", "admin")
OPEN_STATES = (Inspection.State.SCHEDULED, Inspection.State.IN_PROGRESS)
# States whose results count as "the previous inspection" for comparison.
COMPARABLE_STATES = (
    Inspection.State.SUBMITTED,
    Inspection.State.APPROVED,
    Inspection.State.SIGNED,
)
MAX_SIGNATURE_BYTES = 512 * 1024


# ---------------------------------------------------------------- who may do what


def is_manager(user) -> bool:
    return role_of(user) in MANAGER_ROLES


def may_read_report(inspection: Inspection, user) -> bool:
    """Whoever may see the inspection, except that customers only get reviewed reports."""
    from inspections.selectors import inspections_visible_to

    if not inspections_visible_to(user).filter(pk=inspection.pk).exists():
        return False
    return role_of(user) != Role.CUSTOMER or inspection.state in (
        Inspection.State.APPROVED,
        Inspection.State.SIGNED,
    )


def may_carry_out(inspection: Inspection, user) -> bool:
    """The engineer assigned, an engineer of the site's branch, or a manager."""
    role = role_of(user)
    if role in MANAGER_ROLES:
        return True
    if role != Role.ENGINEER:
        return False
    return inspection.engineer_id == user.pk or (
        user.branch_id is not None and inspection.site.branch_id == user.branch_id
    )


def may_verify(rectification: Rectification, user) -> bool:
    return is_manager(user) or rectification.inspection.contract.service_manager_id == user.pk


def _lock(inspection: Inspection) -> Inspection:
    return (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("contract", "site", "template")
        .get(pk=inspection.pk)
    )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise TransitionForbidden(message)


# ---------------------------------------------------------------- the schedule


def _due_dates(plan: InspectionPlan, start: date, end: date) -> list[date]:
    """The plan's due dates within [start, end], counted from plan.starts_on."""
    days = {
        InspectionPlan.Cycle.WEEKLY: 7,
        InspectionPlan.Cycle.CUSTOM: plan.interval_days,
    }.get(plan.cycle)
    months = {InspectionPlan.Cycle.HALF_YEARLY: 6, InspectionPlan.Cycle.ANNUAL: 12}.get(plan.cycle)
    dates = []
    if days:
        skip = max(0, (start - plan.starts_on).days // days)
        day = plan.starts_on + timedelta(days=skip * days)
        while day <= end:
            if day >= start:
                dates.append(day)
            day += timedelta(days=days)
    elif months:
        step = 0
        day = plan.starts_on
        while day <= end:
            if day >= start:
                dates.append(day)
            step += 1
            day = add_months(plan.starts_on, step * months)
    return dates


def _branch_engineer(branch_id: int | None) -> User | None:
    if branch_id is None:
        return None
    return (
        User.objects.filter(is_active=True, branch_id=branch_id, groups__name=Role.ENGINEER)
        .order_by("pk")
        .first()
    )


def inspections_generate(*, today: date) -> int:
    """Create the scheduled inspections of every active plan up to its lead time (idempotent).

    Only days when the contract is in a service phase (trial, warranty, after
    warranty) get an inspection, and none after the plan ends.
    """
    created = 0
    plans = InspectionPlan.objects.filter(is_active=True).select_related("contract", "site")
    engineers: dict[int | None, User | None] = {}
    for plan in plans:
        start = max(plan.starts_on, today)
        end = today + timedelta(days=plan.lead_days)
        if plan.ends_on:
            end = min(end, plan.ends_on)
        dates = [
            d for d in _due_dates(plan, start, end) if plan.contract.phase_on(d) in SERVICE_PHASES
        ]
        if not dates:
            continue
        engineer = plan.engineer
        if engineer is None:
            branch_id = plan.site.branch_id or plan.contract.branch_id
            if branch_id not in engineers:
                engineers[branch_id] = _branch_engineer(branch_id)
            engineer = engineers[branch_id]
        existing = set(
            Inspection.objects.filter(plan=plan, due_on__in=dates).values_list("due_on", flat=True)
        )
        for day in dates:
            if day in existing:
                continue
            try:
                with transaction.atomic():
                    Inspection.objects.create(
                        plan=plan,
                        contract=plan.contract,
                        site=plan.site,
                        template=plan.template,
                        engineer=engineer,
                        due_on=day,
                    )
            except IntegrityError:
                continue  # another run created it in the meantime
            created += 1
    _withdraw_unplanned(today=today)
    return created


def _withdraw_unplanned(*, today: date) -> int:
    """Cancel scheduled inspections no plan promises any more (plan stopped or shortened).

    Only untouched future ones: work already started stays, and so does the record.
    """
    stale = Inspection.objects.filter(
        state=Inspection.State.SCHEDULED, due_on__gte=today, plan__isnull=False
    ).filter(Q(plan__is_active=False) | Q(plan__ends_on__lt=F("due_on")))
    count = 0
    for inspection in stale:
        inspection.cancel(at=timezone.now())
        inspection.save(update_fields=["state", "updated_at"])
        count += 1
    return count


# ---------------------------------------------------------------- alerts


def _notify(users, *, title: str, body: str) -> int:
    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, title=title[:200], body=body))
    Notification.objects.bulk_create(rows)
    return len(rows)


def _managers_of(inspection: Inspection) -> list[User]:
    manager = inspection.contract.service_manager
    if manager is not None and manager.is_active:
        return [manager]
    branch_id = inspection.contract.branch_id or inspection.site.branch_id
    return list(User.objects.filter(is_active=True, branch_id=branch_id, groups__name=Role.MANAGER))


def _describe(inspection: Inspection) -> dict:
    return {
        "contract": inspection.contract.number,
        "site": inspection.site.name,
        "checklist": inspection.template.name,
        "due": inspection.due_on.isoformat(),
    }


def inspections_alert(*, now: datetime) -> int:
    """Remind the engineer before an inspection falls due; escalate once it is overdue.

    Each alert is sent once per inspection (InspectionAlert is unique per kind).
    Returns the number of alerts sent.
    """
    today = timezone.localdate(now)
    sent = 0
    candidates = (
        Inspection.objects.filter(state__in=OPEN_STATES, due_on__lte=today + timedelta(days=366))
        .select_related("plan", "contract__service_manager", "site", "template", "engineer")
        .prefetch_related("alerts")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for inspection in candidates:
            kinds = {alert.kind for alert in inspection.alerts.all()}
            remind_days = inspection.plan.remind_days_before if inspection.plan else 2
            facts = _describe(inspection)
            if inspection.due_on < today:
                if InspectionAlert.Kind.OVERDUE in kinds:
                    continue
                kind = InspectionAlert.Kind.OVERDUE
                title = _("Inspection overdue: %(contract)s %(site)s") % facts
                body = (
                    _(
                        "The inspection %(checklist)s at %(site)s (contract %(contract)s) was due "
                        "on %(due)s and has not been submitted."
                    )
                    % facts
                )
                people = [inspection.engineer, *_managers_of(inspection)]
            elif inspection.due_on - timedelta(days=remind_days) <= today:
                if kinds:
                    continue
                kind = InspectionAlert.Kind.REMINDER
                title = _("Inspection due on %(due)s: %(contract)s %(site)s") % facts
                body = (
                    _(
                        "The inspection %(checklist)s at %(site)s (contract %(contract)s) is due "
                        "on %(due)s."
                    )
                    % facts
                )
                people = [inspection.engineer or _branch_engineer(inspection.site.branch_id)]
                if people == [None]:
                    people = _managers_of(inspection)
            else:
                continue
            with transaction.atomic():
                _alert, created = InspectionAlert.objects.get_or_create(
                    inspection=inspection, kind=kind, defaults={"sent_at": now}
                )
                if created:
                    _notify(people, title=title, body=body)
                    sent += 1
    return sent


# ---------------------------------------------------------------- carrying out


@transaction.atomic
def inspection_start(*, inspection: Inspection, user: User, now: datetime | None = None):
    inspection = _lock(inspection)
    _require(may_carry_out(inspection, user), _("You may not carry out this inspection."))
    if inspection.state != Inspection.State.SCHEDULED:
        raise TransitionConflict(_("This inspection has already been started."))
    inspection.start(at=now or timezone.now())
    if inspection.engineer_id is None and role_of(user) == Role.ENGINEER:
        inspection.engineer = user
    inspection.save()
    return inspection


def previous_results(inspection: Inspection) -> dict[tuple[str, str], InspectionResult]:
    """The latest earlier result per (section title, item text), from earlier inspections of
    the same contract and site with a checklist of the same code that were submitted or later."""
    earlier = list(
        Inspection.objects.filter(
            contract_id=inspection.contract_id,
            site_id=inspection.site_id,
            template__code=inspection.template.code,
            state__in=COMPARABLE_STATES,
        )
        .filter(Q(due_on__lt=inspection.due_on) | Q(due_on=inspection.due_on, pk__lt=inspection.pk))
        .exclude(pk=inspection.pk)
        .order_by("-due_on", "-pk")
        .values_list("pk", flat=True)[:12]
    )
    if not earlier:
        return {}
    order = {pk: index for index, pk in enumerate(earlier)}
    found: dict[tuple[str, str], InspectionResult] = {}
    results = InspectionResult.objects.filter(inspection_id__in=earlier).select_related(
        "item__section", "inspection"
    )
    for result in sorted(results, key=lambda r: order[r.inspection_id]):
        found.setdefault((result.item.section.title, result.item.text), result)
    return found


# The result column: 14 digits, 4 after the point.
RESULT_VALUE_LIMIT = Decimal("9999999999.9999")


def _fmt(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def _anomalies(item: ChecklistItem, *, passed, value, previous) -> list[str]:
    reasons = []
    kind = ChecklistItem.AnswerKind
    if item.answer_kind == kind.PASS_FAIL and passed is False:
        reasons.append(_("check failed"))
    if item.answer_kind == kind.NUMBER and value is not None:
        unit = f" {item.unit}" if item.unit else ""
        if item.min_value is not None and value < item.min_value:
            reasons.append(
                _("below the lowest acceptable %(limit)s") % {"limit": _fmt(item.min_value) + unit}
            )
        if item.max_value is not None and value > item.max_value:
            reasons.append(
                _("above the highest acceptable %(limit)s") % {"limit": _fmt(item.max_value) + unit}
            )
        if (
            item.change_threshold_percent is not None
            and previous is not None
            and previous.value is not None
            and previous.value == 0
            and value != 0
        ):
            # No percentage from zero, but going from nothing to something is a change.
            reasons.append(
                _("changed from 0 since %(date)s")
                % {"date": previous.inspection.due_on.isoformat()}
            )
        elif (
            item.change_threshold_percent is not None
            and previous is not None
            and previous.value is not None
            and previous.value != 0
        ):
            change = abs(value - previous.value) / abs(previous.value) * 100
            if change > item.change_threshold_percent:
                reasons.append(
                    _("changed by %(percent)s %% since %(date)s")
                    % {
                        "percent": f"{change:.0f}",
                        "date": previous.inspection.due_on.isoformat(),
                    }
                )
    return reasons


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
    inspection = _lock(inspection)
    _require(may_carry_out(inspection, user), _("You may not carry out this inspection."))
    if inspection.state == Inspection.State.SCHEDULED:
        inspection.start(at=now or timezone.now())
        if inspection.engineer_id is None and role_of(user) == Role.ENGINEER:
            inspection.engineer = user
        inspection.save()
    if inspection.state != Inspection.State.IN_PROGRESS:
        raise TransitionConflict(_("This inspection can no longer be changed."))
    if item.section.template_id != inspection.template_id:
        raise ValidationError({"item": _("This item is not on the inspection's checklist.")})
    kind = ChecklistItem.AnswerKind
    text, note = (text or "").strip(), (note or "").strip()
    value = clean_number(
        value, field="value", minimum=-RESULT_VALUE_LIMIT, maximum=RESULT_VALUE_LIMIT, places=4
    )
    if item.answer_kind == kind.NUMBER:
        if value is None:
            raise ValidationError({"value": _("Enter the measured value.")})
        passed, text = None, text
    elif item.answer_kind == kind.PASS_FAIL:
        if passed is None:
            raise ValidationError({"passed": _("Choose pass or fail.")})
        value = None
    else:
        if item.required and not text:
            raise ValidationError({"text": _("Write the answer.")})
        passed, value = None, None
    previous = previous_results(inspection).get((item.section.title, item.text))
    reasons = _anomalies(item, passed=passed, value=value, previous=previous)
    result, _created = InspectionResult.objects.update_or_create(
        inspection=inspection,
        item=item,
        defaults={
            "passed": passed,
            "value": value,
            "text": text,
            "note": note,
            "anomaly": bool(reasons),
            "anomaly_reason": "; ".join(reasons)[:300],
            "previous": previous,
        },
    )
    photos = [photo for photo in photos or () if photo]
    files_validate(photos, field="photos", already=result.photos.count() if photos else 0)
    for photo in photos:
        photo_validate(photo, field="photos")
    for photo in photos:
        InspectionPhoto.objects.create(result=result, image=photo, taken_by=user)
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
    inspection = _lock(inspection)
    _require(may_carry_out(inspection, user), _("You may not carry out this inspection."))
    if inspection.state != Inspection.State.IN_PROGRESS:
        raise TransitionConflict(_("Only an inspection in progress can be submitted."))
    problems = missing_items(inspection)
    if problems:
        raise ValidationError(problems)
    if summary.strip():
        inspection.summary = summary.strip()
    inspection.submit(at=now or timezone.now())
    inspection.save()
    with translation.override(settings.LANGUAGE_CODE):
        facts = _describe(inspection)
        _notify(
            [m for m in _managers_of(inspection) if m.pk != user.pk],
            title=_("Inspection to review: %(contract)s %(site)s") % facts,
            body=_("The inspection %(checklist)s due on %(due)s was submitted for review.") % facts,
        )
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
    inspection = _lock(inspection)
    _require(is_manager(user), _("Only a manager reviews inspections."))
    if inspection.state != Inspection.State.SUBMITTED:
        raise TransitionConflict(_("This inspection is not waiting for review."))
    now = now or timezone.now()
    note = note.strip()
    if approve:
        inspection.approve(at=now)
        inspection.approved_by = user
        inspection.review_note = note
    else:
        if not note:
            raise ValidationError({"note": _("Say what must be corrected.")})
        inspection.send_back(at=now)
        inspection.review_note = note
        with translation.override(settings.LANGUAGE_CODE):
            facts = _describe(inspection)
            _notify(
                [inspection.engineer],
                title=_("Inspection sent back: %(contract)s %(site)s") % facts,
                body=note,
            )
    inspection.save()
    return inspection


def _png_from_data_url(data_url: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise ValidationError({"signature": _("Draw the signature first.")})
    try:
        data = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError({"signature": _("The signature could not be read.")}) from exc
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) > MAX_SIGNATURE_BYTES:
        raise ValidationError({"signature": _("The signature could not be read.")})
    return data


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
    inspection = _lock(inspection)
    customer = customer_id_of(user) == inspection.contract.customer_id
    _require(
        customer or may_carry_out(inspection, user),
        _("Only the customer, or the engineer collecting the signature, can sign."),
    )
    if inspection.state != Inspection.State.APPROVED:
        raise TransitionConflict(_("Only an approved inspection report can be signed."))
    errors = {}
    if not signer_name.strip():
        errors["signer_name"] = _("Who signs?")
    try:
        png = _png_from_data_url(signature or "")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    inspection.sign(at=now or timezone.now())
    inspection.signer_name = signer_name.strip()[:100]
    inspection.signature.save(f"inspection-{inspection.pk}.png", ContentFile(png), save=False)
    inspection.save()
    return inspection


@transaction.atomic
# ---------------------------------------------------------------- rectifications


@transaction.atomic
def rectification_open(
    *,
    inspection: Inspection,
    result: InspectionResult | None,
    owner: User,
    due_on: date,
    description: str,
    user: User,
    open_ticket: bool = False,
    now: datetime | None = None,
) -> Rectification:
    """A rectification action (整改) for an anomaly; a fault also opens a linked ticket."""
    inspection = _lock(inspection)
    _require(
        may_carry_out(inspection, user) or may_verify_contract(inspection, user),
        _("You may not open rectifications on this inspection."),
    )
    if inspection.state in (Inspection.State.SCHEDULED, Inspection.State.CANCELLED):
        raise TransitionConflict(_("This inspection has not been carried out."))
    errors = {}
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Say what must be done.")
    if result is not None and result.inspection_id != inspection.pk:
        errors["result"] = _("This result belongs to another inspection.")
    if owner is None or not owner.is_active or role_of(owner) in (None, Role.CUSTOMER):
        errors["owner"] = _("Choose a member of staff.")
    if due_on is None:
        errors["due_on"] = _("When must it be done?")
    if errors:
        raise ValidationError(errors)
    rectification = Rectification(
        inspection=inspection,
        result=result,
        owner=owner,
        due_on=due_on,
        description=description,
    )
    if open_ticket:
        from tickets.models import Channel, Kind
        from tickets.services.creation import ticket_create

        subject = result.item.text if result is not None else inspection.template.name
        rectification.ticket = ticket_create(
            created_by=user,
            kind=Kind.FAULT,
            priority="P3",
            summary=(
                _("Inspection %(due)s: %(item)s") % {"due": inspection.due_on, "item": subject}
            )[:200],
            # Found by our own engineer, not reported by the customer: logged as a system entry.
            channel=Channel.API,
            contract=inspection.contract,
            site=inspection.site,
            description="\n".join(
                filter(None, [description, result.anomaly_reason if result else ""])
            ),
            now=now,
        )
    rectification.save()
    return rectification


def may_verify_contract(inspection: Inspection, user) -> bool:
    return is_manager(user) or inspection.contract.service_manager_id == user.pk


def _lock_rectification(rectification: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("inspection__contract", "inspection__site")
        .get(pk=rectification.pk)
    )


@transaction.atomic
def rectification_done(
    *, rectification: Rectification, user: User, note: str = "", now: datetime | None = None
) -> Rectification:
    rectification = _lock_rectification(rectification)
    _require(
        rectification.owner_id == user.pk
        or may_carry_out(rectification.inspection, user)
        or may_verify(rectification, user),
        _("You may not close this rectification."),
    )
    if rectification.status != Rectification.Status.OPEN:
        raise TransitionConflict(_("This rectification is not open."))
    if not note.strip():
        raise ValidationError({"done_note": _("Say what was done.")})
    rectification.status = Rectification.Status.DONE
    rectification.done_at = now or timezone.now()
    rectification.done_note = note.strip()
    rectification.save()
    return rectification


@transaction.atomic
def rectification_verify(
    *,
    rectification: Rectification,
    user: User,
    accept: bool = True,
    note: str = "",
    now: datetime | None = None,
) -> Rectification:
    """A manager or the contract's service manager confirms the fix, or reopens it."""
    rectification = _lock_rectification(rectification)
    _require(may_verify(rectification, user), _("Only a manager verifies rectifications."))
    if rectification.status != Rectification.Status.DONE:
        raise TransitionConflict(_("This rectification is not waiting for verification."))
    if accept:
        rectification.status = Rectification.Status.VERIFIED
        rectification.verified_at = now or timezone.now()
        rectification.verified_by = user
    else:
        if not note.strip():
            raise ValidationError({"note": _("Say what is still wrong.")})
        rectification.status = Rectification.Status.OPEN
        rectification.done_at = None
        rectification.done_note = f"{rectification.done_note}\n— {note.strip()}".strip()
    rectification.save()
    return rectification
