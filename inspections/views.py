"""Inspection pages: the engineer's phone, the manager's review, the customer's portal.

Every page about one inspection looks it up among those the user may see, so
anyone else (a customer of another organisation, an engineer of another
branch) gets 404, whatever the action.
"""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import STAFF_ROLES, Role
from accounts.selectors import role_of
from core.inputs import as_id, clean_date, posted_text
from core.web import role_required, run_action, stored_file_response
from inspections import selectors
from inspections.models import (
    OPEN_STATES,
    ChecklistItem,
    Inspection,
    InspectionPhoto,
    Rectification,
)
from inspections.permissions import is_manager, may_carry_out, may_verify, may_verify_contract
from inspections.services import rectifications as rectification_services
from inspections.services.visits import (
    inspection_review,
    inspection_sign,
    inspection_start,
    inspection_submit,
    missing_items,
    result_record,
)


def _inspection(request, pk: int) -> Inspection:
    queryset = Inspection.objects.select_related(
        "contract__customer", "contract__service_manager", "site", "template", "engineer"
    )
    return get_object_or_404(selectors.inspections_visible_to(request.user, queryset), pk=pk)


def _rectification(request, pk: int) -> Rectification:
    queryset = Rectification.objects.select_related("inspection__contract", "inspection__site")
    return get_object_or_404(selectors.rectifications_visible_to(request.user, queryset), pk=pk)


def _back(inspection: Inspection, anchor: str = ""):
    url = reverse("inspections:detail", args=[inspection.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@role_required(*STAFF_ROLES)
def home(request):
    """The engineer's inspections, or the manager's list."""
    role = role_of(request.user)
    if role == Role.ENGINEER:
        lists = selectors.engineer_inspections(request.user)
        return render(
            request,
            "inspections/engineer_home.html",
            {**lists, "today": timezone.localdate()},
        )
    show = request.GET.get("show", "review")
    if show not in selectors.MANAGER_FILTERS:
        show = "review"
    page = Paginator(selectors.manager_inspections(request.user, show=show), 30).get_page(
        request.GET.get("page")
    )
    filters = [
        ("review", _("To review")),
        ("open", _("Scheduled and in progress")),
        ("done", _("Approved and signed")),
        ("all", _("All")),
    ]
    return render(
        request,
        "inspections/manager_home.html",
        {"page": page, "show": show, "filters": filters, "today": timezone.localdate()},
    )


@role_required(Role.CUSTOMER)
def portal(request):
    lists = selectors.customer_inspections(request.user, today=timezone.localdate())
    return render(request, "inspections/portal.html", lists)


@login_required
def detail(request, pk: int):
    inspection = _inspection(request, pk)
    role = role_of(request.user)
    carry_out = (
        inspection.state in OPEN_STATES
        and role != Role.CUSTOMER
        and may_carry_out(inspection, request.user)
    )
    sections = selectors.checklist_rows(inspection)
    rectifications = list(
        inspection.rectifications.select_related("result__item", "owner", "ticket", "verified_by")
    )
    context = {
        "inspection": inspection,
        "sections": sections,
        "rectifications": rectifications,
        "role": role,
        "today": timezone.localdate(),
        "is_customer": role == Role.CUSTOMER,
        "is_manager": is_manager(request.user),
        "carry_out": carry_out,
        "may_open_rectification": role != Role.CUSTOMER
        and inspection.state not in (Inspection.State.SCHEDULED, Inspection.State.CANCELLED)
        and (
            may_carry_out(inspection, request.user) or may_verify_contract(inspection, request.user)
        ),
        "may_sign": inspection.state == Inspection.State.APPROVED
        and (
            role == Role.CUSTOMER
            or (inspection.engineer_id == request.user.pk)
            or is_manager(request.user)
        ),
        "staff": [] if role == Role.CUSTOMER else _staff_choices(inspection),
        "default_due": timezone.localdate() + timedelta(days=7),
        "anomalies_without_action": [
            row.result
            for block in sections
            for row in block.rows
            if row.result
            and row.result.anomaly
            and not any(r.result_id == row.result.pk for r in rectifications)
        ],
    }
    if carry_out:
        context["missing"] = missing_items(inspection)
        return render(request, "inspections/carry_out.html", context)
    return render(request, "inspections/inspection.html", context)


def _staff_choices(inspection: Inspection) -> list[User]:
    users = User.objects.filter(
        is_active=True, groups__name__in=[Role.ENGINEER, Role.MANAGER]
    ).select_related("branch")
    branch = inspection.site.branch_id
    return sorted(
        set(users),
        key=lambda u: (u.pk != inspection.engineer_id, u.branch_id != branch, u.username),
    )


@require_POST
@login_required
def start(request, pk: int):
    inspection = _inspection(request, pk)
    run_action(request, lambda: inspection_start(inspection=inspection, user=request.user))
    return _back(inspection)


def _passed(raw: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(raw or "")


@require_POST
@login_required
def record(request, pk: int, item_pk: int):
    inspection = _inspection(request, pk)
    item = get_object_or_404(
        ChecklistItem.objects.select_related("section"),
        pk=item_pk,
        section__template_id=inspection.template_id,
    )
    run_action(
        request,
        lambda: result_record(
            inspection=inspection,
            item=item,
            user=request.user,
            passed=_passed(request.POST.get("passed")),
            value=posted_text(request.POST, "value"),
            text=posted_text(request.POST, "text"),
            note=posted_text(request.POST, "note"),
            photos=request.FILES.getlist("photos"),
        ),
        success=_("Saved: %(item)s") % {"item": item.text},
    )
    return _back(inspection, f"item-{item.pk}")


@require_POST
@login_required
def submit(request, pk: int):
    inspection = _inspection(request, pk)
    run_action(
        request,
        lambda: inspection_submit(
            inspection=inspection, user=request.user, summary=posted_text(request.POST, "summary")
        ),
        success=_("Submitted for review."),
    )
    return _back(inspection)


@require_POST
@login_required
def review(request, pk: int):
    inspection = _inspection(request, pk)
    approve = request.POST.get("decision") == "approve"
    run_action(
        request,
        lambda: inspection_review(
            inspection=inspection,
            user=request.user,
            approve=approve,
            note=posted_text(request.POST, "note"),
        ),
        success=_("Approved.") if approve else _("Sent back to the engineer."),
    )
    return _back(inspection)


@require_POST
@login_required
def sign(request, pk: int):
    inspection = _inspection(request, pk)
    run_action(
        request,
        lambda: inspection_sign(
            inspection=inspection,
            user=request.user,
            signer_name=posted_text(request.POST, "signer_name"),
            signature=posted_text(request.POST, "signature"),
        ),
        success=_("Signed. Thank you."),
    )
    return _back(inspection)


@require_POST
@login_required
def rectification_new(request, pk: int):
    inspection = _inspection(request, pk)
    result = None
    result_id, owner_id = request.POST.get("result", ""), request.POST.get("owner", "")
    if result_id:
        result = (
            inspection.results.select_related("item").filter(pk=as_id(result_id)).first()
            if as_id(result_id)
            else None
        )
        if result is None:
            raise Http404
    owner = User.objects.filter(pk=as_id(owner_id)).first() if as_id(owner_id) else None
    run_action(
        request,
        lambda: rectification_services.rectification_open(
            inspection=inspection,
            result=result,
            owner=owner,
            due_on=clean_date(request.POST.get("due_on"), field="due_on"),
            description=posted_text(request.POST, "description"),
            user=request.user,
            open_ticket=bool(request.POST.get("open_ticket")),
        ),
        success=_("Rectification opened."),
    )
    return _back(inspection, "rectifications")


@role_required(*STAFF_ROLES)
def rectifications(request):
    show = "all" if request.GET.get("show") == "all" else "open"
    page = Paginator(selectors.rectifications_list(request.user, show=show), 30).get_page(
        request.GET.get("page")
    )
    rows = [
        (
            r,
            r.status == Rectification.Status.OPEN
            and (
                r.owner_id == request.user.pk
                or may_carry_out(r.inspection, request.user)
                or may_verify(r, request.user)
            ),
            r.status == Rectification.Status.DONE and may_verify(r, request.user),
        )
        for r in page
    ]
    return render(
        request,
        "inspections/rectifications.html",
        {"page": page, "rows": rows, "show": show},
    )


def _after_rectification(request, rectification: Rectification):
    target = request.POST.get("next", "")
    if target == "list":
        return redirect("inspections:rectifications")
    return _back(rectification.inspection, "rectifications")


@require_POST
@login_required
def rectification_done(request, pk: int):
    rectification = _rectification(request, pk)
    run_action(
        request,
        lambda: rectification_services.rectification_done(
            rectification=rectification, user=request.user, note=posted_text(request.POST, "note")
        ),
        success=_("Marked as done; waiting for verification."),
    )
    return _after_rectification(request, rectification)


@require_POST
@login_required
def rectification_verify(request, pk: int):
    rectification = _rectification(request, pk)
    accept = request.POST.get("decision", "accept") == "accept"
    run_action(
        request,
        lambda: rectification_services.rectification_verify(
            rectification=rectification,
            user=request.user,
            accept=accept,
            note=posted_text(request.POST, "note"),
        ),
        success=_("Verified.") if accept else _("Reopened."),
    )
    return _after_rectification(request, rectification)


@login_required
def photo(request, pk: int):
    record = get_object_or_404(InspectionPhoto.objects.select_related("result"), pk=pk)
    _inspection(request, record.result.inspection_id)
    return stored_file_response(record.image, filename=record.image.name.rsplit("/", 1)[-1])


@login_required
def signature(request, pk: int):
    inspection = _inspection(request, pk)
    if not inspection.signature:
        raise Http404
    return stored_file_response(
        inspection.signature, filename=f"signature-{inspection.pk}.png", content_type="image/png"
    )
