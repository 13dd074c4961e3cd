"""Roles are Django groups; this module says which permissions each one holds.

The tiers are the three groups of the service organisation in seed 004, 7.1.2:
implementation group (客户服务实施小组), management group (客户服务管理小组) and
leadership group (客户服务领导小组). Escalation climbs them one at a time.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Hotline agent")
    ENGINEER = "engineer", _("Engineer")
    MANAGER = "manager", _("Service manager")
    LEADER = "leader", _("Leadership")
    CUSTOMER = "customer", _("Customer contact")


class Tier(models.TextChoices):
    IMPLEMENTATION = "implementation", _("Implementation group")
    MANAGEMENT = "management", _("Management group")
    LEADERSHIP = "leadership", _("Leadership group")


TIER_ORDER = [Tier.IMPLEMENTATION, Tier.MANAGEMENT, Tier.LEADERSHIP]

# The tier a staff member belongs to unless set otherwise on the user.
ROLE_TIER = {
    Role.AGENT: Tier.IMPLEMENTATION,
    Role.ENGINEER: Tier.IMPLEMENTATION,
    Role.MANAGER: Tier.MANAGEMENT,
    Role.LEADER: Tier.LEADERSHIP,
}

_VIEW_TICKETS = [
    "tickets.view_ticket",
    "tickets.view_slaclock",
    "tickets.view_ticketevent",
    "tickets.view_escalationstep",
    "tickets.view_escalationrule",
]

_VIEW_MASTER_DATA = [
    "contracts.view_customer",
    "contracts.view_contact",
    "contracts.view_site",
    "contracts.view_covereditem",
    "contracts.view_contract",
    "contracts.view_serviceterms",
    "contracts.view_calendar",
    "contracts.view_contracttemplate",
    "accounts.view_branch",
]


def _crud(app_label: str, *models_: str) -> list[str]:
    return [f"{app_label}.{action}_{m}" for m in models_ for action in ("add", "change", "view")]


ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: [
        *_VIEW_MASTER_DATA,
        *_VIEW_TICKETS,
        *_crud("contracts", "customer", "contact", "site", "covereditem"),
    ],
    Role.ENGINEER: [*_VIEW_MASTER_DATA, *_VIEW_TICKETS],
    Role.MANAGER: [
        *_VIEW_MASTER_DATA,
        *_crud("contracts", "customer", "contact", "site", "covereditem"),
        *_crud("contracts", "contract", "serviceterms", "contracttemplate", "templateterms"),
        *_crud("contracts", "calendar", "workingwindow", "calendarday"),
        "contracts.delete_calendarday",
        "contracts.delete_workingwindow",
        "contracts.view_calendaryear",
        "contracts.delete_serviceterms",
        *_crud("accounts", "branch"),
        *_VIEW_TICKETS,
        "tickets.change_escalationrule",
        "tickets.add_escalationrule",
        # The branches' stores (spares): stock counted and corrected here; parts and
        # substitutes on tickets are read here and written through the ticket pages.
        *_crud("spares", "stockitem"),
        "spares.view_partuse",
        "spares.view_substitute",
        # Penalty terms per contract; the deduction ledger is read-only in the admin.
        *_crud("deductions", "penaltyplan", "penaltyrule"),
        "deductions.delete_penaltyrule",
        "deductions.view_deduction",
        "deductions.view_thirdpartyrepair",
        "maintenance.view_downtimewindow",
        "maintenance.view_upgrade",
        "maintenance.view_upgradestep",
        "maintenance.view_installedversion",
        "maintenance.view_softwarenotice",
        # Training sessions are planned and recorded on their pages; read here.
        "training.view_trainingsession",
        "training.view_attendee",
        "training.view_material",
        # The duty roster is planned on its page (/duty/, own branch only); read here.
        "accounts.view_dutyshift",
        "duty.view_dutyevent",
        # Knowledge articles are written and published on their pages; read here.
        "knowledge.view_article",
        "knowledge.view_articlerevision",
        # Reports issued to customers are issued on the reports page (or the API); read here.
        "reports.view_issuedreport",
    ],
    Role.LEADER: [
        *_VIEW_MASTER_DATA,
        *_VIEW_TICKETS,
        "contracts.view_calendarday",
    ],
    Role.CUSTOMER: [],
}

# Superusers belong to no group. The pages treat them as this pseudo-role, which is not a
# Role (no group is made for it): User.role names a superuser by it, and every tuple of
# staff roles below lets it in.
SUPERUSER = "admin"

# Who uses which pages (core.web.role_required takes these):
# the vendor's staff: the queue, ticket pages, inspections;
STAFF_ROLES = (Role.AGENT, Role.ENGINEER, Role.MANAGER, Role.LEADER, SUPERUSER)
# the desk: log calls and see every ticket, make return visits (tickets/permissions.create_ticket);
DESK_ROLES = (Role.AGENT, Role.MANAGER, Role.LEADER, SUPERUSER)
# the management and leadership groups: SLA dashboard, reports, reviews of inspections.
MANAGER_ROLES = (Role.MANAGER, Role.LEADER, SUPERUSER)

# Roles that may use the admin site (besides superusers): managers only. Agents and
# engineers work on the pages, which scope what they see; the leadership group reads the
# dashboards and has no manager rights on the pages (tickets/permissions.is_desk), so no
# admin either. servicedesk/admin_site.py checks the role on every admin request.
ADMIN_ROLES = {Role.MANAGER}
