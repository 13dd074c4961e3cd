"""Reports issued to a customer (提交书面报告, seed 002, 4.5.4): the written report the vendor
hands over, rendered for that customer alone and downloaded by its contacts in the portal."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped
from reports.models.jobs import ReportJob


class IssuedReport(Timestamped):
    """One issue of a written report to one customer for one year.

    Issuing again for the same customer, kind and year adds the next version; the
    customer sees only the latest version that did not fail (reports.selectors).
    The file is its report job's: rendered in the background, retried there.
    """

    class Kind(models.TextChoices):
        SATISFACTION_YEAR = "satisfaction_year", _("Yearly satisfaction analysis")

    customer = models.ForeignKey(
        "contracts.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="issued_reports",
    )
    kind = models.CharField(
        _("report"), max_length=30, choices=Kind.choices, default=Kind.SATISFACTION_YEAR
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    # An issued report is a record: neither its job nor the person who issued it goes away.
    job = models.OneToOneField(
        ReportJob, verbose_name=_("report job"), on_delete=models.PROTECT, related_name="issue"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="issued_reports",
    )
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("issued report")
        verbose_name_plural = _("issued reports")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind", "year", "version"], name="issued_report_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} v{self.version} · {self.customer}"

    @property
    def is_ready(self) -> bool:
        """Rendered and kept: it may be downloaded."""
        return self.job.status == ReportJob.Status.DONE and bool(self.job.file)

    @property
    def filename(self) -> str:
        return f"satisfaction-{self.year}-v{self.version}.pdf"
