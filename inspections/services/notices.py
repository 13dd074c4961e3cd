"""What inspections tell people, one function per occasion, in the site's language.

`_send` is the one place here that builds notifications; each occasion only says
who hears what.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from inspections.models import Inspection
from tickets.models import Notification


def _send(users, *, title: str, body: str) -> int:
    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, title=title[:200], body=body))
    Notification.objects.bulk_create(rows)
    return len(rows)


def managers_of(inspection: Inspection) -> list[User]:
    """The contract's service manager, or else the managers of its branch."""
    manager = inspection.contract.service_manager
    if manager is not None and manager.is_active:
        return [manager]
    branch_id = inspection.contract.branch_id or inspection.site.branch_id
    return list(User.objects.filter(is_active=True, branch_id=branch_id, groups__name=Role.MANAGER))


def _facts(inspection: Inspection) -> dict:
    return {
        "contract": inspection.contract.number,
        "site": inspection.site.name,
        "checklist": inspection.template.name,
        "due": inspection.due_on.isoformat(),
    }


def notify_due(inspection: Inspection, people) -> int:
    """The reminder before an inspection falls due."""
    with translation.override(settings.LANGUAGE_CODE):
        facts = _facts(inspection)
        return _send(
            people,
            title=_("Inspection due on %(due)s: %(contract)s %(site)s") % facts,
            body=_(
                "The inspection %(checklist)s at %(site)s (contract %(contract)s) is due "
                "on %(due)s."
            )
            % facts,
        )


def notify_overdue(inspection: Inspection, people) -> int:
    """The escalation once an inspection is overdue."""
    with translation.override(settings.LANGUAGE_CODE):
        facts = _facts(inspection)
        return _send(
            people,
            title=_("Inspection overdue: %(contract)s %(site)s") % facts,
            body=_(
                "The inspection %(checklist)s at %(site)s (contract %(contract)s) was due "
                "on %(due)s and has not been submitted."
            )
            % facts,
        )


def notify_to_review(inspection: Inspection, *, submitted_by: User) -> int:
    """The managers hear of a submitted inspection, except the one who submitted it."""
    with translation.override(settings.LANGUAGE_CODE):
        facts = _facts(inspection)
        return _send(
            [m for m in managers_of(inspection) if m.pk != submitted_by.pk],
            title=_("Inspection to review: %(contract)s %(site)s") % facts,
            body=_("The inspection %(checklist)s due on %(due)s was submitted for review.") % facts,
        )


def notify_sent_back(inspection: Inspection, *, note: str) -> int:
    """The engineer hears what must be corrected."""
    with translation.override(settings.LANGUAGE_CODE):
        return _send(
            [inspection.engineer],
            title=_("Inspection sent back: %(contract)s %(site)s") % _facts(inspection),
            body=note,
        )
