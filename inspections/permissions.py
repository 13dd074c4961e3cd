"""Who may do what with an inspection: the services check these before they change anything,
and the pages ask them before they offer an action."""

from accounts.roles import MANAGER_ROLES, Role
from accounts.selectors import role_of
from inspections.models import Inspection, Rectification
from inspections.selectors import inspections_visible_to


def is_manager(user) -> bool:
    return role_of(user) in MANAGER_ROLES


def may_read_report(inspection: Inspection, user) -> bool:
    """Whoever may see the inspection, except that customers only get reviewed reports."""
    if not inspections_visible_to(user).filter(pk=inspection.pk).exists():
        return False
    return role_of(user) != Role.CUSTOMER or inspection.state in (
        Inspection.State.APPROVED,
        Inspection.State.SIGNED,
    )


def may_carry_out(inspection: Inspection, user) -> bool:
    """The engineer assigned, an engineer of the site's branch, or a manager."""
    role = role_of(user)
    if role in MANAGER_ROLES:
        return True
    if role != Role.ENGINEER:
        return False
    return inspection.engineer_id == user.pk or (
        user.branch_id is not None and inspection.site.branch_id == user.branch_id
    )


def may_verify_contract(inspection: Inspection, user) -> bool:
    """A manager, or the service manager of the inspection's contract."""
    return is_manager(user) or inspection.contract.service_manager_id == user.pk


def may_verify(rectification: Rectification, user) -> bool:
    return may_verify_contract(rectification.inspection, user)
