"""Rectification actions (整改): opened from an anomaly, done by their owner, verified by a
manager (seed 004, 7.3.2: rectification verified)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from core.models import Timestamped
from inspections.models.inspections import Inspection, InspectionResult


class Rectification(FSMModelMixin, Timestamped):
    """A rectification action (整改) opened from an anomaly, tracked to verification."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done, to verify")
        VERIFIED = "verified", _("Verified")

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="rectifications",
    )
    result = models.ForeignKey(
        InspectionResult,
        verbose_name=_("result"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rectifications",
    )
    description = models.TextField(_("what must be done"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due on"))
    status = FSMField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, protected=True
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("fault ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rectifications",
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")

    def __str__(self) -> str:
        return self.description[:50]

    @transition(field=status, source=Status.OPEN, target=Status.DONE)
    def mark_done(self, *, at, done_note: str) -> None:
        self.done_at, self.done_note = at, done_note

    @transition(field=status, source=Status.DONE, target=Status.VERIFIED)
    def verify(self, *, at, by) -> None:
        self.verified_at, self.verified_by = at, by

    @transition(field=status, source=Status.DONE, target=Status.OPEN)
    def reopen(self, *, at, still_wrong: str) -> None:
        """Not fixed after all: back to the owner, with what is still wrong under what was done."""
        self.done_at = None
        self.done_note = f"{self.done_note}\n— {still_wrong}".strip()
