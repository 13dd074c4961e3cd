"""Who may see and write the deduction ledgers."""

from accounts.roles import Role


def _is(user, *roles: Role) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(user.has_role(role) for role in roles)


def see_all_ledgers(user) -> bool:
    """The management and leadership groups answer for what late service costs."""
    return _is(user, Role.MANAGER, Role.LEADER)


def record_third_party(user) -> bool:
    """A third-party repair is entered by a service manager, from the buyer's invoice."""
    return _is(user, Role.MANAGER)
