"""A change request's sign-offs (seed 000, 1.4.2): "请求提出后，需要先提交到项目管理组进行签字，
之后交给现场实施人员。项目实施组的项目经理根据项目的整体情况评估 … 然后向油田项目管理组反馈".
The customer's project management signs, the vendor's project manager evaluates, the
customer accepts the evaluation; only then may work start (tickets/change_requests.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped


class ChangeApproval(Timestamped):
    class Stage(models.TextChoices):
        CUSTOMER_SIGN = "customer_sign", _("Waiting for the customer's signature")
        EVALUATION = "evaluation", _("Waiting for our project manager's evaluation")
        ACCEPTANCE = "acceptance", _("Waiting for the customer to accept the evaluation")
        ACCEPTED = "accepted", _("Accepted: work may start")
        REFUSED = "refused", _("Refused by the customer")

    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="change_approval",
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    sign_approved = models.BooleanField(_("approved by the customer"), null=True)
    sign_reason = models.TextField(_("customer's reason"), blank=True)
    scope = models.TextField(_("scope of the change"), blank=True)
    effort = models.CharField(_("effort"), max_length=200, blank=True)
    schedule = models.CharField(_("schedule"), max_length=200, blank=True)
    architecture = models.TextField(_("effect on the system architecture"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    accepted = models.BooleanField(_("evaluation accepted"), null=True)
    acceptance_reason = models.TextField(_("reason for refusing the evaluation"), blank=True)

    class Meta:
        verbose_name = _("change request sign-off")
        verbose_name_plural = _("change request sign-offs")

    def __str__(self) -> str:
        return str(self.ticket)

    @property
    def stage(self) -> str:
        if self.sign_approved is None:
            return self.Stage.CUSTOMER_SIGN
        if self.sign_approved is False:
            return self.Stage.REFUSED
        if self.evaluated_at is None:
            return self.Stage.EVALUATION
        if self.accepted is True:
            return self.Stage.ACCEPTED
        # Not answered yet, or refused: the project manager evaluates again.
        if self.accepted is False:
            return self.Stage.EVALUATION
        return self.Stage.ACCEPTANCE

    def get_stage_display(self) -> str:
        return str(self.Stage(self.stage).label)
