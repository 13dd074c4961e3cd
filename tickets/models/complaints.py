"""A complaint's answer (seed 004, 7.1.2.2: "受理接受客户的意见和投诉 … 作好用户投诉和处理结果记录
… 在规定时限内答复用户"): what the service manager found, whether the complaint was justified,
what is done about it, and the answer the customer reads (tickets/complaints.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped


class ComplaintAnswer(Timestamped):
    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="complaint_answer",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"))
    finding = models.TextField(_("what we found"))
    justified = models.BooleanField(_("complaint justified"))
    action = models.TextField(_("what we do about it"), blank=True)
    answer = models.TextField(_("answer to the customer"))

    class Meta:
        ordering = ["-answered_at"]
        verbose_name = _("complaint answer")
        verbose_name_plural = _("complaint answers")

    def __str__(self) -> str:
        return str(self.ticket)
