"""The admin site: for superusers and managers only (accounts/roles.ADMIN_ROLES).

is_staff follows the role (accounts/services.user_assign_role), but a flag left over
from an earlier role must not open the admin: every admin request asks the role too.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


def may_use_admin(user) -> bool:
    from accounts.roles import ADMIN_ROLES

    if not user.is_active or not user.is_authenticated or not user.is_staff:
        return False
    return user.is_superuser or any(user.has_role(role) for role in ADMIN_ROLES)


class ServiceDeskAdminSite(AdminSite):
    def has_permission(self, request):
        return may_use_admin(request.user)


class ServiceDeskAdminConfig(AdminConfig):
    default_site = "servicedesk.admin_site.ServiceDeskAdminSite"


# What each admin list shows. Only superusers and managers get in, and by the rules of
# tickets/, contracts/ and inspections/selectors.py a manager sees every ticket, contract,
# customer, contact and inspection; so the lists of master data, inspections and reports
# show them everything. Ticket rows still go through tickets/admin.TicketScopedAdmin (the
# same selectors as the pages), so a role given admin rights later sees only its tickets.
# tests/test_admin_scope.py holds both: a manager's lists equal the selectors' answer.
