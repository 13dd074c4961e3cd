"""Who may read and who may plan a branch's duty roster (值班表)."""

from accounts.roles import Role
from accounts.selectors import has_any_role


def see_roster(user) -> bool:
    """The vendor's staff read every branch's roster (the desk phones whoever is on duty)."""
    return has_any_role(user, Role.AGENT, Role.ENGINEER, Role.MANAGER, Role.LEADER)


def plan_duty(user, branch) -> bool:
    """The leadership group (and superusers) plan any branch's duty; a service manager only
    their own branch's (User.branch)."""
    if has_any_role(user, Role.LEADER):
        return True
    if not has_any_role(user, Role.MANAGER):
        return False
    branch_id = getattr(branch, "pk", branch)
    return branch_id is not None and user.branch_id == branch_id


def plan_any_duty(user) -> bool:
    """Whether the user plans duty for some branch (is told of gaps, sees the form)."""
    return has_any_role(user, Role.LEADER) or (
        has_any_role(user, Role.MANAGER) and user.branch_id is not None
    )
