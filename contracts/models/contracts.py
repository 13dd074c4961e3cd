from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts import phases
from contracts.phases import AfterWarranty, Phase
from core.models import Timestamped


class Priority(models.TextChoices):
    P1 = "P1", _("P1 · critical")
    P2 = "P2", _("P2 · major")
    P3 = "P3", _("P3 · minor")


TERM_PHASES = [(p.value, p.label) for p in phases.SERVICE_PHASES]


class TermsFields(Timestamped):
    """The promise for one phase and priority: how fast, and in which working time.

    Minutes are working minutes of the clock's calendar; a blank on-site or
    resolution time means no such promise (e.g. trial operation has engineers
    resident on site). Repair-or-replace is counted in calendar days (seed 002:
    7天维修或更换完毕).
    """

    phase = models.CharField(_("phase"), max_length=20, choices=TERM_PHASES)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    response_minutes = models.PositiveIntegerField(
        _("response within (minutes)"), validators=[MinValueValidator(1)]
    )
    onsite_minutes = models.PositiveIntegerField(
        _("on site within (minutes)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolved within (minutes)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    repair_days = models.PositiveIntegerField(
        _("hardware repaired or replaced within (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    pause_on_customer = models.BooleanField(
        _("clocks pause while waiting on the customer"), default=False
    )
    response_calendar = models.ForeignKey(
        "contracts.Calendar",
        verbose_name=_("response calendar"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    onsite_calendar = models.ForeignKey(
        "contracts.Calendar",
        verbose_name=_("on-site calendar"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution_calendar = models.ForeignKey(
        "contracts.Calendar",
        verbose_name=_("resolution calendar"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    TERM_FIELDS = [
        "phase",
        "priority",
        "response_minutes",
        "onsite_minutes",
        "resolution_minutes",
        "repair_days",
        "pause_on_customer",
        "response_calendar",
        "onsite_calendar",
        "resolution_calendar",
    ]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_phase_display()} {self.priority}"

    def term_values(self) -> dict:
        return {name: getattr(self, name) for name in self.TERM_FIELDS}


# A year: the rule is about days; more is a typing mistake (and overflows the clocks).
TRIAL_FIX_MAX_HOURS = 8760


def trial_small_fix_hours_field() -> models.PositiveIntegerField:
    """The 小一大二 hours, a field the contract and its template share."""
    return models.PositiveIntegerField(
        _("trial phase: small problems fixed within (hours)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(TRIAL_FIX_MAX_HOURS)],
        help_text=_(
            "In trial operation a fault is answered with its cause, the fix date and its "
            "size; a small one is fixed within this time. Blank both: no such answer."
        ),
    )


def trial_large_fix_hours_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        _("trial phase: large problems fixed within (hours)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(TRIAL_FIX_MAX_HOURS)],
    )


def trial_fix_hours_problem(small: int | None, large: int | None) -> str | None:
    """What is wrong with a pair of 小一大二 hours, or None."""
    if (small is None) != (large is None):
        return _("Give the hours for small and for large problems, or neither.")
    if small is not None and large < small:
        return _("A large problem cannot have less time than a small one.")
    return None


class ContractTemplate(Timestamped):
    """A ready-made set of promises taken from a tender bid, so a new contract starts from one."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    source = models.TextField(_("source"), blank=True, help_text=_("Which commitment it encodes."))
    warranty_months = models.PositiveIntegerField(
        _("warranty (months)"), validators=[MinValueValidator(1)]
    )
    after_warranty = models.CharField(
        _("after warranty"), max_length=20, choices=AfterWarranty.choices
    )
    substitute_device_hours = models.PositiveIntegerField(
        _("substitute device after (hours)"), null=True, blank=True
    )
    trial_small_fix_hours = trial_small_fix_hours_field()
    trial_large_fix_hours = trial_large_fix_hours_field()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contract template")
        verbose_name_plural = _("contract templates")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problem = trial_fix_hours_problem(self.trial_small_fix_hours, self.trial_large_fix_hours)
        if problem:
            raise ValidationError({"trial_large_fix_hours": problem})


class TemplateTerms(TermsFields):
    template = models.ForeignKey(
        ContractTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="terms"
    )

    class Meta:
        ordering = ["template", "phase", "priority"]
        verbose_name = _("template terms")
        verbose_name_plural = _("template terms")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "phase", "priority"], name="template_terms_unique"
            )
        ]


class Contract(Timestamped):
    """An after-sales service contract (合同); its phase follows from its dates, never typed."""

    number = models.CharField(_("contract number"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "contracts.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    sites = models.ManyToManyField(
        "contracts.Site", verbose_name=_("sites"), related_name="contracts", blank=True
    )
    covered_items = models.ManyToManyField(
        "contracts.CoveredItem",
        verbose_name=_("covered items"),
        related_name="contracts",
        blank=True,
    )
    template = models.ForeignKey(
        ContractTemplate,
        verbose_name=_("template"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts",
    )
    signed_on = models.DateField(_("signed on"))
    final_acceptance_on = models.DateField(
        _("final acceptance signed on"),
        null=True,
        blank=True,
        help_text=_("Blank while the system is still in trial operation."),
    )
    warranty_months = models.PositiveIntegerField(
        _("warranty (months)"), validators=[MinValueValidator(1)]
    )
    after_warranty = models.CharField(
        _("after warranty"),
        max_length=20,
        choices=AfterWarranty.choices,
        default=AfterWarranty.LIFETIME,
    )
    maintenance_ends_on = models.DateField(
        _("maintenance agreement ends on"), null=True, blank=True
    )
    substitute_device_hours = models.PositiveIntegerField(
        _("substitute device after (hours)"),
        null=True,
        blank=True,
        help_text=_("If hardware is not fixed within this time, a substitute device is provided."),
    )
    complaint_answer_hours = models.PositiveIntegerField(
        _("complaints answered within (hours)"),
        default=24,
        validators=[MinValueValidator(1)],
        help_text=_("The service manager answers a customer's complaint within this time."),
    )
    # Trial operation's 小一大二 rule (seed 000, 1.4.1), from the contract's template.
    trial_small_fix_hours = trial_small_fix_hours_field()
    trial_large_fix_hours = trial_large_fix_hours_field()
    branch = models.ForeignKey(
        "accounts.Branch",
        verbose_name=_("responsible branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
    )
    service_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_contracts",
        help_text=_("Leads the management group for this contract; receives its escalations."),
    )
    compliance_target_percent = models.DecimalField(
        _("SLA compliance target (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of decided clocks that must be met; blank: the default target."),
    )
    compliance_warn_below_percent = models.DecimalField(
        _("SLA compliance alarm below (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Below this share compliance shows as bad; blank: the default."),
    )

    class Meta:
        ordering = ["-signed_on", "number"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    trial_small_fix_hours__isnull=True, trial_large_fix_hours__isnull=True
                )
                | models.Q(
                    trial_small_fix_hours__isnull=False,
                    trial_large_fix_hours__isnull=False,
                    trial_small_fix_hours__gte=1,
                    trial_large_fix_hours__lte=TRIAL_FIX_MAX_HOURS,
                    trial_large_fix_hours__gte=models.F("trial_small_fix_hours"),
                ),
                name="contract_trial_fix_hours_both_large_not_shorter",
            ),
            models.CheckConstraint(
                condition=models.Q(final_acceptance_on__isnull=True)
                | models.Q(final_acceptance_on__gte=models.F("signed_on")),
                name="contract_acceptance_after_signing",
            ),
            models.CheckConstraint(
                condition=~models.Q(after_warranty=AfterWarranty.AGREEMENT)
                | models.Q(maintenance_ends_on__isnull=False),
                name="contract_agreement_has_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        errors = {}
        if (
            self.signed_on
            and self.final_acceptance_on
            and self.final_acceptance_on < self.signed_on
        ):
            errors["final_acceptance_on"] = _("Final acceptance cannot come before signing.")
        if self.after_warranty == AfterWarranty.AGREEMENT:
            if not self.maintenance_ends_on:
                errors["maintenance_ends_on"] = _("A maintenance agreement needs the date it ends.")
            elif self.warranty_end and self.maintenance_ends_on <= self.warranty_end:
                errors["maintenance_ends_on"] = _(
                    "The maintenance agreement must end after the warranty (%(end)s)."
                ) % {"end": self.warranty_end.isoformat()}
        elif self.maintenance_ends_on:
            errors["maintenance_ends_on"] = _(
                "Only a contract with a maintenance agreement has an end date for it."
            )
        problem = trial_fix_hours_problem(self.trial_small_fix_hours, self.trial_large_fix_hours)
        if problem:
            errors["trial_large_fix_hours"] = problem
        target, warn = self.compliance_target_percent, self.compliance_warn_below_percent
        if target is not None and warn is not None and warn > target:
            errors["compliance_warn_below_percent"] = _(
                "The alarm threshold cannot be above the target."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def warranty_start(self) -> date | None:
        return phases.warranty_start(self.final_acceptance_on)

    @property
    def warranty_end(self) -> date | None:
        if not self.warranty_months:
            return None
        return phases.warranty_end(self.final_acceptance_on, self.warranty_months)

    def phase_on(self, day: date) -> Phase:
        return phases.phase_on(
            day,
            signed_on=self.signed_on,
            final_acceptance_on=self.final_acceptance_on,
            warranty_months=self.warranty_months,
            after_warranty=self.after_warranty,
            maintenance_ends_on=self.maintenance_ends_on,
        )

    def phase_at(self, moment: datetime) -> Phase:
        """The phase in force at an instant; days turn at midnight in the service time zone."""
        return self.phase_on(timezone.localdate(moment))

    @property
    def current_phase(self) -> Phase:
        return self.phase_at(timezone.now())

    def terms_for(self, phase: str, priority: str) -> "ServiceTerms | None":
        """The terms in force for a phase and priority; None when nothing is promised."""
        for terms in self.terms.all():
            if terms.phase == phase and terms.priority == priority:
                return terms
        return None


class ServiceTerms(TermsFields):
    """The terms of one contract for one phase and priority."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="terms"
    )

    class Meta:
        ordering = ["contract", "phase", "priority"]
        verbose_name = _("service terms")
        verbose_name_plural = _("service terms")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "phase", "priority"], name="service_terms_unique"
            )
        ]
