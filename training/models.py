"""Training (培训). Seed 000: "按照招标方的要求，负责项目的全部培训"; seed 002:
"培训内容包括对软、硬件系统的技术培训、软件操作培训、运维工作、基本故障修复培训".
A session per contract, its attendees with their sign-in, its materials and the signed
sign-in sheet."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped


class TrainingSession(Timestamped):
    """One training session (培训) of a contract: planned, then held or cancelled."""

    class Kind(models.TextChoices):
        HARDWARE = "hardware", _("Technical training: hardware")
        SOFTWARE = "software", _("Technical training: software")
        OPERATION = "operation", _("Software operation")
        MAINTENANCE = "maintenance", _("Operations and maintenance")
        FAULT_REPAIR = "fault_repair", _("Basic fault repair")

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    topic = models.CharField(_("topic"), max_length=200)
    kind = models.CharField(_("kind of training"), max_length=20, choices=Kind.choices)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions",
    )
    trainer_name = models.CharField(
        _("external trainer"),
        max_length=100,
        blank=True,
        help_text=_("When the trainer is not one of our engineers."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    place = models.CharField(_("place"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PLANNED
    )
    notes = models.TextField(_("notes"), blank=True)
    held_at = models.DateTimeField(_("marked held at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)
    signin_sheet = models.FileField(
        _("signed sign-in sheet"), upload_to="training/signin/%Y/%m/", blank=True
    )
    signin_name = models.CharField(_("sign-in sheet file name"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="training_lasts_some_time"
            ),
            models.CheckConstraint(
                condition=Q(trainer__isnull=False) | ~Q(trainer_name=""),
                name="training_has_a_trainer",
            ),
        ]
        indexes = [models.Index(fields=["contract", "starts_at"], name="training_of_contract")]

    def __str__(self) -> str:
        return f"{self.topic} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def trainer_display(self) -> str:
        if self.trainer_id:
            return self.trainer.get_full_name() or self.trainer.username
        return self.trainer_name

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class Attendee(Timestamped):
    """Someone invited to a session: one of the customer's contacts, or a name typed with
    organisation and position. `attended` is the sign-in, recorded after the session
    (None: not recorded yet)."""

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("training session"),
        on_delete=models.CASCADE,
        related_name="attendees",
    )
    contact = models.ForeignKey(
        "contracts.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "contact"],
                condition=Q(contact__isnull=False),
                name="training_contact_invited_once",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Material(Timestamped):
    """A file handed out at a session (slides, manuals), uploaded under the one upload
    policy (core.uploads) and served only to those who may see the session."""

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("training session"),
        on_delete=models.CASCADE,
        related_name="materials",
    )
    file = models.FileField(_("file"), upload_to="training/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["session", "created_at", "pk"]
        verbose_name = _("training material")
        verbose_name_plural = _("training materials")

    def __str__(self) -> str:
        return self.name
