"""Chat-group robots (WeCom 企业微信, DingTalk 钉钉): where service teams read their alerts.

A robot is a group's incoming webhook, set per branch and per escalation tier; each alert
for it is a ChatMessage, sent once (unique per robot and key) and retried while the
robot's service fails (tickets/chat.py)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Tier
from core.models import Timestamped


class ChatRobot(Timestamped):
    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    webhook_url = models.URLField(_("webhook address"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk robots with signing (加签): the secret that starts with SEC."),
    )
    branch = models.ForeignKey(
        "accounts.Branch",
        verbose_name=_("branch"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chat_robots",
        help_text=_("Empty: the tickets of every branch."),
    )
    tiers = models.JSONField(
        _("escalation tiers"),
        default=list,
        help_text=_("The group hears the escalation steps that go to these tiers."),
    )
    active = models.BooleanField(_("active"), default=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=300, blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("chat-group robot")
        verbose_name_plural = _("chat-group robots")

    def __str__(self) -> str:
        return self.name

    @property
    def tier_labels(self) -> list[str]:
        return [str(Tier(t).label) for t in self.tiers if t in Tier.values]

    @property
    def failing(self) -> bool:
        return bool(self.last_error_at) and (
            self.last_sent_at is None or self.last_error_at >= self.last_sent_at
        )


class ChatMessage(Timestamped):
    """One alert for one robot, waiting (`due_at`), sent, or given up."""

    robot = models.ForeignKey(
        ChatRobot, verbose_name=_("robot"), on_delete=models.CASCADE, related_name="messages"
    )
    key = models.CharField(max_length=100)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    due_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("chat-group message")
        verbose_name_plural = _("chat-group messages")
        constraints = [models.UniqueConstraint(fields=["robot", "key"], name="chat_message_once")]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(due_at__isnull=False), name="chat_due_idx")
        ]

    def __str__(self) -> str:
        return self.title
