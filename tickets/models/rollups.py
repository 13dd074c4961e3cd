"""SLA rollups: clocks counted per day, customer, contract, branch, engineer, kind and outcome,
and the durations of each day's tickets as histograms, so that a month of SLA figures reads a
few thousand rows whatever the history (docs/SLA.md).

The day is the local date (service time zone) the ticket was reported, the date every SLA
period is read on. Rows are derived data: `tickets.rollups` keeps them current in the same
transaction as the clocks, and rebuilds them from the clocks (`manage.py sla_rollups_rebuild`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SlaRollup(models.Model):
    """Clocks of one day's tickets with the same customer, contract, branch and engineer, by
    kind and outcome: settled clocks under their outcome, clocks still counting as running or,
    once the sweep recorded their first warning, at risk (`tickets.rollups`, which corrects
    for the few whose outcome at the moment asked has moved on since).
    """

    day = models.DateField(_("day reported"))
    customer = models.ForeignKey(
        "contracts.Customer", on_delete=models.CASCADE, null=True, related_name="+"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, null=True, related_name="+"
    )
    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.CASCADE, null=True, related_name="+"
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20)
    outcome = models.CharField(_("outcome"), max_length=20)
    clocks = models.PositiveIntegerField(_("clocks"))

    class Meta:
        verbose_name = _("SLA rollup")
        verbose_name_plural = _("SLA rollups")
        indexes = [models.Index(fields=["day"], name="sla_rollup_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.outcome} {self.clocks}"


class SlaDurationRollup(models.Model):
    """Minutes from the call to one moment (acknowledged, on site, resolved) of one day's tickets.

    `bins` is a histogram, {bin: tickets} (`tickets.rollups.bin_bounds`), precise to 5 %, from
    which the percentiles of any period are read.
    """

    day = models.DateField(_("day reported"))
    measure = models.CharField(_("measure"), max_length=20)
    tickets = models.PositiveIntegerField(_("tickets"))
    total_minutes = models.FloatField(_("total minutes"))
    bins = models.JSONField(_("histogram"), default=dict)

    class Meta:
        verbose_name = _("SLA duration rollup")
        verbose_name_plural = _("SLA duration rollups")
        constraints = [
            models.UniqueConstraint(fields=["day", "measure"], name="sla_duration_day_measure")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.measure} {self.tickets}"
