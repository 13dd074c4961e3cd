"""Who may plan and see planned downtime."""

from accounts.roles import Role
from accounts.selectors import customer_id_of, has_any_role


def plan_downtime(user) -> bool:
    """The desk and the managers agree a window with the customer and announce it."""
    return has_any_role(user, Role.AGENT, Role.MANAGER, Role.LEADER)


def see_all_windows(user) -> bool:
    return has_any_role(user, Role.AGENT, Role.MANAGER, Role.LEADER, Role.ENGINEER)


def see_window(window, user) -> bool:
    if see_all_windows(user):
        return True
    customer_id = customer_id_of(user) if user and user.is_authenticated else None
    return customer_id is not None and customer_id == window.customer_id


def plan_upgrade(user) -> bool:
    """Upgrades are agreed with the customer by the desk and the managers."""
    return has_any_role(user, Role.AGENT, Role.MANAGER, Role.LEADER)


def work_upgrade(upgrade, user) -> bool:
    """The steps are the engineer's, checked off on site; a manager may record them."""
    return bool(user and user.is_authenticated and upgrade.engineer_id == user.pk) or has_any_role(
        user, Role.MANAGER
    )


def publish_notices(user) -> bool:
    return has_any_role(user, Role.MANAGER, Role.LEADER)


def record_version(user) -> bool:
    """A version found installed: recorded by the desk, the managers or an engineer."""
    return has_any_role(user, Role.AGENT, Role.MANAGER, Role.LEADER, Role.ENGINEER)
