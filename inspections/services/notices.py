"""What inspections tell people, one function per occasion, through tickets.notify (kept
untranslated, shown in each reader's language); each occasion only says who hears what."""

from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.selectors import service_managers
from core.translatable import Message
from inspections.models import Inspection
from tickets.notify import notify


def managers_of(inspection: Inspection) -> list[User]:
    """Who manages the inspected service (accounts.selectors.service_managers)."""
    return service_managers(
        manager=inspection.contract.service_manager,
        branch_id=inspection.contract.branch_id or inspection.site.branch_id,
    )


def _facts(inspection: Inspection) -> dict:
    return {
        "contract": inspection.contract.number,
        "site": inspection.site.name,
        "checklist": inspection.template.name,
        "due": inspection.due_on.isoformat(),
    }


def notify_due(inspection: Inspection, people) -> int:
    """The reminder before an inspection falls due."""
    return notify(
        people,
        Message(
            gettext_lazy("Inspection due on %(due)s: %(contract)s %(site)s"),
            gettext_lazy(
                "The inspection %(checklist)s at %(site)s (contract %(contract)s) is due "
                "on %(due)s."
            ),
            _facts(inspection),
        ),
    )


def notify_overdue(inspection: Inspection, people) -> int:
    """The escalation once an inspection is overdue."""
    return notify(
        people,
        Message(
            gettext_lazy("Inspection overdue: %(contract)s %(site)s"),
            gettext_lazy(
                "The inspection %(checklist)s at %(site)s (contract %(contract)s) was due "
                "on %(due)s and has not been submitted."
            ),
            _facts(inspection),
        ),
    )


def notify_to_review(inspection: Inspection, *, submitted_by: User) -> int:
    """The managers hear of a submitted inspection, except the one who submitted it."""
    return notify(
        [m for m in managers_of(inspection) if m.pk != submitted_by.pk],
        Message(
            gettext_lazy("Inspection to review: %(contract)s %(site)s"),
            gettext_lazy("The inspection %(checklist)s due on %(due)s was submitted for review."),
            _facts(inspection),
        ),
    )


def notify_sent_back(inspection: Inspection, *, note: str) -> int:
    """The engineer hears what must be corrected (the note as typed)."""
    return notify(
        [inspection.engineer],
        Message(
            gettext_lazy("Inspection sent back: %(contract)s %(site)s"), note, _facts(inspection)
        ),
    )
