"""Who may see and write the deduction ledgers."""

from accounts.roles import Role
from accounts.selectors import has_any_role


def see_all_ledgers(user) -> bool:
    """The management and leadership groups answer for what late service costs."""
    return has_any_role(user, Role.MANAGER, Role.LEADER)


def record_third_party(user) -> bool:
    """A third-party repair is entered by a service manager, from the buyer's invoice."""
    return has_any_role(user, Role.MANAGER)
