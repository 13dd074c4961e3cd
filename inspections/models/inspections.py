"""Inspections (巡检): plans per contract, the inspections they schedule, results, photos, alerts.

Seed 004, 7.3.2: weekly inspections, compare with the previous period and
watch anomalies; seed 002, 4.5.1: half-yearly on-site checks; seed 000: annual
health check (年度健康检查).
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from core.models import Timestamped
from inspections.models.checklists import ChecklistItem, ChecklistTemplate


class InspectionPlan(Timestamped):
    """A contract's promise of regular inspections; it generates scheduled ones ahead of time."""

    class Cycle(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        HALF_YEARLY = "half_yearly", _("Half-yearly")
        ANNUAL = "annual", _("Annual health check")
        CUSTOM = "custom", _("Every N days")

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="inspection_plans",
    )
    site = models.ForeignKey(
        "contracts.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    cycle = models.CharField(_("cycle"), max_length=20, choices=Cycle.choices)
    interval_days = models.PositiveIntegerField(_("every N days"), null=True, blank=True)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Blank: an engineer of the site's branch."),
    )
    starts_on = models.DateField(_("first inspection on"))
    ends_on = models.DateField(_("last inspection by"), null=True, blank=True)
    lead_days = models.PositiveIntegerField(_("schedule this many days ahead"), default=30)
    remind_days_before = models.PositiveIntegerField(_("remind this many days before"), default=2)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["contract", "cycle"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(cycle="custom") | models.Q(interval_days__gte=1),
                name="plan_custom_cycle_has_interval",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.get_cycle_display()}"


class Inspection(FSMModelMixin, Timestamped):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted for review")
        APPROVED = "approved", _("Approved")
        SIGNED = "signed", _("Signed by the customer")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name=_("plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    site = models.ForeignKey(
        "contracts.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="+"
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )
    due_on = models.DateField(_("due on"), db_index=True)
    state = FSMField(
        _("state"), max_length=20, choices=State.choices, default=State.SCHEDULED, protected=True
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = models.TextField(_("reviewer's note"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signer_name = models.CharField(_("signed by"), max_length=100, blank=True)
    signature = models.ImageField(
        _("signature"), upload_to="inspection-signatures/%Y/%m/", blank=True
    )

    class Meta:
        ordering = ["-due_on", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            # Generating the schedule twice cannot create a second inspection.
            models.UniqueConstraint(fields=["plan", "due_on"], name="inspection_once_per_plan_day"),
        ]
        indexes = [models.Index(fields=["state", "due_on"], name="inspection_state_due")]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.due_on}"

    # The steps of the workflow. Each sets what the step itself means; the services in
    # inspections/services/ check who may take it, save the row and record the event.

    @transition(field=state, source=State.SCHEDULED, target=State.IN_PROGRESS)
    def start(self, *, at, engineer=None) -> None:
        """Started; an engineer who starts an unassigned inspection takes it on."""
        self.started_at = at
        if self.engineer_id is None and engineer is not None:
            self.engineer = engineer

    @transition(field=state, source=State.IN_PROGRESS, target=State.SUBMITTED)
    def submit(self, *, at, summary: str = "") -> None:
        self.submitted_at = at
        if summary:
            self.summary = summary

    @transition(field=state, source=State.SUBMITTED, target=State.IN_PROGRESS)
    def send_back(self, *, at, review_note: str) -> None:
        self.submitted_at, self.review_note = None, review_note

    @transition(field=state, source=State.SUBMITTED, target=State.APPROVED)
    def approve(self, *, at, by, review_note: str) -> None:
        self.approved_at, self.approved_by, self.review_note = at, by, review_note

    @transition(field=state, source=State.APPROVED, target=State.SIGNED)
    def sign(self, *, at, signer_name: str, signature: bytes) -> None:
        self.signed_at, self.signer_name = at, signer_name
        self.signature.save(f"inspection-{self.pk}.png", ContentFile(signature), save=False)

    @transition(field=state, source=[State.SCHEDULED, State.IN_PROGRESS], target=State.CANCELLED)
    def cancel(self, *, at) -> None:
        pass


# Still to be carried out: what the engineer's list shows and the alerts watch.
OPEN_STATES = (Inspection.State.SCHEDULED, Inspection.State.IN_PROGRESS)


class InspectionResult(Timestamped):
    """The answer to one checklist item, flagged when out of range or changed since last time."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="results"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="results"
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    value = models.DecimalField(
        _("measured value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    text = models.TextField(_("answer"), blank=True)
    note = models.TextField(_("note"), blank=True)
    anomaly = models.BooleanField(_("anomaly"), default=False)
    anomaly_reason = models.CharField(_("why it is an anomaly"), max_length=300, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous result"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["inspection", "item__section__order", "item__order", "pk"]
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="result_once_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.item_id}"


class InspectionPhoto(Timestamped):
    result = models.ForeignKey(
        InspectionResult, verbose_name=_("result"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="inspections/%Y/%m/")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self) -> str:
        return self.image.name


class InspectionAlert(Timestamped):
    """A reminder before an inspection falls due or an escalation when overdue: sent once each."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        OVERDUE = "overdue", _("Overdue: escalated")

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("inspection alert")
        verbose_name_plural = _("inspection alerts")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "kind"], name="inspection_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.kind}"
