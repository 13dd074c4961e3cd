"""Who may take each ticket transition: (ticket, user) -> bool.

django-fsm calls these as transition permissions, so the API and the pages
offer exactly the transitions a user may take, and refuse the others with 403.
"""

from accounts.roles import DESK_ROLES, Role
from accounts.selectors import has_any_role, role_of


def create_ticket(user) -> bool:
    """Who may create a ticket at all: the pages' rule, asked by the API too.

    The desk logs calls (the console's call screen); customer contacts create tickets
    too, for their own organisation only (the portal; the API's serializer pins the
    customer).
    """
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return role_of(user) in (*DESK_ROLES, Role.CUSTOMER)


def is_desk(user) -> bool:
    """Hotline agents and managers: they run the queue."""
    return has_any_role(user, Role.AGENT, Role.MANAGER)


def is_customer_of(ticket, user) -> bool:
    if not user or not user.is_authenticated or user.is_superuser:
        return False
    contact = getattr(user, "contact", None)
    return contact is not None and contact.customer_id == ticket.customer_id


def is_assigned_engineer(ticket, user) -> bool:
    return bool(user and user.is_authenticated and ticket.assigned_engineer_id == user.pk)


def is_branch_engineer(ticket, user) -> bool:
    return (
        has_any_role(user, Role.ENGINEER)
        and user.branch_id is not None
        and ticket.branch_id == user.branch_id
    )


def acknowledge(ticket, user) -> bool:
    return is_desk(user) or is_assigned_engineer(ticket, user) or is_branch_engineer(ticket, user)


def dispatch(ticket, user) -> bool:
    return is_desk(user)


def engineer_on_ticket(ticket, user) -> bool:
    """Departure and check-in are the engineer's own evidence; a manager may record them."""
    return is_assigned_engineer(ticket, user) or has_any_role(user, Role.MANAGER)


def resolve(ticket, user) -> bool:
    return is_desk(user) or is_assigned_engineer(ticket, user)


def confirm(ticket, user) -> bool:
    return is_customer_of(ticket, user) or is_desk(user)


def close(ticket, user) -> bool:
    return is_desk(user)


def staff_on_ticket(ticket, user) -> bool:
    return is_desk(user) or is_assigned_engineer(ticket, user) or is_branch_engineer(ticket, user)


def resume(ticket, user) -> bool:
    return staff_on_ticket(ticket, user) or is_customer_of(ticket, user)


def reopen(ticket, user) -> bool:
    return is_customer_of(ticket, user) or is_desk(user)


def cancel(ticket, user) -> bool:
    # A customer may withdraw a request nobody has picked up yet.
    if is_customer_of(ticket, user):
        return ticket.state in ("new", "submitted")
    return is_desk(user)


def sign_off(ticket, user) -> bool:
    """Change requests need the project management group's signature (seed 000, 1.4.2)."""
    return has_any_role(user, Role.MANAGER)


def change_priority(ticket, user) -> bool:
    return is_desk(user)
