"""Who may plan and see planned downtime."""

from accounts.roles import Role
from accounts.selectors import customer_id_of


def _is(user, *roles: Role) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(user.has_role(role) for role in roles)


def plan_downtime(user) -> bool:
    """The desk and the managers agree a window with the customer and announce it."""
    return _is(user, Role.AGENT, Role.MANAGER, Role.LEADER)


def see_all_windows(user) -> bool:
    return _is(user, Role.AGENT, Role.MANAGER, Role.LEADER, Role.ENGINEER)


def see_window(window, user) -> bool:
    if see_all_windows(user):
        return True
    customer_id = customer_id_of(user) if user and user.is_authenticated else None
    return customer_id is not None and customer_id == window.customer_id


def plan_upgrade(user) -> bool:
    """Upgrades are agreed with the customer by the desk and the managers."""
    return _is(user, Role.AGENT, Role.MANAGER, Role.LEADER)


def work_upgrade(upgrade, user) -> bool:
    """The steps are the engineer's, checked off on site; a manager may record them."""
    return bool(user and user.is_authenticated and upgrade.engineer_id == user.pk) or _is(
        user, Role.MANAGER
    )


def publish_notices(user) -> bool:
    return _is(user, Role.MANAGER, Role.LEADER)


def record_version(user) -> bool:
    """A version found installed: recorded by the desk, the managers or an engineer."""
    return _is(user, Role.AGENT, Role.MANAGER, Role.LEADER, Role.ENGINEER)
