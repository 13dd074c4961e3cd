"""Events a branch keeps duty for. The shifts themselves are accounts.DutyShift, which
dispatch and the hotline console read (tickets may not import this app)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch
from core.models import Timestamped


class DutyEvent(Timestamped):
    """An important meeting or activity (重要的会议及有关活动, seed 002, 4.5.3) during which
    the branch must have someone on duty the whole time."""

    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="duty_events"
    )
    name = models.CharField(_("event"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    site = models.ForeignKey(
        "contracts.Site",
        verbose_name=_("site"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duty_events",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("duty event")
        verbose_name_plural = _("duty events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="duty_event_ends_after"
            )
        ]
        indexes = [models.Index(fields=["branch", "starts_at"], name="duty_event_branch_start")]

    def __str__(self) -> str:
        return f"{self.name} {self.starts_at:%Y-%m-%d}"
