"""Report jobs: request one (permissions, parameters), render it with progress, keep the file.

Short reports (a day's repairs, one inspection) are rendered in the request;
long ones (a month of SLA for every customer, a year of satisfaction) go
through a `ReportJob` a Celery worker renders. The job row is the source of
truth, and every job finishes, done or failed:

- the render task is acknowledged late and rejected on worker loss, so a
  message whose worker died before taking the job is delivered again;
- a worker takes a job with a conditional update on the locked row (queued →
  rendering, attempts + 1); each later write names that attempt, so a job is
  never rendered twice at once, and a superseded worker's result is dropped;
- beat runs `report_jobs_requeue` every 30 s: a job rendering longer than
  RUNNING_TIMEOUT lost its worker and goes back on the queue (failed after
  MAX_ATTEMPTS), a job never handed to the broker (it was down) or waiting
  longer than WAITING_TIMEOUT is sent again;
- `manage.py render_reports` (or "Render now" on the reports page) renders
  waiting jobs in the process itself, with no worker at all.
"""

import logging
import traceback
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import MANAGER_ROLES
from accounts.selectors import role_of
from core.inputs import clean_date, clean_number
from core.queue import task_send
from reports.documents import daily_repair, satisfaction, sla_month
from reports.documents.inspection import inspection_report_pdf
from reports.issued_notice import issued_report_rendered
from reports.models import ReportJob

logger = logging.getLogger(__name__)

RENDER_TASK = "reports.tasks.report_render"
Kind = ReportJob.Kind
Format = ReportJob.Format

# Which formats each kind of report comes in.
FORMATS = {
    Kind.INSPECTION: [Format.PDF],
    Kind.SATISFACTION_YEAR: [Format.PDF],
    Kind.SLA_MONTH: [Format.PDF, Format.CSV],
    Kind.DAILY_REPAIR: [Format.PDF, Format.CSV],
}


@dataclass(frozen=True)
class Rendered:
    content: bytes
    filename: str
    content_type: str


def _int(params: dict, name: str, *, low: int, high: int, required: bool = True) -> int | None:
    return clean_number(
        params.get(name), field=name, minimum=low, maximum=high, integer=True, required=required
    )


def report_params_clean(*, kind: str, params: dict) -> dict:
    """Validate and normalise the parameters of a report; ValidationError names the field."""
    from contracts.models import Contract, Customer
    from inspections.models import Inspection

    params = dict(params or {})
    if kind == Kind.INSPECTION:
        pk = _int(params, "inspection", low=1, high=2**63)
        if not Inspection.objects.filter(pk=pk).exists():
            raise ValidationError({"inspection": _("No such inspection.")})
        return {"inspection": pk}
    if kind == Kind.DAILY_REPAIR:
        try:
            day = date.fromisoformat(str(params.get("day", "")))
        except ValueError:
            raise ValidationError({"day": _("Enter a date as YYYY-MM-DD.")}) from None
        return {"day": clean_date(day, field="day").isoformat()}
    if kind in (Kind.SLA_MONTH, Kind.SATISFACTION_YEAR):
        cleaned = {"year": _int(params, "year", low=2000, high=2100)}
        if kind == Kind.SLA_MONTH:
            cleaned["month"] = _int(params, "month", low=1, high=12)
            contract = _int(params, "contract", low=1, high=2**63, required=False)
            if contract is not None and not Contract.objects.filter(pk=contract).exists():
                raise ValidationError({"contract": _("No such contract.")})
            cleaned["contract"] = contract
        customer = _int(params, "customer", low=1, high=2**63, required=False)
        if customer is not None and not Customer.objects.filter(pk=customer).exists():
            raise ValidationError({"customer": _("No such customer.")})
        cleaned["customer"] = customer
        return cleaned
    raise ValidationError({"kind": _("Unknown report.")})


def may_request(user, *, kind: str, params: dict) -> bool:
    """Managers, leaders and admins get every report; an inspection report goes to whoever
    the inspections app lets read it (one rule, in inspections.permissions)."""
    if kind != Kind.INSPECTION:
        return role_of(user) in MANAGER_ROLES
    from inspections.models import Inspection
    from inspections.permissions import may_read_report

    inspection = Inspection.objects.filter(pk=params.get("inspection")).first()
    return inspection is not None and may_read_report(inspection, user)


def _filename(kind: str, fmt: str, params: dict) -> str:
    if kind == Kind.INSPECTION:
        stem = f"inspection-{params['inspection']}"
    elif kind == Kind.DAILY_REPAIR:
        stem = f"repairs-{params['day']}"
    elif kind == Kind.SLA_MONTH:
        stem = f"sla-{params['year']}-{params['month']:02d}"
    else:
        stem = f"satisfaction-{params['year']}"
    if params.get("customer"):
        stem += f"-customer{params['customer']}"
    if params.get("contract"):
        stem += f"-contract{params['contract']}"
    return f"{stem}.{fmt}"


def report_render(*, kind: str, format: str, params: dict, now=None) -> Rendered:
    """Render a report from cleaned parameters, in the request or in a job."""
    from inspections.models import Inspection

    if format not in FORMATS.get(kind, []):
        raise ValidationError({"format": _("This report does not come in that format.")})
    if kind == Kind.INSPECTION:
        content = inspection_report_pdf(Inspection.objects.get(pk=params["inspection"]))
    elif kind == Kind.DAILY_REPAIR:
        day = date.fromisoformat(params["day"])
        render = (
            daily_repair.daily_repair_csv if format == Format.CSV else daily_repair.daily_repair_pdf
        )
        content = render(day=day)
    elif kind == Kind.SLA_MONTH:
        render = sla_month.sla_month_csv if format == Format.CSV else sla_month.sla_month_pdf
        content = render(
            year=params["year"],
            month=params["month"],
            customer=params.get("customer"),
            contract=params.get("contract"),
            now=now,
        )
    else:
        content = satisfaction.satisfaction_year_pdf(
            year=params["year"], customer=params.get("customer")
        )
    content_type = "text/csv; charset=utf-8" if format == Format.CSV else "application/pdf"
    return Rendered(content, _filename(kind, format, params), content_type)


def _send(job_id: int) -> bool:
    """Hand the job to the broker; False when it is down: the requeue sweep sends it later."""
    return task_send(RENDER_TASK, job_id)


def _enqueue(job_id: int) -> None:
    """Queue a new or retried job; with the broker down it stays waiting, `queued_at` empty."""
    if _send(job_id):
        ReportJob.objects.filter(
            pk=job_id, status=ReportJob.Status.QUEUED, queued_at__isnull=True
        ).update(queued_at=timezone.now())


def report_job_request(*, user, kind: str, format: str, params: dict) -> ReportJob:
    """Create a queued job after checking the parameters and who asks; queued on commit."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown report.")})
    if format not in FORMATS[kind]:
        raise ValidationError({"format": _("This report does not come in that format.")})
    cleaned = report_params_clean(kind=kind, params=params)
    if not may_request(user, kind=kind, params=cleaned):
        raise PermissionDenied
    job = ReportJob.objects.create(kind=kind, format=format, params=cleaned, requested_by=user)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


@transaction.atomic
def report_job_retry(*, job: ReportJob, user) -> ReportJob:
    """Queue a failed job again from the start, for whoever may request that report."""
    job = ReportJob.objects.select_for_update().get(pk=job.pk)
    if not may_request(user, kind=job.kind, params=job.params):
        raise PermissionDenied
    if job.status != ReportJob.Status.FAILED:
        return job
    job.status = ReportJob.Status.QUEUED
    job.progress = job.attempts = 0
    job.error = ""
    job.queued_at = job.requeued_at = job.started_at = job.finished_at = None
    job.save(
        update_fields=[
            "status",
            "progress",
            "attempts",
            "error",
            "queued_at",
            "requeued_at",
            "started_at",
            "finished_at",
            "updated_at",
        ]
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


class _Superseded(Exception):
    """The job was taken again (re-queued, rendered by someone else): this attempt stops."""


def _advance(job: ReportJob, attempt: int, **fields) -> None:
    """Write progress only while this attempt still holds the job (a conditional update)."""
    fields["updated_at"] = timezone.now()
    held = ReportJob.objects.filter(
        pk=job.pk, attempts=attempt, status=ReportJob.Status.RUNNING
    ).update(**fields)
    if not held:
        raise _Superseded
    for name, value in fields.items():
        setattr(job, name, value)


def report_job_run(*, job_id: int, now=None) -> ReportJob | None:
    """Render a queued job: rendering 10 %, 50 %, rendered 90 %, saved 100 % and done.

    Never raises: a failure is recorded on the job (status failed, the error
    text) so the person who asked sees it. A job already taken by another
    worker, finished or gone is left alone; a job whose worker died
    (`job_abandoned`) is taken over.
    """
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not (
            job.status == ReportJob.Status.QUEUED or job_abandoned(job, now=timezone.now())
        ):
            return job
        job.attempts += 1
        job.status = ReportJob.Status.RUNNING
        job.progress = 10
        job.started_at = timezone.now()
        job.error = ""
        job.save(
            update_fields=["attempts", "status", "progress", "started_at", "error", "updated_at"]
        )
    attempt = job.attempts
    stored = ""
    try:
        params = report_params_clean(kind=job.kind, params=job.params)
        _advance(job, attempt, progress=50)
        rendered = report_render(kind=job.kind, format=job.format, params=params, now=now)
        _advance(job, attempt, progress=90)
        job.file.save(rendered.filename, ContentFile(rendered.content), save=False)
        stored = job.file.name
        _advance(
            job,
            attempt,
            progress=100,
            file=stored,
            status=ReportJob.Status.DONE,
            finished_at=timezone.now(),
        )
    except _Superseded:
        logger.warning("report job %s: attempt %s was superseded; result dropped", job_id, attempt)
        if stored:
            job.file.storage.delete(stored)
        job.refresh_from_db()
    except Exception as exc:
        logger.exception("report job %s failed", job_id)
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        error = (message or type(exc).__name__) + "\n\n" + traceback.format_exc(limit=3)
        try:
            _advance(
                job,
                attempt,
                error=error,
                status=ReportJob.Status.FAILED,
                finished_at=timezone.now(),
            )
        except _Superseded:
            job.refresh_from_db()
    if job.status == ReportJob.Status.DONE:
        _rendered(job)
    return job


def _rendered(job: ReportJob) -> None:
    """What follows a finished render: an issued report is announced to its customer.
    A failure to tell is logged; the job stays done (the report is there to download)."""
    try:
        with transaction.atomic():
            issued_report_rendered(job=job)
    except Exception:
        logger.exception("report job %s: could not announce the issued report", job.pk)


# A render takes seconds; a job rendering this long lost its worker (killed, restarted).
RUNNING_TIMEOUT = timedelta(minutes=5)
# A job handed to the broker and not taken this long is sent again (the message may be lost).
WAITING_TIMEOUT = timedelta(minutes=2)
# A job whose worker stopped this many times fails; the page offers to retry it.
MAX_ATTEMPTS = 3


def job_abandoned(job: ReportJob, *, now) -> bool:
    return (
        job.status == ReportJob.Status.RUNNING
        and job.started_at is not None
        and now - job.started_at > RUNNING_TIMEOUT
    )


def report_jobs_requeue(*, now=None) -> int:
    """Beat's safety net: put every job that should be moving back on the queue; how many sent.

    - rendering longer than RUNNING_TIMEOUT: its worker stopped. Back to
      waiting (re-queued), or failed once it has been taken MAX_ATTEMPTS times;
    - waiting and never handed to the broker (it was down at the request), or
      handed over longer than WAITING_TIMEOUT ago: sent again.

    Every change is a conditional update naming the state it saw, so two
    sweeps racing send each job once; a duplicate message would be harmless
    anyway (a worker takes a job only while it is waiting).
    """
    now = now or timezone.now()
    Status = ReportJob.Status
    cutoff = now - RUNNING_TIMEOUT
    to_send: list[int] = []
    for job_id, attempts in ReportJob.objects.filter(
        status=Status.RUNNING, started_at__lt=cutoff
    ).values_list("pk", "attempts"):
        seen = ReportJob.objects.filter(
            pk=job_id, status=Status.RUNNING, attempts=attempts, started_at__lt=cutoff
        )
        if attempts >= MAX_ATTEMPTS:
            if seen.update(status=Status.FAILED, error="", finished_at=now, updated_at=now):
                logger.error("report job %s: worker stopped %s times; failed", job_id, attempts)
        elif seen.update(
            status=Status.QUEUED, progress=0, requeued_at=now, queued_at=now, updated_at=now
        ):
            logger.warning("report job %s: worker stopped mid-render; re-queued", job_id)
            to_send.append(job_id)
    waiting = ReportJob.objects.filter(status=Status.QUEUED).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=now - WAITING_TIMEOUT)
    )
    for job_id, queued_at in waiting.values_list("pk", "queued_at"):
        # queued_at=None filters IS NULL: the claim holds for jobs never sent as well.
        seen = ReportJob.objects.filter(pk=job_id, status=Status.QUEUED, queued_at=queued_at)
        if seen.update(queued_at=now):
            to_send.append(job_id)
    sent = 0
    for job_id in to_send:
        if _send(job_id):
            sent += 1
        else:  # still down: the next sweep tries again
            ReportJob.objects.filter(pk=job_id, status=Status.QUEUED, queued_at=now).update(
                queued_at=None
            )
    return sent


def report_jobs_run_queued(*, limit: int | None = None) -> int:
    """Render the queued jobs, and those whose worker died, oldest first; returns how many ran."""
    abandoned = Q(status=ReportJob.Status.RUNNING, started_at__lt=timezone.now() - RUNNING_TIMEOUT)
    ids = list(
        ReportJob.objects.filter(Q(status=ReportJob.Status.QUEUED) | abandoned)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for job_id in ids:
        report_job_run(job_id=job_id)
    return len(ids)
