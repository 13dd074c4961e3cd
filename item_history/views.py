"""A covered item's page: what it is and everything that happened to it, for the staff (from
the ticket page and the call console) and for the customer's contacts (from the portal)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import STAFF_ROLES, Role
from contracts.selectors import items_visible_to
from core.web import role_required
from item_history.selectors import item_history
from maintenance.forms import VersionForm
from maintenance.permissions import plan_upgrade as may_plan_upgrade
from maintenance.permissions import record_version as may_record_version
from maintenance.upgrades import current_version, version_record
from tickets.submissions import form_post_once


@role_required(*STAFF_ROLES, Role.CUSTOMER)
def item(request, pk: int, *, version_form=None):
    found = items_visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    context = {
        "item": found,
        "entries": item_history(found, request.user),
        "is_customer": request.user.role == Role.CUSTOMER,
        "running": current_version(found),
        "can_plan_upgrade": may_plan_upgrade(request.user),
        "can_record_version": may_record_version(request.user),
        "version_form": version_form or VersionForm(),
    }
    return render(request, "item_history/item.html", context, status=400 if version_form else 200)


@require_POST
@role_required(*STAFF_ROLES)
def version_new(request, pk: int):
    """A version found installed, recorded from the item's page; refused, the page again
    with the form as typed."""
    found = items_visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    if not may_record_version(request.user):
        raise PermissionDenied
    form = VersionForm(request.POST)

    def record(data):
        version_record(item=found, user=request.user, **data)
        return _("Version recorded."), reverse("items:item", args=[found.pk])

    return form_post_once(request, form, record) or item(request, pk, version_form=form)
