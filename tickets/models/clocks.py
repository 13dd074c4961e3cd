from django.db import models
from django.utils.translation import gettext_lazy as _


class SlaClock(models.Model):
    """One promise on one ticket: respond, be on site, resolve, repair or replace.

    `target_at` is the deadline; `next_step_at` is when the next escalation
    step falls due. Both live in the database, which is the source of truth:
    the sweep finds due work with an index on `next_step_at`, so its cost
    grows with the clocks due, not with the tickets.
    """

    class Kind(models.TextChoices):
        RESPONSE = "response", _("Response")
        ONSITE = "onsite", _("On site")
        RESOLUTION = "resolution", _("Resolution")
        REPAIR = "repair", _("Repair or replace")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        MET = "met", _("Met")
        BREACHED = "breached", _("Breached")
        CANCELLED = "cancelled", _("Not needed")

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="clocks"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    calendar = models.ForeignKey(
        "contracts.Calendar",
        verbose_name=_("calendar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Blank: calendar time (every hour counts)."),
    )
    budget_seconds = models.PositiveIntegerField(_("time allowed (seconds)"))
    started_at = models.DateTimeField(_("started at"))
    target_at = models.DateTimeField(_("target"), null=True, blank=True)
    at_risk_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    next_step_at = models.DateTimeField(_("next escalation step at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RUNNING
    )
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    unconfirmed_years = models.JSONField(
        _("holiday years not confirmed"),
        default=list,
        blank=True,
        help_text=_(
            "Years the deadline arithmetic read whose holidays are not confirmed yet: "
            "the deadline is provisional."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["ticket", "kind"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="clock_one_per_kind"),
        ]
        indexes = [
            # Only clocks with a step to come are in the index: the sweep's
            # query touches nothing else.
            models.Index(
                fields=["next_step_at"],
                name="clock_next_step_due",
                condition=models.Q(next_step_at__isnull=False),
            ),
            models.Index(fields=["status", "target_at"], name="clock_status_target"),
            # The SLA dashboard reads a period's clocks by start (= the ticket's reported_at).
            models.Index(fields=["started_at"], name="clock_started"),
            # The queue's "next deadline" per ticket reads only clocks still counting.
            models.Index(
                fields=["ticket", "target_at"],
                name="clock_counting_by_ticket",
                condition=models.Q(stopped_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"

    @property
    def is_stopped(self) -> bool:
        return self.stopped_at is not None or self.status == self.Status.CANCELLED

    @property
    def provisional(self) -> bool:
        """The deadline read a year whose holidays are not confirmed: it may still move.

        A stopped clock's outcome is final, so it is never provisional.
        """
        return bool(self.unconfirmed_years) and not self.is_stopped

    @property
    def unconfirmed_years_label(self) -> str:
        return ", ".join(str(year) for year in self.unconfirmed_years)


class ClockPause(models.Model):
    """A stretch during which a clock did not count (waiting on the customer, reopened)."""

    clock = models.ForeignKey(
        SlaClock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="pauses"
    )
    started_at = models.DateTimeField(_("paused at"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["clock", "started_at"]
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        constraints = [
            models.UniqueConstraint(
                fields=["clock"],
                condition=models.Q(ended_at__isnull=True),
                name="clock_one_open_pause",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clock} {self.started_at:%Y-%m-%d %H:%M}"
