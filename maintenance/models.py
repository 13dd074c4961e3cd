"""Planned downtime (seed 000, 1.5.5):
"确保停机之前能够及时通知最终用户，以免产生不必要的误会和损失".
A window of planned work on a site or some of its covered items, told to the customer's
people when planned, again before it starts, and again on every change."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped


class DowntimeWindow(Timestamped):
    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(
        "contracts.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="downtime_windows",
    )
    site = models.ForeignKey(
        "contracts.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="downtime_windows",
    )
    items = models.ManyToManyField(
        "contracts.CoveredItem",
        verbose_name=_("covered items"),
        blank=True,
        related_name="downtime_windows",
        help_text=_("None chosen: the whole site stops."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=300)
    work = models.TextField(_("work planned"), blank=True)
    notice_hours = models.PositiveIntegerField(
        _("remind this many hours before"),
        default=24,
        help_text=_(
            "The customer's people are told when it is planned and again this long before."
        ),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PLANNED
    )
    # Each change makes a new version: its notices are sent once per person and version.
    version = models.PositiveIntegerField(_("version"), default=1)
    reminded_version = models.PositiveIntegerField(
        _("reminder sent for version"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("planned downtime")
        verbose_name_plural = _("planned downtimes")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="downtime_ends_after_it_starts"
            )
        ]
        indexes = [
            models.Index(
                fields=["starts_at"],
                name="downtime_reminder_due",
                condition=Q(state="planned"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"
