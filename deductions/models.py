"""What a late service costs the service company (seed 004, 7.2.1): the contract's penalty
terms per breached promise, the third-party repairs the buyer paid for, and the ledger of
both that comes off the contract's balance."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped
from tickets.models import SlaClock

MONEY = {"max_digits": 14, "decimal_places": 2}


class PenaltyPlan(Timestamped):
    """A contract's penalty terms: its value (for penalties as a share of it) and a cap on
    the penalties of the whole contract."""

    contract = models.OneToOneField(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="penalty_plan",
    )
    contract_value = models.DecimalField(
        _("contract value (CNY)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    applies_from = models.DateTimeField(
        _("applies to breaches from"),
        default=timezone.now,
        help_text=_(
            "Breaches before this moment are not charged: the terms entered late do not "
            "charge a contract's whole history unless this is set back."
        ),
    )
    cap = models.DecimalField(
        _("penalties capped at (CNY)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Blank: no cap. Third-party repair costs are deducted in full."),
    )

    class Meta:
        verbose_name = _("penalty terms")
        verbose_name_plural = _("penalty terms")

    def __str__(self) -> str:
        return str(self.contract)


class PenaltyRule(Timestamped):
    """What one breach of one kind of promise costs: a fixed amount or a share of the
    contract's value. A kind without a rule costs nothing."""

    class Method(models.TextChoices):
        FIXED = "fixed", _("Fixed amount")
        SHARE = "share", _("Share of the contract value")

    plan = models.ForeignKey(
        PenaltyPlan, verbose_name=_("penalty terms"), on_delete=models.CASCADE, related_name="rules"
    )
    clock_kind = models.CharField(_("promise"), max_length=20, choices=SlaClock.Kind.choices)
    method = models.CharField(_("penalty"), max_length=10, choices=Method.choices)
    amount = models.DecimalField(
        _("amount (CNY)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    share_percent = models.DecimalField(
        _("share (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        ordering = ["plan", "clock_kind"]
        verbose_name = _("penalty per breach")
        verbose_name_plural = _("penalties per breach")
        constraints = [
            models.UniqueConstraint(fields=["plan", "clock_kind"], name="penalty_rule_per_kind"),
            models.CheckConstraint(
                condition=(Q(method="fixed") & Q(amount__isnull=False))
                | (Q(method="share") & Q(share_percent__isnull=False)),
                name="penalty_rule_has_its_figure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.get_clock_kind_display()}"


class ThirdPartyRepair(Timestamped):
    """A repair the buyer had a third party do because ours was late; its cost is deducted."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="third_party_repairs",
    )
    company = models.CharField(_("repaired by"), max_length=200)
    cost = models.DecimalField(_("cost (CNY)"), **MONEY, validators=[MinValueValidator(0)])
    repaired_on = models.DateField(_("repaired on"))
    invoice = models.FileField(_("invoice"), upload_to="invoices/%Y/%m/", blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-repaired_on", "-pk"]
        verbose_name = _("third-party repair")
        verbose_name_plural = _("third-party repairs")

    def __str__(self) -> str:
        return f"{self.company} · {self.cost}"


class Deduction(Timestamped):
    """One line of a contract's deduction ledger: a breach's penalty or a third-party
    repair's cost, with the ticket (and the clock) that caused it."""

    class Kind(models.TextChoices):
        PENALTY = "penalty", _("Penalty for a breach")
        THIRD_PARTY = "third_party", _("Third-party repair")

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="deductions",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    clock = models.OneToOneField(
        SlaClock,
        verbose_name=_("breached promise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deduction",
    )
    repair = models.OneToOneField(
        ThirdPartyRepair,
        verbose_name=_("third-party repair"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deduction",
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    amount = models.DecimalField(_("deducted (CNY)"), **MONEY)
    uncapped = models.DecimalField(
        _("before the cap (CNY)"),
        **MONEY,
        help_text=_("What the terms asked for; more than deducted once the cap is reached."),
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("deduction")
        verbose_name_plural = _("deductions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="penalty") & Q(clock__isnull=False) & Q(repair__isnull=True))
                | (Q(kind="third_party") & Q(repair__isnull=False) & Q(clock__isnull=True)),
                name="deduction_has_its_cause",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(amount__lte=models.F("uncapped")),
                name="deduction_within_what_was_due",
            ),
        ]
        indexes = [models.Index(fields=["contract", "occurred_at"], name="deduction_by_contract")]

    def __str__(self) -> str:
        return f"{self.contract} · {self.get_kind_display()} · {self.amount}"
