"""What each user may see: the one place scoping rules live."""

from django.db.models import Q, QuerySet

from accounts.roles import Role


def role_of(user) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return "admin"
    for role in (Role.MANAGER, Role.LEADER, Role.AGENT, Role.ENGINEER, Role.CUSTOMER):
        if user.has_role(role):
            return role.value
    return None


def customer_id_of(user) -> int | None:
    contact = getattr(user, "contact", None) if user.is_authenticated else None
    return contact.customer_id if contact is not None else None


def tickets_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Agents, managers and leaders see all; engineers their own tickets and their
    branch's queue; customer contacts their organisation's."""
    role = role_of(user)
    if role in ("admin", Role.AGENT, Role.MANAGER, Role.LEADER):
        return queryset
    if role == Role.ENGINEER:
        condition = Q(assigned_engineer=user)
        if user.branch_id:
            condition |= Q(branch_id=user.branch_id)
        return queryset.filter(condition)
    if role == Role.CUSTOMER and customer_id_of(user):
        return queryset.filter(customer_id=customer_id_of(user))
    return queryset.none()


def ticket_records_visible_to(
    user, queryset: QuerySet, *, ticket_field: str = "ticket", unlinked: bool = False
) -> QuerySet:
    """Rows that hang off a ticket (clocks, events, steps, notifications, check-ins…)
    are visible exactly when their ticket is: the rule above, never restated.

    `ticket_field` is the lookup path to the ticket (`"clock__ticket"` for a pause);
    `unlinked` keeps rows whose ticket is empty (a notification about no ticket).
    """
    from tickets.models import Ticket

    tickets = tickets_visible_to(user, Ticket.objects.all())
    if not tickets.query.has_filters():
        return queryset
    condition = Q(**{f"{ticket_field}__in": tickets.values("pk")})
    if unlinked:
        condition |= Q(**{f"{ticket_field}__isnull": True})
    return queryset.filter(condition)


def contracts_visible_to(user, queryset: QuerySet) -> QuerySet:
    role = role_of(user)
    if role in ("admin", Role.AGENT, Role.MANAGER, Role.LEADER, Role.ENGINEER):
        return queryset
    if role == Role.CUSTOMER and customer_id_of(user):
        return queryset.filter(customer_id=customer_id_of(user))
    return queryset.none()


def customers_visible_to(user, queryset: QuerySet) -> QuerySet:
    role = role_of(user)
    if role in ("admin", Role.AGENT, Role.MANAGER, Role.LEADER, Role.ENGINEER):
        return queryset
    if role == Role.CUSTOMER and customer_id_of(user):
        return queryset.filter(pk=customer_id_of(user))
    return queryset.none()
