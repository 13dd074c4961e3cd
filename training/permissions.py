"""Who may plan training and record what happened at it."""

from accounts.roles import Role
from accounts.selectors import customer_id_of, has_any_role


def plan_training(user) -> bool:
    """The desk and the managers agree sessions with the customer (seed 000: 按照招标方的要求)."""
    return has_any_role(user, Role.AGENT, Role.MANAGER, Role.LEADER)


def see_all_sessions(user) -> bool:
    return has_any_role(user, Role.AGENT, Role.ENGINEER, Role.MANAGER, Role.LEADER)


def record_session(session, user) -> bool:
    """Attendance, materials and the signed sheet: whoever plans training, or the session's
    own trainer."""
    if plan_training(user):
        return True
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and session.trainer_id is not None
        and session.trainer_id == user.pk
    )


def see_session(session, user) -> bool:
    if see_all_sessions(user):
        return True
    customer_id = customer_id_of(user) if user and user.is_authenticated else None
    return customer_id is not None and customer_id == session.contract.customer_id
