"""How every status change of an inspection or a rectification is taken: the tickets' way.

The service locks the row (`lock_inspection`, `lock_rectification`) and checks who may
act (`require`, asking inspections.permissions); `refuse_unless_possible` asks django-fsm
whether the step can be taken from the current state, and refuses with the reason the
user reads; `inspection_step` and `rectification_step` take it: django-fsm changes the
state in memory, the row is saved with only the fields the step changes, and an
InspectionEvent records who took it, when, from which state to which. All of it inside
the service's transaction: a refused or failed step changes nothing.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import connection
from django.db.models import Model, QuerySet
from django_fsm import can_proceed

from accounts.models import User
from core.errors import TransitionConflict, TransitionForbidden
from inspections.models import Inspection, InspectionEvent, Rectification


def for_update(queryset: QuerySet) -> QuerySet:
    """Lock the rows FOR NO KEY UPDATE, as tickets do: events and rectifications that
    reference a row can still be inserted while we hold it; two steps on it take turns."""
    no_key = connection.vendor == "postgresql"
    return queryset.select_for_update(no_key=no_key, of=("self",))


def lock_inspection(inspection: Inspection) -> Inspection:
    queryset = Inspection.objects.select_related("contract", "site", "template")
    return for_update(queryset).get(pk=inspection.pk)


def lock_rectification(rectification: Rectification) -> Rectification:
    queryset = Rectification.objects.select_related("inspection__contract", "inspection__site")
    return for_update(queryset).get(pk=rectification.pk)


def require(condition: bool, message: str) -> None:
    """Refuse (403) with `message` an action this user may never take."""
    if not condition:
        raise TransitionForbidden(message)


def refuse_unless_possible(instance: Model, name: str, reason: str) -> None:
    """A conflict (409) with `reason` when the step `name` cannot be taken from here."""
    if not can_proceed(getattr(instance, name)):
        raise TransitionConflict(reason)


def inspection_step(
    inspection: Inspection,
    name: str,
    *,
    user: User | None,
    at: datetime,
    changes: Sequence[str] = (),
    note: str = "",
    **kwargs,
) -> Inspection:
    """Take the step `name` on a locked inspection; `changes` are the fields it sets."""
    from_state = inspection.state
    getattr(inspection, name)(at=at, **kwargs)
    inspection.save(update_fields=["state", *changes, "updated_at"])
    InspectionEvent.objects.create(
        inspection=inspection,
        action=name,
        at=at,
        actor=user,
        from_state=from_state,
        to_state=inspection.state,
        note=note,
    )
    return inspection


def rectification_step(
    rectification: Rectification,
    name: str,
    *,
    user: User,
    at: datetime,
    changes: Sequence[str] = (),
    note: str = "",
    **kwargs,
) -> Rectification:
    """Take the step `name` on a locked rectification; `changes` are the fields it sets."""
    from_status = rectification.status
    getattr(rectification, name)(at=at, **kwargs)
    rectification.save(update_fields=["status", *changes, "updated_at"])
    rectification_event(rectification, name, user=user, at=at, from_status=from_status, note=note)
    return rectification


def rectification_event(
    rectification: Rectification,
    name: str,
    *,
    user: User,
    at: datetime,
    from_status: str = "",
    note: str = "",
) -> InspectionEvent:
    return InspectionEvent.objects.create(
        inspection_id=rectification.inspection_id,
        rectification=rectification,
        action=name,
        at=at,
        actor=user,
        from_state=from_status,
        to_state=rectification.status,
        note=note,
    )
