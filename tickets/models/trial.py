"""The trial-phase answer (seed 000, 1.4.1): "项目实施组会在 2 个小时内给予明确答复，
包括问题修复完成时间，问题出现的原因等 … 遵循'小一大二'的原则进行处理，
小问题的处理时间不超过 1天，大问题的处理不超过 2天".

While a contract is in trial operation, a fault is answered with a structured record: the
cause, when the fix will be done, and whether the problem is small or large. The record
keeps the response clock running until it is complete (tickets/trial_answers.py), and its
size picks the resolution clock (small: one day, large: two, the contract's hours). After
the fix passed our internal test it is deployed, and the customer is asked to confirm it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped


class Size(models.TextChoices):
    SMALL = "small", _("Small problem")
    LARGE = "large", _("Large problem")


class TrialAnswer(Timestamped):
    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="trial_answer",
    )
    cause = models.TextField(_("cause of the problem"), blank=True)
    fix_due_at = models.DateTimeField(_("fix done by"), null=True, blank=True)
    size = models.CharField(_("size"), max_length=5, choices=Size.choices, blank=True)
    # The first moment all three were given: the answer the response clock waited for.
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deployed_at = models.DateTimeField(_("fix deployed at"), null=True, blank=True)
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deployed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deployment = models.TextField(_("what was deployed"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("trial-phase answer")
        verbose_name_plural = _("trial-phase answers")
        constraints = [
            models.CheckConstraint(
                name="trial_answer_complete_when_answered",
                condition=models.Q(answered_at__isnull=True)
                | (~models.Q(cause="") & models.Q(fix_due_at__isnull=False) & ~models.Q(size="")),
            ),
            models.CheckConstraint(
                name="trial_fix_deployed_after_answer",
                condition=models.Q(deployed_at__isnull=True) | models.Q(answered_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.ticket)

    @property
    def is_complete(self) -> bool:
        return bool(self.cause.strip() and self.fix_due_at and self.size)


def trial_fix_hours(ticket) -> dict[str, int] | None:
    """The 小一大二 hours this ticket is held to ({"small": 24, "large": 48}), or None.

    Only a fault reported while its contract was in trial operation, under a contract
    that keeps the rule (its terms snapshot holds the hours: tickets.services.creation).
    """
    if ticket.kind != "fault":
        return None
    hours = (ticket.terms_applied or {}).get("trial_fix_hours")
    if not hours or not hours.get("small") or not hours.get("large"):
        return None
    return hours


def trial_answer_of(ticket) -> "TrialAnswer | None":
    try:
        return ticket.trial_answer
    except TrialAnswer.DoesNotExist:
        return None


def response_kept_at(ticket):
    """When the ticket's response promise was kept: in trial operation under the 小一大二
    rule, the moment its answer was complete; otherwise when the call was acknowledged."""
    if trial_fix_hours(ticket) is not None:
        answer = trial_answer_of(ticket)
        return answer.answered_at if answer else None
    return ticket.acknowledged_at
