"""A covered item's page: what it is and everything that happened to it, for the staff (from
the ticket page and the call console) and for the customer's contacts (from the portal)."""

from django.http import Http404
from django.shortcuts import render

from accounts.roles import STAFF_ROLES, Role
from core.web import role_required
from item_history.selectors import item_history, items_visible_to


@role_required(*STAFF_ROLES, Role.CUSTOMER)
def item(request, pk: int):
    found = items_visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    context = {
        "item": found,
        "entries": item_history(found, request.user),
        "is_customer": request.user.role == Role.CUSTOMER,
    }
    return render(request, "item_history/item.html", context)
