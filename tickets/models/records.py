"""What is kept with a ticket besides its state: the register its number is drawn from,
its fault report, its attachments and its history."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped
from core.translatable import Message
from tickets.models.tickets import Ticket


class TicketSequence(models.Model):
    """The last number given out in a year, for readable ticket numbers (2026-000123)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class FaultReport(Timestamped):
    """The fault report of seed 004, 7.3.1.1: symptoms, analysis, cause, solution, prevention."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="fault_report"
    )
    symptoms = models.TextField(_("symptoms"), blank=True)
    analysis = models.TextField(_("analysis"), blank=True)
    cause = models.TextField(_("located cause"), blank=True)
    solution = models.TextField(_("solution and fix"), blank=True)
    prevention = models.TextField(_("preventive measures"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("fault report")
        verbose_name_plural = _("fault reports")

    def __str__(self) -> str:
        return f"{self.ticket.number}"


class Attachment(Timestamped):
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="tickets/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class TicketEvent(Timestamped):
    """One line of a ticket's history: who did what when, and what it changed.

    Complete enough to prove to a customer when each promise was met or broken.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        TRANSITION = "transition", _("State changed")
        PRIORITY = "priority", _("Priority changed")
        CLOCK = "clock", _("Clock")
        ESCALATION = "escalation", _("Escalation")
        NOTE = "note", _("Note")
        ATTACHMENT = "attachment", _("Attachment")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
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
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    # As written (the site's language for what the system says, as typed for people's notes).
    note = models.TextField(_("note"), blank=True)
    # What the system said, untranslated (core.translatable.Message): shown in the reader's
    # language. Empty for a person's note and for events written before it existed.
    message = models.JSONField(_("message"), default=dict, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "at"], name="event_ticket_at")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def display_note(self) -> str:
        """The note in the active language."""
        return Message.from_json(self.message).title_text() if self.message else self.note


def event_note(note: "str | Message") -> dict:
    """The `note` and `message` of a TicketEvent: a Message (what the system says) is kept
    untranslated and written out in the site's language; a str (what a person typed) as is."""
    if isinstance(note, Message):
        with translation.override(settings.LANGUAGE_CODE):
            return {"note": note.title_text(), "message": note.to_json()}
    return {"note": note or "", "message": {}}
