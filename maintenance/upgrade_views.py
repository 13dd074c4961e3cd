"""Upgrade and software-notice pages: an upgrade planned from its item's page, its steps
checked off by the engineer, the way back; notices published to the customers whose items
run the software, read in the portal with receipts."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.roles import STAFF_ROLES, Role
from contracts.selectors import items_visible_to
from core.web import REFUSALS, refusal_messages, role_required
from maintenance import permissions as may
from maintenance.forms import NoteForm, NoticeForm, RollBackForm, UpgradePlanForm
from maintenance.models import Upgrade, UpgradeStep
from maintenance.notices import notice_publish, notice_read, notices_visible_to
from maintenance.upgrades import (
    current_version,
    may_retry,
    may_roll_back,
    next_step,
    upgrade_plan,
    upgrade_retry,
    upgrade_roll_back,
    upgrade_step,
)
from tickets.submissions import form_post_once


@role_required(*STAFF_ROLES)
def upgrade_new(request, item_pk: int):
    item = items_visible_to(request.user).filter(pk=item_pk).first()
    if item is None:
        raise Http404
    if request.method == "POST" and not may.plan_upgrade(request.user):
        raise PermissionDenied
    form = UpgradePlanForm(request.POST or None, item=item)
    if request.method == "POST":

        def run(data):
            upgrade = upgrade_plan(user=request.user, item=item, **data)
            return _("Upgrade planned."), reverse("maintenance:upgrade", args=[upgrade.pk])

        done = form_post_once(request, form, run)
        if done is not None:
            return done
    context = {
        "item": item,
        "running": current_version(item),
        "form": form,
        "can_plan": may.plan_upgrade(request.user),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "maintenance/upgrade_new.html", context, status=status)


def _upgrade(pk: int) -> Upgrade:
    upgrade = (
        Upgrade.objects.select_related("item__customer", "engineer", "window", "planned_by")
        .prefetch_related("steps__done_by")
        .filter(pk=pk)
        .first()
    )
    if upgrade is None:
        raise Http404
    return upgrade


@role_required(*STAFF_ROLES)
def upgrade(request, pk: int, *, forms: dict | None = None, status: int = 200):
    upgrade = _upgrade(pk)
    forms = forms or {}
    expected = next_step(upgrade)
    steps = list(upgrade.steps.all())
    context = {
        "upgrade": upgrade,
        "steps": steps,
        "next": expected and UpgradeStep.Step(expected),
        "can_work": may.work_upgrade(upgrade, request.user),
        "can_roll_back": may_roll_back(upgrade),
        "can_retry": may_retry(upgrade),
        "step_form": forms.get("step") or NoteForm(),
        "roll_back_form": forms.get("roll_back") or RollBackForm(),
    }
    return render(request, "maintenance/upgrade.html", context, status=status)


@require_POST
@role_required(*STAFF_ROLES)
def upgrade_act(request, pk: int, action: str):
    found = _upgrade(pk)
    if not may.work_upgrade(found, request.user):
        raise PermissionDenied
    page = reverse("maintenance:upgrade", args=[pk])
    if action == "step":
        form = NoteForm(request.POST)

        def check_off(data):
            step = request.POST.get("step", "")
            upgrade_step(upgrade=found, user=request.user, step=step, **data)
            return _("Step checked off."), page

        done = form_post_once(request, form, check_off)
        return done or upgrade(request, pk, forms={"step": form}, status=400)
    if action == "roll_back":
        form = RollBackForm(request.POST)

        def roll_back(data):
            upgrade_roll_back(upgrade=found, user=request.user, **data)
            return _("Rolled back: the previous system is restored."), page

        done = form_post_once(request, form, roll_back)
        return done or upgrade(request, pk, forms={"roll_back": form}, status=400)
    if action == "retry":
        try:
            upgrade_retry(upgrade=found, user=request.user)
        except REFUSALS as exc:
            refusal_messages(request, exc)
        return redirect(page)
    raise Http404


@role_required(*STAFF_ROLES, Role.CUSTOMER)
def notices(request):
    can_publish = may.publish_notices(request.user)
    if request.method == "POST" and not can_publish:
        raise PermissionDenied
    form = NoticeForm(request.POST or None) if can_publish else None
    if request.method == "POST" and form is not None:

        def run(data):
            notice = notice_publish(user=request.user, **data)
            told = notice.customers.count()
            message = ngettext(
                "Published to %(n)d customer.", "Published to %(n)d customers.", told
            ) % {"n": told}
            return message, reverse("maintenance:notice", args=[notice.pk])

        done = form_post_once(request, form, run)
        if done is not None:
            return done
    found = notices_visible_to(request.user).prefetch_related("customers")[:200]
    context = {"notices": found, "form": form, "can_publish": can_publish}
    status = 400 if request.method == "POST" else 200
    return render(request, "maintenance/notices.html", context, status=status)


@role_required(*STAFF_ROLES, Role.CUSTOMER)
def notice(request, pk: int):
    found = notices_visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    notice_read(notice=found, user=request.user)
    receipts = []
    if may.see_all_windows(request.user):
        receipts = found.receipts.select_related("user__contact__customer").order_by("read_at")
    context = {"notice": found, "receipts": receipts, "customers": found.customers.all()}
    return render(request, "maintenance/notice.html", context)
