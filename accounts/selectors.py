"""Who a user is to the pages: the role and, for a customer contact, the organisation; and
who is on duty now (dispatch and the hotline console both ask `shifts_on_duty`)."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from accounts.models import DutyShift, User
from accounts.roles import Role


def role_of(user) -> str | None:
    """The user's role (accounts.models.User.role), or None for an anonymous visitor."""
    return user.role if user.is_authenticated else None


def customer_id_of(user) -> int | None:
    contact = getattr(user, "contact", None) if user.is_authenticated else None
    return contact.customer_id if contact is not None else None


def has_any_role(user, *roles) -> bool:
    """An active, logged-in user holding one of these roles; a superuser holds them all."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(user.has_role(role) for role in roles)


def service_managers(*, manager: User | None, branch_id: int | None) -> list[User]:
    """Who manages a piece of service (a ticket, an inspection): the contract's service
    manager, else the managers of its branch, else every manager, so someone is told."""
    if manager is not None and manager.is_active:
        return [manager]
    managers = User.objects.filter(is_active=True, groups__name=Role.MANAGER).distinct()
    if branch_id:
        of_branch = list(managers.filter(branch_id=branch_id))
        if of_branch:
            return of_branch
    return list(managers)


def shifts_on_duty(
    *, now: datetime, branch_ids: Iterable[int] | None = None
) -> QuerySet[DutyShift]:
    """The one rule of who is on duty (值班) at a moment: shifts running then (start
    included, end not), of these branches or all, with engineer and site, in the order the
    console lists them (on site first, then by engineer)."""
    shifts = DutyShift.objects.filter(starts_at__lte=now, ends_at__gt=now)
    if branch_ids is not None:
        shifts = shifts.filter(branch_id__in=list(branch_ids))
    return shifts.select_related("engineer", "branch", "site__customer").order_by(
        "-mode", "engineer__username", "starts_at"
    )
