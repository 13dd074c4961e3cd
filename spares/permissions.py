"""Who may do what with the spares: (ticket, user) or (user) -> bool, asked by the pages,
the API and the services alike."""

from accounts.roles import Role
from accounts.selectors import has_any_role
from tickets import permissions as ticket_may


def manage_stock(user) -> bool:
    """Receiving parts and setting alert levels: the service managers (who keep the stores)."""
    return has_any_role(user, Role.MANAGER)


def see_stock(user) -> bool:
    """The vendor's staff: engineers pick parts from it, agents answer whether a part is there."""
    return has_any_role(user, Role.MANAGER, Role.AGENT, Role.ENGINEER, Role.LEADER)


def work_with_parts(ticket, user) -> bool:
    """Taking parts and installing a substitute: the people working the ticket."""
    return ticket_may.staff_on_ticket(ticket, user)


def stock_branches_for(ticket, user) -> set[int]:
    """The stores a part for this ticket may come from: the ticket's branch and the taker's."""
    return {b for b in (ticket.branch_id, getattr(user, "branch_id", None)) if b is not None}
