"""Rectification actions (整改): opened from an inspection's anomaly (a fault may open a
linked ticket too), marked done by their owner, verified or reopened by a manager or the
contract's service manager. Each change is locked, checked and recorded as an
InspectionEvent, as inspections.services.workflow says.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_of
from core.errors import TransitionConflict
from inspections.models import Inspection, InspectionResult, Rectification
from inspections.permissions import may_carry_out, may_verify, may_verify_contract
from inspections.services.workflow import (
    lock_inspection,
    lock_rectification,
    rectification_event,
    rectification_step,
    refuse_unless_possible,
    require,
)
from tickets.models import Channel, Kind, Ticket
from tickets.services.creation import ticket_create


def _validate_opening(inspection, result, owner, due_on, description: str) -> None:
    errors = {}
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


def _fault_ticket(
    inspection: Inspection, result: InspectionResult | None, description: str, user, now
) -> Ticket:
    subject = result.item.text if result is not None else inspection.template.name
    return ticket_create(
        created_by=user,
        kind=Kind.FAULT,
        priority="P3",
        summary=(_("Inspection %(due)s: %(item)s") % {"due": inspection.due_on, "item": subject})[
            :200
        ],
        # Found by our own engineer, not reported by the customer: logged as a system entry.
        channel=Channel.API,
        contract=inspection.contract,
        site=inspection.site,
        description="\n".join(filter(None, [description, result.anomaly_reason if result else ""])),
        now=now,
    )


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
    inspection = lock_inspection(inspection)
    require(
        may_carry_out(inspection, user) or may_verify_contract(inspection, user),
        _("You may not open rectifications on this inspection."),
    )
    if inspection.state in (Inspection.State.SCHEDULED, Inspection.State.CANCELLED):
        raise TransitionConflict(_("This inspection has not been carried out."))
    description = (description or "").strip()
    _validate_opening(inspection, result, owner, due_on, description)
    rectification = Rectification.objects.create(
        inspection=inspection,
        result=result,
        owner=owner,
        due_on=due_on,
        description=description,
        ticket=_fault_ticket(inspection, result, description, user, now) if open_ticket else None,
    )
    rectification_event(rectification, "open", user=user, at=now or timezone.now())
    return rectification


@transaction.atomic
def rectification_done(
    *, rectification: Rectification, user: User, note: str = "", now: datetime | None = None
) -> Rectification:
    rectification = lock_rectification(rectification)
    require(
        rectification.owner_id == user.pk
        or may_carry_out(rectification.inspection, user)
        or may_verify(rectification, user),
        _("You may not close this rectification."),
    )
    refuse_unless_possible(rectification, "mark_done", _("This rectification is not open."))
    if not note.strip():
        raise ValidationError({"done_note": _("Say what was done.")})
    return rectification_step(
        rectification,
        "mark_done",
        user=user,
        at=now or timezone.now(),
        changes=["done_at", "done_note"],
        note=note.strip(),
        done_note=note.strip(),
    )


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
    rectification = lock_rectification(rectification)
    require(may_verify(rectification, user), _("Only a manager verifies rectifications."))
    step = "verify" if accept else "reopen"
    refuse_unless_possible(
        rectification, step, _("This rectification is not waiting for verification.")
    )
    now = now or timezone.now()
    if accept:
        return rectification_step(
            rectification,
            "verify",
            user=user,
            at=now,
            changes=["verified_at", "verified_by"],
            by=user,
        )
    if not note.strip():
        raise ValidationError({"note": _("Say what is still wrong.")})
    return rectification_step(
        rectification,
        "reopen",
        user=user,
        at=now,
        changes=["done_at", "done_note"],
        note=note.strip(),
        still_wrong=note.strip(),
    )
