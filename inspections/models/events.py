"""The history of an inspection, its rectifications' included."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped
from inspections.models.inspections import Inspection
from inspections.models.rectifications import Rectification


class InspectionEvent(Timestamped):
    """One status change: who took which step when, from which state to which.

    Written by the services with the change itself, in one transaction, as a
    TicketEvent is for a ticket. A row with a rectification is that rectification's
    change (its status); without one, the inspection's (its state).
    """

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="events"
    )
    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("rectification"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    # The workflow step, as the model names it: start, submit, approve, verify…
    action = models.CharField(_("action"), max_length=20)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("inspection event")
        verbose_name_plural = _("inspection events")
        indexes = [models.Index(fields=["inspection", "at"], name="inspection_event_at")]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
