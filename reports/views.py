"""Report pages: the manager's reports page, job downloads, the inspection report PDF.

Short reports (a day's repairs, one inspection) are rendered in the request;
long ones (a month of SLA, a year of satisfaction) become jobs whose progress
the page shows, refreshing itself with a meta tag while any is unfinished.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.roles import MANAGER_ROLES
from accounts.selectors import role_of
from contracts.models import Contract, Customer
from core.web import role_required, stored_file_response
from inspections.models import Inspection
from inspections.permissions import may_read_report
from inspections.selectors import inspections_visible_to
from reports.documents import inspection as inspection_document
from reports.documents import training as training_document
from reports.issued import issued_report_issue
from reports.models import ReportJob
from reports.rendering import (
    WAITING_TIMEOUT,
    Rendered,
    job_abandoned,
    report_job_request,
    report_job_retry,
    report_job_run,
    report_params_clean,
    report_render,
)
from reports.selectors import issued_reports_visible_to, report_jobs_of
from tickets.rollups import service_tz
from tickets.submissions import form_post_once
from training.selectors import session_with_details, sessions_visible_to

Kind = ReportJob.Kind
Format = ReportJob.Format
# A job still waiting after this long was probably never handed to a worker (broker down):
# the page offers to render it in the request.
STALE_AFTER = WAITING_TIMEOUT
JOBS_SHOWN = 20
ISSUED_SHOWN = 20
SELECT = {"class": "full-width"}  # no style="": the Content-Security-Policy forbids it


def _today():
    return timezone.localdate(timezone.now(), service_tz())


class DailyRepairForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_day(self):
        day = self.cleaned_data["day"]
        if not 2000 <= day.year <= 2100:
            raise forms.ValidationError(gettext_lazy("Choose a day between 2000 and 2100."))
        return day

    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=[(Format.PDF, "PDF"), (Format.CSV, "CSV")]
    )


class SlaMonthForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=gettext_lazy("Month"), min_value=1, max_value=12)
    customer = forms.ModelChoiceField(
        label=gettext_lazy("Customer"),
        queryset=Customer.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All customers"),
        widget=forms.Select(attrs=SELECT),
    )
    contract = forms.ModelChoiceField(
        label=gettext_lazy("Contract"),
        queryset=Contract.objects.order_by("number"),
        required=False,
        empty_label=gettext_lazy("All contracts"),
        widget=forms.Select(attrs=SELECT),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=[(Format.PDF, "PDF"), (Format.CSV, "CSV")]
    )

    def clean(self):
        cleaned = super().clean()
        customer, contract = cleaned.get("customer"), cleaned.get("contract")
        if customer and contract and contract.customer_id != customer.pk:
            raise ValidationError(_("This contract belongs to another customer."))
        return cleaned


class SatisfactionYearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    customer = forms.ModelChoiceField(
        label=gettext_lazy("Customer"),
        queryset=Customer.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All customers"),
        widget=forms.Select(attrs=SELECT),
    )


class IssueForm(forms.Form):
    """Issue the yearly satisfaction analysis to one customer (the year's range is the
    service's rule, reports.issued.issue_years)."""

    customer = forms.ModelChoiceField(
        label=gettext_lazy("Customer"),
        queryset=Customer.objects.order_by("name"),
        widget=forms.Select(attrs=SELECT),
    )
    year = forms.IntegerField(label=gettext_lazy("Year"))


FORMS = {
    Kind.DAILY_REPAIR: (DailyRepairForm, "daily"),
    Kind.SLA_MONTH: (SlaMonthForm, "sla"),
    Kind.SATISFACTION_YEAR: (SatisfactionYearForm, "satisfaction"),
}


def _initial_forms() -> dict:
    today = _today()
    last_month = today.replace(day=1) - timedelta(days=1)
    return {
        "daily": DailyRepairForm(
            prefix="daily", initial={"day": today.isoformat(), "format": Format.PDF}
        ),
        "sla": SlaMonthForm(
            prefix="sla",
            initial={"year": last_month.year, "month": last_month.month, "format": Format.PDF},
        ),
        "satisfaction": SatisfactionYearForm(
            prefix="satisfaction", initial={"year": today.year - (today.month < 12)}
        ),
        "issue": IssueForm(prefix="issue", initial={"year": today.year - (today.month < 12)}),
    }


def _attachment(rendered: Rendered) -> HttpResponse:
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    return response


def _page(request, forms_by_name: dict, *, status: int = 200):
    jobs = report_jobs_of(request.user, limit=JOBS_SHOWN)
    issued = list(
        issued_reports_visible_to(request.user).order_by("-issued_at", "-pk")[:ISSUED_SHOWN]
    )
    now = timezone.now()
    for job in [*jobs, *(i.job for i in issued)]:
        job.stale = job_abandoned(job, now=now) or (
            job.status == ReportJob.Status.QUEUED and now - job.created_at > STALE_AFTER
        )
    # Refresh while anything is unfinished: beat re-queues a job whose worker died,
    # so even that one moves on by itself.
    moving = (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING)
    unfinished = [j for j in jobs if j.status in moving] + [
        i for i in issued if i.job.status in moving
    ]
    context = {**forms_by_name, "jobs": jobs, "issued": issued, "refresh": bool(unfinished)}
    response = render(request, "reports/home.html", context, status=status)
    if unfinished:
        response["Refresh"] = "3"
    return response


@role_required(*MANAGER_ROLES)
def home(request):
    """Forms for the daily repair, monthly SLA and yearly satisfaction reports; the jobs."""
    forms_by_name = _initial_forms()
    if request.method != "POST":
        return _page(request, forms_by_name)
    kind = request.POST.get("report", "")
    if kind not in FORMS:
        messages.error(request, _("Choose a report."))
        return _page(request, forms_by_name, status=400)
    form_class, prefix = FORMS[kind]
    form = form_class(request.POST, prefix=prefix)
    forms_by_name[prefix] = form
    if not form.is_valid():
        return _page(request, forms_by_name, status=400)
    data = form.cleaned_data
    if kind == Kind.DAILY_REPAIR:
        params = report_params_clean(kind=kind, params={"day": data["day"].isoformat()})
        return _attachment(report_render(kind=kind, format=data["format"], params=params))
    params = {"year": data["year"], "customer": data["customer"].pk if data["customer"] else None}
    fmt = Format.PDF
    if kind == Kind.SLA_MONTH:
        params["month"] = data["month"]
        params["contract"] = data["contract"].pk if data["contract"] else None
        fmt = data["format"]
    try:
        report_job_request(user=request.user, kind=kind, format=fmt, params=params)
    except ValidationError as exc:
        for error in exc.messages:
            form.add_error(None, error)
        return _page(request, forms_by_name, status=400)
    messages.success(request, _("The report is being prepared; it appears below when ready."))
    return redirect("reports:home")


@require_POST
@role_required(*MANAGER_ROLES)
def issue(request):
    """Issue the yearly satisfaction analysis to a customer: rendered in the background, then
    downloaded by the customer's contacts in the portal (reports.issued)."""
    forms_by_name = _initial_forms()
    form = IssueForm(request.POST, prefix="issue")
    forms_by_name["issue"] = form

    def run(data):
        issued = issued_report_issue(
            user=request.user, customer=data["customer"], year=data["year"]
        )
        message = _(
            "The %(year)s report for %(customer)s is being prepared; "
            "its contacts are told when it is ready."
        ) % {"year": issued.year, "customer": issued.customer.name}
        return message, reverse("reports:home")

    # Once per form token: a double click issues one version, not two.
    done = form_post_once(request, form, run)
    if done is not None:
        return done
    return _page(request, forms_by_name, status=400)


def _job_for(request, pk: int) -> ReportJob:
    """The requester's own job, or any job for a manager; anyone else gets 404."""
    job = ReportJob.objects.filter(pk=pk).first()
    if job is None:
        raise Http404
    if job.requested_by_id != request.user.pk and role_of(request.user) not in MANAGER_ROLES:
        raise Http404
    return job


@login_required
def job_download(request, pk: int):
    job = _job_for(request, pk)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404
    name = job.file.name.rsplit("/", 1)[-1]
    return stored_file_response(job.file, filename=name, as_attachment=True)


@login_required
def job_retry(request, pk: int):
    """Queue a failed job again."""
    if request.method != "POST":
        return redirect("reports:home")
    job = _job_for(request, pk)
    report_job_retry(job=job, user=request.user)
    messages.success(request, _("The report is queued again; it appears below when ready."))
    return redirect("reports:home")


@role_required(*MANAGER_ROLES)
def job_run(request, pk: int):
    """Render a job that waited too long for a worker, in this request."""
    if request.method != "POST":
        return redirect("reports:home")
    job = _job_for(request, pk)
    if job.status == ReportJob.Status.QUEUED or job_abandoned(job, now=timezone.now()):
        job = report_job_run(job_id=job.pk)
        if job.status == ReportJob.Status.FAILED:
            messages.error(request, _("The report could not be rendered."))
    return redirect("reports:home")


@login_required
def inspection_report_pdf(request, pk: int):
    """The inspection report (巡检报告) as PDF, at /inspections/<pk>/report.pdf
    (servicedesk/urls.py files it with the inspection pages).

    Whoever may see the inspection, except that customers only get approved or signed
    reports (inspections.permissions.may_read_report); anyone else gets 404.
    """
    queryset = Inspection.objects.select_related(
        "contract__customer", "contract__service_manager", "site", "template", "engineer"
    )
    inspection = get_object_or_404(inspections_visible_to(request.user, queryset), pk=pk)
    if not may_read_report(inspection, request.user):
        raise Http404
    name = f"inspection-{inspection.contract.number}-{inspection.due_on.isoformat()}.pdf"
    pdf = inspection_document.inspection_report_pdf(inspection)
    return _attachment(Rendered(content=pdf, filename=name, content_type="application/pdf"))


@login_required
def training_signin_pdf(request, pk: int):
    """A training session's sign-in sheet (培训签到表) to print, at
    /training/<pk>/signin-sheet.pdf (servicedesk/urls.py files it with the training pages);
    whoever may see the session, anyone else gets 404."""
    session = session_with_details(sessions_visible_to(request.user)).filter(pk=pk).first()
    if session is None:
        raise Http404
    name = f"training-signin-{session.pk}-{timezone.localdate(session.starts_at).isoformat()}.pdf"
    pdf = training_document.signin_sheet_pdf(session)
    return _attachment(Rendered(content=pdf, filename=name, content_type="application/pdf"))


@login_required
def inspection_pdf(request, pk: int):
    """The older address of the inspection report: it leads to the one guarded endpoint."""
    target = reverse("inspections:report_pdf", args=[pk])
    return redirect(f"{target}?inline=1" if request.GET.get("inline") else target)
