from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped


class ReportJob(Timestamped):
    """A report rendered in the background, with progress the user can watch, kept for download."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("Inspection report")
        SATISFACTION_YEAR = "satisfaction_year", _("Yearly satisfaction analysis")
        SLA_MONTH = "sla_month", _("Monthly SLA report")
        DAILY_REPAIR = "daily_repair", _("Daily repair report")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("report"), max_length=30, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=5, choices=Format.choices, default=Format.PDF)
    params = models.JSONField(_("parameters"), default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="report_jobs",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    # Handed to the broker (null while it was down: the requeue sweep sends it when it is back).
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    # Put back on the queue after its worker stopped mid-render (killed, restarted).
    requeued_at = models.DateTimeField(_("re-queued at"), null=True, blank=True)
    # How many times a worker took it; each take supersedes the one before.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def error_summary(self) -> str:
        """The first line of the error, for the page; the traceback stays in the row."""
        return self.error.strip().split("\n", 1)[0] if self.error else ""
