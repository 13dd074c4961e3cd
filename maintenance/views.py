"""Planned downtime pages: the windows (planned by the desk and managers, read by everyone
concerned, the customer's own in the portal), each with its tickets reported meanwhile."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import STAFF_ROLES, Role
from core.web import REFUSALS, refusal_messages, role_required
from maintenance import permissions as may
from maintenance import selectors
from maintenance.forms import DowntimeForm
from maintenance.services import downtime_cancel, downtime_change, downtime_plan
from tickets.submissions import form_post_once

ROLES = (*STAFF_ROLES, Role.CUSTOMER)
# Windows that ended longer ago than this are history: the list shows them on request.
RECENT = timedelta(days=7)


@role_required(*ROLES)
def windows(request):
    can_plan = may.plan_downtime(request.user)
    form = None
    if request.method == "POST" and can_plan:
        form = DowntimeForm(request.POST)
        # Once per form token: a double click plans and announces one window.
        done = form_post_once(request, form, lambda data: _plan(request, data))
        if done is not None:
            return done
    past = request.GET.get("show") == "past"
    now = timezone.now()
    found = selectors.windows_visible_to(request.user)
    found = (
        found.filter(ends_at__lte=now).order_by("-starts_at")
        if past
        else found.filter(ends_at__gt=now - RECENT).order_by("starts_at")
    )
    context = {
        "windows": found[:200],
        "past": past,
        "now": now,
        "can_plan": can_plan,
        "form": form or DowntimeForm(),
    }
    return render(request, "maintenance/windows.html", context, status=400 if form else 200)


def _plan(request, data: dict) -> tuple[str, str]:
    window = downtime_plan(user=request.user, **data)
    message = _("Planned; the customer's people have been told.")
    return message, reverse("maintenance:window", args=[window.pk])


def _window(request, pk: int):
    window = selectors.windows_visible_to(request.user).filter(pk=pk).first()
    if window is None:
        raise Http404
    return window


@role_required(*ROLES)
def window(request, pk: int):
    window = _window(request, pk)
    can_plan = may.plan_downtime(request.user)
    form = None
    if request.method == "POST" and can_plan:
        form = DowntimeForm(request.POST, site=window.site)

        def change(data):
            data = {key: value for key, value in data.items() if key != "site"}
            downtime_change(window=window, user=request.user, **data)
            message = _("Changed; the customer's people have been told again.")
            return message, reverse("maintenance:window", args=[window.pk])

        done = form_post_once(request, form, change)
        if done is not None:
            return done
    initial = {
        "site": window.site_id,
        "items": list(window.items.values_list("pk", flat=True)),
        "starts_at": timezone.localtime(window.starts_at),
        "ends_at": timezone.localtime(window.ends_at),
        "reason": window.reason,
        "work": window.work,
        "notice_hours": window.notice_hours,
    }
    now = timezone.now()
    planned = window.state == window.State.PLANNED
    context = {
        "window": window,
        "now": now,
        "tickets": selectors.tickets_during(window, request.user)[:100],
        # As the services allow: changed until it starts, cancelled until it ends.
        "can_change": can_plan and planned and window.starts_at > now,
        "can_cancel": can_plan and planned and window.ends_at > now,
        "form": form or DowntimeForm(initial=initial, site=window.site),
    }
    return render(request, "maintenance/window.html", context, status=400 if form else 200)


@require_POST
@role_required(*STAFF_ROLES)
def cancel(request, pk: int):
    window = _window(request, pk)
    try:
        downtime_cancel(window=window, user=request.user)
    except REFUSALS as exc:
        refusal_messages(request, exc)
    else:
        messages.success(request, _("Cancelled; the customer's people have been told."))
    return redirect("maintenance:window", pk=window.pk)
