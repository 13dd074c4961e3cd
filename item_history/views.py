"""A covered item's page: what it is and everything that happened to it, for the staff (from
the ticket page and the call console) and for the customer's contacts (from the portal)."""

from django.http import Http404
from django.shortcuts import render

from accounts.roles import STAFF_ROLES, Role
from contracts.selectors import items_visible_to
from core.web import role_required
from item_history.selectors import item_history
from maintenance.permissions import plan_upgrade as may_plan_upgrade
from maintenance.upgrades import current_version


@role_required(*STAFF_ROLES, Role.CUSTOMER)
def item(request, pk: int):
    found = items_visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    context = {
        "item": found,
        "entries": item_history(found, request.user),
        "is_customer": request.user.role == Role.CUSTOMER,
        "running": current_version(found),
        "can_plan_upgrade": may_plan_upgrade(request.user),
    }
    return render(request, "item_history/item.html", context)
