"""The schedule: plans generate their inspections ahead of time, withdraw the ones no plan
promises any more, and remind before an inspection falls due or escalate once it is overdue.

Beat runs `inspections_generate` hourly and `inspections_alert` every five minutes
(inspections/tasks.py); both are idempotent.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from contracts.phases import SERVICE_PHASES, add_months
from inspections.models import OPEN_STATES, Inspection, InspectionAlert, InspectionPlan
from inspections.services.notices import managers_of, notify_due, notify_overdue
from inspections.services.workflow import for_update, inspection_step

# Without a plan to say otherwise, the reminder comes this many days before.
DEFAULT_REMIND_DAYS = 2


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


def _service_days(plan: InspectionPlan, today: date) -> list[date]:
    """The plan's due dates up to its lead time on which the contract is in a service phase
    (trial, warranty, after warranty), none after the plan ends."""
    start = max(plan.starts_on, today)
    end = today + timedelta(days=plan.lead_days)
    if plan.ends_on:
        end = min(end, plan.ends_on)
    return [d for d in _due_dates(plan, start, end) if plan.contract.phase_on(d) in SERVICE_PHASES]


def inspections_generate(*, today: date) -> int:
    """Create the scheduled inspections of every active plan up to its lead time (idempotent).

    An inspection goes to the plan's engineer, or else to an engineer of the site's
    (or the contract's) branch.
    """
    created = 0
    plans = InspectionPlan.objects.filter(is_active=True).select_related("contract", "site")
    engineers: dict[int | None, User | None] = {}
    for plan in plans:
        dates = _service_days(plan, today)
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
            if day not in existing and _schedule(plan, day, engineer):
                created += 1
    _withdraw_unplanned(today=today)
    return created


def _schedule(plan: InspectionPlan, day: date, engineer: User | None) -> bool:
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
        return False  # another run created it in the meantime
    return True


def _withdraw_unplanned(*, today: date) -> int:
    """Cancel scheduled inspections no plan promises any more (plan stopped or shortened).

    Only untouched future ones: work already started stays, and so does the record.
    """
    stale = (
        Inspection.objects.filter(
            state=Inspection.State.SCHEDULED, due_on__gte=today, plan__isnull=False
        )
        .filter(Q(plan__is_active=False) | Q(plan__ends_on__lt=F("due_on")))
        .order_by("pk")
    )
    count = 0
    with translation.override(settings.LANGUAGE_CODE):
        note = _("No plan promises this inspection any more.")
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            # Under the lock it must still be untouched: an engineer may have just started it.
            inspection = for_update(stale.filter(pk=pk)).first()
            if inspection is None:
                continue
            inspection_step(inspection, "cancel", user=None, at=timezone.now(), note=note)
            count += 1
    return count


def _alert_due(inspection: Inspection, today: date, sent: set[str]) -> str | None:
    """Which alert the inspection is due for today, if any it has not had."""
    if inspection.due_on < today:
        return InspectionAlert.Kind.OVERDUE if InspectionAlert.Kind.OVERDUE not in sent else None
    remind_days = inspection.plan.remind_days_before if inspection.plan else DEFAULT_REMIND_DAYS
    if inspection.due_on - timedelta(days=remind_days) <= today and not sent:
        return InspectionAlert.Kind.REMINDER
    return None


def _alert_send(inspection: Inspection, kind: str) -> None:
    if kind == InspectionAlert.Kind.OVERDUE:
        notify_overdue(inspection, [inspection.engineer, *managers_of(inspection)])
        return
    engineer = inspection.engineer or _branch_engineer(inspection.site.branch_id)
    people = [engineer] if engineer else managers_of(inspection)
    notify_due(inspection, people)


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
    for inspection in candidates:
        kind = _alert_due(inspection, today, {alert.kind for alert in inspection.alerts.all()})
        if kind is None:
            continue
        with transaction.atomic():
            _alert, created = InspectionAlert.objects.get_or_create(
                inspection=inspection, kind=kind, defaults={"sent_at": now}
            )
            if created:
                _alert_send(inspection, kind)
                sent += 1
    return sent
