"""The duty roster pages (值班表): a branch's week, read by the staff, planned by the
branch's manager, the leadership group and superusers; holiday and event gaps ahead are
flagged on it."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.models import Branch, DutyShift
from accounts.roles import STAFF_ROLES
from core.inputs import as_id
from core.web import role_required, run_action
from duty import permissions as may
from duty import selectors
from duty.forms import EventForm, ShiftForm
from duty.models import DutyEvent
from duty.services import (
    event_add,
    event_remove,
    shift_add,
    shift_change,
    shift_remove,
    week_copy,
)
from duty.weeks import week_monday, week_name
from tickets.submissions import form_post_once, form_submit_once


def week_url(branch_id: int, monday) -> str:
    query = urlencode({"branch": branch_id, "week": week_name(monday)})
    return f"{reverse('duty:week')}?{query}"


def _branch(request, branches):
    """The branch asked for; else the user's own; else the first. Never an error."""
    asked = as_id(request.GET.get("branch"))
    found = next((b for b in branches if b.pk == asked), None)
    return found or (branches[0] if branches else None)


def _monday_of(moment):
    day = timezone.localdate(moment)
    return day - timedelta(days=day.weekday())


@role_required(*STAFF_ROLES)
def week(request):
    today = timezone.localdate()
    branches = selectors.branches_for(request.user)
    branch = _branch(request, branches)
    if branch is None:
        return render(request, "duty/week.html", {"branches": []})
    monday = week_monday(request.GET.get("week"), today=today)
    if monday is None:
        messages.warning(request, _("That is not a week; this week is shown."))
        monday = week_monday(None, today=today)
    can_plan = may.plan_duty(request.user, branch)
    here = week_url(branch.pk, monday)
    shift_form = event_form = None
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied
        if request.POST.get("action") == "event":
            event_form = EventForm(request.POST, branch=branch)

            def plan_event(data):
                event_add(user=request.user, branch=branch, **data)
                return _("Event added."), here

            done = form_post_once(request, event_form, plan_event)
        else:
            shift_form = ShiftForm(request.POST, branch=branch)

            def put_on_duty(data):
                shift = shift_add(user=request.user, branch=branch, **data)
                return _("Shift added."), week_url(branch.pk, _monday_of(shift.starts_at))

            done = form_post_once(request, shift_form, put_on_duty)
        if done is not None:
            return done
    # A new shift starts at 08:00 on the week's Monday (or today), for a day.
    first = today if monday <= today < monday + timedelta(days=7) else monday
    start = timezone.make_aware(datetime.combine(first, time(8)))
    context = {
        "branches": branches,
        "branch": branch,
        "monday": monday,
        "week": week_name(monday),
        "previous_week": week_url(branch.pk, monday - timedelta(days=7)),
        "next_week": week_url(branch.pk, monday + timedelta(days=7)),
        "this_week": week_url(branch.pk, week_monday(None, today=today)),
        "days": selectors.roster_week(branch=branch, monday=monday, today=today),
        "gaps": selectors.gaps_ahead(branch=branch, today=today),
        "gap_days": selectors.GAP_DAYS,
        "can_plan": can_plan,
        "here": here,
        "shift_form": shift_form
        or ShiftForm(
            branch=branch,
            initial={"starts_at": start, "ends_at": start + timedelta(days=1)},
        ),
        "event_form": event_form or EventForm(branch=branch),
    }
    status = 400 if (shift_form or event_form) else 200
    return render(request, "duty/week.html", context, status=status)


def _shift(request, pk: int) -> DutyShift:
    if not may.see_roster(request.user):
        raise PermissionDenied
    found = DutyShift.objects.select_related("branch", "engineer", "site").filter(pk=pk).first()
    if found is None:
        raise Http404
    if not may.plan_duty(request.user, found.branch):
        raise PermissionDenied
    return found


@role_required(*STAFF_ROLES)
def shift(request, pk: int):
    """Change a shift: the same fields as adding one; the branch stays."""
    found = _shift(request, pk)
    back = week_url(found.branch_id, _monday_of(found.starts_at))
    form = None
    if request.method == "POST":
        form = ShiftForm(request.POST, branch=found.branch)

        def change(data):
            changed = shift_change(user=request.user, shift=found, **data)
            return _("Shift changed."), week_url(changed.branch_id, _monday_of(changed.starts_at))

        done = form_post_once(request, form, change)
        if done is not None:
            return done
    initial = {
        "engineer": found.engineer_id,
        "starts_at": timezone.localtime(found.starts_at),
        "ends_at": timezone.localtime(found.ends_at),
        "mode": found.mode,
        "kind": found.kind,
        "site": found.site_id,
        "event": found.event,
        "note": found.note,
    }
    context = {
        "shift": found,
        "back": back,
        "form": form or ShiftForm(branch=found.branch, initial=initial),
    }
    return render(request, "duty/shift.html", context, status=400 if form else 200)


@role_required(*STAFF_ROLES)
def shift_delete(request, pk: int):
    found = _shift(request, pk)
    back = week_url(found.branch_id, _monday_of(found.starts_at))
    if request.method == "POST":
        run_action(
            request,
            lambda: shift_remove(user=request.user, shift=found),
            success=_("Shift removed."),
        )
    return redirect(back)


@role_required(*STAFF_ROLES)
def event_delete(request, pk: int):
    found = DutyEvent.objects.select_related("branch").filter(pk=pk).first()
    if found is None:
        raise Http404
    if not may.plan_duty(request.user, found.branch):
        raise PermissionDenied
    back = week_url(found.branch_id, _monday_of(found.starts_at))
    if request.method == "POST":
        run_action(
            request,
            lambda: event_remove(user=request.user, event=found),
            success=_("Event removed."),
        )
    return redirect(back)


@role_required(*STAFF_ROLES)
def copy(request):
    """Last week's roster into this week, in one click (once per form token)."""
    today = timezone.localdate()
    branch = _branch_posted(request)
    monday = week_monday(request.POST.get("week"), today=today)
    if request.method != "POST" or monday is None:
        return redirect(week_url(branch.pk, monday or week_monday(None, today=today)))
    if not may.plan_duty(request.user, branch):
        raise PermissionDenied

    def run():
        copied, skipped = week_copy(user=request.user, branch=branch, monday=monday)
        message = _("%(copied)d shift(s) copied from last week.") % {"copied": copied}
        if skipped:
            message += " " + _(
                "%(skipped)d skipped: the engineer is on duty then already or left the branch."
            ) % {"skipped": skipped}
        return message, week_url(branch.pk, monday)

    return form_submit_once(request, run)


def _branch_posted(request):
    branch = Branch.objects.filter(pk=as_id(request.POST.get("branch")) or 0).first()
    if branch is None:
        raise Http404
    return branch
